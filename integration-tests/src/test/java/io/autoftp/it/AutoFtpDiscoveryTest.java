package io.autoftp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.List;
import java.util.stream.Collectors;

import io.autoftp.camel.AutoFtpComponent;
import io.autoftp.camel.AutoFtpComponentConfigurer;
import io.autoftp.camel.AutoFtpEndpoint;
import io.autoftp.camel.AutoFtpEndpointConfigurer;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.ConfigurerResolver;
import org.apache.camel.support.PluginHelper;
import org.junit.jupiter.api.Test;

/**
 * Camel Quarkus found what the runtime jar declares in {@code META-INF/services/org/apache/camel}: the component
 * (bound into the registry at build time) and its configurers (so autoftp's own options bind, from the URI and from
 * {@code camel.component.autoftp.*}).
 */
// The FTP servers come from FtpServersResource, which PartnerToTargetTest declares for every test of the module.
@QuarkusTest
class AutoFtpDiscoveryTest {

    @Inject
    CamelContext context;

    @Test
    void componentIsBoundFromItsServiceFile() {
        assertInstanceOf(AutoFtpComponent.class, context.getRegistry().lookupByName("autoftp"),
                "the registry entry Camel Quarkus made from META-INF/services/org/apache/camel/component/autoftp");
        assertInstanceOf(AutoFtpComponent.class, context.getComponent("autoftp"));
    }

    @Test
    void configurersAreDiscovered() {
        ConfigurerResolver resolver = PluginHelper.getConfigurerResolver(context);
        assertInstanceOf(AutoFtpComponentConfigurer.class, resolver.resolvePropertyConfigurer("autoftp-component", context));
        assertInstanceOf(AutoFtpEndpointConfigurer.class, resolver.resolvePropertyConfigurer("autoftp-endpoint", context));
        assertInstanceOf(AutoFtpComponentConfigurer.class,
                resolver.resolvePropertyConfigurer(AutoFtpComponent.class.getName(), context));
        assertInstanceOf(AutoFtpEndpointConfigurer.class,
                resolver.resolvePropertyConfigurer(AutoFtpEndpoint.class.getName(), context));
    }

    @Test
    void autoftpOptionsBindFromConfigAndFromTheUri() {
        AutoFtpComponent component = context.getComponent("autoftp", AutoFtpComponent.class);
        assertEquals(4_000, component.getDataChannelDefaults().getDataConnectTimeout(),
                "camel.component.autoftp.data-connect-timeout=4s");

        AutoFtpEndpoint consumer = assertInstanceOf(AutoFtpEndpoint.class,
                context.getRoute("partner-to-target").getEndpoint());
        assertEquals(3_000, consumer.getDataChannelOptions().getDataConnectTimeout(), "dataConnectTimeout=3s in the URI");

        // the relay's producer (routes/partner-to-target.yaml); the pipeline's routes have autoftp endpoints too
        List<AutoFtpEndpoint> producers = context.getEndpoints().stream()
                .filter(e -> e instanceof AutoFtpEndpoint && e != consumer)
                .filter(e -> e.getEndpointUri().contains("/from-partner"))
                .map(AutoFtpEndpoint.class::cast)
                .collect(Collectors.toList());
        assertEquals(1, producers.size(), "the target endpoint of partner-to-target: " + producers);
        AutoFtpEndpoint producer = producers.get(0);
        assertEquals(4_000, producer.getDataChannelOptions().getDataConnectTimeout(), "the component's default");
        assertEquals(Boolean.FALSE, producer.getPassivePreference(), "passiveMode=false, a preference");
        assertNotNull(producer.getTempFileName(), "camel-ftp's own tempFileName option");
    }
}
