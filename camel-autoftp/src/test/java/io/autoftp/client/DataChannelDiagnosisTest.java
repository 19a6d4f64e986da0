package io.autoftp.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import io.autoftp.client.DataChannelDiagnosis.ModeResult;
import io.autoftp.client.DataChannelDiagnosis.Report;
import io.autoftp.client.DataChannelException.FailureKind;
import io.autoftp.testing.EmbeddedFtpServer;
import io.autoftp.testing.FtpFaultProxy;
import io.autoftp.testing.ReplyRewritingProxy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The diagnosis against servers that break one mode or another, and its words for each case. */
class DataChannelDiagnosisTest {

    private static final DataChannelSettings FAST = new DataChannelSettings(DataChannelPolicy.auto(),
            Duration.ofSeconds(1), PasvAddressPolicy.CONTROL_HOST, 0, 0, null, Duration.ZERO);

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

    private static Report probe(DataChannelSettings settings, EmbeddedFtpServer server, int port) throws IOException {
        return DataChannelDiagnosis.plain(settings).probe(server.host(), port, server.username(), server.password());
    }

    @Test
    void everyModeWorks() throws Exception {
        EmbeddedFtpServer server = server(EmbeddedFtpServer.builder());
        Report report = probe(FAST, server, server.port());
        assertEquals(List.of("Every mode works."), report.findings());
        assertEquals(Optional.of(DataChannelMode.EPSV), report.recommendedMode());
        assertTrue(report.toText().startsWith("Data channel diagnosis for 127.0.0.1:" + server.port() + ":\n  EPSV: works"),
                report.toText());
    }

    @Test
    void serverRefusingPassive() throws Exception {
        EmbeddedFtpServer server = server(EmbeddedFtpServer.builder().refusePassive());
        Report report = probe(FAST, server, server.port());
        assertEquals(List.of("The server refuses passive mode (PASV/EPSV). Active mode works and autoftp will use it."),
                report.findings());
        assertEquals(Optional.of(DataChannelMode.EPRT), report.recommendedMode());
    }

    @Test
    void passivePortsRefusedAndEpsvUnsupported() throws Exception {
        EmbeddedFtpServer server = server(EmbeddedFtpServer.builder().refuseEpsvOnly());
        ReplyRewritingProxy proxy = ReplyRewritingProxy.to(server).mode(ReplyRewritingProxy.Mode.PASSIVE_PORT_CLOSED);
        closeables.add(0, proxy);
        Report report = probe(FAST, server, proxy.port());
        assertEquals(List.of("Passive data connections to 127.0.0.1:" + proxy.port() + " are refused: the server's"
                             + " passive ports are closed or rejected by a firewall. Active mode works and autoftp will"
                             + " use it."), report.findings());
        assertEquals(FailureKind.REFUSED_BY_SERVER, report.results().get(0).failureKind().get());
        assertEquals(FailureKind.CONNECT_REFUSED, report.results().get(1).failureKind().get());
    }

    @Test
    void serverCannotConnectBack() throws Exception {
        EmbeddedFtpServer server = server(EmbeddedFtpServer.builder());
        // announcing an address where this client does not listen looks, to the server, like a client firewall
        Report report = probe(FAST.withActiveExternalAddress(InetAddress.getByName("127.0.0.2")), server, server.port());
        assertEquals(1, report.findings().size(), report.toText());
        assertTrue(report.findings().get(0).startsWith("The server cannot connect back to this client ("),
                report.toText());
        assertTrue(report.findings().get(0).endsWith("a firewall or NAT in front of this client blocks inbound"
                                                     + " connections. Passive mode works and autoftp will use it."));
    }

    /**
     * A garbled 227 reply is no {@link DataChannelException} (commons-net cannot even read it): it is PASV's result, and
     * the other modes are still probed, each on its own connection.
     */
    @Test
    void anUnreadableReplyInOneModeIsThatModesResultAndTheOtherModesAreStillProbed() throws Exception {
        EmbeddedFtpServer server = server(EmbeddedFtpServer.builder());
        ReplyRewritingProxy proxy = ReplyRewritingProxy.to(server)
                .rewrite(line -> line.startsWith("227") ? "\u0000\u0007garbage" : line);
        closeables.add(0, proxy);
        Report report = probe(FAST, server, proxy.port());
        assertEquals(List.of("EPSV: works", "PASV: MalformedServerReplyException: Could not parse response code."
                             + " Server Reply: \u0000\u0007garbage", "EPRT: works", "PORT: works"),
                report.results().stream().map(ModeResult::toString).toList());
        assertEquals(Optional.of(FailureKind.ERROR), report.results().get(1).failureKind());
        assertEquals(List.of("PASV fails: MalformedServerReplyException: Could not parse response code. Server Reply:"
                             + " \u0000\u0007garbage."), report.findings());
        assertEquals(Optional.of(DataChannelMode.EPSV), report.recommendedMode());
    }

