package io.autoftp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static io.restassured.RestAssured.given;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.autoftp.testing.EmbeddedFtpServer;
import io.autoftp.testing.RealPostgres;
import io.autoftp.testing.TestFiles;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

/**
 * The service with a PostgreSQL datasource: its routes claim each file before downloading it (no route names a read
 * lock), the claims of moved files are finished, readiness shows the claim store and goes DOWN while PostgreSQL is
 * away, the claims are counted in the metrics, and the mode learned for a server is shared in the same database.
 */
@QuarkusTest
@TestProfile(ClaimsTest.WithPostgres.class)
class ClaimsTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    public static class WithPostgres implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(FtpServersResource.class), new TestResourceEntry(PostgresResource.class));
        }

        @Override
        public boolean disableGlobalTestResources() {
            return true;
        }
    }

    @FtpServers
    EmbeddedFtpServer partner;

    @FtpServers
    EmbeddedFtpServer target;

    @FtpServers
    RealPostgres db;

    @Test
    void filesAreClaimedInPostgresAndReadinessFollowsTheDatabase() throws Exception {
        HealthChecks.Answer ready = HealthChecks.await("/q/health/ready", TIMEOUT,
                a -> a.data("autoftp-claims") != null && "UP".equals(a.status()));
        assertTrue(ready.data("autoftp-claims").get("store").toString().contains("autoftp_claim"), ready.body());

        // the relay route (partner relay/ → target from-partner/, move=.done) claims without naming a read lock
        Path relay = Files.createDirectories(partner.home().resolve("relay"));
        Path staging = Files.createDirectories(partner.home().resolve("staging-claims"));
        for (int i = 0; i < 5; i++) {
            Path file = TestFiles.writeRandom(staging, "claimed-" + i + ".bin", 10_000 + i, 40 + i);
            Files.move(file, relay.resolve(file.getFileName()));
        }
        Map<String, String> expected = TestFiles.sha256Tree(relay);
        Path arrived = target.home().resolve("from-partner");
        TestFiles.awaitFiles(arrived, 5, TIMEOUT);
        HealthChecks.await("/q/health/ready", TIMEOUT,
                a -> Long.parseLong(a.data("autoftp-claims").get("confirmed").toString()) >= 5);
        Map<String, String> got = TestFiles.sha256Tree(arrived);
        expected.forEach((name, sha) -> assertEquals(sha, got.get(name), name));
        assertEquals("0", db.sql("SELECT COUNT(*) FROM autoftp_claim WHERE file_key LIKE '%relay/claimed-%'"),
                "a moved file's claim is finished: a new file of the same name is a new file");
        assertEquals("EPRT", db.sql("SELECT mode FROM autoftp_mode_memory WHERE server = '" + partner.host() + ":"
                                    + partner.port() + "'"), "the partner's mode (it refuses passive), for the other replicas");
        String scrape = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(HealthChecks.metric(scrape, "autoftp_claims_total", Map.of("outcome", "claimed")) >= 5, scrape);
        assertTrue(HealthChecks.metric(scrape, "autoftp_claims_total", Map.of("outcome", "confirmed")) >= 5, scrape);

        db.stop();
        try {
            HealthChecks.Answer down = HealthChecks.await("/q/health/ready", TIMEOUT, a -> a.httpStatus() == 503);
            assertEquals("DOWN", down.json().getString("checks.find { it.name == 'autoftp-claims' }.status"),
                    down.body());
            assertTrue(down.data("autoftp-claims").get("down").toString()
                    .startsWith("Cannot reach the claim store, no file is taken"), down.body());
        } finally {
            db.startServer();
        }
        HealthChecks.await("/q/health/ready", TIMEOUT, a -> a.httpStatus() == 200);
    }
}
