package io.autoftp.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import io.autoftp.testing.FreePorts;
import io.autoftp.testing.RealFtpServer;
import io.autoftp.testing.RealFtpServer.Kind;
import io.autoftp.testing.RequiresRoot;
import io.autoftp.testing.TestFiles;
import org.apache.commons.net.ftp.FTP;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The mode-aware client against Debian's vsftpd, proftpd and pure-ftpd (see {@link RealFtpServer}): a 5 MB binary
 * file up and down with {@code dataChannel=auto}, with each server as it comes, refusing passive, and refusing active.
 * Skipped where the servers are not fetched ({@code .ci/fetch-ftp-servers.sh}) or the JVM is not root.
 */
@RequiresRoot
class RealServerSmokeTest {

    private static final int SIZE = 5 * 1024 * 1024;
    private static final Duration TTL = Duration.ofMinutes(10);

    /** How a server is set up, and which modes the client may end up remembering. */
    enum SetUp {
        DEFAULT(b -> b, Set.of(DataChannelMode.EPSV)),
        PASSIVE_REFUSED(RealFtpServer.Builder::refusePassive, Set.of(DataChannelMode.EPRT, DataChannelMode.PORT)),
        ACTIVE_REFUSED(RealFtpServer.Builder::refuseActive, Set.of(DataChannelMode.EPSV));

        final UnaryOperator<RealFtpServer.Builder> configure;
        final Set<DataChannelMode> expected;

        SetUp(UnaryOperator<RealFtpServer.Builder> configure, Set<DataChannelMode> expected) {
            this.configure = configure;
            this.expected = expected;
        }
    }

    static Stream<Arguments> setUps() {
        List<Arguments> all = new ArrayList<>();
        for (Kind kind : Kind.values()) {
            for (SetUp setUp : SetUp.values()) {
                if (kind == Kind.PUREFTPD && setUp == SetUp.ACTIVE_REFUSED) {
                    continue; // no switch for it: see pureFtpdCannotRefuseActive
                }
                all.add(Arguments.of(kind, setUp));
            }
        }
        return all.stream();
    }

    private static void assumeAvailable(Kind kind) {
        // the reason says what to do, e.g. "... not found at ...; run .ci/fetch-ftp-servers.sh (as root)";
        // CI installs the servers, so there a missing server is a failure, not a skip
        if ("true".equals(System.getenv("CI"))) {
            assertTrue(RealFtpServer.available(kind), () -> RealFtpServer.unavailableReason(kind));
        }
        assumeTrue(RealFtpServer.available(kind), () -> RealFtpServer.unavailableReason(kind));
    }

