package io.autoftp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.apache.camel.CamelContext;
import org.apache.camel.cluster.CamelClusterService;
import org.apache.camel.component.file.cluster.FileLockClusterService;
import org.junit.jupiter.api.Test;

import jakarta.inject.Inject;

/**
 * The service in leader-only mode ({@code pipeline.inbox.poller=master:partner-inbox:}): the partner-inbox route runs
 * behind Camel's master with the file lock cluster service (camel-quarkus-file-cluster-service), its lock in
 * {@code pipeline.cluster.root}, and this replica becomes its leader. Fail-over between replicas: the plain Camel
 * {@code io.autoftp.camel.LeaderOnlyTest} (and {@code ReplicasIT} with processes).
 */
@QuarkusTest
@TestProfile(LeaderOnlyTest.LeaderOnly.class)
class LeaderOnlyTest {

    public static class LeaderOnly implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("pipeline.inbox.poller", "master:partner-inbox:",
                    "pipeline.cluster.root", "target/leader-only-cluster");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(FtpServersResource.class));
        }

        @Override
        public boolean disableGlobalTestResources() {
            return true;
        }
    }

    @Inject
    CamelContext camel;

    @Test
    void thePartnerInboxRouteRunsBehindTheFileLockClusterService() throws Exception {
        CamelClusterService cluster = camel.hasService(CamelClusterService.class);
        assertTrue(cluster instanceof FileLockClusterService, "cluster service: " + cluster);
        assertEquals(Path.of("target/leader-only-cluster").toAbsolutePath().normalize(),
                Path.of(((FileLockClusterService) cluster).getRoot()).toAbsolutePath().normalize());
        String from = camel.getRoute("partner-inbox").getEndpoint().getEndpointUri();
        assertTrue(from.startsWith("master://partner-inbox:autoftp://partner/inbox")
                   || from.startsWith("master:partner-inbox:autoftp://partner/inbox"), from);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!cluster.isLeader("partner-inbox") && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertTrue(cluster.isLeader("partner-inbox"), "this replica leads partner-inbox");
        assertTrue(Files.isDirectory(Path.of("target/leader-only-cluster")), "the lock directory");
    }
}
