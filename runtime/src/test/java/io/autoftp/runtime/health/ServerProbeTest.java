package io.autoftp.runtime.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import io.autoftp.camel.AutoFtpsEndpoint;
import io.autoftp.client.DataChannelMode;
import io.autoftp.client.DataChannelPolicy;
import io.autoftp.client.DataChannelSettings;
import io.autoftp.client.Diagnose;
import io.autoftp.client.PasvAddressPolicy;
import io.autoftp.testing.EmbeddedFtpServer;
import io.autoftp.testing.FreePorts;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

/** The readiness check's probe of one server, against real servers, and its cache. */
class ServerProbeTest {

    private static final DataChannelSettings FAST = new DataChannelSettings(DataChannelPolicy.auto(),
            Duration.ofSeconds(2), PasvAddressPolicy.CONTROL_HOST, 0, 0, null, Duration.ofMinutes(10));

    /** A clock the test moves. */
    static final class TestClock extends Clock {
        volatile Instant now = Instant.parse("2025-01-01T00:00:00Z");

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private static ServerProbe.Target target(EmbeddedFtpServer server, String password, DataChannelPolicy policy,
            Diagnose.Tls tls) {
        return new ServerProbe.Target("partner", server.host(), server.port(), server.username(), password, FAST,
                policy.modesFor(false), tls, Duration.ofSeconds(5));
    }

    @Test
    void upWithTheWorkingModeAndTheFindingsInWords() {
        try (EmbeddedFtpServer server = EmbeddedFtpServer.builder().refusePassive().start()) {
            ServerHealth health = new ServerProbe(target(server, server.password(), DataChannelPolicy.auto(), null),
                    Clock.systemUTC()).probeNow();
            assertTrue(health.up(), health.toString());
            assertEquals(Optional.of(DataChannelMode.EPRT), health.mode());
            Map<String, String> data = health.data(Optional.of(DataChannelMode.EPRT));
            String key = server.host() + ":" + server.port();
            assertEquals("UP", data.get("partner.status"));
            assertEquals(key, data.get("partner.server"));
            assertEquals("EPRT - active (EPRT)", data.get("partner.mode"));
            assertEquals("EPRT", data.get("partner.remembered"));
            assertEquals("The server refuses passive mode (PASV/EPSV). Active mode works and autoftp will use it.",
                    data.get("partner.findings"));
            assertTrue(data.get("partner.modes").startsWith("EPSV: refused by the server (502"), data.toString());
            assertTrue(data.get("partner.modes").endsWith("EPRT: works; PORT: works"), data.toString());
            assertFalse(data.containsKey("partner.reason"));
            assertEquals("none yet", health.data(Optional.empty()).get("partner.remembered"));
        }
    }

    @Test
    void downWhenTheLoginFailsNeverShowingThePassword() {
        try (EmbeddedFtpServer server = EmbeddedFtpServer.builder().start()) {
            String wrong = "wrong-" + server.password();
            ServerHealth health = new ServerProbe(target(server, wrong, DataChannelPolicy.auto(), null),
                    Clock.systemUTC()).probeNow();
            assertFalse(health.up());
            assertTrue(health.reason().startsWith("Login failed: Login to " + server.host() + ":" + server.port()
                                                  + " as partner failed: 530"), health.reason());
            Map<String, String> data = health.data(Optional.empty());
            assertEquals("DOWN", data.get("partner.status"));
            assertFalse(data.toString().contains(wrong), data.toString());
            assertFalse(target(server, wrong, DataChannelPolicy.auto(), null).toString().contains(wrong));
        }
    }

    @Test
    void downWhenUnreachable() {
        int port = FreePorts.free();
        ServerProbe.Target target = new ServerProbe.Target("gone", "127.0.0.1", port, "u", "p", FAST,
                DataChannelPolicy.auto().modesFor(false), null, Duration.ofSeconds(2));
        ServerHealth health = new ServerProbe(target, Clock.systemUTC()).probeNow();
        assertFalse(health.up());
        assertTrue(health.reason().startsWith("Unreachable: ConnectException"), health.reason());
        assertEquals("127.0.0.1:" + port, health.server());
    }

