package io.autoftp.faults;

import static io.autoftp.testing.FtpFaultProxy.command;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.logging.Level;

import io.autoftp.camel.AutoFtpEndpoint;
import io.autoftp.testing.EmbeddedFtpServer;
import io.autoftp.testing.FtpFaultProxy;
import io.autoftp.testing.LogCapture;
import io.autoftp.testing.TestFiles;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Faults on the control connection and of the server itself, through {@link FtpFaultProxy}: a server restarted while a
 * poll is downloading, a control connection that stops answering, one the server closes, a server that is gone for a
 * while. Each time nothing partial reaches the route, nothing is lost, each file arrives exactly once once the fault is
 * over, and the consumer keeps polling.
 */
class ControlFaultTest extends FaultTestSupport {

    private static final int FILES = 6;
    private static final int SIZE = 256 * 1024;

    /** What the route saw: file name → SHA-256 of each delivery. */
    private final Map<String, List<String>> deliveries = new ConcurrentHashMap<>();

    @Test
    void aServerRestartedMidPollLosesNothingAndDeliversEachFileOnce() throws Exception {
        Path home = dir("home");
        EmbeddedFtpServer first = server(EmbeddedFtpServer.builder().home(home));
        Map<String, String> expected = files(home.resolve("inbox"));
        AtomicReference<EmbeddedFtpServer> second = new AtomicReference<>();
        FtpFaultProxy proxy = proxy(first).throttle(2 * 1024 * 1024);
        // while f3.bin is half-way, the server stops; a new one on the same files takes over behind the same address
        proxy.onDataBytes(command("RETR", "f3.bin"), SIZE / 2, () -> {
            first.close();
            EmbeddedFtpServer restarted = EmbeddedFtpServer.builder().home(home).start();
            second.set(restarted);
            proxy.retarget(restarted);
        });
        try {
            Path target = dir("target");
            startDownload(proxy, first, target, "");
            awaitAllDelivered(home.resolve("inbox"), target, expected);
        } finally {
            if (second.get() != null) {
                closeables.add(second.get());
            }
        }
        assertNotNull(second.get(), "the server was restarted mid-poll");
        assertTrue(proxy.connectionCount() >= 2, "the consumer connected again");
        assertDeliveredOnce(expected);
    }

    @Test
    void aStalledControlConnectionIsGivenUpAfterSoTimeoutAndTheNextPollDeliversEverything() throws Exception {
        EmbeddedFtpServer server = server(EmbeddedFtpServer.builder());
        Map<String, String> expected = files(server.home().resolve("inbox"));
        // after RETR f2.bin the server's replies stop reaching the client (its data still flows)
        FtpFaultProxy proxy = proxy(server).stallRepliesAfter(command("RETR", "f2.bin"), 1);
        Path target = dir("target");
        long started = System.nanoTime();
        startDownload(proxy, server, target, "soTimeout=1500");
        awaitAllDelivered(server.home().resolve("inbox"), target, expected);
        assertDeliveredOnce(expected);
        assertTrue(proxy.connectionCount() >= 2, "a new control connection replaced the stalled one");
        assertTrue(Duration.ofNanos(System.nanoTime() - started).toSeconds() < 20, "recovered within seconds");
    }

    @Test
    void aControlConnectionClosedMidDownloadIsReopenedAndNothingIsLost() throws Exception {
        EmbeddedFtpServer server = server(EmbeddedFtpServer.builder());
        Map<String, String> expected = files(server.home().resolve("inbox"));
        // the control connection is cut at the first LIST, and again when the client asks for f4.bin
        FtpFaultProxy proxy = proxy(server).dropAfter(command("LIST", ""), 1).dropAfter(command("RETR", "f4.bin"), 1);
        Path target = dir("target");
        startDownload(proxy, server, target, "");
        awaitAllDelivered(server.home().resolve("inbox"), target, expected);
        assertDeliveredOnce(expected);
        assertTrue(proxy.connectionCount() >= 3, "connected again after each cut: " + proxy.connectionCount());
    }

