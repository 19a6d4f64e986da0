package io.autoftp.camel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Collectors;

import io.autoftp.testing.Await;
import io.autoftp.testing.EmbeddedFtpServer;
import io.autoftp.testing.Prerequisites;
import io.autoftp.testing.RealFtpServer;
import io.autoftp.testing.TestFiles;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.Test;

/**
 * {@code parallelDownloads}: helpers on control connections of their own download a poll's files ahead of the route,
 * which still gets every file once, whole, in the poll's order; a server that takes fewer sessions gets fewer; where
 * a download ahead would change camel-ftp's meaning (a read lock) there are no helpers.
 */
class ParallelDownloadsTest extends CamelTestSupport {

    private static final int FILES = 40;

    @Test
    void helpersDownloadAheadAndTheRouteGetsEveryFileOnceInOrder() throws Exception {
        EmbeddedFtpServer server = server(EmbeddedFtpServer.builder());
        Map<String, String> expected = writeInbox(server.home());
        List<String> order = new CopyOnWriteArrayList<>();
        Map<String, String> received = route(uri("autoftp", server, "inbox", "binary=true&delete=true&delay=100"),
                order);

        assertEquals(expected, received);
        assertEquals(new ArrayList<>(new TreeMap<>(expected).keySet()), order, "the route gets the files in order");
        awaitNoRegularFiles(server.home().resolve("inbox")); // every file deleted after it was routed
        Set<Integer> downloaders = server.log().stream().filter(c -> c.verb().equals("RETR"))
                .map(EmbeddedFtpServer.LoggedCommand::session).collect(Collectors.toSet());
        assertEquals(3, downloaders.size(), "the consumer and two helpers downloaded: " + downloaders);
        assertEquals(FILES, server.log().stream().filter(c -> c.verb().equals("RETR")).count(),
                "each file downloaded once");
        context.stop();
        assertTrue(workFiles().isEmpty(), "no work file left: " + workFiles());
    }

    /**
     * With camel-ftp's stepwise directories (its default) a helper changes into a file's directory once and stays
     * there for the directory's next files, where camel-ftp asks for the directory and changes into it and back for
     * every file; files from several directories (recursive) still land whole under their own names.
     */
    @Test
    void helpersChangeDirectoryOnlyWhenTheFilesDirectoryChanges() throws Exception {
        EmbeddedFtpServer server = server(EmbeddedFtpServer.builder());
        Map<String, String> expected = new TreeMap<>();
        for (String dir : List.of("a", "b", "c")) {
            Path sub = Files.createDirectories(server.home().resolve("inbox").resolve(dir));
            for (int i = 0; i < FILES / 4; i++) {
                String name = String.format("f%03d.bin", i);
                expected.put(dir + "/" + name, TestFiles.sha256(TestFiles.writeRandom(sub, name, 500L * i, i)));
            }
        }
        Map<String, String> received = route(uri("autoftp", server, "inbox",
                "binary=true&delete=true&delay=100&recursive=true"), new CopyOnWriteArrayList<>(), expected.size());

        assertEquals(expected, received);
        Map<Integer, List<EmbeddedFtpServer.LoggedCommand>> bySession = server.log().stream()
                .collect(Collectors.groupingBy(EmbeddedFtpServer.LoggedCommand::session));
        int helpers = 0;
        for (List<EmbeddedFtpServer.LoggedCommand> session : bySession.values()) {
            if (session.stream().anyMatch(c -> c.verb().equals("LIST"))) {
                continue; // the consumer: camel-ftp's own directory changes
            }
            long retrs = session.stream().filter(c -> c.verb().equals("RETR")).count();
            if (retrs == 0) {
                continue;
            }
            helpers++;
            List<String> moves = session.stream().filter(c -> c.verb().equals("CWD") || c.verb().equals("PWD"))
                    .map(EmbeddedFtpServer.LoggedCommand::line).toList();
            // at most: PWD once, then per directory entered CWD home, CWD inbox, CWD <dir>
            assertTrue(moves.size() <= 1 + 3 * 3, () -> retrs + " RETRs, directory commands " + moves);
            assertTrue(session.stream().filter(c -> c.verb().equals("RETR")).allMatch(c -> !c.argument().contains("/")),
                    "stepwise: RETR names a file in the current directory");
        }
        assertEquals(2, helpers, "two helpers downloaded: " + bySession.keySet());
    }

    @Test
    void onVsftpdToo() throws Exception {
        Prerequisites.require(RealFtpServer.unavailableReason(RealFtpServer.Kind.VSFTPD));
        RealFtpServer vsftpd = RealFtpServer.builder().kind(RealFtpServer.Kind.VSFTPD).start();
        closeables.add(vsftpd);
        Path inbox = Files.createDirectories(vsftpd.home().resolve("inbox"));
        Map<String, String> expected = writeInbox(vsftpd.home());
        vsftpd.giveToServerUser(inbox);
        String uri = "autoftp://" + vsftpd.username() + "@" + vsftpd.host() + ":" + vsftpd.port()
                     + "/inbox?password=RAW(" + vsftpd.password() + ")&binary=true&delete=true&delay=100";

        assertEquals(expected, route(uri, new CopyOnWriteArrayList<>()));
        awaitNoRegularFiles(inbox);
    }

