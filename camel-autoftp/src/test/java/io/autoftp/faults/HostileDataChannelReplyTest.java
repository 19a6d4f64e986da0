package io.autoftp.faults;

import static io.autoftp.testing.FtpFaultProxy.command;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.autoftp.client.DataChannelException;
import io.autoftp.client.DataChannelException.FailureKind;
import io.autoftp.client.DataChannelMode;
import io.autoftp.client.DataChannelPolicy;
import io.autoftp.client.DataChannelSettings;
import io.autoftp.client.ModeAwareFtpClient;
import io.autoftp.client.ModeMemory;
import io.autoftp.client.PasvAddressPolicy;
import io.autoftp.testing.EmbeddedFtpServer;
import io.autoftp.testing.FtpFaultProxy;
import org.apache.commons.net.MalformedServerReplyException;
import org.apache.commons.net.ftp.FTP;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Malformed and hostile answers to PASV, EPSV, PORT and EPRT from a real server whose replies are rewritten on their
 * way through {@link FtpFaultProxy}. A "third host" is 127.0.0.5, where a sentinel listens and counts connections
 * (it forwards them to the real data port, so that following it would even work): nothing may connect there unless
 * {@code pasvAddressPolicy} says so. For each bad reply, a client pinned to that one mode fails with a
 * {@link DataChannelException} that says why, without touching the control connection (the next command works), and
 * a client allowed a second mode falls back to it and transfers the file.
 */
class HostileDataChannelReplyTest {

    private static final Pattern SIX = Pattern.compile("\\((\\d+),(\\d+),(\\d+),(\\d+),(\\d+),(\\d+)\\)");
    private static final Pattern EPSV_PORT = Pattern.compile("\\(\\|\\|\\|(\\d+)\\|\\)");
    private static final String CONTENT = "hello, data channel";

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private EmbeddedFtpServer server;
    private FtpFaultProxy proxy;
    private Sentinel sentinel;

    @BeforeEach
    void start() throws Exception {
        server = EmbeddedFtpServer.builder().start();
        closeables.add(server);
        Files.writeString(server.home().resolve("a.txt"), CONTENT);
        proxy = FtpFaultProxy.to(server);
        closeables.add(0, proxy);
        sentinel = new Sentinel();
        closeables.add(0, sentinel);
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }

    /** A bad 227 reply: how to make it from the real one (whose port the sentinel forwards to), and what it is. */
    enum BadPasv {
        OCTET_ABOVE_255(r -> "227 Entering Passive Mode (127,0,0,256," + r.p1() + "," + r.p2() + ")"),
        PORT_BYTE_ABOVE_255(r -> "227 Entering Passive Mode (127,0,0,1,256," + r.p2() + ")"),
        PORT_ZERO(r -> "227 Entering Passive Mode (127,0,0,1,0,0)"),
        MISSING_PART(r -> "227 Entering Passive Mode (127,0,0,1," + r.p1() + ")"),
        EXTRA_PART(r -> "227 Entering Passive Mode (127,0,0,1," + r.p1() + "," + r.p2() + ",7)"),
        NO_ADDRESS(r -> "227 Entering Passive Mode"),
        EMPTY_BRACKETS(r -> "227 Entering Passive Mode ()"),
        NEGATIVE_NUMBER(r -> "227 Entering Passive Mode (127,0,0,1,-1," + r.p2() + ")"),
        LETTERS(r -> "227 Entering Passive Mode (a,b,c,d,e,f)"),
        FOUR_DIGITS(r -> "227 Entering Passive Mode (127,0,0,1,0" + r.p1() + "0," + r.p2() + ")"),
        UNTERMINATED(r -> "227 Entering Passive Mode (127,0,0,1," + r.p1() + "," + r.p2()),
        TWO_ADDRESSES(r -> "227 Entering Passive Mode (127,0,0,1," + r.p1() + "," + r.p2() + ") (127,0,0,5,"
                           + r.s1() + "," + r.s2() + ")"),
        EXTRA_TEXT_INSIDE(r -> "227 Entering Passive Mode (127,0,0,1," + r.p1() + "," + r.p2() + " please)"),
        HUGE_LINE(r -> "227 Entering Passive Mode (" + "9,".repeat(20_000) + "9)"),
        THIRD_HOST(r -> "227 Entering Passive Mode (127,0,0,5," + r.s1() + "," + r.s2() + ")");

        final Function<Real, String> reply;