    /**
     * The control connection dies while a file is claimed (readLock=idempotent checks the file with MDTM): the poll's
     * other files are left for the next poll in one line, instead of a WARN each that they "cannot begin processing".
     */
    @Test
    void aConnectionLostWhileClaimingLeavesTheRestOfThePollForTheNextOneInOneLine() throws Exception {
        EmbeddedFtpServer server = server(EmbeddedFtpServer.builder());
        Map<String, String> expected = files(server.home().resolve("inbox"));
        FtpFaultProxy proxy = proxy(server).dropAfter(command("MDTM", "f2.bin"), 1);
        LogCapture logs = LogCapture.all();
        closeables.add(logs);
        Path target = dir("target");
        startDownload(proxy, server, target, "readLock=idempotent&idempotentRepository=#class:"
                                             + "org.apache.camel.support.processor.idempotent.MemoryIdempotentRepository");
        awaitAllDelivered(server.home().resolve("inbox"), target, expected);
        assertDeliveredOnce(expected);
        List<LogCapture.Line> couldNotBegin = logs.containing("cannot begin processing file").stream()
                .filter(line -> line.level() == Level.WARNING).toList();
        assertEquals(1, couldNotBegin.size(), "only the file whose claim met the lost connection: " + couldNotBegin);
        List<LogCapture.Line> left = logs.containing("Lost the control connection to autoftp://");
        assertEquals(1, left.size(), left.toString());
        assertTrue(left.get(0).text().endsWith(": " + (FILES - 2) + " more file(s) of this poll are left for the next"
                                               + " poll"), left.get(0).text());
    }

    /**
     * The one window no FTP client can close by itself: the route has the file, then the connection dies before the
     * file is moved to .done. camel-ftp's semantics stay: by default the file is delivered again on the next poll
     * (at least once); with {@code idempotent=true} it is delivered once and stays in the inbox, nothing lost.
     */
    @ParameterizedTest
    @ValueSource(booleans = { false, true })
    void aControlConnectionClosedBetweenDeliveryAndMoveKeepsCamelsAtLeastOnceSemantics(boolean idempotent)
            throws Exception {
        EmbeddedFtpServer server = server(EmbeddedFtpServer.builder());
        Path inbox = server.home().resolve("inbox");
        Map<String, String> expected = files(inbox);
        FtpFaultProxy proxy = proxy(server).dropAfter(command("RNFR", "f1.bin"), 1);
        Path target = dir("target");
        startDownload(proxy, server, target, idempotent ? "idempotent=true" : "");
        await(() -> TestFiles.sha256Tree(target).size() == FILES
                    && TestFiles.sha256Tree(inbox.resolve(".done")).size() == FILES - (idempotent ? 1 : 0),
                WAIT, "every file delivered, and moved unless it is the one whose move was cut",
                () -> "target " + TestFiles.sha256Tree(target).keySet() + ", inbox " + TestFiles.sha256Tree(inbox).keySet()
                      + ", deliveries " + deliveries.keySet() + ", commands " + proxy.commands());
        Thread.sleep(600);
        assertEquals(expected, TestFiles.sha256Tree(target), "bytes in the target folder");
        assertEquals(idempotent ? 1 : 2, deliveries.get("f1.bin").size(), "deliveries of f1.bin");
        assertTrue(deliveries.get("f1.bin").stream().allMatch(expected.get("f1.bin")::equals), "always complete");
        deliveries.forEach((name, sums) -> assertTrue(name.equals("f1.bin") || sums.size() == 1, name + ": " + sums));
        assertEquals(List.of(), workFilesLeft(), "no work file left behind");
        if (idempotent) {
            assertEquals(List.of(".done", "f1.bin"), DataConnectionCutTest.list(inbox), "f1.bin kept, not lost");
        } else {
            assertEquals(expected, TestFiles.sha256Tree(inbox.resolve(".done")), "every file moved to .done");
        }
    }

