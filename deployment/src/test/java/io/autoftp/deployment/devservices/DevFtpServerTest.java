package io.autoftp.deployment.devservices;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Dev Services FTP server on its own, spoken to with commons-net. */
class DevFtpServerTest {

    @TempDir
    Path seed;

    private static DevFtpServerSpec spec(String name, boolean refuseActive, boolean refusePassive, Path seed) {
        return new DevFtpServerSpec(name, 0, "dev", "secret", refuseActive, refusePassive, Optional.ofNullable(seed));
    }

    @Test
    void seedsTheHomeAndServesItInBothModes() throws IOException {
        Files.createDirectories(seed.resolve("inbox/nested"));
        Files.writeString(seed.resolve("inbox/hello.txt"), "hello");
        Files.writeString(seed.resolve("inbox/nested/deep.txt"), "deep");
        try (DevFtpServer server = DevFtpServer.start(spec("plain", false, false, seed), 0)) {
            assertEquals("hello", Files.readString(server.home().resolve("inbox/hello.txt")));
            assertEquals("deep", Files.readString(server.home().resolve("inbox/nested/deep.txt")));
            FTPClient ftp = login(server);
            try {
                ftp.enterLocalPassiveMode();
                assertEquals("hello", retrieve(ftp, "inbox/hello.txt"));
                ftp.enterLocalActiveMode();
                assertEquals("deep", retrieve(ftp, "inbox/nested/deep.txt"));
                ftp.enterLocalPassiveMode();
                assertTrue(ftp.storeFile("inbox/up.txt", new java.io.ByteArrayInputStream("up".getBytes())),
                        "the user may write: " + ftp.getReplyString());
            } finally {
                ftp.disconnect();
            }
            assertEquals("up", Files.readString(server.home().resolve("inbox/up.txt")));
            assertEquals("hello", Files.readString(seed.resolve("inbox/hello.txt")), "the seed is untouched");
            assertFalse(Files.exists(seed.resolve("inbox/up.txt")), "uploads go to the home, not the seed");
        }
    }

    @Test
    void refusesPassiveMode() throws IOException {
        try (DevFtpServer server = DevFtpServer.start(spec("nopassive", false, true, null), 0)) {
            FTPClient ftp = login(server);
            try {
                assertEquals(502, ftp.epsv());
                assertEquals(502, ftp.pasv());
                ftp.enterLocalActiveMode();
                assertEquals("[]", java.util.Arrays.toString(ftp.listNames()), ftp.getReplyString());
                assertEquals(226, ftp.getReplyCode(), "active mode works");
            } finally {
                ftp.disconnect();
            }
        }
    }

    @Test
    void refusesActiveMode() throws IOException {
        try (DevFtpServer server = DevFtpServer.start(spec("noactive", true, false, null), 0)) {
            FTPClient ftp = login(server);
            try {
                assertEquals(501, ftp.port(InetAddress.getLoopbackAddress(), 40000));
                assertEquals(501, ftp.eprt(InetAddress.getLoopbackAddress(), 40000));
                assertEquals(229, ftp.epsv(), "passive mode works");
            } finally {
                ftp.disconnect();
            }
        }
    }

    @Test
    void wrongPasswordIsRefused() throws IOException {
        try (DevFtpServer server = DevFtpServer.start(spec("login", false, false, null), 0)) {
            FTPClient ftp = new FTPClient();
            ftp.connect(server.host(), server.port());
            try {
                assertFalse(ftp.login("dev", "wrong"));
                assertFalse(ftp.login("anonymous", "me@example.com"), "no anonymous login");
            } finally {
                ftp.disconnect();
            }
        }
    }

    @Test
    void closeStopsListeningAndDeletesTheHome() throws IOException {
        Files.writeString(seed.resolve("a.txt"), "a");
        DevFtpServer server = DevFtpServer.start(spec("closing", false, false, seed), 0);
        int port = server.port();
        Path home = server.home();
        FTPClient connected = login(server);
        server.close();
        server.close(); // twice is fine
        assertTrue(server.isClosed());
        assertFalse(Files.exists(home), "home deleted: " + home);
        assertThrows(ConnectException.class, () -> {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(DevFtpServer.HOST, port), 2_000);
            }
        });
        assertThrows(IOException.class, () -> connected.noop(), "open control connections are closed too");
    }

    @Test
    void aRestartedServerGetsItsPreviousPortBackWhenFree() {
        DevFtpServer first = DevFtpServer.start(spec("again", false, false, null), 0);
        int port = first.port();
        first.close();
        try (DevFtpServer second = DevFtpServer.start(spec("again", true, false, null), port)) {
            assertEquals(port, second.port());
        }
    }

    @Test
    void aTakenPreferredPortFallsBackToAFreeOne() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName(DevFtpServer.HOST));
                DevFtpServer server = DevFtpServer.start(spec("moved", false, false, null), taken.getLocalPort())) {
            assertTrue(server.port() > 0 && server.port() != taken.getLocalPort());
        }
    }

    @Test
    void aTakenFixedPortFailsNamingIt() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName(DevFtpServer.HOST))) {
            DevFtpServerSpec fixed = new DevFtpServerSpec("fixed", taken.getLocalPort(), "dev", "dev", false, false,
                    Optional.empty());
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> DevFtpServer.start(fixed, 0));
            assertTrue(e.getMessage().contains("127.0.0.1:" + taken.getLocalPort()), e.getMessage());
        }
    }

    @Test
    void aMissingSeedDirectoryFails() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> DevFtpServer.start(spec("seedless", false, false, seed.resolve("missing")), 0));
        assertTrue(e.getMessage().contains("missing"), e.getMessage());
    }

    @Test
    void theSpecNeverPrintsThePassword() {
        assertFalse(spec("x", true, true, null).toString().contains("secret"));
        assertEquals("refuses passive mode (PASV/EPSV answer 502) and refuses active mode (PORT/EPRT answer 501)",
                spec("x", true, true, null).describeRefusals());
    }

    private static FTPClient login(DevFtpServer server) throws IOException {
        FTPClient ftp = new FTPClient();
        ftp.setDefaultTimeout(10_000);
        ftp.setDataTimeout(java.time.Duration.ofSeconds(10));
        ftp.connect(server.host(), server.port());
        assertTrue(ftp.login("dev", "secret"), ftp.getReplyString());
        ftp.setFileType(FTP.BINARY_FILE_TYPE);
        return ftp;
    }

    private static String retrieve(FTPClient ftp, String path) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(ftp.retrieveFile(path, out), ftp.getReplyString());
        return out.toString(StandardCharsets.UTF_8);
    }
}