        BadPasv(Function<Real, String> reply) {
            this.reply = reply;
        }
    }

    /** The server's real passive port and the sentinel's port, as PASV numbers. */
    record Real(int port, int sentinel) {
        int p1() {
            return port >> 8;
        }

        int p2() {
            return port & 0xff;
        }

        int s1() {
            return sentinel >> 8;
        }

        int s2() {
            return sentinel & 0xff;
        }
    }

    @ParameterizedTest
    @EnumSource(BadPasv.class)
    void aBadPasvReplyFailsThatModeCleanlyAndNothingConnectsToAThirdHost(BadPasv bad) throws Exception {
        proxy.rewriteReplies(line -> {
            if (!line.startsWith("227")) {
                return line;
            }
            Matcher m = SIX.matcher(line);
            assertTrue(m.find(), line);
            int port = Integer.parseInt(m.group(5)) * 256 + Integer.parseInt(m.group(6));
            sentinel.forwardTo(port);
            return bad.reply.apply(new Real(port, sentinel.port()));
        });
        ModeAwareFtpClient pinned = connect("PASV", PasvAddressPolicy.CONTROL_HOST);
        DataChannelException failure = assertThrows(DataChannelException.class, () -> download(pinned));
        assertEquals(1, failure.getAttempts().size(), failure.getMessage());
        DataChannelException.Attempt attempt = failure.getAttempts().get(0);
        assertEquals(DataChannelMode.PASV, attempt.mode());
        if (bad == BadPasv.THIRD_HOST) {
            // the reply's port is used with the control host, 127.0.0.1, where nothing listens on it
            assertEquals(FailureKind.CONNECT_REFUSED, attempt.kind(), failure.getMessage());
            assertTrue(attempt.failure().startsWith("data connection to 127.0.0.1:" + sentinel.port()),
                    attempt.failure());
        } else {
            assertEquals(FailureKind.UNUSABLE_REPLY, attempt.kind(), failure.getMessage());
            assertTrue(attempt.failure().startsWith("unusable reply: PASV reply"), attempt.failure());
            assertTrue(attempt.failure().length() < 500, "the reason is bounded: " + attempt.failure().length());
        }
        assertTrue(pinned.sendNoOp(), "the control connection is still in step");

        ModeAwareFtpClient fallback = connect("PASV,EPRT", PasvAddressPolicy.CONTROL_HOST);
        assertEquals(CONTENT, download(fallback));
        assertEquals(List.of("PASV", "EPRT"), server.dataChannelCommands().subList(1, 3));
        assertEquals(0, sentinel.connections(), "nothing connected to the third host 127.0.0.5");
    }

    /**
     * The positive control for the sentinel: with {@code pasvAddressPolicy=reply} the same third-host reply is followed
     * (and works through the sentinel), as documented; {@code reply-if-routable} follows it too here, because the
     * control host is a loopback address as well.
     */
    @ParameterizedTest
    @EnumSource(value = PasvAddressPolicy.class, names = { "REPLY", "REPLY_IF_ROUTABLE" })
    void aThirdHostInAPasvReplyIsFollowedOnlyWhenThePolicySaysSo(PasvAddressPolicy policy) throws Exception {
        proxy.rewriteReplies(line -> {
            Matcher m = SIX.matcher(line);
            if (!line.startsWith("227") || !m.find()) {
                return line;
            }
            sentinel.forwardTo(Integer.parseInt(m.group(5)) * 256 + Integer.parseInt(m.group(6)));
            return BadPasv.THIRD_HOST.reply.apply(new Real(0, sentinel.port()));
        });
        ModeAwareFtpClient client = connect("PASV", policy);
        assertEquals(CONTENT, download(client));
        assertEquals(1, sentinel.connections(), "the data connection went to 127.0.0.5");
    }

    /** A bad 229 reply, made from the real port. */
    enum BadEpsv {
        MISSING_LAST_DELIMITER(p -> "229 Entering Extended Passive Mode (|||" + p + ")"),
        MIXED_DELIMITERS(p -> "229 Entering Extended Passive Mode (|!|" + p + "|)"),
        DIGIT_DELIMITER(p -> "229 Entering Extended Passive Mode (111" + p + "1)"),
        SPACE_DELIMITER(p -> "229 Entering Extended Passive Mode (   " + p + " )"),
        PORT_ZERO(p -> "229 Entering Extended Passive Mode (|||0|)"),
        PORT_65536(p -> "229 Entering Extended Passive Mode (|||65536|)"),
        PORT_HUGE(p -> "229 Entering Extended Passive Mode (|||99999999999999999999|)"),
        PORT_NEGATIVE(p -> "229 Entering Extended Passive Mode (|||-1|)"),
        PORT_NOT_A_NUMBER(p -> "229 Entering Extended Passive Mode (|||http|)"),
        ADDRESS_GIVEN(p -> "229 Entering Extended Passive Mode (|1|127.0.0.5|" + p + "|)"),
        NO_BRACKETS(p -> "229 Entering Extended Passive Mode |||" + p + "|"),
        EMPTY_BRACKETS(p -> "229 Entering Extended Passive Mode ()");