    private static ModeAwareFtpClient connect(RealFtpServer server, ModeMemory memory) throws Exception {
        ModeAwareFtpClient client = new ModeAwareFtpClient(DataChannelSettings.defaults(), memory);
        client.setDefaultTimeout(30_000);
        client.setConnectTimeout(10_000);
        client.setDataTimeout(Duration.ofSeconds(30));
        client.connect(server.host(), server.port());
        assertTrue(client.login(server.username(), server.password()), () -> "login: " + client.getReplyString()
                                                                              + "\n" + server.log());
        assertTrue(client.setFileType(FTP.BINARY_FILE_TYPE));
        return client;
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("setUps")
    void uploadsAndDownloadsFiveMegabytes(Kind kind, SetUp setUp, @TempDir Path local) throws Exception {
        assumeAvailable(kind);
        Path original = TestFiles.writeRandom(local, "original.bin", SIZE, 42);
        String sum = TestFiles.sha256(original);
        ModeMemory memory = new ModeMemory();
        long start = System.nanoTime();
        try (RealFtpServer server = setUp.configure.apply(RealFtpServer.builder().kind(kind)).start()) {
            ModeAwareFtpClient client = connect(server, memory);
            try {
                try (InputStream in = Files.newInputStream(original)) {
                    assertTrue(client.storeFile("up.bin", in), () -> "STOR: " + client.getReplyString() + "\n"
                                                                      + server.log());
                }
                Path stored = server.home().resolve("up.bin");
                assertEquals(SIZE, Files.size(stored));
                assertEquals(sum, TestFiles.sha256(stored), "uploaded bytes");

                Path downloaded = local.resolve("downloaded.bin");
                try (OutputStream out = Files.newOutputStream(downloaded)) {
                    assertTrue(client.retrieveFile("up.bin", out), () -> "RETR: " + client.getReplyString() + "\n"
                                                                          + server.log());
                }
                assertEquals(sum, TestFiles.sha256(downloaded), "downloaded bytes");
                assertTrue(client.logout());
            } finally {
                if (client.isConnected()) {
                    client.disconnect();
                }
            }

            ModeMemory.Entry entry = memory.snapshot().get(server.address());
            assertTrue(entry != null && setUp.expected.contains(entry.mode()),
                    () -> "remembered " + entry + ", expected one of " + setUp.expected + "\n" + server.log());
            assertEquals(entry.mode(), memory.recall(server.address(), TTL).orElseThrow());
            if (setUp == SetUp.PASSIVE_REFUSED) {
                assertTrue(entry.reason().contains("EPSV: refused by the server (5")
                           && entry.reason().contains("PASV: refused by the server (5"), entry.reason());
            } else {
                assertEquals("", entry.reason(), "the first mode worked");
            }
            assertTrue(server.log().contains("up.bin"), () -> "the server logged the transfer:\n" + server.log());
            System.out.printf("%s, %s: remembered %s in %d ms%s%n", kind, setUp, entry.mode(),
                    (System.nanoTime() - start) / 1_000_000, entry.reason().isEmpty() ? "" : "; " + entry.reason());
        }
    }

    /**
     * The exact replies each server gives to refused data-channel commands (the fallback keys on them), sent by hand
     * after login. A refusal must be a permanent negative reply (5xx), never a 4xx the client might wait out.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Kind.class)
    void refusedCommandsAreAnsweredWithPermanentErrors(Kind kind) throws Exception {
        assumeAvailable(kind);
        Map<SetUp, List<String>> verbs = Map.of(
                SetUp.PASSIVE_REFUSED, List.of("EPSV", "PASV"),
                SetUp.ACTIVE_REFUSED, List.of("EPRT |1|127.0.0.1|9|", "PORT 127,0,0,1,0,9"));
        for (SetUp setUp : List.of(SetUp.PASSIVE_REFUSED, SetUp.ACTIVE_REFUSED)) {
            if (kind == Kind.PUREFTPD && setUp == SetUp.ACTIVE_REFUSED) {
                continue;
            }
            try (RealFtpServer server = setUp.configure.apply(RealFtpServer.builder().kind(kind)).start()) {
                ModeAwareFtpClient client = connect(server, new ModeMemory());
                try {
                    for (String command : verbs.get(setUp)) {
                        String[] parts = command.split(" ", 2);
                        int code = client.sendCommand(parts[0], parts.length > 1 ? parts[1] : null);
                        String reply = client.getReplyString().trim();
                        System.out.printf("%s, %s: %s -> %s%n", kind, setUp, parts[0], reply);
                        assertTrue(code >= 500 && code < 600, kind + " answered " + command + " with " + reply);
                    }
                    assertTrue(client.sendNoOp(), "still in sync after the refusals");
                } finally {
                    client.disconnect();
                }
            }
        }
    }

    /**
     * {@code passivePorts} and {@code pasvAddress} reach the server: its 227 names the fake address (10.200.x.x, never
     * connected to: the client's default pasvAddressPolicy goes to the control host) and a port in the range.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Kind.class)
    void passivePortsAndPasvAddressAreApplied(Kind kind, @TempDir Path local) throws Exception {
        assumeAvailable(kind);
        int min = FreePortsRange.pick(10);
        int max = min + 9;
        try (RealFtpServer server = RealFtpServer.builder().kind(kind).passivePorts(min, max)
                .pasvAddress("10.200.0.1").start()) {
            Files.writeString(server.home().resolve("a.txt"), "hello");
            ModeAwareFtpClient client = new ModeAwareFtpClient(DataChannelSettings.defaults()
                    .withPolicy(DataChannelPolicy.parse("PASV", "dataChannel")), new ModeMemory());
            client.setDefaultTimeout(30_000);
            client.connect(server.host(), server.port());
            try {
                assertTrue(client.login(server.username(), server.password()));
                assertEquals(227, client.pasv()); // announced only: nothing connects to it
                DataEndpoint offered = DataAddressCodec.parsePasvReply(client.getReplyString());
                System.out.printf("%s, pasvAddress 10.200.0.1, ports %d-%d: %s%n", kind, min, max,
                        client.getReplyString().trim());
                assertEquals("10.200.0.1", offered.address().getHostAddress());
                assertTrue(offered.port() >= min && offered.port() <= max, offered.toString());
                // a fresh control connection, so the pending passive port above does not linger in the session
                client.disconnect();
                client.connect(server.host(), server.port());
                assertTrue(client.login(server.username(), server.password()));
                Path copy = local.resolve("a.txt");
                try (OutputStream out = Files.newOutputStream(copy)) {
                    assertTrue(client.retrieveFile("a.txt", out), () -> client.getReplyString() + server.log());
                }
                assertEquals("hello", Files.readString(copy), "PASV only, data from the control host");
            } finally {
                if (client.isConnected()) {
                    client.disconnect();
                }
            }
        }
    }

    /** A run of ports that were free a moment ago. */
    private static final class FreePortsRange {
        static int pick(int size) {
            for (int attempt = 0; attempt < 50; attempt++) {
                int start = FreePorts.free();
                if (start + size > 65535) {
                    continue;
                }
                boolean free = true;
                for (int p = start; p < start + size && free; p++) {
                    try (ServerSocket s = new ServerSocket(p, 1, InetAddress.getLoopbackAddress())) {
                        s.setReuseAddress(true);
                    } catch (IOException e) {
                        free = false;
                    }
                }
                if (free) {
                    return start;
                }
            }
            throw new IllegalStateException("no run of " + size + " free ports");
        }
    }

    @Test
    void pureFtpdCannotRefuseActive() {
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> RealFtpServer.builder().kind(Kind.PUREFTPD).refuseActive());
        assertTrue(e.getMessage().contains("no switch that refuses PORT/EPRT"), e.getMessage());
        assertThrows(UnsupportedOperationException.class,
                () -> RealFtpServer.builder().refuseActive().kind(Kind.PUREFTPD));
    }

    @Test
    void aFakePasvAddressMustBeLoopbackOrTheTestNetwork() {
        RealFtpServer.builder().pasvAddress("127.0.0.2").pasvAddress("10.200.3.4");
        for (String bad : List.of("10.0.0.1", "192.168.1.1", "8.8.8.8", "10.200.1", "localhost", "10.2000.1.1")) {
            assertThrows(IllegalArgumentException.class, () -> RealFtpServer.builder().pasvAddress(bad), bad);
        }
    }
}