    @Test
    void downWhenOnlyModesTheEndpointsMayNotUseWork() {
        try (EmbeddedFtpServer server = EmbeddedFtpServer.builder().refusePassive().start()) {
            ServerHealth health = new ServerProbe(target(server, server.password(),
                    DataChannelPolicy.parse("passive", "dataChannel"), null), Clock.systemUTC()).probeNow();
            assertFalse(health.up());
            assertEquals("No allowed data channel mode works (allowed: [EPSV, PASV]; working: [EPRT, PORT])",
                    health.reason());
        }
    }

    @Test
    void explicitFtpsWithTheRoutesTrustStoreOptions() throws Exception {
        try (EmbeddedFtpServer server = EmbeddedFtpServer.builder().tls(false).refuseActive().start()) {
            Diagnose.Tls tls;
            try (DefaultCamelContext camel = new DefaultCamelContext()) {
                // the trust manager the routes' endpoint builds from its options, as the readiness check takes it
                AutoFtpsEndpoint route = camel.getEndpoint("autoftps://" + server.host() + ":" + server.port()
                                                           + "/?ftpClient.trustStore.file=" + EmbeddedFtpServer.truststore()
                                                           + "&ftpClient.trustStore.password=RAW("
                                                           + EmbeddedFtpServer.TLS_PASSWORD + ")", AutoFtpsEndpoint.class);
                tls = new Diagnose.Tls(false, "TLSv1.3", route.configuredTrustManager().orElseThrow());
            }
            ServerHealth health = new ServerProbe(target(server, server.password(), DataChannelPolicy.auto(), tls),
                    Clock.systemUTC()).probeNow();
            assertTrue(health.up(), health.toString());
            assertEquals(Optional.of(DataChannelMode.EPSV), health.mode());
            assertTrue(server.commands().contains("PROT P"), "the data channel was TLS too: " + server.commands());

            Diagnose.Tls untrusted = new Diagnose.Tls(false, "TLSv1.3", null);
            ServerHealth refused = new ServerProbe(target(server, server.password(), DataChannelPolicy.auto(), untrusted),
                    Clock.systemUTC()).probeNow();
            assertFalse(refused.up());
            assertTrue(refused.reason().contains("PKIX") || refused.reason().contains("certificate"), refused.reason());
        }
    }

    @Test
    void cachedForTheTimeToLiveThenRefreshedInTheBackground() throws Exception {
        TestClock clock = new TestClock();
        ExecutorService executor = Executors.newSingleThreadExecutor();
        EmbeddedFtpServer server = EmbeddedFtpServer.builder().start();
        try {
            ServerProbe probe = new ServerProbe(target(server, server.password(), DataChannelPolicy.auto(), null), clock);
            Duration ttl = Duration.ofSeconds(60);
            ServerHealth first = probe.result(ttl, executor).get();
            assertTrue(first.up());
            int sessions = server.sessionCount();
            clock.now = clock.now.plusSeconds(59);
            assertSame(first, probe.result(ttl, executor).get(), "fresh: no new probe");
            assertEquals(sessions, server.sessionCount(), "no login while the result is fresh");

            server.close();
            clock.now = clock.now.plusSeconds(2);
            CountDownLatch busy = new CountDownLatch(1);
            executor.execute(() -> awaitQuietly(busy)); // the refresh waits behind this: it cannot have ended yet
            CompletableFuture<ServerHealth> stale = probe.result(ttl, executor);
            assertTrue(stale.isDone(), "answered at once while refreshing");
            assertSame(first, stale.get(), "stale: the last result until the new one is in");
            busy.countDown();
            ServerHealth refreshed = first;
            for (int i = 0; i < 100 && refreshed == first; i++) {
                Thread.sleep(50);
                refreshed = probe.result(ttl, executor).get();
            }
            assertFalse(refreshed.up(), refreshed.toString());
            assertTrue(refreshed.reason().startsWith("Unreachable"), refreshed.reason());
        } finally {
            server.close();
            executor.shutdownNow();
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
