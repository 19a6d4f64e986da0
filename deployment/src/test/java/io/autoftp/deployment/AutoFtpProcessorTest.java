package io.autoftp.deployment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.logging.Filter;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Collectors;

import io.autoftp.camel.AutoFtpComponent;
import io.autoftp.camel.AutoFtpComponentConfigurer;
import io.autoftp.camel.AutoFtpEndpoint;
import io.autoftp.camel.AutoFtpEndpointConfigurer;
import io.autoftp.camel.AutoFtpsComponent;
import io.autoftp.camel.AutoFtpsComponentConfigurer;
import io.autoftp.camel.AutoFtpsEndpoint;
import io.autoftp.camel.AutoFtpsEndpointConfigurer;
import io.autoftp.camel.DataChannelOptions;
import io.autoftp.runtime.LogMasking;
import io.quarkus.builder.BuildContext;
import io.quarkus.builder.BuildStep;
import io.quarkus.deployment.builditem.FeatureBuildItem;
import io.quarkus.deployment.builditem.nativeimage.ReflectiveClassBuildItem;
import io.quarkus.test.QuarkusUnitTest;
import jakarta.inject.Inject;
import org.apache.camel.CamelContext;
import org.apache.camel.quarkus.core.deployment.spi.CamelServiceBuildItem;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.JavaArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The build steps of the extension, seen from the build: Camel Quarkus picked up the component jar's service files and
 * the classes Camel instantiates or binds are registered for reflection (native mode). The checks run inside an extra
 * build step, so a missing registration fails the build of this test application.
 */
class AutoFtpProcessorTest {

    @RegisterExtension
    static final QuarkusUnitTest TEST = new QuarkusUnitTest()
            .setArchiveProducer(() -> ShrinkWrap.create(JavaArchive.class))
            .addBuildChainCustomizer(chain -> chain.addBuildStep(new BuildStep() {
                @Override
                public void execute(BuildContext context) {
                    checkServices(context.consumeMulti(CamelServiceBuildItem.class));
                    checkReflection(context.consumeMulti(ReflectiveClassBuildItem.class));
                    context.produce(new FeatureBuildItem("autoftp-build-checks"));
                }
            }).consumes(CamelServiceBuildItem.class).consumes(ReflectiveClassBuildItem.class)
                    .produces(FeatureBuildItem.class).build());

    @Inject
    CamelContext camelContext;

    static void checkServices(List<CamelServiceBuildItem> services) {
        Map<String, String> ours = services.stream()
                .filter(s -> s.getType().startsWith("io.autoftp."))
                .collect(Collectors.toMap(s -> s.getPath().toString().replace('\\', '/'), CamelServiceBuildItem::getType,
                        (a, b) -> a, TreeMap::new));
        String base = "META-INF/services/org/apache/camel/";
        // Only the discovery services: component/* files are not CamelServiceBuildItems but bound into the registry
        // (see componentIsBoundIntoTheRegistry).
        assertEquals(Map.of(
                base + "configurer/autoftp-component", AutoFtpComponentConfigurer.class.getName(),
                base + "configurer/autoftp-endpoint", AutoFtpEndpointConfigurer.class.getName(),
                base + "configurer/" + AutoFtpComponent.class.getName(), AutoFtpComponentConfigurer.class.getName(),
                base + "configurer/" + AutoFtpEndpoint.class.getName(), AutoFtpEndpointConfigurer.class.getName(),
                base + "configurer/autoftps-component", AutoFtpsComponentConfigurer.class.getName(),
                base + "configurer/autoftps-endpoint", AutoFtpsEndpointConfigurer.class.getName(),
                base + "configurer/" + AutoFtpsComponent.class.getName(), AutoFtpsComponentConfigurer.class.getName(),
                base + "configurer/" + AutoFtpsEndpoint.class.getName(), AutoFtpsEndpointConfigurer.class.getName(),
                base + "urifactory/autoftp-endpoint", "io.autoftp.camel.AutoFtpEndpointUriFactory",
                base + "urifactory/autoftps-endpoint", "io.autoftp.camel.AutoFtpsEndpointUriFactory"),
                ours, "Camel discovery services found in the runtime jar");
    }

    static void checkReflection(List<ReflectiveClassBuildItem> items) {
        for (Class<?> type : List.of(AutoFtpComponent.class, AutoFtpEndpoint.class, AutoFtpComponentConfigurer.class,
                AutoFtpEndpointConfigurer.class, AutoFtpsComponent.class, AutoFtpsEndpoint.class,
                AutoFtpsComponentConfigurer.class, AutoFtpsEndpointConfigurer.class, DataChannelOptions.class)) {
            assertTrue(items.stream().anyMatch(i -> i.getClassNames().contains(type.getName()) && i.isMethods()),
                    type.getName() + " is registered for reflection with its methods");
        }
        Set<String> withFields = items.stream().filter(ReflectiveClassBuildItem::isFields)
                .flatMap(i -> i.getClassNames().stream()).collect(Collectors.toSet());
        assertTrue(withFields.contains(DataChannelOptions.class.getName()), "DataChannelOptions fields");
    }

    @Test
    void componentIsBoundIntoTheRegistry() {
        assertInstanceOf(AutoFtpComponent.class, camelContext.getRegistry().lookupByName("autoftp"));
        assertInstanceOf(AutoFtpComponent.class, camelContext.getComponent("autoftp"));
        assertInstanceOf(AutoFtpsComponent.class, camelContext.getComponent("autoftps"));
    }

    /** Installed at startup: Camel's categories that log endpoint URIs mask their passwords. */
    @Test
    void camelsUriLoggingMasksPasswords() {
        Filter filter = Logger.getLogger("org.apache.camel.support.DefaultComponent").getFilter();
        assertEquals(LogMasking.Masking.class.getName(), filter == null ? null : filter.getClass().getName());
        LogRecord record = new LogRecord(Level.FINEST, "Creating endpoint uri=[autoftp://u@h/d?password=RAW(pw)]");
        assertTrue(filter.isLoggable(record));
        assertEquals("Creating endpoint uri=[autoftp://u@h/d?password=xxxxxx]", record.getMessage());
    }
}
