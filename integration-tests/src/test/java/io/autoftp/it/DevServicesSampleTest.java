package io.autoftp.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import io.autoftp.camel.AutoFtpComponent;
import io.autoftp.client.DataChannelMode;
import io.autoftp.client.ModeMemory;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.apache.camel.CamelContext;
import org.apache.camel.ConsumerTemplate;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * Dev Services in a {@code @QuarkusTest}: the named server {@code sample} is declared only by its Dev Services
 * switches (no host anywhere), so an FTP server is started in process, seeded from src/test/resources, refusing passive
 * mode. The application reads from it like from any server, falling back to active mode. The partner and target servers
 * of the other tests keep their hosts from application.properties and the test resource: no server is started for them.
 */
@QuarkusTest
@TestProfile(DevServicesSampleTest.SampleServer.class)
class DevServicesSampleTest {

    private static final Path SEED = Path.of("src/test/resources/devservices-seed");

    public static class SampleServer implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "quarkus.autoftp.devservices.servers.sample.seed-directory", SEED.toString(),
                    "quarkus.autoftp.devservices.servers.sample.refuse-passive", "true");
        }
    }

    @Inject
    CamelContext context;

    @Test
    void readsTheSeededFilesFromTheDevServicesServer() throws IOException {
        ConsumerTemplate consumer = context.createConsumerTemplate();
        try {
            for (String name : new String[] { "orders.csv", "readme.txt" }) {
                byte[] body = consumer.receiveBody(
                        "autoftp://sample/inbox?fileName=" + name + "&noop=true&binary=true", 30_000, byte[].class);
                assertNotNull(body, name + " was not received");
                assertArrayEquals(Files.readAllBytes(SEED.resolve("inbox").resolve(name)), body, name);
            }
        } finally {
            consumer.stop();
        }

        int port = ConfigProvider.getConfig().getValue("quarkus.autoftp.servers.sample.port", Integer.class);
        assertEquals("127.0.0.1", ConfigProvider.getConfig().getValue("quarkus.autoftp.servers.sample.host", String.class));
        ModeMemory.Entry learned = context.getComponent("autoftp", AutoFtpComponent.class).getModeMemory().snapshot()
                .get("127.0.0.1:" + port);
        assertNotNull(learned, "a mode was learned for the sample server");
        assertEquals(DataChannelMode.EPRT, learned.mode(), "the sample server refuses passive mode");
    }

    @Test
    void theOtherServersKeepTheirConfiguredHosts() {
        assertEquals("127.0.0.1", ConfigProvider.getConfig().getValue("quarkus.autoftp.servers.partner.host",
                String.class), "from FtpServersResource");
        assertEquals(3, context.getComponent("autoftp", AutoFtpComponent.class).getServers().size(),
                "partner, target and sample");
    }
}