    /**
     * camel-ftp creates its {@code .inprogress} work file before it changes into the file's directory; when the
     * connection is lost there, it kept that file. If the remote file is then never downloaded again (deleted on the
     * server, or skipped as already seen), the work file stayed for good: a 1 GiB file left 1 GiB behind.
     */
    @Test
    void aDownloadThatFailsBeforeItsFirstByteLeavesNoWorkFileBehind() throws Exception {
        EmbeddedFtpServer server = server(EmbeddedFtpServer.builder());
        Path inbox = server.home().resolve("inbox");
        files(inbox);
        AtomicBoolean listed = new AtomicBoolean();
        // the connection is lost at the CWD camel-ftp sends to download the first file (after the LIST)
        FtpFaultProxy proxy = proxy(server).dropAfter(line -> {
            listed.compareAndSet(false, line.startsWith("LIST"));
            return listed.get() && line.equals("CWD inbox");
        }, 1);
        LogCapture logs = LogCapture.all();
        closeables.add(logs);
        Path target = dir("target");
        startDownload(proxy, server, target, "");
        await(() -> !logs.containing("Error processing file RemoteFile[f1.bin]").isEmpty(), WAIT, "f1.bin failed");
        Files.delete(inbox.resolve("f1.bin")); // gone before the next poll: never downloaded again
        await(() -> TestFiles.sha256Tree(target).size() == FILES - 1, WAIT, "the other files delivered");
        Thread.sleep(400);
        assertEquals(List.of(), workFilesLeft(), "no work file left behind");
        assertTrue(deliveries.values().stream().allMatch(d -> d.size() == 1), deliveries.toString());
    }

    @Test
    void aServerGoneForAWhileIsReportedAndPollingResumesWhenItIsBack() throws Exception {
        EmbeddedFtpServer server = server(EmbeddedFtpServer.builder());
        FtpFaultProxy proxy = proxy(server).down();
        Map<String, String> expected = files(server.home().resolve("inbox"));
        LogCapture logs = LogCapture.all();
        closeables.add(logs);
        Path target = dir("target");
        startDownload(proxy, server, target, "maximumReconnectAttempts=0&connectTimeout=1000");
        await(() -> !logs.containing("Cannot connect/login to: autoftp://partner@127.0.0.1:" + proxy.port()).isEmpty(),
                WAIT, "the consumer reported that it cannot connect");
        assertEquals(Map.of(), TestFiles.sha256Tree(target), "nothing delivered while the server is gone");
        proxy.up();
        awaitAllDelivered(server.home().resolve("inbox"), target, expected);
        assertDeliveredOnce(expected);
    }

    // ---- helpers ----

    private static Map<String, String> files(Path inbox) throws Exception {
        Files.createDirectories(inbox);
        Map<String, String> sums = new TreeMap<>();
        for (int i = 1; i <= FILES; i++) {
            String name = "f" + i + ".bin";
            sums.put(name, TestFiles.sha256(TestFiles.writeRandom(inbox, name, SIZE + i, 100 + i)));
        }
        return sums;
    }

    private void startDownload(FtpFaultProxy proxy, EmbeddedFtpServer server, Path target, String options)
            throws Exception {
        String from = uri("autoftp", server, proxy.port(), "inbox",
                "initialDelay=0&binary=true&delay=200&move=.done" + (options.isEmpty() ? "" : "&" + options));
        Consumer<Exchange> record = exchange -> {
            try (InputStream in = exchange.getIn().getBody(InputStream.class)) {
                deliveries.computeIfAbsent(exchange.getIn().getHeader(Exchange.FILE_NAME, String.class),
                        n -> new CopyOnWriteArrayList<>()).add(DataConnectionCutTest.sha256(in));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
        startRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from(from).routeId("download").process(record::accept).to("file:" + target);
            }
        });
        assertNotNull(context.getEndpoint(from, AutoFtpEndpoint.class));
    }

    private static void awaitAllDelivered(Path inbox, Path target, Map<String, String> expected) throws Exception {
        await(() -> TestFiles.sha256Tree(target).size() == expected.size()
                    && DataConnectionCutTest.listQuietly(inbox).equals(List.of(".done"))
                    && TestFiles.sha256Tree(inbox.resolve(".done")).size() == expected.size(),
                WAIT, "every file delivered and moved to .done");
        Thread.sleep(600); // a few more polls: nothing may come twice
        assertEquals(expected, TestFiles.sha256Tree(target), "bytes in the target folder");
        assertEquals(expected, TestFiles.sha256Tree(inbox.resolve(".done")), "every file moved to .done, none lost");
    }

    private void assertDeliveredOnce(Map<String, String> expected) throws Exception {
        Map<String, List<String>> once = new TreeMap<>();
        expected.forEach((name, sum) -> once.put(name, List.of(sum)));
        assertEquals(once, new TreeMap<>(deliveries), "each file delivered exactly once, complete");
        assertEquals(List.of(), workFilesLeft(), "no work file left behind");
    }
}
