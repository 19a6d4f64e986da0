package io.autoftp.deployment.devservices;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;

import io.autoftp.camel.AutoFtpComponent;
import io.autoftp.client.DataChannelMode;
import io.autoftp.client.ModeMemory;
import io.autoftp.testing.TestFiles;
import io.quarkus.test.QuarkusUnitTest;
import jakarta.inject.Inject;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.JavaArchive;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Three named servers without a host, each an FTP server started by Dev Services and seeded with the same files:
 * {@code dev} is declared as usual ({@code quarkus.autoftp.servers.dev.*}, with its own login), {@code nopassive} and
 * {@code noactive} only by their Dev Services switches. Routes download from each; every file arrives intact, and the
 * mode the component learned for each server is the one the server allows.
 */
class DevServicesTransferTest {

    private static final Path WORK = Path.of("target", "devservices-transfer-test").toAbsolutePath();
    private static final Path SEED = WORK.resolve("seed");
    private static final Path OUT = WORK.resolve("out");
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String PORT_PROPERTY = "autoftp.devservices.transfer-test.port.";

    /** Runs after the application is closed for good (after-all callbacks run in reverse order). */
    @RegisterExtension
    @Order(1)
    static final AfterAllCallback SERVERS_STOPPED = context -> {
        for (String server : new String[] { "dev", "nopassive", "noactive" }) {
            String port = System.clearProperty(PORT_PROPERTY + server);
            assertNotNull(port, "the test recorded the port of " + server);
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", Integer.parseInt(port)), 2_000);
                fail("the Dev Services FTP server " + server + " still listens on port " + port);
            } catch (ConnectException expected) {
                // stopped
            }
        }
    };

    @RegisterExtension
    @Order(2)
    static final QuarkusUnitTest APP = new QuarkusUnitTest()
            .setArchiveProducer(() -> ShrinkWrap.create(JavaArchive.class).addClass(Routes.class))
            .overrideConfigKey("quarkus.autoftp.servers.dev.username", "alice")
            .overrideConfigKey("quarkus.autoftp.servers.dev.password", "wonderland")
            .overrideConfigKey("quarkus.autoftp.servers.dev.options.binary", "true")
            .overrideConfigKey("quarkus.autoftp.devservices.servers.dev.seed-directory", seed().toString())
            .overrideConfigKey("quarkus.autoftp.devservices.servers.nopassive.refuse-passive", "true")
            .overrideConfigKey("quarkus.autoftp.devservices.servers.nopassive.seed-directory", SEED.toString())
            .overrideConfigKey("quarkus.autoftp.devservices.servers.noactive.refuse-active", "true")
            .overrideConfigKey("quarkus.autoftp.devservices.servers.noactive.seed-directory", SEED.toString());

    @Inject
    CamelContext camelContext;

    /** Sample files in inbox/ and inbox/nested/, written before the application is built. */
    static Path seed() {
        try {
            if (Files.exists(WORK)) {
                try (var paths = Files.walk(WORK)) {
                    paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
            TestFiles.writeRandom(SEED.resolve("inbox"), "small.csv", 1_234, 1);
            TestFiles.writeRandom(SEED.resolve("inbox"), "large.bin", 3L * 1024 * 1024 + 7, 2);
            TestFiles.writeRandom(SEED.resolve("inbox/nested"), "deep.bin", 4_096, 3);
            Files.createDirectories(OUT);
            return SEED;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static class Routes extends RouteBuilder {
        @Override
        public void configure() {
            String out = "file:" + OUT;
            from("autoftp://dev/inbox?noop=true&recursive=true&delay=200").routeId("dev").to(out + "/dev");
            from("autoftp://nopassive/inbox?noop=true&recursive=true&binary=true&delay=200").routeId("nopassive")
                    .to(out + "/nopassive");
            // active first (a preference): the server's refusal makes autoftp fall back to passive
            from("autoftp://noactive/inbox?noop=true&recursive=true&binary=true&passiveMode=false&delay=200")
                    .routeId("noactive").to(out + "/noactive");
        }
    }

    @Test
    void everySeededFileArrivesFromEachServer() {
        Map<String, String> expected = TestFiles.sha256Tree(SEED.resolve("inbox"));
        assertEquals(3, expected.size(), "seeded files: " + expected);
        for (String server : new String[] { "dev", "nopassive", "noactive" }) {
            Path arrived = OUT.resolve(server);
            TestFiles.awaitFiles(arrived, expected.size(), TIMEOUT);
            assertEquals(expected, TestFiles.sha256Tree(arrived), "what arrived from " + server);
        }
    }

    @Test
    void addressesAndLoginsArePublished() {
        Config config = ConfigProvider.getConfig();
        assertEquals("127.0.0.1", config.getValue("quarkus.autoftp.servers.dev.host", String.class));
        assertEquals("alice", config.getValue("quarkus.autoftp.servers.dev.username", String.class),
                "the server's own username is the dev server's user");
        assertEquals("wonderland", config.getValue("quarkus.autoftp.servers.dev.password", String.class));
        assertEquals("dev", config.getValue("quarkus.autoftp.servers.nopassive.username", String.class));
        assertEquals("dev", config.getValue("quarkus.autoftp.servers.nopassive.password", String.class));
        int dev = port("dev");
        int nopassive = port("nopassive");
        int noactive = port("noactive");
        assertNotEquals(dev, nopassive);
        assertNotEquals(nopassive, noactive);
        // for SERVERS_STOPPED, which runs in the test's own class loader
        System.setProperty(PORT_PROPERTY + "dev", Integer.toString(dev));
        System.setProperty(PORT_PROPERTY + "nopassive", Integer.toString(nopassive));
        System.setProperty(PORT_PROPERTY + "noactive", Integer.toString(noactive));
        assertEquals(3, camelContext.getComponent("autoftp", AutoFtpComponent.class).getServers().size());
    }

    @Test
    void theComponentLearnedTheModeEachServerAllows() {
        everySeededFileArrivesFromEachServer();
        ModeMemory memory = camelContext.getComponent("autoftp", AutoFtpComponent.class).getModeMemory();
        Map<String, ModeMemory.Entry> modes = memory.snapshot();
        assertEquals(DataChannelMode.EPSV, mode(modes, "dev"), "no refusal: the first mode " + modes);
        assertEquals(DataChannelMode.EPRT, mode(modes, "nopassive"), "refuse-passive: active " + modes);
        assertEquals(DataChannelMode.EPSV, mode(modes, "noactive"), "refuse-active: passive " + modes);
        assertNotNull(modes.get("127.0.0.1:" + port("noactive")).reason(), "why EPRT/PORT were passed over");
    }

    private static DataChannelMode mode(Map<String, ModeMemory.Entry> modes, String server) {
        ModeMemory.Entry entry = modes.get("127.0.0.1:" + port(server));
        assertNotNull(entry, server + " in " + modes);
        return entry.mode();
    }

    private static int port(String server) {
        return ConfigProvider.getConfig().getValue("quarkus.autoftp.servers." + server + ".port", Integer.class);
    }
}
