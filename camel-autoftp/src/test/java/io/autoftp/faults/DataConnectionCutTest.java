package io.autoftp.faults;

import static io.autoftp.testing.FtpFaultProxy.command;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import io.autoftp.camel.AutoFtpEndpoint;
import io.autoftp.testing.EmbeddedFtpServer;
import io.autoftp.testing.FtpFaultProxy;
import io.autoftp.testing.LogCapture;
import io.autoftp.testing.TestFiles;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A data connection cut in the middle of a file, through {@link FtpFaultProxy}: nothing partial may reach the route,
 * the file must come again on a later poll, complete and exactly once; an upload cut mid-file must never leave a
 * partial file under the final name and must succeed when redelivered.
 */
class DataConnectionCutTest extends FaultTestSupport {

    private static final long BIG = 4L * 1024 * 1024 + 17;

    /** What the route saw: file name → SHA-256 of each delivery. */
    private final Map<String, List<String>> deliveries = new ConcurrentHashMap<>();

    /** Each cut, with the consumer downloading alone and with parallel download helpers (the default). */
    static Stream<Arguments> cutsAndParallelDownloads() {
        return Stream.of(FtpFaultProxy.Cut.values())
                .flatMap(cut -> Stream.of(Arguments.of(cut, 1), Arguments.of(cut, 3)));
    }

    @ParameterizedTest
    @MethodSource("cutsAndParallelDownloads")
    void aDownloadCutMidFileIsRetriedAndDeliveredExactlyOnceComplete(FtpFaultProxy.Cut how, int parallel)
            throws Exception {
        EmbeddedFtpServer server = server(EmbeddedFtpServer.builder());
        Path inbox = Files.createDirectories(server.home().resolve("inbox"));
        Map<String, String> expected = new TreeMap<>();
        expected.put("a-small.bin", TestFiles.sha256(TestFiles.writeRandom(inbox, "a-small.bin", 10_000, 1)));
        expected.put("b-big.bin", TestFiles.sha256(TestFiles.writeRandom(inbox, "b-big.bin", BIG, 2)));
        expected.put("c-mid.bin", TestFiles.sha256(TestFiles.writeRandom(inbox, "c-mid.bin", 300_000, 3)));
        FtpFaultProxy proxy = proxy(server).cutDownload(command("RETR", "b-big.bin"), 1024 * 1024, how, 1);
        LogCapture logs = LogCapture.all();
        closeables.add(logs);
        Path target = dir("target");
        String from = uri("autoftp", server, proxy.port(), "inbox",
                "initialDelay=0&binary=true&delay=200&move=.done&parallelDownloads=" + parallel);
        startRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from(from).routeId("download").process(this::record).to("file:" + target);
            }

