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

        long start = System.nanoTime();
        FTPFile[] files = client.listFiles();
        long millis = (System.nanoTime() - start) / 1_000_000;

        assertEquals(List.of("x.bin"), Arrays.stream(files).map(FTPFile::getName).toList(), "listed in inbox again");
        assertTrue(millis < 10_000, "bounded by the data connect timeout, not soTimeout: " + millis + " ms");
        assertEquals(2, proxy.connectionCount(), "one reconnect");
        assertEquals(DataChannelMode.EPSV, memory.recall("127.0.0.1:" + proxy.port(), Duration.ofMinutes(1)).get());
        Path local = Files.createTempFile("x", ".bin");
        try (var out = Files.newOutputStream(local)) {
            assertTrue(client.retrieveFile("x.bin", out), "the re-opened session is logged in, binary, in inbox");
        }
        assertEquals(sum, TestFiles.sha256(local));
        Files.delete(local);
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
}
