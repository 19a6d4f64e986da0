package io.autoftp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

/**
 * The target server goes away and comes back (its control port shut and opened by a {@link ControlPortGate}):
 * readiness goes DOWN saying why and UP again; liveness stays UP throughout.
 */
@QuarkusTest
@TestProfile(ReadinessDownAndUpTest.GatedTarget.class)
class ReadinessDownAndUpTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    /** Its own servers, with the target behind a gate, and results cached for one second. */
    public static class GatedTarget implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.autoftp.health.cache-ttl", "1s", "quarkus.autoftp.health.timeout", "3s");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(GatedServersResource.class));
        }

        @Override
        public boolean disableGlobalTestResources() {
            return true;
        }
    }

    @FtpServers
    ControlPortGate gate;

    @Test
    void downWhileTheServerIsAwayAndUpWhenItIsBack() {
        try {
            HealthChecks.Answer up = HealthChecks.await("/q/health/ready", TIMEOUT, a -> a.httpStatus() == 200);
            assertEquals("UP", up.data("autoftp").get("target.status"), up.body());

            gate.shut();
            HealthChecks.Answer down = HealthChecks.await("/q/health/ready", TIMEOUT, a -> a.httpStatus() == 503);
            assertEquals("DOWN", down.status(), down.body());
            Map<String, Object> data = down.data("autoftp");
            assertEquals("DOWN", data.get("target.status"), down.body());
            assertTrue(data.get("target.reason").toString().startsWith("Unreachable: ConnectException"), down.body());
            assertEquals("UP", data.get("partner.status"), "the other server is still fine: " + down.body());
            assertTrue(data.get("down").toString().startsWith("target: Unreachable"), down.body());

            HealthChecks.Answer live = HealthChecks.get("/q/health/live");
            assertEquals(200, live.httpStatus(), "a remote server being down never fails liveness: " + live.body());
            assertEquals("UP", live.status());
            assertFalse(live.checkNames().contains("autoftp"), live.body());
        } finally {
            gate.open();
        }
        HealthChecks.Answer back = HealthChecks.await("/q/health/ready", TIMEOUT, a -> a.httpStatus() == 200);
        assertEquals("UP", back.data("autoftp").get("target.status"), back.body());
        assertEquals("EPSV - passive (EPSV)", back.data("autoftp").get("target.mode"), back.body());
    }
}
