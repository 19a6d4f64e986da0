package io.autoftp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * README's quick start: {@code java -jar target/quarkus-app/quarkus-run.jar} with no server configured runs the
 * embedded default (two FTP servers in the service's JVM, one refusing passive mode, one refusing active mode, with
 * sample files), and the log shows every file moving with the data channel mode autoftp chose. Only the HTTP port and
 * the data directory are set here, so that the run does not collide with anything else on the machine.
 */
class EmbeddedDefaultIT {

    private static final Path APP = Path.of("target", "quarkus-app", "quarkus-run.jar");
    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    /** The lines the quick start promises, in the README's words. */
    private static final List<Pattern> EXPECTED = List.of(
            line("Embedded FTP server partner on 127\\.0\\.0\\.1:\\d+ \\(user partner\\) refuses passive mode"),
            line("Embedded FTP server target on 127\\.0\\.0\\.1:\\d+ \\(user target\\) refuses active mode"),
            line("Data channel to 127\\.0\\.0\\.1:\\d+: using active \\(EPRT\\); EPSV: refused by the server"),
            line("Data channel to 127\\.0\\.0\\.1:\\d+: using passive \\(EPSV\\)"),
            line("partner-inbox: downloaded orders-1001\\.csv \\(150 bytes\\) from partner 127\\.0\\.0\\.1:\\d+ over active \\(EPRT\\)"),
            line("demo-partner-api: the partner API \\(stand-in of the embedded default\\) received orders-1001\\.csv, 150 bytes"),
            line("partner-inbox: orders-1001\\.csv \\(3 records\\) accepted by the partner API \\(HTTP 200\\), moving it to \\.done"),
            line("partner-inbox: orders-1002\\.csv \\(250 records\\) accepted by the partner API"),
            line("partner-inbox: orders-1003\\.csv failed for good \\(orders-1003\\.csv line 3: 4 columns, the header has 5\\)"),
            line("127\\.0\\.0\\.1:\\d+ . 127\\.0\\.0\\.1:\\d+: server-to-server \\(127\\.0\\.0\\.1:\\d+ passive, 127\\.0\\.0\\.1:\\d+ active\\): 127\\.0\\.0\\.1:\\d+ passive: 127\\.0\\.0\\.1:\\d+ refuses PASV \\(502"),
            line("partner-to-target: moved price-list\\.csv \\(69 bytes\\) from partner 127\\.0\\.0\\.1:\\d+ to target 127\\.0\\.0\\.1:\\d+ server-to-server \\(127\\.0\\.0\\.1:\\d+ passive, 127\\.0\\.0\\.1:\\d+ active\\)"),
            line("outbox-push: uploaded invoice-2001\\.csv \\(54 bytes\\) to target 127\\.0\\.0\\.1:\\d+ over passive \\(EPSV\\)"));

    private static Pattern line(String regex) {
        return Pattern.compile(".*" + regex + ".*");
    }

    @Test
    void quickStartRunsThePipelineOnTheEmbeddedDefault() throws Exception {
        assertTrue(Files.isRegularFile(APP), APP.toAbsolutePath() + " (built by quarkus:build before integration tests)");
        Path data = Path.of("target", "embedded-default-it");
        deleteTree(data);

        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx64m");
        command.add("-Dquarkus.http.port=" + freePort());
        command.add("-Dpipeline.data-dir=" + data.toAbsolutePath());
        command.add("-jar");
        command.add(APP.toString());
        // The log goes to a file: read from a pipe, what the service logs while it shuts down may be lost.
        Path logFile = Path.of("target", "embedded-default-it.log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(logFile.toFile());
        // as on a fresh machine: no server, no pipeline setting from the environment
        builder.environment().keySet().removeIf(k -> k.startsWith("QUARKUS_") || k.startsWith("PIPELINE_")
                                                     || k.startsWith("PARTNER_"));
        Process process = builder.start();
        process.getOutputStream().close();
        try {
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (!missing(read(logFile)).isEmpty() && process.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            assertEquals(List.of(), missing(read(logFile)),
                    "lines missing from the log:\n" + String.join("\n", read(logFile)));
        } finally {
            process.destroy(); // SIGTERM: a graceful shutdown, the embedded servers stop after the routes
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
        List<String> all = read(logFile);
        assertTrue(all.stream().noneMatch(l -> l.contains("Cannot connect/login")),
                "the servers were up before the first poll:\n" + String.join("\n", all));
        assertTrue(all.stream().anyMatch(l -> l.contains("stopped in")), "a clean shutdown:\n" + String.join("\n", all));

        try (Stream<Path> notes = Files.list(data.resolve("dead-letter"))) {
            assertTrue(notes.anyMatch(p -> p.getFileName().toString().startsWith("orders-1003.csv.")),
                    "a dead-letter note for the invalid sample file");
        }
        assertTrue(Files.exists(data.resolve("outbox").resolve(".sent").resolve("invoice-2001.csv")));
    }

    private static List<String> missing(List<String> lines) {
        return EXPECTED.stream().filter(p -> lines.stream().noneMatch(l -> p.matcher(l).matches()))
                .map(Pattern::pattern).toList();
    }

    private static List<String> read(Path file) throws IOException {
        return Files.exists(file) ? new String(Files.readAllBytes(file), StandardCharsets.UTF_8).lines().toList() : List.of();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
