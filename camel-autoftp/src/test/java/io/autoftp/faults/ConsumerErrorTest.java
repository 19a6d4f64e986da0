package io.autoftp.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;

import io.autoftp.testing.EmbeddedFtpServer;
import io.autoftp.testing.LogCapture;
import io.autoftp.testing.TestFiles;
import org.apache.camel.ServiceStatus;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.file.GenericFile;
import org.apache.camel.component.file.GenericFileFilter;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.support.ScheduledPollConsumer;
import org.apache.camel.support.ScheduledPollConsumerHealthCheck;
import org.junit.jupiter.api.Test;

/**
 * A consumer that hits an {@link Error} while polling (here an {@link OutOfMemoryError} thrown by a file filter, as a
 * listing of millions of entries or a download into memory would throw it). Stock camel-ftp's scheduled consumer logs
 * it once and lets it end its scheduled task: polling stops for good while the route still shows as started and its
 * health check stays UP. autoftp reports it at ERROR (endpoint named, password masked), its consumer health check
 * turns DOWN with the error, and polling goes on: the next poll delivers the file and the check is UP again.
 */
class ConsumerErrorTest extends FaultTestSupport {

    /** Throws {@link OutOfMemoryError} on its first call, then accepts everything; counts its calls. */
    static final class ErrorOnce implements GenericFileFilter<Object> {
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public boolean accept(GenericFile<Object> file) {
            if (calls.incrementAndGet() == 1) {
                throw new OutOfMemoryError("simulated: Java heap space");
            }
            return true;
        }
    }

    @Test
    void autoftpReportsAnErrorInAPollShowsItInHealthAndKeepsPolling() throws Exception {
        EmbeddedFtpServer server = server(EmbeddedFtpServer.builder());
        Path inbox = Files.createDirectories(server.home().resolve("inbox"));
        TestFiles.writeRandom(inbox, "a.bin", 1000, 1);
        LogCapture logs = LogCapture.all();
        closeables.add(logs);
        ErrorOnce filter = new ErrorOnce();
        Path target = dir("target");
        HealthCheck health = start("autoftp", server, filter, target);

        await(() -> !logs.containing("simulated: Java heap space").isEmpty(), WAIT, "the error reported");
        List<LogCapture.Line> errors = logs.atLeast(Level.SEVERE).stream()
                .filter(l -> l.logger().equals("io.autoftp.camel.AutoFtpConsumer")).toList();
        assertEquals(1, errors.size(), logs.atLeast(Level.SEVERE).toString());
        String error = errors.get(0).text();
        assertTrue(error.startsWith("Polling autoftp://partner@127.0.0.1:" + server.port() + "/inbox?"), error);
        assertTrue(error.contains("password=xxxxxx") && !error.contains(server.password()), error);
        assertTrue(error.contains("java.lang.OutOfMemoryError: simulated: Java heap space"), error);

        HealthCheck.Result down = awaitHealth(health, HealthCheck.State.DOWN);
        assertTrue(down.getMessage().orElse("").startsWith("Consumer failed polling 1 times route: download"),
                down.getMessage().toString());
        assertTrue(down.getError().map(e -> e.getCause() instanceof OutOfMemoryError).orElse(false),
                "the error is in the health check: " + down.getError());

        // polling went on: the file comes with the next poll, and the check is UP again
        TestFiles.awaitFiles(target, 1, WAIT);
        assertEquals(TestFiles.sha256Tree(inbox.resolve(".done")), TestFiles.sha256Tree(target));
        awaitHealth(health, HealthCheck.State.UP);
        assertEquals(ServiceStatus.Started, context.getRouteController().getRouteStatus("download"));
        assertEquals(List.of(), workFilesLeft());
    }

    /** What stock camel-ftp does with the same error: the consumer stops polling for good, and nothing says so. */
    @Test
    void stockCamelFtpStopsPollingForGoodAfterAnErrorWhileLookingHealthy() throws Exception {
        EmbeddedFtpServer server = server(EmbeddedFtpServer.builder());
        Path inbox = Files.createDirectories(server.home().resolve("inbox"));
        TestFiles.writeRandom(inbox, "a.bin", 1000, 1);
        LogCapture logs = LogCapture.all();
        closeables.add(logs);
        ErrorOnce filter = new ErrorOnce();
        Path target = dir("target");
        HealthCheck health = start("ftp", server, filter, target);

        await(() -> !logs.containing("Fatal error occurred during running scheduled task").isEmpty(), WAIT,
                "Camel's one log line about it");
        Thread.sleep(2_000); // twenty poll delays
        assertEquals(1, filter.calls.get(), "no poll after the error");
        assertEquals(Map.of(), TestFiles.sha256Tree(target), "the file never came");
        assertEquals(ServiceStatus.Started, context.getRouteController().getRouteStatus("download"),
                "the route still says it is started");
        HealthCheck.Result result = health.call(Map.of(HealthCheck.CHECK_KIND, HealthCheck.Kind.LIVENESS));
        assertEquals(HealthCheck.State.UP, result.getState(), "and its consumer health check says UP");
        assertFalse(inbox.resolve(".done").toFile().exists());
    }

    private HealthCheck start(String scheme, EmbeddedFtpServer server, ErrorOnce filter, Path target)
            throws Exception {
        String from = uri(scheme, server, server.port(), "inbox",
                "initialDelay=0&delay=100&binary=true&move=.done&filter=#errorOnce");
        startRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                getContext().getRegistry().bind("errorOnce", filter);
                from(from).routeId("download").to("file:" + target);
            }
        });
        ScheduledPollConsumer consumer = (ScheduledPollConsumer) context.getRoute("download").getConsumer();
        return new ScheduledPollConsumerHealthCheck(consumer, "consumer:download");
    }

    private static HealthCheck.Result awaitHealth(HealthCheck check, HealthCheck.State state) throws Exception {
        HealthCheck.Result[] last = new HealthCheck.Result[1];
        await(() -> {
            last[0] = check.call(Map.of(HealthCheck.CHECK_KIND, HealthCheck.Kind.LIVENESS));
            return last[0].getState() == state;
        }, WAIT, "health " + state, () -> "last: " + last[0].getState() + " " + last[0].getMessage());
        return last[0];
    }
}