    @Test
    void aServerThatTakesFewerSessionsGetsFewerAndNothingIsLost() throws Exception {
        // one login, the consumer's: both helpers are refused, whichever starts first (with two logins, a helper
        // thread that starts after the other helper emptied the queue takes that idle connection and is not refused)
        EmbeddedFtpServer server = server(EmbeddedFtpServer.builder().maxLogins(1));
        Map<String, String> expected = writeInbox(server.home());
        List<String> lines = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                lines.add(String.valueOf(record.getMessage()) + " " + List.of(record.getParameters() == null
                        ? new Object[0] : record.getParameters()));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger logger = Logger.getLogger(ParallelDownloads.class.getName());
        logger.addHandler(capture);
        try {
            Map<String, String> received = route(uri("autoftp", server, "inbox",
                    "binary=true&delete=true&delay=100&parallelDownloads=3"), new CopyOnWriteArrayList<>());
            assertEquals(expected, received);
            // a helper thread that started late may meet the 421 after the route got every file: wait for its line
            Await.until(() -> refusals(lines) >= 2, Duration.ofSeconds(10), "two refused helpers logged",
                    lines::toString);
        } finally {
            logger.removeHandler(capture);
        }
        awaitNoRegularFiles(server.home().resolve("inbox"));
        assertEquals(2, refusals(lines), "one INFO line per helper the server refused: " + lines);
        assertTrue(lines.stream().anyMatch(l -> l.contains("421")), "the server's reply is named: " + lines);
    }

    @Test
    void noHelpersWithAReadLock() throws Exception {
        EmbeddedFtpServer server = server(EmbeddedFtpServer.builder());
        Map<String, String> expected = writeInbox(server.home());
        Map<String, String> received = route(uri("autoftp", server, "inbox",
                "binary=true&delete=true&delay=100&readLock=rename"),
                new CopyOnWriteArrayList<>());
        assertEquals(expected, received);
        assertEquals(1, server.log().stream().filter(c -> c.verb().equals("RETR"))
                .map(EmbeddedFtpServer.LoggedCommand::session).distinct().count(), "one session downloads");
    }

    @Test
    void oneTurnsItOff() throws Exception {
        EmbeddedFtpServer server = server(EmbeddedFtpServer.builder());
        Map<String, String> expected = writeInbox(server.home());
        Map<String, String> received = route(uri("autoftp", server, "inbox",
                "binary=true&delete=true&delay=100&parallelDownloads=1"), new CopyOnWriteArrayList<>());
        assertEquals(expected, received);
        assertEquals(1, server.sessionCount());
    }

    private static long refusals(List<String> lines) {
        return lines.stream().filter(l -> l.contains("one parallel download connection fewer")).count();
    }

    /** FILES files of different sizes (some empty, some over 1 MiB) in inbox/; name → SHA-256. */
    private static Map<String, String> writeInbox(Path home) throws Exception {
        Path inbox = Files.createDirectories(home.resolve("inbox"));
        Map<String, String> sums = new TreeMap<>();
        for (int i = 0; i < FILES; i++) {
            String name = String.format("f%03d.bin", i);
            long size = i % 10 == 0 ? 0 : i % 7 == 0 ? 1_500_000 + i : 1_000L * i;
            sums.put(name, TestFiles.sha256(TestFiles.writeRandom(inbox, name, size, i)));
        }
        return sums;
    }

    /** Runs {@code from(uri)} until FILES files were routed; name → SHA-256 of what the route got. */
    private Map<String, String> route(String uri, List<String> order) throws Exception {
        return route(uri, order, FILES);
    }

    /** Runs {@code from(uri)} until {@code count} files were routed; name → SHA-256 of what the route got. */
    private Map<String, String> route(String uri, List<String> order, int count) throws Exception {
        Map<String, String> received = new ConcurrentHashMap<>();
        startRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from(uri).process(exchange -> {
                    String name = exchange.getMessage().getHeader(Exchange.FILE_NAME, String.class);
                    File body = exchange.getMessage().getBody(File.class);
                    if (received.put(name, TestFiles.sha256(body.toPath())) != null) {
                        throw new AssertionError(name + " routed twice");
                    }
                    order.add(name);
                });
            }
        });
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (received.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        return new TreeMap<>(received);
    }

    /** The server deletes the last file after the last exchange: waits (10 s at most) until none is left. */
    private static void awaitNoRegularFiles(Path dir) throws InterruptedException {
        Await.until(() -> regularFiles(dir) == 0, Duration.ofSeconds(10), "no file left in " + dir,
                () -> regularFiles(dir) + " left");
    }

    private static long regularFiles(Path dir) {
        try (var files = Files.list(dir)) {
            return files.filter(Files::isRegularFile).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Path> workFiles() throws Exception {
        Path work = MemorySafeDownload.workDirectory("").getParent();
        if (!Files.isDirectory(work)) {
            return List.of();
        }
        try (var files = Files.walk(work)) {
            return files.filter(Files::isRegularFile).toList();
        }
    }
}
