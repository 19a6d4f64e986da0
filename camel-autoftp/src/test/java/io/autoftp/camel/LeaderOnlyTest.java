package io.autoftp.camel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.autoftp.testing.EmbeddedFtpServer;
import io.autoftp.testing.TestFiles;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.file.cluster.FileLockClusterService;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

/**
 * Leader-only polling, for partners who allow one session at a time: two replicas run the same route behind Camel's
 * {@code master:} with camel-file's file lock cluster service; only the leader polls, and when it stops the other one
 * takes over and finishes the directory. Each file once, checksummed.
 */
class LeaderOnlyTest extends CamelTestSupport {

    @Test
    void onlyTheLeaderPollsAndTheOtherTakesOverWhenItStops() throws Exception {
        EmbeddedFtpServer server = server(EmbeddedFtpServer.builder());
        Path inbox = Files.createDirectories(server.home().resolve("inbox"));
        for (int i = 0; i < 20; i++) {
            TestFiles.writeRandom(inbox, "first-" + i + ".csv", 1_000 + i, i);
        }
        Map<String, String> expected = new ConcurrentHashMap<>(TestFiles.sha256Tree(inbox));
        Map<String, String> processedBy = new ConcurrentHashMap<>();
        Map<String, String> checksums = new ConcurrentHashMap<>();
        Path lockRoot = Files.createDirectories(temp.resolve("cluster"));
        String uri = "autoftp://" + server.username() + "@" + server.host() + ":" + server.port()
                     + "/inbox?password=RAW(" + server.password() + ")&binary=true&delay=50&delete=true";

        CamelContext first = replica("first", lockRoot, uri, processedBy, checksums);
        first.start();
        awaitCount(processedBy, 20);
        CamelContext second = replica("second", lockRoot, uri, processedBy, checksums);
        second.start();
        for (int i = 0; i < 10; i++) {
            expected.put("second-" + i + ".csv", TestFiles.sha256(
                    TestFiles.writeRandom(inbox, "second-" + i + ".csv", 2_000 + i, 100 + i)));
        }
        awaitCount(processedBy, 30);
        assertTrue(processedBy.values().stream().allMatch("first"::equals), "only the leader polls: " + processedBy);

        first.stop(); // the leader goes away: the other replica takes over
        for (int i = 0; i < 10; i++) {
            expected.put("third-" + i + ".csv", TestFiles.sha256(
                    TestFiles.writeRandom(inbox, "third-" + i + ".csv", 3_000 + i, 200 + i)));
        }
        awaitCount(processedBy, 40);
        assertEquals(expected, checksums);
        processedBy.forEach((name, replica) -> assertEquals(name.startsWith("third") ? "second" : "first", replica,
                name));
        assertEquals(0, Files.list(inbox).filter(Files::isRegularFile).count());
    }

    private CamelContext replica(String name, Path lockRoot, String uri, Map<String, String> processedBy,
            Map<String, String> checksums) throws Exception {
        CamelContext replica = new DefaultCamelContext();
        FileLockClusterService cluster = new FileLockClusterService();
        cluster.setId(name);
        cluster.setRoot(lockRoot.toString());
        // Not 0: the view's first lock attempt would then race the master consumer registering its listener, and
        // Camel's FileLockClusterView deadlocks there (its JVM-wide lock against the view's listener lock).
        cluster.setAcquireLockDelay(300, TimeUnit.MILLISECONDS);
        cluster.setAcquireLockInterval(200, TimeUnit.MILLISECONDS);
        replica.addService(cluster);
        replica.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("master:partner-inbox:" + uri).process(exchange -> {
                    String file = exchange.getMessage().getHeader(Exchange.FILE_NAME, String.class);
                    String previous = processedBy.putIfAbsent(file, name);
                    if (previous != null) {
                        throw new AssertionError(file + " processed by " + previous + " and by " + name);
                    }
                    checksums.put(file, TestFiles.sha256(exchange.getMessage().getBody(File.class).toPath()));
                });
            }
        });
        closeables.add(replica::stop);
        return replica;
    }

    private static void awaitCount(Map<String, String> processed, int count) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (processed.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        Thread.sleep(500);
        assertEquals(count, processed.size(), "processed: " + processed.keySet());
    }
}