        final Function<Integer, String> reply;

        BadEpsv(Function<Integer, String> reply) {
            this.reply = reply;
        }
    }

    @ParameterizedTest
    @EnumSource(BadEpsv.class)
    void aBadEpsvReplyFailsThatModeCleanlyAndNothingConnectsToAThirdHost(BadEpsv bad) throws Exception {
        proxy.rewriteReplies(line -> {
            Matcher m = EPSV_PORT.matcher(line);
            if (!line.startsWith("229") || !m.find()) {
                return line;
            }
            int port = Integer.parseInt(m.group(1));
            sentinel.forwardTo(port);
            return bad.reply.apply(bad == BadEpsv.ADDRESS_GIVEN ? sentinel.port() : port);
        });
        ModeAwareFtpClient pinned = connect("EPSV", PasvAddressPolicy.REPLY); // even the most trusting policy
        DataChannelException failure = assertThrows(DataChannelException.class, () -> download(pinned));
        DataChannelException.Attempt attempt = failure.getAttempts().get(0);
        assertEquals(DataChannelMode.EPSV, attempt.mode());
        assertEquals(FailureKind.UNUSABLE_REPLY, attempt.kind(), failure.getMessage());
        assertTrue(attempt.failure().startsWith("unusable reply: EPSV reply"), attempt.failure());
        assertTrue(pinned.sendNoOp(), "the control connection is still in step");

        ModeAwareFtpClient fallback = connect("EPSV,EPRT", PasvAddressPolicy.REPLY);
        assertEquals(CONTENT, download(fallback));
        assertEquals(List.of("EPSV", "EPRT"), server.dataChannelCommands().subList(1, 3));
        assertEquals(0, sentinel.connections(), "nothing connected to 127.0.0.5");
    }

    @Test
    void aRefusedEprtFallsBackToPort() throws Exception {
        proxy.rewriteRepliesTo(command("EPRT", ""), line -> line.startsWith("200") ? "500 EPRT not understood" : line);
        ModeAwareFtpClient pinned = connect("EPRT", PasvAddressPolicy.CONTROL_HOST);
        DataChannelException failure = assertThrows(DataChannelException.class, () -> download(pinned));
        assertEquals(FailureKind.REFUSED_BY_SERVER, failure.getAttempts().get(0).kind());
        assertTrue(failure.getMessage().contains("EPRT: refused by the server (500 EPRT not understood)"),
                failure.getMessage());
        assertTrue(pinned.sendNoOp());
        assertEquals(CONTENT, download(connect("EPRT,PORT", PasvAddressPolicy.CONTROL_HOST)));
    }

    @Test
    void anUnparseableReplyToPortDropsTheControlConnectionWithAClearError() throws Exception {
        proxy.rewriteRepliesTo(command("PORT", ""), line -> line.startsWith("200") ? "OK then" : line);
        ModeAwareFtpClient client = connect("PORT", PasvAddressPolicy.CONTROL_HOST);
        MalformedServerReplyException failure = assertThrows(MalformedServerReplyException.class,
                () -> download(client));
        assertTrue(failure.getMessage().contains("OK then"), failure.getMessage());
        assertFalse(client.isConnected(), "a control connection out of step is given up");
        proxy.clearFaults();
        assertEquals(CONTENT, download(connect("PORT", PasvAddressPolicy.CONTROL_HOST)), "a new one works");
    }

    @Test
    void anUnparseableReplyToPasvDropsTheControlConnectionWithAClearError() throws Exception {
        proxy.rewriteReplies(line -> line.startsWith("227") ? "\u0000\u0007garbage" : line);
        ModeAwareFtpClient client = connect("PASV,EPRT", PasvAddressPolicy.CONTROL_HOST);
        assertThrows(MalformedServerReplyException.class, () -> download(client));
        assertFalse(client.isConnected(), "a control connection out of step is given up");
    }