    /** A runtime failure while one mode lists is that mode's result too; the modes after it are still probed. */
    @Test
    void aRuntimeFailureInOneModeIsThatModesResultAndTheOtherModesAreStillProbed() throws Exception {
        EmbeddedFtpServer server = server(EmbeddedFtpServer.builder());
        DataChannelDiagnosis diagnosis = new DataChannelDiagnosis(settings -> {
            boolean broken = settings.policy().order().equals(List.of(DataChannelMode.PASV));
            return new ModeAwareFtpClient(settings, new ModeMemory()) {
                @Override
                public String[] listNames() throws IOException {
                    if (broken) {
                        throw new IllegalStateException("listing parser failed");
                    }
                    return super.listNames();
                }
            };
        }, FAST);
        Report report = diagnosis.probe(server.host(), server.port(), server.username(), server.password());
        assertEquals(List.of("EPSV: works", "PASV: IllegalStateException: listing parser failed", "EPRT: works",
                "PORT: works"), report.results().stream().map(ModeResult::toString).toList());
        assertEquals(Optional.of(FailureKind.ERROR), report.results().get(1).failureKind());
        assertEquals(4, server.sessionCount(), "each mode on a connection of its own");
    }

    /**
     * Only the first login decides whether the server can be probed at all: a control connection lost while a later
     * mode logs in is that mode's result, and the next mode still gets its own.
     */
    @Test
    void aControlConnectionLostInALaterModeIsThatModesResult() throws Exception {
        EmbeddedFtpServer server = server(EmbeddedFtpServer.builder());
        FtpFaultProxy proxy = FtpFaultProxy.to(server);
        closeables.add(0, proxy);
        AtomicInteger logins = new AtomicInteger();
        proxy.dropAfter(line -> line.startsWith("USER") && logins.incrementAndGet() == 3, 1); // EPRT's login
        Report report = probe(FAST, server, proxy.port());
        List<ModeResult> results = report.results();
        assertEquals(List.of(true, true, false, true), results.stream().map(ModeResult::works).toList(),
                report.toText());
        assertEquals(Optional.of(FailureKind.ERROR), results.get(2).failureKind(), report.toText());
        assertTrue(report.findings().get(0).startsWith("EPRT fails: "), report.toText());
        assertEquals(4, proxy.connectionCount(), "each mode on a connection of its own");
    }

    @Test
    void wrongPasswordIsNotADataChannelProblem() {
        EmbeddedFtpServer server = server(EmbeddedFtpServer.builder());
        IOException failure = assertThrows(IOException.class, () -> DataChannelDiagnosis.plain(FAST)
                .probe(server.host(), server.port(), server.username(), "wrong"));
        assertTrue(failure.getMessage().startsWith("Login to 127.0.0.1:" + server.port() + " as partner failed: 530"),
                failure.getMessage());
        assertTrue(!failure.getMessage().contains("wrong"), "no password in the message");
    }

    @Test
    void natAdvertisingAPrivateAddressAndTimeouts() throws Exception {
        Map<DataChannelMode, ModeResult> results = new EnumMap<>(DataChannelMode.class);
        results.put(DataChannelMode.EPSV, failed(DataChannelMode.EPSV, FailureKind.CONNECT_TIMED_OUT));
        results.put(DataChannelMode.PASV, failed(DataChannelMode.PASV, FailureKind.CONNECT_TIMED_OUT));
        results.put(DataChannelMode.EPRT, new ModeResult(DataChannelMode.EPRT, Optional.empty(), "works"));
        results.put(DataChannelMode.PORT, new ModeResult(DataChannelMode.PORT, Optional.empty(), "works"));
        List<String> findings = DataChannelDiagnosis.findings("ftp.example.com:21", results,
                InetAddress.getByName("203.0.113.10"), InetAddress.getByName("10.0.0.5"));
        assertEquals(List.of("The server names the private address 10.0.0.5 in its PASV replies: it is behind NAT."
                             + " autoftp connects to 203.0.113.10 instead (pasvAddressPolicy=control-host).",
                "Passive data connections to ftp.example.com:21 time out: a firewall in front of the server probably"
                                                                                         + " drops its passive port range. Active mode works and autoftp will use it."),
                findings);
    }

    private static ModeResult failed(DataChannelMode mode, FailureKind kind) {
        return new ModeResult(mode, Optional.of(kind), kind.name());
    }
}
