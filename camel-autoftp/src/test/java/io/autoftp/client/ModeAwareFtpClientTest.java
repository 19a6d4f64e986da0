package io.autoftp.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import io.autoftp.testing.EmbeddedFtpServer;
import io.autoftp.testing.ReplyRewritingProxy;
import io.autoftp.testing.TestFiles;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The mode-aware client on its own against real servers: port ranges, PASV addresses, a server gone deaf. */
class ModeAwareFtpClientTest {

    private final List<AutoCloseable> closeables = new java.util.ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }

    private EmbeddedFtpServer server(EmbeddedFtpServer.Builder builder) {
        EmbeddedFtpServer server = builder.start();
        closeables.add(server);
        return server;
    }

    private ReplyRewritingProxy proxy(EmbeddedFtpServer server) {
        ReplyRewritingProxy proxy = ReplyRewritingProxy.to(server);
        closeables.add(0, proxy);
        return proxy;
    }

    private static DataChannelSettings settings(String policy) {
        return DataChannelSettings.defaults().withPolicy(DataChannelPolicy.parse(policy, "dataChannel"));
    }

    private ModeAwareFtpClient connect(DataChannelSettings settings, ModeMemory memory, EmbeddedFtpServer server,
            int port) throws Exception {
        ModeAwareFtpClient client = new ModeAwareFtpClient(settings, memory);
        client.setDefaultTimeout(30_000);
        client.connect(server.host(), port);
        assertTrue(client.login(server.username(), server.password()));
        assertTrue(client.setFileType(FTP.BINARY_FILE_TYPE));
        closeables.add(0, () -> {
            if (client.isConnected()) {
                client.disconnect();
            }
        });
        return client;
    }

    @Test
    void activePortRangeSurvivesEveryConnect() throws Exception {
        EmbeddedFtpServer server = server(EmbeddedFtpServer.builder());
        Files.writeString(server.home().resolve("a.txt"), "a");
        int min = 40_000 + (int) (ProcessHandle.current().pid() % 20_000);
        ModeAwareFtpClient client = new ModeAwareFtpClient(settings("PORT,EPRT"), new ModeMemory());
        client.setActivePortRange(min, min + 9); // what camel-ftp does before connecting
        for (int round = 0; round < 3; round++) {
            client.connect(server.host(), server.port()); // commons-net resets the range here
            assertTrue(client.login(server.username(), server.password()));
            assertEquals(1, client.listFiles().length);
            client.logout();
            client.disconnect();
        }
        List<String> ports = server.commands().stream().filter(c -> c.startsWith("PORT ")).toList();
        assertEquals(3, ports.size(), server.commands().toString());
        for (String port : ports) {
            int local = DataAddressCodec.parsePortArgument(port.substring(5)).port();
            assertTrue(local >= min && local <= min + 9, port + " is outside " + min + "-" + (min + 9));
        }
    }

    @Test
    void pasvReplyNamingAnotherHostIsNotFollowedByDefault() throws Exception {
        EmbeddedFtpServer server = server(EmbeddedFtpServer.builder().refuseEpsvOnly());
        Files.writeString(server.home().resolve("a.txt"), "hello");
        ReplyRewritingProxy proxy = proxy(server)
                .rewrite(line -> line.startsWith("227") ? line.replace("(127,0,0,1,", "(127,0,0,2,") : line);

        ModeMemory memory = new ModeMemory();
        ModeAwareFtpClient safe = connect(settings("auto"), memory, server, proxy.port());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        assertTrue(safe.retrieveFile("a.txt", bytes));
        assertEquals("hello", bytes.toString());
        assertEquals(DataChannelMode.PASV, memory.recall("127.0.0.1:" + proxy.port(), Duration.ofMinutes(1)).get());

        // trusting the reply sends the data connection to 127.0.0.2, where nothing listens: next mode
        ModeMemory trusting = new ModeMemory();
        DataChannelSettings reply = new DataChannelSettings(DataChannelPolicy.auto(), Duration.ofSeconds(2),
                PasvAddressPolicy.REPLY, 0, 0, null, Duration.ofMinutes(1));
        ModeAwareFtpClient client = connect(reply, trusting, server, proxy.port());
        bytes.reset();
        assertTrue(client.retrieveFile("a.txt", bytes));
        assertEquals("hello", bytes.toString());
        assertEquals(DataChannelMode.EPRT, trusting.recall("127.0.0.1:" + proxy.port(), Duration.ofMinutes(1)).get());
    }

    @Test
    void aServerDeafAfterPortIsDroppedReconnectedAndServedInTheNextMode() throws Exception {
        EmbeddedFtpServer server = server(EmbeddedFtpServer.builder());
        Path inbox = Files.createDirectories(server.home().resolve("inbox"));
        String sum = TestFiles.sha256(TestFiles.writeRandom(inbox, "x.bin", 100_000, 3));
        // after accepting EPRT the server "hangs": it answers nothing more on that control connection
        ThreadLocal<Boolean> deaf = ThreadLocal.withInitial(() -> false);
        ReplyRewritingProxy proxy = proxy(server).rewrite(line -> {
            if (deaf.get()) {
                return null;
            }
            if (line.startsWith("200 Command EPRT")) {
                deaf.set(true);
            }
            return line;
        });
        ModeMemory memory = new ModeMemory();
        DataChannelSettings settings = new DataChannelSettings(DataChannelPolicy.parse("EPRT,EPSV", "dataChannel"),
                Duration.ofSeconds(1), PasvAddressPolicy.CONTROL_HOST, 0, 0, null, Duration.ofMinutes(1));
        ModeAwareFtpClient client = connect(settings, memory, server, proxy.port());
        assertTrue(client.changeWorkingDirectory("inbox"));
        // the LIST's first reply may be slow in active mode (the server connects back first): it gets the control
        // connection's own reply timeout, like any reply
        client.setSoTimeout(2_000);

        long start = System.nanoTime();
        FTPFile[] files = client.listFiles();
        long millis = (System.nanoTime() - start) / 1_000_000;

        assertEquals(List.of("x.bin"), Arrays.stream(files).map(FTPFile::getName).toList(), "listed in inbox again");
        assertTrue(millis >= 2_000 && millis < 10_000, "bounded by soTimeout: " + millis + " ms");
        assertEquals(2, proxy.connectionCount(), "one reconnect");
        assertEquals(DataChannelMode.EPSV, memory.recall("127.0.0.1:" + proxy.port(), Duration.ofMinutes(1)).get());
        Path local = Files.createTempFile("x", ".bin");
        try (var out = Files.newOutputStream(local)) {
            assertTrue(client.retrieveFile("x.bin", out), "the re-opened session is logged in, binary, in inbox");
        }
        assertEquals(sum, TestFiles.sha256(local));
        Files.delete(local);
    }

    /**
     * A server that cannot connect back (here: PORT names an address nobody listens on) and then stays silent on the
     * control connection, as vsftpd, proftpd and pure-ftpd do while their connect hangs behind a client's firewall:
     * the mode fails when no connection came within the data connect timeout, not after the control connection's
     * (long) reply timeout, and the next mode serves.
     */
    @Test
    void aServerThatCannotConnectBackCostsOneDataConnectTimeoutWhateverTheSoTimeout() throws Exception {
        EmbeddedFtpServer server = server(EmbeddedFtpServer.builder());
        Path inbox = Files.createDirectories(server.home().resolve("inbox"));
        TestFiles.writeRandom(inbox, "x.bin", 1000, 4);
        ThreadLocal<Boolean> silent = ThreadLocal.withInitial(() -> false);
        ReplyRewritingProxy proxy = proxy(server).rewrite(line -> {
            if (silent.get()) {
                return null;
            }
            if (line.startsWith("200 Command EPRT")) {
                silent.set(true);
            }
            return line;
        });
        ModeMemory memory = new ModeMemory();
        DataChannelSettings settings = new DataChannelSettings(DataChannelPolicy.parse("EPRT,EPSV", "dataChannel"),
                Duration.ofSeconds(1), PasvAddressPolicy.CONTROL_HOST, 0, 0, InetAddress.getByName("127.0.0.9"),
                Duration.ofMinutes(1));
        ModeAwareFtpClient client = connect(settings, memory, server, proxy.port());
        assertTrue(client.changeWorkingDirectory("inbox"));
        client.setSoTimeout(60_000);

        long start = System.nanoTime();
        FTPFile[] files = client.listFiles();
        long millis = (System.nanoTime() - start) / 1_000_000;

        assertEquals(List.of("x.bin"), Arrays.stream(files).map(FTPFile::getName).toList(), "listed over EPSV");
        assertTrue(millis < 10_000, "one data connect timeout and a reconnect, not soTimeout: " + millis + " ms");
        assertEquals(2, proxy.connectionCount(), "one reconnect");
        assertEquals(DataChannelMode.EPSV, memory.recall("127.0.0.1:" + proxy.port(), Duration.ofMinutes(1)).get());
    }

    /**
     * In active mode a healthy server may answer the transfer command late (this one's "150" comes three data connect
     * timeouts after RETR): that wait is the control connection's, so the mode does not fail.
     */
    @Test
    void aSlowFirstReplyToTheTransferCommandInActiveModeIsWaitedFor() throws Exception {
        EmbeddedFtpServer server = server(EmbeddedFtpServer.builder());
        Files.writeString(server.home().resolve("a.txt"), "slow but healthy");
        ReplyRewritingProxy proxy = proxy(server).rewrite(line -> {
            if (line.startsWith("150")) {
                slowServer(Duration.ofSeconds(3));
            }
            return line;
        });
        ModeMemory memory = new ModeMemory();
        DataChannelSettings settings = new DataChannelSettings(DataChannelPolicy.parse("EPRT,PORT", "dataChannel"),
                Duration.ofSeconds(1), PasvAddressPolicy.CONTROL_HOST, 0, 0, null, Duration.ofMinutes(1));
        ModeAwareFtpClient client = connect(settings, memory, server, proxy.port());
        client.setSoTimeout(10_000);

        long start = System.nanoTime();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        assertTrue(client.retrieveFile("a.txt", bytes), client.getReplyString());
        long millis = (System.nanoTime() - start) / 1_000_000;

        assertEquals("slow but healthy", bytes.toString());
        assertTrue(millis >= 3_000, "the first reply was late: " + millis + " ms");
        assertEquals(List.of("EPRT 200"), server.dataChannelReplies(), "EPRT did not fail");
        assertEquals(1, proxy.connectionCount(), "no reconnect");
        assertEquals(DataChannelMode.EPRT, memory.recall("127.0.0.1:" + proxy.port(), Duration.ofMinutes(1)).get());
    }

    /** A server that takes its time: the fault itself, not a wait of the test. */
    private static void slowServer(Duration delay) {
        try {
            Thread.sleep(delay.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void activeExternalAddressIsAnnounced() throws Exception {
        EmbeddedFtpServer server = server(EmbeddedFtpServer.builder());
        Files.writeString(server.home().resolve("a.txt"), "a");
        DataChannelSettings settings = settings("PORT")
                .withActiveExternalAddress(InetAddress.getByName("127.0.0.1"));
        ModeAwareFtpClient client = new ModeAwareFtpClient(settings, new ModeMemory());
        client.connect("localhost", server.port());
        assertTrue(client.login(server.username(), server.password()));
        assertEquals(1, client.listFiles().length);
        client.disconnect();
        String port = server.commands().stream().filter(c -> c.startsWith("PORT ")).findFirst().orElseThrow();
        assertEquals(InetAddress.getByName("127.0.0.1"), DataAddressCodec.parsePortArgument(port.substring(5)).address());
    }

    @Test
    void aFileErrorIsNotAModeFailure() throws Exception {
        EmbeddedFtpServer server = server(EmbeddedFtpServer.builder());
        ModeMemory memory = new ModeMemory();
        ModeAwareFtpClient client = connect(settings("auto"), memory, server, server.port());
        assertTrue(!client.retrieveFile("missing.bin", new ByteArrayOutputStream()), "550 reported as before");
        assertEquals(550, client.getReplyCode());
        assertEquals(List.of("EPSV 229"), server.dataChannelReplies(), "no other mode tried for a file error");
        assertEquals(DataChannelMode.EPSV, memory.recall("127.0.0.1:" + server.port(), Duration.ofMinutes(1)).get(),
                "the data connection itself worked");
    }

    @Test
    void aRememberedModeThatStartsFailingIsForgottenAndReprobedAfterItsTtl() throws Exception {
        EmbeddedFtpServer server = server(EmbeddedFtpServer.builder());
        Files.writeString(server.home().resolve("a.txt"), "a");
        ReplyRewritingProxy proxy = proxy(server);
        String key = "127.0.0.1:" + proxy.port();
        ModeMemoryTest.MutableClock clock = new ModeMemoryTest.MutableClock(java.time.Instant.parse("2026-01-01T00:00:00Z"));
        ModeMemory memory = new ModeMemory(clock);
        DataChannelSettings settings = new DataChannelSettings(DataChannelPolicy.auto(), Duration.ofSeconds(2),
                PasvAddressPolicy.CONTROL_HOST, 0, 0, null, Duration.ofMillis(1500));
        ModeAwareFtpClient client = connect(settings, memory, server, proxy.port());
        assertEquals(1, client.listFiles().length);
        assertEquals(DataChannelMode.EPSV, memory.recall(key, settings.memoryTtl()).get());

        // the passive ports close (a firewall change): EPSV fails, so it is forgotten and EPRT learned
        proxy.mode(ReplyRewritingProxy.Mode.PASSIVE_PORT_CLOSED);
        server.clearLog();
        assertEquals(1, client.listFiles().length);
        assertEquals(List.of("EPSV 229", "PASV 227", "EPRT 200"), server.dataChannelReplies());
        assertEquals(DataChannelMode.EPRT, memory.recall(key, settings.memoryTtl()).get());

        // the firewall opens again: EPRT keeps being used until the time to live has passed, then EPSV is probed
        proxy.mode(ReplyRewritingProxy.Mode.PASS_THROUGH);
        server.clearLog();
        assertEquals(1, client.listFiles().length);
        assertEquals(List.of("EPRT 200"), server.dataChannelReplies());
        clock.advance(settings.memoryTtl().plusMillis(100));
        server.clearLog();
        assertEquals(1, client.listFiles().length);
        assertEquals(List.of("EPSV 229"), server.dataChannelReplies());
        assertEquals(DataChannelMode.EPSV, memory.recall(key, settings.memoryTtl()).get());
    }

    @Test
    void whenEveryModeFailsNothingIsRememberedAndTheErrorSaysWhy() throws Exception {
        EmbeddedFtpServer server = server(EmbeddedFtpServer.builder().refuseActive());
        ReplyRewritingProxy proxy = proxy(server).mode(ReplyRewritingProxy.Mode.PASSIVE_PORT_CLOSED);
        ModeMemory memory = new ModeMemory();
        DataChannelSettings settings = new DataChannelSettings(DataChannelPolicy.auto(), Duration.ofSeconds(2),
                PasvAddressPolicy.CONTROL_HOST, 0, 0, null, Duration.ofMinutes(1));
        ModeAwareFtpClient client = connect(settings, memory, server, proxy.port());
        DataChannelException failure = org.junit.jupiter.api.Assertions.assertThrows(DataChannelException.class,
                client::listFiles);
        int closed = proxy.closedPort();
        assertEquals("No data connection to 127.0.0.1:" + proxy.port() + " for LIST: EPSV: data connection to"
                     + " 127.0.0.1:" + closed + " refused; PASV: data connection to 127.0.0.1:" + closed + " refused;"
                     + " EPRT: refused by the server (501 EPRT is disabled.); PORT: refused by the server (501 PORT is"
                     + " disabled.); allowed modes: [EPSV, PASV, EPRT, PORT]", failure.getMessage());
        assertEquals(4, failure.getAttempts().size());
        assertTrue(memory.snapshot().isEmpty());
        assertTrue(client.sendNoOp(), "the control connection is still in sync");
    }

    @Test
    void aServerThatCannotConnectBackCostsOneDataConnectTimeoutThenTheNextModeIsUsed() throws Exception {
        EmbeddedFtpServer server = server(EmbeddedFtpServer.builder());
        Files.writeString(server.home().resolve("a.txt"), "a");
        ModeMemory memory = new ModeMemory();
        // announce an address where nobody listens: the server's connect back fails, as behind a client firewall
        DataChannelSettings settings = new DataChannelSettings(DataChannelPolicy.parse("PORT,EPSV", "dataChannel"),
                Duration.ofSeconds(1), PasvAddressPolicy.CONTROL_HOST, 0, 0, InetAddress.getByName("127.0.0.2"),
                Duration.ofMinutes(1));
        ModeAwareFtpClient client = connect(settings, memory, server, server.port());
        long start = System.nanoTime();
        assertEquals(1, client.listFiles().length);
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(millis < 5_000, "took " + millis + " ms");
        assertEquals(List.of("PORT 200", "EPSV 229"), server.dataChannelReplies());
        assertEquals(DataChannelMode.EPSV, memory.recall("127.0.0.1:" + server.port(), Duration.ofMinutes(1)).get());
        String reason = memory.snapshot().get("127.0.0.1:" + server.port()).reason();
        assertTrue(reason.startsWith("PORT: the server ") && reason.contains("425"), reason);
        assertTrue(client.sendNoOp(), "the 425 for the failed attempt was read: control channel in sync");
        assertEquals(200, client.getReplyCode());
    }

    @Test
    void overIpv6OnlyTheExtendedModesAreTried() throws Exception {
        EmbeddedFtpServer server = server(EmbeddedFtpServer.builder().host("::1").refusePassive());
        Files.writeString(server.home().resolve("a.txt"), "six");
        ModeMemory memory = new ModeMemory();
        ModeAwareFtpClient client = connect(settings("auto"), memory, server, server.port());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        assertTrue(client.retrieveFile("a.txt", bytes));
        assertEquals("six", bytes.toString());
        assertEquals(List.of("EPSV 502", "EPRT 200"), server.dataChannelReplies(), "no PASV or PORT over IPv6");
        String eprt = server.commands().stream().filter(c -> c.startsWith("EPRT ")).findFirst().orElseThrow();
        assertTrue(eprt.startsWith("EPRT |2|"), eprt);
        assertEquals(DataChannelMode.EPRT, memory.recall("[::1]:" + server.port(), Duration.ofMinutes(1)).get());
    }

    @Test
    void passiveConnectsThatTimeOutAreNotRetriedWithPasvToTheSameHost() throws Exception {
        EmbeddedFtpServer server = server(EmbeddedFtpServer.builder());
        Files.writeString(server.home().resolve("a.txt"), "a");
        // a port whose accept queue is full: the kernel drops further SYNs, so connects time out like a firewall's DROP
        java.net.ServerSocket blackHole = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        closeables.add(0, blackHole);
        for (int i = 0; i < 3; i++) {
            java.net.Socket filler = new java.net.Socket();
            closeables.add(0, filler);
            try {
                filler.connect(blackHole.getLocalSocketAddress(), 300);
            } catch (java.net.SocketTimeoutException e) {
                break; // the queue is full
            }
        }
        int hole = blackHole.getLocalPort();
        ReplyRewritingProxy proxy = proxy(server).rewrite(line -> line.startsWith("229")
                ? line.replaceAll("\\|\\|\\|\\d+\\|", "|||" + hole + "|")
                : line.startsWith("227") ? line.replaceAll(",\\d+,\\d+\\)", "," + (hole >> 8) + "," + (hole & 0xff) + ")")
                : line);
        ModeMemory memory = new ModeMemory();
        DataChannelSettings settings = new DataChannelSettings(DataChannelPolicy.auto(), Duration.ofSeconds(1),
                PasvAddressPolicy.CONTROL_HOST, 0, 0, null, Duration.ofMinutes(1));
        ModeAwareFtpClient client = connect(settings, memory, server, proxy.port());
        long start = System.nanoTime();
        assertEquals(1, client.listFiles().length);
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertEquals(List.of("EPSV 229", "EPRT 200"), server.dataChannelReplies(), "PASV not tried");
        assertTrue(millis < 1_900, "one data connect timeout, not two: " + millis + " ms");
        String reason = memory.snapshot().get("127.0.0.1:" + proxy.port()).reason();
        assertEquals("EPSV: data connection to 127.0.0.1:" + hole + " timed out after 1000 ms; PASV: not tried: passive"
                     + " data connections to 127.0.0.1 time out", reason);
    }
}
