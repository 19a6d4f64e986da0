package io.autoftp.it;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;

import io.autoftp.testing.EmbeddedFtpServer;
import io.autoftp.testing.TestFiles;
import io.quarkus.test.junit.QuarkusTest;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * The readiness check and the meters of the application of {@link PartnerToTargetTest}: the partner refuses passive
 * mode (only active works), the target refuses active mode (only passive works); partner-to-target moves files
 * server-to-server, outbox-push uploads from the service.
 */
// The FTP servers come from FtpServersResource, which PartnerToTargetTest declares for every test of the module.
@QuarkusTest
class HealthAndMetricsTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @FtpServers
    EmbeddedFtpServer partner;

    @FtpServers
    EmbeddedFtpServer target;

    private String key(EmbeddedFtpServer server) {
        return server.host() + ":" + server.port();
    }

    @Test
    void readinessShowsEachServersWorkingModeAndWhy() {
        // the route polls the partner every 300 ms: wait until its endpoints remember a mode
        HealthChecks.Answer ready = HealthChecks.await("/q/health/ready", TIMEOUT,
                a -> a.data("autoftp") != null && "EPRT".equals(a.data("autoftp").get("partner.remembered")));
        assertEquals(200, ready.httpStatus(), ready.body());
        assertEquals("UP", ready.status(), ready.body());
        Map<String, Object> data = ready.data("autoftp");

        assertEquals("UP", data.get("partner.status"), ready.body());
        assertEquals(key(partner), data.get("partner.server"));
        assertEquals("EPRT - active (EPRT)", data.get("partner.mode"));
        assertEquals("The server refuses passive mode (PASV/EPSV). Active mode works and autoftp will use it.",
                data.get("partner.findings"));
        assertTrue(data.get("partner.modes").toString().startsWith("EPSV: refused by the server (502"), ready.body());

        assertEquals("UP", data.get("target.status"), ready.body());
        assertEquals(key(target), data.get("target.server"));
        assertEquals("EPSV - passive (EPSV)", data.get("target.mode"));
        assertEquals("The server refuses active mode (PORT/EPRT). Passive mode works and autoftp will use it.",
                data.get("target.findings"));
        assertTrue(data.get("target.modes").toString().contains("EPRT: refused by the server (501"), ready.body());

        assertFalse(ready.body().contains(partner.password()), "never the password: " + ready.body());
        assertNull(data.get("down"));

        HealthChecks.Answer again = HealthChecks.get("/q/health/ready");
        assertEquals(data.get("partner.checked-at"), again.data("autoftp").get("partner.checked-at"),
                "cached (quarkus.autoftp.health.cache-ttl, 60s by default)");
    }

    @Test
    void livenessHasNoCheckThatDependsOnTheServers() {
        HealthChecks.Answer live = HealthChecks.get("/q/health/live");
        assertEquals(200, live.httpStatus(), live.body());
        assertEquals("UP", live.status());
        assertFalse(live.checkNames().contains("autoftp"), live.body());
    }

    @Test
    void metersCountConnectionsFallbacksTransfersAndBytesByMode() throws Exception {
        String before = scrape();
        Map<String, String> targetUploads = Map.of("server", key(target), "mode", "EPSV", "type", "upload");
        Map<String, String> targetSent = Map.of("server", key(target), "direction", "sent");
        Map<String, String> partnerReceived = Map.of("server", key(partner), "direction", "received");
        Map<String, String> pair = Map.of("source", key(partner), "target", key(target), "mode", "server-to-server");

        // partner-to-target moves this one server-to-server: its bytes never cross the service
        int size = 250_000;
        String name = "metrics-check.bin";
        Path staging = Files.createDirectories(partner.home().resolve("staging-metrics"));
        Path written = TestFiles.writeRandom(staging, name, size, 99);
        String sha = TestFiles.sha256(written);
        Path inbox = Files.createDirectories(partner.home().resolve("relay"));
        Files.move(written, inbox.resolve(name), StandardCopyOption.ATOMIC_MOVE);
        Path arrived = target.home().resolve("from-partner").resolve(name);
        Path done = inbox.resolve(".done").resolve(name);
        // outbox-push uploads this one from the service's own disk
        int pushedSize = 120_000;
        String pushedName = "metrics-push-" + System.nanoTime() + ".bin"; // the outbox outlives test runs
        Path outbox = Path.of(ConfigProvider.getConfig().getValue("pipeline.outbox", String.class));
        Path pushStaging = Files.createDirectories(outbox.resolveSibling("staging-metrics"));
        Path pushed = TestFiles.writeRandom(pushStaging, pushedName, pushedSize, 98);
        Files.createDirectories(outbox);
        Files.move(pushed, outbox.resolve(pushedName), StandardCopyOption.ATOMIC_MOVE);
        Path pushedArrived = target.home().resolve("outbox").resolve(pushedName);
        try {
            awaitFile(arrived);
            awaitFile(done);
            awaitFile(outbox.resolve(".sent").resolve(pushedName));
            assertEquals(sha, TestFiles.sha256(arrived));

            String after = scrape();
            assertEquals(1.0, delta(before, after, "autoftp_pair_transfers_total", pair), "one file server-to-server");
            assertEquals(size, delta(before, after, "autoftp_pair_bytes_total", pair), "its bytes");
            assertTrue(delta(before, after, "autoftp_data_bytes_total", partnerReceived) < size,
                    "not downloaded into the service (listings only)");
            assertEquals(1.0, delta(before, after, "autoftp_transfers_total", targetUploads), "one upload");
            Object pairHealth = HealthChecks.get("/q/health/ready").data("autoftp").get("pair.partner → target");
            assertEquals("server-to-server (" + key(target) + " passive, " + key(partner) + " active): " + key(partner)
                         + " passive: " + key(partner) + " refuses PASV (502 Command not implemented.)", pairHealth,
                    "the readiness check tells how files go between the pair");
            assertEquals(pushedSize, delta(before, after, "autoftp_data_bytes_total", targetSent), "bytes uploaded");

            // The partner's first data connection (a listing) tried EPSV and PASV before EPRT, then it remembers EPRT.
            assertTrue(value(after, "autoftp_fallbacks_total",
                    Map.of("server", key(partner), "from", "EPSV", "to", "EPRT")) >= 1, after);
            for (String refused : new String[] { "EPSV", "PASV" }) {
                assertTrue(value(after, "autoftp_data_connections_total",
                        Map.of("server", key(partner), "mode", refused, "outcome", "failed")) >= 1, refused);
            }
            assertTrue(value(after, "autoftp_data_connections_total",
                    Map.of("server", key(partner), "mode", "EPRT", "outcome", "opened")) >= 1, "listings");
            assertTrue(value(after, "autoftp_data_connections_total",
                    Map.of("server", key(target), "mode", "EPSV", "outcome", "opened")) >= 1, "upload");
            assertEquals(-1, value(after, "autoftp_data_connections_total",
                    Map.of("server", key(partner), "mode", "EPSV", "outcome", "opened")), "never passive at the partner");

            assertEquals(1.0, value(after, "autoftp_mode", Map.of("server", key(partner), "mode", "EPRT")));
            assertEquals(0.0, value(after, "autoftp_mode", Map.of("server", key(partner), "mode", "EPSV")));
            assertEquals(1.0, value(after, "autoftp_mode", Map.of("server", key(target), "mode", "EPSV")));
            assertEquals(0.0, value(after, "autoftp_mode", Map.of("server", key(target), "mode", "EPRT")));
        } finally {
            // leave the servers as PartnerToTargetTest expects them
            Files.deleteIfExists(arrived);
            Files.deleteIfExists(done);
            Files.deleteIfExists(pushedArrived);
            Files.deleteIfExists(outbox.resolve(".sent").resolve(pushedName));
        }
    }

    private static String scrape() {
        return given().when().get("/q/metrics").then().statusCode(200).extract().asString();
    }

    private static double value(String scrape, String metric, Map<String, String> labels) {
        return HealthChecks.metric(scrape, metric, labels);
    }

    private static double delta(String before, String after, String metric, Map<String, String> labels) {
        return Math.max(0, value(after, metric, labels)) - Math.max(0, value(before, metric, labels));
    }

    private static void awaitFile(Path file) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!Files.exists(file)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(file + " did not appear within " + TIMEOUT);
            }
            Thread.sleep(100);
        }
    }
}
