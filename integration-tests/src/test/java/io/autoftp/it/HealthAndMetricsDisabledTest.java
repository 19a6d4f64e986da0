package io.autoftp.it;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Map;

import io.autoftp.testing.EmbeddedFtpServer;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

/** {@code quarkus.autoftp.health.enabled=false} and {@code quarkus.autoftp.metrics.enabled=false} (build time). */
@QuarkusTest
@TestProfile(HealthAndMetricsDisabledTest.Disabled.class)
class HealthAndMetricsDisabledTest {

    public static class Disabled implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.autoftp.health.enabled", "false", "quarkus.autoftp.metrics.enabled", "false");
        }
    }

    @FtpServers
    EmbeddedFtpServer partner;

    @Test
    void noCheckAndNoMeters() throws InterruptedException {
        // the route has polled the partner, so data connections happened
        for (int i = 0; i < 300 && !partner.dataChannelReplies().contains("EPRT 200"); i++) {
            Thread.sleep(100);
        }
        HealthChecks.Answer ready = HealthChecks.get("/q/health/ready");
        assertEquals(200, ready.httpStatus(), ready.body());
        assertFalse(ready.checkNames().contains("autoftp"), ready.body());
        String scrape = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        assertFalse(scrape.contains("autoftp_"), scrape);
    }
}