    /**
     * Active mode: a third host (127.0.0.5) connects to the client's data port before the server does. The client
     * must refuse it (commons-net's remote verification, on by default), say so, and never send it the file.
     */
    @Test
    void anActiveDataConnectionFromAThirdHostIsRefused() throws Exception {
        List<Socket> intruders = new CopyOnWriteArrayList<>();
        Pattern eprt = Pattern.compile("EPRT \\|1\\|127\\.0\\.0\\.1\\|(\\d+)\\|");
        proxy.rewriteCommands(line -> {
            Matcher m = eprt.matcher(line);
            if (m.matches()) {
                try {
                    Socket intruder = new Socket();
                    intruder.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.5"), 0));
                    intruder.connect(new InetSocketAddress("127.0.0.1", Integer.parseInt(m.group(1))), 2_000);
                    intruder.setSoTimeout(5_000);
                    intruders.add(intruder);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }
            return line;
        });
        Files.writeString(server.home().resolve("up.txt"), "");
        ModeAwareFtpClient client = connect("EPRT", PasvAddressPolicy.CONTROL_HOST);
        IOException failure = assertThrows(IOException.class,
                () -> client.storeFile("up.txt", new java.io.ByteArrayInputStream("secret bytes".getBytes())));
        assertTrue(failure.getMessage().startsWith("Refused an active data connection from 127.0.0.5: it is not the"
                                                   + " server"), failure.getMessage());
        assertEquals(1, intruders.size());
        try (Socket intruder = intruders.get(0)) {
            assertEquals(-1, readOrEnd(intruder.getInputStream()), "the intruder got nothing and was closed");
        }
        assertEquals("", Files.readString(server.home().resolve("up.txt")), "the server got nothing either");
    }

    // ---- helpers ----

    private ModeAwareFtpClient connect(String policy, PasvAddressPolicy pasvPolicy) throws IOException {
        DataChannelSettings settings = new DataChannelSettings(DataChannelPolicy.parse(policy, "dataChannel"),
                Duration.ofSeconds(2), pasvPolicy, 0, 0, null, Duration.ofMinutes(1));
        ModeAwareFtpClient client = new ModeAwareFtpClient(settings, new ModeMemory());
        client.setDefaultTimeout(10_000);
        client.connect(proxy.host(), proxy.port());
        client.setSoTimeout(10_000);
        assertTrue(client.login(server.username(), server.password()));
        assertTrue(client.setFileType(FTP.BINARY_FILE_TYPE));
        closeables.add(0, () -> {
            if (client.isConnected()) {
                client.disconnect();
            }
        });
        return client;
    }

    private static int readOrEnd(InputStream in) {
        try {
            return in.read();
        } catch (IOException reset) {
            return -1;
        }
    }

    private static String download(ModeAwareFtpClient client) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(client.retrieveFile("a.txt", out), client.getReplyString());
        return out.toString();
    }

    /** Listens on 127.0.0.5, counts connections and forwards each to 127.0.0.1:{@link #forwardTo}. */
    private static final class Sentinel implements AutoCloseable {
        private final ServerSocket listener;
        private final AtomicInteger connections = new AtomicInteger();
        private final AtomicInteger target = new AtomicInteger();
        private final Thread thread;

        Sentinel() throws IOException {
            listener = new ServerSocket(0, 5, InetAddress.getByName("127.0.0.5"));
            thread = new Thread(this::run, "third-host-sentinel");
            thread.setDaemon(true);
            thread.start();
        }

        int port() {
            return listener.getLocalPort();
        }

        int connections() {
            return connections.get();
        }

        void forwardTo(int port) {
            target.set(port);
        }

        private void run() {
            while (true) {
                try {
                    Socket in = listener.accept();
                    connections.incrementAndGet();
                    Socket out = new Socket("127.0.0.1", target.get());
                    pipe(in, out);
                    pipe(out, in);
                } catch (IOException e) {
                    return;
                }
            }
        }

        private static void pipe(Socket from, Socket to) {
            Thread t = new Thread(() -> {
                try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                    in.transferTo(out);
                } catch (IOException e) {
                    // done
                } finally {
                    try {
                        from.close();
                        to.close();
                    } catch (IOException e) {
                        // done
                    }
                }
            }, "third-host-pipe");
            t.setDaemon(true);
            t.start();
        }

        @Override
        public void close() throws IOException {
            listener.close();
        }
    }
}