            private void record(Exchange exchange) throws Exception {
                try (InputStream in = exchange.getIn().getBody(InputStream.class)) {
                    deliveries.computeIfAbsent(exchange.getIn().getHeader(Exchange.FILE_NAME, String.class),
                            n -> new CopyOnWriteArrayList<>()).add(sha256(in));
                }
            }
        });
        TestFiles.awaitFiles(target, expected.size(), WAIT);
        await(() -> Files.exists(server.home().resolve("inbox/.done/b-big.bin")), WAIT, "b-big.bin moved to .done");
        Thread.sleep(600); // a few more polls: nothing may come twice

        assertTrue(proxy.commands("RETR").stream().filter(c -> c.contains("b-big.bin")).count() >= 2,
                "the cut file was fetched again: " + proxy.commands("RETR"));
        Map<String, List<String>> once = new TreeMap<>();
        expected.forEach((name, sum) -> once.put(name, List.of(sum)));
        assertEquals(once, new TreeMap<>(deliveries), "each file delivered exactly once, complete");
        assertEquals(expected, TestFiles.sha256Tree(target), "bytes in the target folder");
        assertEquals(expected, TestFiles.sha256Tree(inbox.resolve(".done")), "every file moved to .done");
        assertEquals(List.of(".done"), list(inbox), "nothing left in the inbox");
        assertTrue(context.getEndpoint(from, AutoFtpEndpoint.class).getLocalWorkDirectory().startsWith(temp.toString()));
        assertEquals(List.of(), workFilesLeft(), "no work file left behind");

        // only the cut file failed, once; the files after it in the same poll were not hurt, and the data channel
        // did not "fall back" because of replies read out of turn
        assertEquals(List.of(), proxy.commands("PASV"), "no fallback from EPSV: " + proxy.commands());
        assertEquals(List.of(), proxy.commands("EPRT"), "no fallback from EPSV: " + proxy.commands());
        List<LogCapture.Line> failures = logs.containing("Error processing file");
        if (parallel > 1) {
            // a helper's cut download is downloaded again by the consumer at once, without an error; a cut on the
            // consumer's own connection is the error below
            assertTrue(failures.size() <= 1, "at most one failed download: " + failures);
            assertTrue(failures.stream().allMatch(f -> f.text().startsWith("Error processing file RemoteFile[b-big.bin]")),
                    failures.toString());
            assertTrue(proxy.connectionCount() <= parallel, "the consumer and its helpers: " + proxy.connectionCount());
            return;
        }
        assertEquals(1, failures.size(), "one failed download: " + failures);
        assertTrue(failures.get(0).text().startsWith("Error processing file RemoteFile[b-big.bin]"), failures.toString());
        if (how == FtpFaultProxy.Cut.CLEAN_CLOSE) {
            assertTrue(failures.get(0).text().contains("ended after 1048576 of the " + BIG + " bytes the server listed"),
                    failures.get(0).text());
        }
        assertEquals(1, proxy.connectionCount(), "the control connection stayed usable");
    }

    /**
     * {@code noop=true} makes the consumer idempotent: camel-file notes each listed file as seen, and without autoftp's
     * repair a file whose download was cut stayed "seen" and was never tried again.
     */
    @Test
    void aDownloadCutMidFileWithNoopIsTriedAgainAndDeliveredOnce() throws Exception {
        EmbeddedFtpServer server = server(EmbeddedFtpServer.builder());
        Path inbox = Files.createDirectories(server.home().resolve("inbox"));
        Map<String, String> expected = new TreeMap<>();
        expected.put("a-small.bin", TestFiles.sha256(TestFiles.writeRandom(inbox, "a-small.bin", 10_000, 1)));
        expected.put("b-big.bin", TestFiles.sha256(TestFiles.writeRandom(inbox, "b-big.bin", BIG, 2)));
        FtpFaultProxy proxy = proxy(server).cutDownload(command("RETR", "b-big.bin"), 512 * 1024,
                FtpFaultProxy.Cut.RESET, 1);
        Path target = dir("target");
        String from = uri("autoftp", server, proxy.port(), "inbox", "initialDelay=0&binary=true&delay=200&noop=true");
        startRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from(from).routeId("download").process(this::record).to("file:" + target);
            }

            private void record(Exchange exchange) throws Exception {
                try (InputStream in = exchange.getIn().getBody(InputStream.class)) {
                    deliveries.computeIfAbsent(exchange.getIn().getHeader(Exchange.FILE_NAME, String.class),
                            n -> new CopyOnWriteArrayList<>()).add(sha256(in));
                }
            }
        });
        await(() -> deliveries.size() == 2, WAIT, "both files delivered", () -> "commands " + proxy.commands("RETR"));
        Thread.sleep(600);
        Map<String, List<String>> once = new TreeMap<>();
        expected.forEach((name, sum) -> once.put(name, List.of(sum)));
        assertEquals(once, new TreeMap<>(deliveries), "each file delivered exactly once, complete");
        assertEquals(2, proxy.commands("RETR").stream().filter(c -> c.contains("b-big.bin")).count(),
                "the cut file was fetched again, once: " + proxy.commands("RETR"));
        assertEquals(expected, TestFiles.sha256Tree(inbox), "noop: the files stay on the server");
        assertEquals(List.of(), workFilesLeft(), "no work file left behind");
    }

    @Test
    void anUploadCutMidFileNeverLeavesAPartialFileUnderItsNameAndSucceedsWhenRetried() throws Exception {
        EmbeddedFtpServer server = server(EmbeddedFtpServer.builder());
        Path outbox = dir("outbox");
        Map<String, String> expected = new TreeMap<>();
        expected.put("u-big.bin", TestFiles.sha256(TestFiles.writeRandom(outbox, "u-big.bin", BIG, 4)));
        expected.put("u-small.bin", TestFiles.sha256(TestFiles.writeRandom(outbox, "u-small.bin", 10_000, 5)));
        FtpFaultProxy proxy = proxy(server).cutUpload(command("STOR", "u-big.bin"), 1024 * 1024, 1);
        LogCapture logs = LogCapture.all();
        closeables.add(logs);
        Path uploaded = Files.createDirectories(server.home().resolve("upload"));
        // watches the server's folder while the route runs: a final name must only ever hold the whole file
        List<String> partial = new CopyOnWriteArrayList<>();
        Map<String, Long> sizes = Map.of("u-big.bin", BIG, "u-small.bin", 10_000L);
        Thread watcher = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                for (Map.Entry<String, Long> e : sizes.entrySet()) {
                    try {
                        long size = Files.size(uploaded.resolve(e.getKey()));
                        if (size != e.getValue()) {
                            partial.add(e.getKey() + " had " + size + " bytes");
                        }
                    } catch (java.io.IOException absent) {
                        // not there (yet)
                    }
                }
                Thread.onSpinWait();
            }
        }, "final-name-watcher");
        watcher.setDaemon(true);
        watcher.start();
        String to = uri("autoftp", server, proxy.port(), "upload", "binary=true&tempFileName=${file:name}.part");
        startRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("file:" + outbox + "?delay=200&move=.sent").routeId("upload").to(to);
            }
        });
        await(() -> Files.exists(outbox.resolve(".sent/u-big.bin")) && Files.exists(outbox.resolve(".sent/u-small.bin")),
                WAIT, "both files sent");
        watcher.interrupt();
        watcher.join();

        assertEquals(List.of(), partial, "a final name held a partial file");
        assertEquals(expected, TestFiles.sha256Tree(uploaded), "uploaded bytes, and no temp file left behind");
        List<String> stores = proxy.commands("STOR");
        assertEquals(2, stores.stream().filter(c -> c.equals("STOR u-big.bin.part")).count(), stores.toString());
        assertEquals(List.of("RNTO upload/u-big.bin", "RNTO upload/u-small.bin"),
                proxy.commands("RNTO").stream().sorted().toList(), "each file renamed into place once");
        assertTrue(logs.containing("Writing file failed").size() >= 1, "the cut was reported");
    }

    static List<String> list(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** {@link #list} without checked exceptions (for wait conditions); a folder being changed reads as empty. */
    static List<String> listQuietly(Path dir) {
        try {
            return list(dir);
        } catch (Exception e) {
            return List.of();
        }
    }

    static String sha256(InputStream in) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        byte[] buf = new byte[65536];
        int r;
        while ((r = in.read(buf)) != -1) {
            digest.update(buf, 0, r);
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
