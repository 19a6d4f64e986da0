package io.autoftp.camel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import org.apache.camel.spi.PropertyConfigurerGetter;
import org.apache.camel.spi.UriParam;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * src/generated (configurers, URI factories, component JSON) is produced by Camel's tool from the annotations and
 * committed: this fails when an option was added or renamed without regenerating ({@code -Pcamel-metadata}).
 */
class GeneratedMetadataTest {

    private static final List<String> OPTIONS = Arrays.stream(DataChannelOptions.class.getDeclaredFields())
            .filter(f -> f.isAnnotationPresent(UriParam.class)).map(Field::getName).toList();

    @ParameterizedTest
    @ValueSource(strings = { "autoftp", "autoftps" })
    void everyDataChannelOptionIsInTheGeneratedMetadata(String scheme) throws Exception {
        assertEquals(8, OPTIONS.size(), OPTIONS.toString());
        String prefix = scheme.equals("autoftp") ? "AutoFtp" : "AutoFtps";
        PropertyConfigurerGetter endpoint = configurer(prefix + "EndpointConfigurer");
        PropertyConfigurerGetter component = configurer(prefix + "ComponentConfigurer");
        String json;
        try (InputStream in = getClass().getResourceAsStream("/META-INF/io/autoftp/camel/" + scheme + ".json")) {
            assertNotNull(in, scheme + ".json");
            json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        for (String option : OPTIONS) {
            assertNotNull(endpoint.getOptionType(option, false), scheme + " endpoint configurer knows " + option);
            assertNotNull(component.getOptionType(option, false), scheme + " component configurer knows " + option);
            assertTrue(json.contains("\"" + option + "\": {"), scheme + ".json describes " + option);
        }
        assertNotNull(endpoint.getOptionType("passiveMode", false), "camel-ftp's options are there too");
    }

    private static PropertyConfigurerGetter configurer(String simpleName) throws Exception {
        return (PropertyConfigurerGetter) Class.forName("io.autoftp.camel." + simpleName).getDeclaredConstructor()
                .newInstance();
    }
}
