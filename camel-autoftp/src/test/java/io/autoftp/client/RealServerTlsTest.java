package io.autoftp.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

import io.autoftp.camel.AutoFtpsComponent;
import io.autoftp.client.DataChannelException.FailureKind;
import io.autoftp.testing.RealFtpServer;
import io.autoftp.testing.RealFtpServer.Kind;
import io.autoftp.testing.RequiresRoot;
import io.autoftp.testing.TestFiles;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.file.GenericFileOperationFailedException;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPSClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * FTPS (explicit, AUTH TLS) against Debian's vsftpd, proftpd and pure-ftpd in their default TLS configuration (see
 * {@link RealFtpServer}, "FTPS"): vsftpd and proftpd reject a TLS data connection that does not resume the control
 * connection's TLS session; pure-ftpd 1.0.50 does not check. Each server refuses passive or active mode in turn.
 * <ul>
 * <li>{@code autoftps:} routes download and upload three files each (SHA-256 checked both ways) with the default
 * {@code dataChannel=auto}, over the one mode the server allows, with camel-ftp's default TLS (1.3 here) and again
 * with TLS 1.2 only, where resuming a session works differently;</li>
 * <li>stock camel-ftp {@code ftps:} does the same with {@code passiveMode} set to the mode the server allows, so that
 * nothing but session reuse can make it fail: where the server requires reuse it must fail (and the server must say
 * why); elsewhere its result is only recorded;</li>
 * <li>the harness itself is checked with commons-net's own {@code FTPSClient}, explicit and implicit: rejected by a
 * server requiring reuse, served (over a TLS data connection) once {@code sessionReuseNotRequired()}.</li>
 * </ul>
 * Each case prints a line starting "TLS-COMPAT" (server, reuse, refused mode, the outcome); the class prints the
 * table of all of them at the end. Skipped where the servers are not fetched ({@code .ci/fetch-ftp-servers.sh}) or the
 * JVM is not root; failed then when {@code CI=true}.
 */
@RequiresRoot
class RealServerTlsTest {

    /** How long one route gets to download its three files (or to show that it cannot). */
    private static final Duration DOWNLOAD_WAIT = Duration.ofSeconds(15);
    /** How long a run that has failed once keeps going, in case a later poll works. */
    private static final Duration AFTER_FAILURE = Duration.ofSeconds(2);
    private static final long[] SIZES = { 10 * 1024, 256 * 1024 + 3, 1024 * 1024 + 1 };

    /** server × reuse × refused mode → [autoftps result, stock ftps result]. */
    private static final Map<String, String[]> TABLE = new ConcurrentSkipListMap<>();

    /** The mode the server refuses, the modes autoftps must end up using, and the stock setting that works. */
    enum Refused {
        PASSIVE(Set.of(DataChannelMode.EPRT, DataChannelMode.PORT), false),
        ACTIVE(Set.of(DataChannelMode.EPSV), true);

        final Set<DataChannelMode> expected;
        final boolean stockPassiveMode;

        Refused(Set<DataChannelMode> expected, boolean stockPassiveMode) {
            this.expected = expected;
            this.stockPassiveMode = stockPassiveMode;
        }

        RealFtpServer.Builder apply(RealFtpServer.Builder builder) {
            return this == PASSIVE ? builder.refusePassive() : builder.refuseActive();
        }
    }

    /** The server's reuse setting: as shipped, or turned off ({@code sessionReuseNotRequired}). */
    enum Reuse {
        DEFAULT, NOT_REQUIRED;

        RealFtpServer.Builder apply(RealFtpServer.Builder builder) {
            return this == NOT_REQUIRED ? builder.sessionReuseNotRequired() : builder;
        }
    }

    /**
     * The TLS version the client asks for: camel-ftp's default {@code securityProtocol=TLSv1.3} (which offers TLS 1.2
     * too; these servers take 1.3), or TLS 1.2 only. Resuming a session works differently in each: a TLS 1.3
     * pre-shared key from a session ticket the server sent after the handshake, or a TLS 1.2 session id or ticket.
     */
    enum Tls {
        DEFAULT(""), TLS12("&securityProtocol=TLSv1.2");

        final String option;

        Tls(String option) {
            this.option = option;
        }

        String label() {
            return this == DEFAULT ? "TLSv1.3" : "TLSv1.2";
        }
    }

    /** Every server in its default TLS set-up and with reuse not required, each refusing passive, then active. */
    static Stream<Arguments> cases() {
        List<Arguments> all = new ArrayList<>();
        for (Reuse reuse : Reuse.values()) {
            for (Kind kind : Kind.values()) {
                for (Refused refused : Refused.values()) {
                    if (kind == Kind.PUREFTPD && refused == Refused.ACTIVE) {
                        continue; // no switch for it (RealFtpServer.Builder#refuseActive)
                    }
                    all.add(Arguments.of(kind, refused, reuse));
                }
            }
        }
        return all.stream();
    }

    /** {@link #cases()} with camel-ftp's default TLS, and the default set-ups again with TLS 1.2 only. */
    static Stream<Arguments> autoftpsCases() {
        Stream<Arguments> latest = cases().map(a -> Arguments.of(a.get()[0], a.get()[1], a.get()[2], Tls.DEFAULT));
        Stream<Arguments> tls12 = cases().filter(a -> a.get()[2] == Reuse.DEFAULT)
                .map(a -> Arguments.of(a.get()[0], a.get()[1], a.get()[2], Tls.TLS12));
        return Stream.concat(latest, tls12);
    }

    static Stream<Arguments> harnessCases() {
        return Stream.of(Arguments.of(Kind.VSFTPD, false), Arguments.of(Kind.VSFTPD, true),
                Arguments.of(Kind.PROFTPD, false), Arguments.of(Kind.PROFTPD, true),
                Arguments.of(Kind.PUREFTPD, false));
    }

    private static void assumeTlsAvailable(Kind kind) {
        // CI fetches the servers (and proftpd's mod_tls), so there a missing one is a failure, not a skip
        if ("true".equals(System.getenv("CI"))) {
            assertTrue(RealFtpServer.tlsAvailable(kind), () -> RealFtpServer.tlsUnavailableReason(kind));
        }
        assumeTrue(RealFtpServer.tlsAvailable(kind), () -> RealFtpServer.tlsUnavailableReason(kind));
    }

    private static RealFtpServer start(Kind kind, Refused refused, Reuse reuse) {
        return reuse.apply(refused.apply(RealFtpServer.builder().kind(kind).tls(false))).start();
    }

    @ParameterizedTest(name = "autoftps, {0}, {1} refused, reuse {2}, {3}")
    @MethodSource("autoftpsCases")
    void autoftpsDownloadsAndUploadsOverTls(Kind kind, Refused refused, Reuse reuse, Tls tls, @TempDir Path local)
            throws Exception {
        assumeTlsAvailable(kind);
        try (RealFtpServer server = start(kind, refused, reuse)) {
            List<String> opened = new CopyOnWriteArrayList<>();
            List<String> failedModes = new CopyOnWriteArrayList<>();
            ModeMemory[] memoryOf = new ModeMemory[1];
            Run run = transfer(server, local, "autoftps", tls.option, context -> {
                ModeMemory memory = context.getComponent("autoftps", AutoFtpsComponent.class).getModeMemory();
                memoryOf[0] = memory;
                memory.addListener(new DataChannelListener() {
                    @Override
                    public void onOpened(String address, DataChannelMode mode, String command) {
                        opened.add(command + " " + mode);
                    }

                    @Override
                    public void onModeFailed(String address, DataChannelMode mode, FailureKind failure) {
                        failedModes.add(mode + " " + failure);
                    }
                });
            });
            // every data connection (listings too), "COMMAND MODE"
            Set<DataChannelMode> used = opened.stream()
                    .map(o -> DataChannelMode.valueOf(o.substring(o.indexOf(' ') + 1))).collect(Collectors.toSet());
            String fallback = memoryOf[0].resumesBySessionId(server.address())
                    ? ", refused once, then TLS 1.2 by session id" : "";
            String result = run.ok() ? "ok, " + used.stream().map(Enum::name).sorted().collect(Collectors.joining("+"))
                                       + fallback
                                     : (run.nothingTransferred() ? "FAILED (" : "PARTLY (") + run.reason(server) + ")";
            record(server, refused, reuse, tls, 0, result);

            // nothing failed, not even the transfer that taught the client to resume by session id
            assertTrue(run.ok() && run.failures().isEmpty(), () -> "autoftps over " + server + ": " + run.summary()
                                                                  + "\nserver: " + reuseEvidence(server)
                                                                  + "\ndata connections opened: " + opened
                                                                  + "\nmodes failed: " + failedModes + "\n"
                                                                  + server.log());
            boolean bySessionId = needsSessionIds(server, tls);
            assertEquals(bySessionId, memoryOf[0].resumesBySessionId(server.address()), "TLS 1.2 by session id");
            if (bySessionId) {
                // the server refused one data connection for its reuse check, and the transfer was done again
                assertFalse(reuseEvidence(server).isEmpty(), () -> "refused for another reason than session reuse: "
                                                                   + server.log());
            }
            assertTrue(opened.stream().anyMatch(o -> o.startsWith("RETR "))
                       && opened.stream().anyMatch(o -> o.startsWith("STOR ")), "RETR and STOR seen: " + opened);
            assertTrue(refused.expected.containsAll(used), () -> "transfers used " + opened + ", expected only "
                                                                 + refused.expected);
            assertProtected(server, bySessionId ? Tls.TLS12 : tls);
        }
    }

    /**
     * Where the JDK cannot resume the session as first offered, so that autoftps falls back to TLS 1.2 resumed by
     * session id after the first refusal (README, "FTPS"; the compatibility report):
     * <ul>
     * <li>vsftpd with TLS 1.2: it answers the session ticket extension with a ticket (lifetime 2^31-1 s) and no session
     * id; the JDK discards tickets valid for more than 7 days and cannot resume at all.</li>
     * <li>proftpd with TLS 1.3: it sends a new session ticket only on a data connection it writes to. A download
     * refreshes the ticket, an upload does not, and the JDK uses each ticket once: a second upload in a row cannot
     * resume.</li>
     * </ul>
     */
    private static boolean needsSessionIds(RealFtpServer server, Tls tls) {
        return server.requiresSessionReuse()
               && (server.kind() == Kind.VSFTPD && tls == Tls.TLS12 || server.kind() == Kind.PROFTPD && tls == Tls.DEFAULT);
    }

    /**
     * Implicit FTPS (TLS from the first byte) with session reuse required, with camel-ftp's default TLS (proftpd falls
     * back to TLS 1.2 by session id, see {@link #needsSessionIds}). pure-ftpd has no implicit FTPS in Debian's build.
     */
    @ParameterizedTest(name = "autoftps implicit, {0}")
    @EnumSource(value = Kind.class, names = { "VSFTPD", "PROFTPD" })
    void autoftpsOverImplicitTls(Kind kind, @TempDir Path local) throws Exception {
        assumeTlsAvailable(kind);
        try (RealFtpServer server = RealFtpServer.builder().kind(kind).tls(true).start()) {
            Run run = transfer(server, local, "autoftps", "&implicit=true", context -> {
            });
            assertTrue(run.ok() && run.failures().isEmpty(), () -> "autoftps, implicit, over " + server + ": "
                                                                  + run.summary() + "\n" + server.log());
        }
    }

    /**
     * The diagnosis (behind the readiness check and the Diagnose command) probes as routes connect: vsftpd requiring
     * reuse, probed with TLS 1.2 only, is reached by falling back to TLS 1.2 by session id. A client that cannot leave
     * its session tickets off (one TLS context, not made again) stays refused, and the diagnosis says that the server
     * refuses the data connections' TLS, not that a firewall is in the way.
     */
    @Test
    void theDiagnosisNamesATlsRefusalNotAFirewall() throws Exception {
        assumeTlsAvailable(Kind.VSFTPD);
        try (RealFtpServer server = RealFtpServer.builder().kind(Kind.VSFTPD).tls(false).start()) {
            DataChannelDiagnosis.Report report = Diagnose.diagnosis(DataChannelSettings.defaults(),
                    Duration.ofSeconds(10), new Diagnose.Tls(false, "TLSv1.2", RealFtpServer.trustManager()))
                    .probe(server.host(), server.port(), server.username(), server.password());
            assertTrue(report.anyModeWorks(), report::toText);

            DataChannelDiagnosis withTickets = new DataChannelDiagnosis(settings -> {
                try {
                    ModeAwareFtpsClient client = new ModeAwareFtpsClient(false,
                            ModeAwareFtpsClient.sslContext("TLSv1.2", null, RealFtpServer.trustManager()), settings,
                            new ModeMemory()) {
                        @Override
                        public boolean login(String username, String password) throws IOException {
                            boolean in = super.login(username, password);
                            execPBSZ(0);
                            execPROT("P");
                            return in;
                        }
                    };
                    client.setDefaultTimeout(10_000);
                    client.setConnectTimeout(10_000);
                    client.setDataTimeout(Duration.ofSeconds(10));
                    return client;
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }, DataChannelSettings.defaults());
            report = withTickets.probe(server.host(), server.port(), server.username(), server.password());
            assertFalse(report.anyModeWorks(), report::toText);
            assertEquals(1, report.findings().size(), report::toText);
            assertTrue(report.findings().get(0).startsWith("The data connections open, but the server refuses their"
                                                           + " TLS (TLS on the data connection for NLST to "),
                    report::toText);
            assertTrue(report.findings().get(0).contains("requires TLS session reuse"), report::toText);
        }
    }

    /**
     * On the wire: after vsftpd refused the first data connection of a TLS 1.2-only client (its ticket the JDK
     * discards), the client's listing is done again on a new control connection, and from then on every data connection
     * resumes the control connection's TLS 1.2 session: the server accepted it, and the session id it echoed in its
     * ServerHello is the control connection's.
     */
    @Test
    void tls12DataConnectionsResumeTheControlSessionById(@TempDir Path local) throws Exception {
        assumeTlsAvailable(Kind.VSFTPD);
        try (RealFtpServer server = RealFtpServer.builder().kind(Kind.VSFTPD).tls(false).start()) {
            Path file = TestFiles.writeRandom(server.home(), "resumed.bin", 300_000, 77);
            server.giveToServerUser(file);
            ModeMemory memory = new ModeMemory();
            // each data connection with the control connection it belonged to
            List<SSLSocket[]> dataSockets = new CopyOnWriteArrayList<>();
            ResumingTlsContext.Factory contexts = () -> ModeAwareFtpsClient.sslContext("TLSv1.2", null,
                    RealFtpServer.trustManager());
            ModeAwareFtpsClient client = new ModeAwareFtpsClient(false, contexts.create(), contexts,
                    DataChannelSettings.defaults(), memory) {
                @Override
                protected void _prepareDataSocket_(Socket socket) throws IOException {
                    super._prepareDataSocket_(socket);
                    if (socket instanceof SSLSocket ssl) {
                        dataSockets.add(new SSLSocket[] { (SSLSocket) _socket_, ssl });
                    }
                }
            };
            client.setDefaultTimeout(10_000);
            client.connect(server.host(), server.port());
            try {
                assertTrue(client.login(server.username(), server.password()));
                client.execPBSZ(0);
                client.execPROT("P");
                client.setFileType(FTP.BINARY_FILE_TYPE);
                String[] names = client.listNames();
                assertTrue(names != null && List.of(names).contains("resumed.bin"), () -> "listed: "
                                                                                          + client.getReplyString());
                assertTrue(memory.resumesBySessionId(server.address()), "fell back after the refusal");
                assertFalse(reuseEvidence(server).isEmpty(), server::log);
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                assertTrue(client.retrieveFile("resumed.bin", out), client::getReplyString);
                Path copy = Files.write(local.resolve("resumed.bin"), out.toByteArray());
                assertEquals(TestFiles.sha256(file), TestFiles.sha256(copy));

                assertEquals(3, dataSockets.size(), "refused NLST, NLST again, RETR");
                SSLSession refusedControl = dataSockets.get(0)[0].getSession();
                assertFalse(Arrays.equals(refusedControl.getId(), dataSockets.get(0)[1].getSession().getId()),
                        "the refused data connection did not resume its control connection's session");
                SSLSession control = dataSockets.get(1)[0].getSession();
                assertEquals("TLSv1.2", control.getProtocol());
                for (SSLSocket[] pair : dataSockets.subList(1, 3)) {
                    assertEquals(control, pair[0].getSession(), "one new control connection");
                    assertEquals("TLSv1.2", pair[1].getSession().getProtocol());
                    assertArrayEquals(control.getId(), pair[1].getSession().getId(), "the control session, resumed");
                }
            } finally {
                client.disconnect();
            }
        }
    }

    /**
     * The upload that meets proftpd's refusal (TLS 1.3, no ticket left after an upload) is stored again on a new
     * control connection when its body can be read again: a stream Camel cached (its default) or a file. A stream read
     * once (stream caching off) cannot be: that one upload fails, naming the TLS refusal, and the next upload goes
     * through by session id. proftpd creates the file before it refuses the data connection: the refused upload leaves
     * an empty file under its name (camel-ftp's {@code tempFileName} keeps it from the final name).
     */
    @Test
    void aRefusedUploadIsStoredAgainWhenItsBodyCanBeReadAgain(@TempDir Path local) throws Exception {
        assumeTlsAvailable(Kind.PROFTPD);
        for (boolean streamCaching : new boolean[] { true, false }) {
            try (RealFtpServer server = RealFtpServer.builder().kind(Kind.PROFTPD).tls(false).start()) {
                Path target = Files.createDirectories(server.home().resolve("upload"));
                server.giveToServerUser(target);
                CamelContext context = new DefaultCamelContext();
                context.setStreamCaching(streamCaching);
                String uri = "autoftps://" + server.username() + "@" + server.host() + ":" + server.port()
                             + "/upload?password=RAW(" + server.password() + ")&binary=true"
                             + "&ftpClient.trustStore.file=" + RealFtpServer.trustStore()
                             + "&ftpClient.trustStore.password=" + RealFtpServer.TRUSTSTORE_PASSWORD
                             + "&connectTimeout=5000&soTimeout=10000&maximumReconnectAttempts=0";
                context.addRoutes(new RouteBuilder() {
                    @Override
                    public void configure() {
                        from("direct:upload").to(uri);
                    }
                });
                context.start();
                try {
                    Map<String, String> sent = new TreeMap<>();
                    Map<String, String> failed = new TreeMap<>();
                    for (int i = 0; i < 4; i++) {
                        String name = "stream" + i + ".bin";
                        Path source = TestFiles.writeRandom(local, name, 64 * 1024 + i, 3000 + i);
                        byte[] content = Files.readAllBytes(source);
                        Exchange done = context.createProducerTemplate().send("direct:upload", e -> {
                            e.getIn().setBody(new java.io.ByteArrayInputStream(content) {
                                @Override
                                public boolean markSupported() {
                                    return false; // a stream that can be read once, as from a socket
                                }
                            });
                            e.getIn().setHeader(Exchange.FILE_NAME, name);
                        });
                        if (done.getException() != null) {
                            failed.put(name, describe(done.getException()));
                        } else {
                            sent.put(name, TestFiles.sha256(source));
                        }
                    }
                    ModeMemory memory = context.getComponent("autoftps", AutoFtpsComponent.class).getModeMemory();
                    assertTrue(memory.resumesBySessionId(server.address()), "fell back after the refusal");
                    Map<String, String> stored = TestFiles.sha256Tree(target);
                    stored.keySet().removeIf(failed::containsKey);
                    assertEquals(sent, stored, "every upload that succeeded, whole");
                    if (streamCaching) {
                        assertEquals(Map.of(), failed, "with stream caching every upload succeeds");
                    } else {
                        assertEquals(1, failed.size(), () -> "one upload fails: " + failed);
                        assertFalse(failed.containsKey("stream0.bin"), failed::toString);
                        assertTrue(failed.values().iterator().next().contains("TLS on the data connection for STOR"),
                                failed::toString);
                        Path leftover = target.resolve(failed.keySet().iterator().next());
                        assertTrue(!Files.exists(leftover) || Files.size(leftover) == 0, "at most an empty file");
                    }
                } finally {
                    context.stop();
                }
            }
        }
    }

    @ParameterizedTest(name = "stock ftps, {0}, {1} refused, reuse {2}")
    @MethodSource("cases")
    void stockFtpsFailsWhereTheServerRequiresSessionReuse(Kind kind, Refused refused, Reuse reuse,
                                                          @TempDir Path local) throws Exception {
        assumeTlsAvailable(kind);
        try (RealFtpServer server = start(kind, refused, reuse)) {
            Run run = transfer(server, local, "ftps", "&passiveMode=" + refused.stockPassiveMode, context -> {
            });
            String result = run.ok() ? "ok"
                                     : (run.nothingTransferred() ? "FAILED (" : "PARTLY (") + run.reason(server) + ")";
            record(server, refused, reuse, Tls.DEFAULT, 1, "passiveMode=" + refused.stockPassiveMode + ": " + result);
            if (server.requiresSessionReuse()) {
                assertTrue(run.nothingTransferred() && !run.failures.isEmpty(),
                        () -> "stock ftps was expected to fail against " + server + ": " + run.summary() + "\n"
                              + server.log());
                String evidence = reuseEvidence(server);
                assertFalse(evidence.isEmpty(), () -> "the server did not say it rejected a data connection for want"
                                                      + " of session reuse:\n" + server.log());
            }
        }
    }

    /**
     * The harness without autoftp: commons-net's {@link FTPSClient} (PBSZ 0, PROT P, passive) does not resume the
     * control session on its data connections, so a server requiring reuse rejects its RETR, and the same server with
     * {@code sessionReuseNotRequired()} serves it over a TLS data connection. Explicit and implicit FTPS.
     */
    @ParameterizedTest(name = "harness, {0}, implicit {1}")
    @MethodSource("harnessCases")
    void harnessServesProtectedDataAndEnforcesReuse(Kind kind, boolean implicit) throws Exception {
        assumeTlsAvailable(kind);
        for (Reuse reuse : Reuse.values()) {
            RealFtpServer.Builder builder = RealFtpServer.builder().kind(kind).tls(implicit);
            try (RealFtpServer server = reuse.apply(builder).start()) {
                assertEquals(implicit, server.isImplicitTls());
                Files.writeString(server.home().resolve("hello.txt"), "hello over TLS");
                List<String> dataSockets = new CopyOnWriteArrayList<>();
                FTPSClient client = new FTPSClient("TLS", implicit) {
                    @Override
                    protected Socket _openDataConnection_(String command, String arg) throws IOException {
                        Socket socket = super._openDataConnection_(command, arg);
                        if (socket instanceof SSLSocket ssl) {
                            dataSockets.add(ssl.getSession().getProtocol());
                        } else if (socket != null) {
                            dataSockets.add("clear");
                        }
                        return socket;
                    }
                };
                client.setTrustManager(RealFtpServer.trustManager());
                client.setDefaultTimeout(10_000);
                client.setConnectTimeout(5_000);
                client.setDataTimeout(Duration.ofSeconds(5));
                client.connect(server.host(), server.port());
                String outcome;
                try {
                    assertTrue(client.login(server.username(), server.password()), () -> "login: "
                                                                                          + client.getReplyString()
                                                                                          + server.log());
                    client.execPBSZ(0);
                    client.execPROT("P");
                    assertEquals(200, client.getReplyCode(), () -> "PROT P: " + client.getReplyString());
                    client.setFileType(FTP.BINARY_FILE_TYPE);
                    client.enterLocalPassiveMode();
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    boolean ok;
                    try {
                        ok = client.retrieveFile("hello.txt", out);
                        outcome = client.getReplyString().trim();
                    } catch (IOException e) {
                        ok = false;
                        outcome = e.toString();
                    }
                    if (server.requiresSessionReuse()) {
                        assertFalse(ok && out.toString(StandardCharsets.UTF_8).equals("hello over TLS"),
                                () -> server + " served a data connection that did not resume the TLS session");
                        String evidence = reuseEvidence(server);
                        assertFalse(evidence.isEmpty(),
                                () -> "no session reuse rejection in the log:\n" + server.log());
                        outcome = "rejected: " + outcome + (evidence.equals(outcome) ? "" : " / " + evidence);
                    } else {
                        final boolean served = ok;
                        assertTrue(served, () -> "RETR: " + client.getReplyString() + server.log());
                        assertEquals("hello over TLS", out.toString(StandardCharsets.UTF_8));
                        assertEquals(1, dataSockets.size(), dataSockets::toString);
                        assertTrue(dataSockets.get(0).startsWith("TLS"), "a TLS data connection: " + dataSockets);
                        outcome = "served over " + dataSockets.get(0) + " data connection";
                    }
                } finally {
                    if (client.isConnected()) {
                        client.disconnect();
                    }
                }
                System.out.printf("TLS-HARNESS %-9s | %-8s | %-27s | commons-net FTPSClient: %s%n", kind,
                        implicit ? "implicit" : "explicit", reuseLabel(server, reuse), outcome);
            }
        }
    }

    @Test
    void pureFtpdHasNoImplicitTlsAndNeverRequiresReuse() throws Exception {
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> RealFtpServer.builder().kind(Kind.PUREFTPD).tls(true));
        assertTrue(e.getMessage().contains("implicit"), e.getMessage());
        assertThrows(UnsupportedOperationException.class, () -> RealFtpServer.builder().tls(true).kind(Kind.PUREFTPD));
        assertThrows(IllegalStateException.class,
                () -> RealFtpServer.builder().kind(Kind.VSFTPD).sessionReuseNotRequired().start(), "needs tls(...)");
        assumeTlsAvailable(Kind.PUREFTPD);
        try (RealFtpServer server = RealFtpServer.builder().kind(Kind.PUREFTPD).tls(false).start()) {
            assertFalse(server.requiresSessionReuse());
            assertTrue(server.isTls() && !server.isImplicitTls());
        }
    }

    @AfterAll
    static void printTable() {
        if (TABLE.isEmpty()) {
            return;
        }
        System.out.println("TLS-COMPAT table: server | session reuse | server refuses | client TLS | autoftps"
                           + " | stock ftps (passiveMode set to the mode the server allows)");
        TABLE.forEach((key, results) -> System.out.printf("TLS-COMPAT | %s | %s | %s%n", key,
                results[0] == null ? "-" : results[0], results[1] == null ? "-" : results[1]));
    }

    // ---------------------------------------------------------------------------------------------------------

    private static void record(RealFtpServer server, Refused refused, Reuse reuse, Tls tls, int column,
                               String result) {
        String key = String.format("%-9s | %-27s | %-7s | %s", server.kind(), reuseLabel(server, reuse),
                refused.name().toLowerCase(), tls.label());
        TABLE.computeIfAbsent(key, k -> new String[2])[column] = result;
        System.out.printf("TLS-COMPAT %s | %s %s%n", key, column == 0 ? "autoftps" : "stock ftps", result);
    }

    /** "required (default)", "not required (default)" (pure-ftpd) or "not required (switched off)". */
    private static String reuseLabel(RealFtpServer server, Reuse reuse) {
        return (server.requiresSessionReuse() ? "required" : "not required")
               + (reuse == Reuse.DEFAULT ? " (default)" : " (switched off)");
    }

    /**
     * vsftpd and proftpd say PROT P was accepted (vsftpd forces protected data connections anyway) and name the TLS
     * version asked for.
     */
    private static void assertProtected(RealFtpServer server, Tls tls) {
        String log = server.log();
        switch (server.kind()) {
            case VSFTPD -> {
                assertTrue(log.contains("\"PROT P\"") && log.contains("200 PROT now Private"),
                        () -> "PROT P accepted:\n" + log);
                assertTrue(log.contains("SSL version: " + tls.label()), () -> tls.label() + " used:\n" + log);
            }
            case PROFTPD -> {
                assertTrue(log.contains("\"PROT P\" 200") && log.contains("Protection set to Private"),
                        () -> "PROT P accepted:\n" + log);
                assertTrue(log.contains(tls.label() + " data connection accepted"), () -> tls.label() + " used:\n"
                                                                                         + log);
            }
            case PUREFTPD -> {
                // logs commands to syslog only (switched off): the harness test shows it serves PROT P over TLS
            }
        }
    }

    /** The lines in which the server says it rejected a data connection for want of session reuse; "" if none. */
    static String reuseEvidence(RealFtpServer server) {
        Set<String> lines = new LinkedHashSet<>();
        for (String line : server.log().split("\n")) {
            if (line.contains("session reuse required") || line.contains("did not reuse TLS session")) {
                lines.add(line.replaceFirst("^.*?(\\d{3} SSL connection failed|client did not reuse)", "$1")
                        .replaceAll("\"\\s*$", "").trim());
            }
        }
        return String.join(" / ", lines);
    }

    /** Setting up a route's Camel context before it starts (e.g. listeners on the component). */
    @FunctionalInterface
    interface ContextSetUp {
        void accept(CamelContext context) throws Exception;
    }

    /**
     * A download route (three files from "inbox", noop) and an upload route (three files to "upload") with the given
     * scheme; consumer errors are bridged to the routes' error handler and, like producer errors, collected.
     */
    private static Run transfer(RealFtpServer server, Path local, String scheme, String extraOptions,
                                ContextSetUp setUp) throws Exception {
        Path inbox = Files.createDirectories(server.home().resolve("inbox"));
        Map<String, String> remote = new TreeMap<>();
        for (int i = 0; i < SIZES.length; i++) {
            Path file = TestFiles.writeRandom(inbox, "down" + i + ".bin", SIZES[i], 1000 + i);
            remote.put(file.getFileName().toString(), TestFiles.sha256(file));
        }
        server.giveToServerUser(inbox);
        Path outbox = Files.createDirectories(local.resolve("outbox"));
        Map<String, String> upload = new TreeMap<>();
        for (int i = 0; i < SIZES.length; i++) {
            Path file = TestFiles.writeRandom(outbox, "up" + i + ".bin", SIZES[i], 2000 + i);
            upload.put(file.getFileName().toString(), TestFiles.sha256(file));
        }
        Path downloaded = Files.createDirectories(local.resolve("downloaded"));

        String base = scheme + "://" + server.username() + "@" + server.host() + ":" + server.port() + "/";
        String options = "?password=RAW(" + server.password() + ")&binary=true"
                         + "&ftpClient.trustStore.file=" + RealFtpServer.trustStore()
                         + "&ftpClient.trustStore.password=" + RealFtpServer.TRUSTSTORE_PASSWORD
                         + "&connectTimeout=5000&soTimeout=10000&timeout=5000&maximumReconnectAttempts=0"
                         + extraOptions;
        List<String> failures = new CopyOnWriteArrayList<>();
        List<Throwable> exceptions = new CopyOnWriteArrayList<>();
        CamelContext context = new DefaultCamelContext();
        try {
            context.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    onException(Exception.class).handled(true).process(exchange -> {
                        Throwable e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
                        String file = exchange.getIn().getHeader(Exchange.FILE_NAME, String.class);
                        exceptions.add(e);
                        failures.add((file == null ? "poll" : file) + ": " + describe(e));
                    });
                    from(base + "inbox" + options + "&noop=true&initialDelay=0&delay=200&bridgeErrorHandler=true")
                            .routeId("download").to("file:" + downloaded);
                    from("direct:upload").routeId("upload").to(base + "upload" + options);
                }
            });
            setUp.accept(context);
            context.start();

            long start = System.nanoTime();
            long deadline = start + DOWNLOAD_WAIT.toNanos();
            long failedAt = 0;
            while (System.nanoTime() < deadline && complete(downloaded, remote.size()) == null) {
                // stock camel-ftp takes a listing whose data connection was refused for an empty directory: no
                // error, so the server's log tells that it failed
                if (failedAt == 0 && (!failures.isEmpty() || !reuseEvidence(server).isEmpty())) {
                    failedAt = System.nanoTime();
                }
                if (failedAt != 0 && System.nanoTime() - failedAt > AFTER_FAILURE.toNanos()) {
                    break;
                }
                Thread.sleep(100);
            }
            Map<String, String> got = TestFiles.sha256Tree(downloaded);
            context.getRouteController().stopRoute("download");
            int downloadFailures = failures.size();

            for (String name : upload.keySet()) {
                context.createProducerTemplate().sendBodyAndHeader("direct:upload", outbox.resolve(name).toFile(),
                        Exchange.FILE_NAME, name);
            }
            Path uploadedDir = server.home().resolve("upload");
            Map<String, String> uploaded = Files.isDirectory(uploadedDir) ? TestFiles.sha256Tree(uploadedDir)
                                                                          : Map.of();
            return new Run(remote, got, upload, uploaded, failures, exceptions, downloadFailures,
                    Duration.ofNanos(System.nanoTime() - start));
        } finally {
            context.stop();
        }
    }

    /** The sums of the files in dir once {@code count} complete ones are there, else null. */
    private static Map<String, String> complete(Path dir, int count) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> all = files.filter(Files::isRegularFile).collect(Collectors.toList());
            if (all.size() < count
                || all.stream().anyMatch(p -> TestFiles.isTransientName(p.getFileName().toString()))) {
                return null;
            }
        }
        return TestFiles.sha256Tree(dir);
    }

    /** What a route run did. */
    record Run(Map<String, String> remote, Map<String, String> downloaded, Map<String, String> local,
               Map<String, String> uploaded, List<String> failures, List<Throwable> exceptions, int downloadFailures,
               Duration took) {

        boolean ok() {
            return remote.equals(downloaded) && local.equals(uploaded);
        }

        boolean nothingTransferred() {
            return downloaded.values().stream().noneMatch(remote::containsValue)
                   && uploaded.values().stream().noneMatch(local::containsValue);
        }

        /** Downloads and uploads that arrived intact, and the first failure. */
        String summary() {
            long down = remote.entrySet().stream().filter(e -> e.getValue().equals(downloaded.get(e.getKey()))).count();
            long up = local.entrySet().stream().filter(e -> e.getValue().equals(uploaded.get(e.getKey()))).count();
            return "downloaded " + down + "/" + remote.size() + ", uploaded " + up + "/" + local.size() + " in "
                   + took.toMillis() + " ms; " + failures.size() + " failure(s) (" + downloadFailures
                   + " while downloading)" + (failures.isEmpty() ? "" : ", first: " + failures.get(0));
        }

        /**
         * Downloads and uploads in a few words, each with its first failure ("no error" where the listing came back
         * empty), and what the server logged about session reuse.
         */
        String reason(RealFtpServer server) {
            long down = remote.entrySet().stream().filter(e -> e.getValue().equals(downloaded.get(e.getKey()))).count();
            long up = local.entrySet().stream().filter(e -> e.getValue().equals(uploaded.get(e.getKey()))).count();
            List<String> downFailures = failures.subList(0, downloadFailures);
            List<String> upFailures = failures.subList(downloadFailures, failures.size());
            String evidence = reuseEvidence(server);
            return "download " + down + "/" + remote.size()
                   + (down == remote.size() ? "" : downFailures.isEmpty() ? " (no error: empty listing)"
                                                                            : " (" + downFailures.get(0) + ")")
                   + "; upload " + up + "/" + local.size()
                   + (upFailures.isEmpty() ? "" : " (" + upFailures.get(0) + ")")
                   + (evidence.isEmpty() ? "" : "; server: " + evidence);
        }
    }

    /** The exception chain in one line: each distinct message, and the FTP reply where camel-ftp has one. */
    static String describe(Throwable e) {
        List<String> parts = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (Throwable t = e; t != null && parts.size() < 4; t = t.getCause()) {
            String message = String.valueOf(t.getMessage()).replaceAll("\\s+", " ");
            if (t instanceof GenericFileOperationFailedException) {
                // "File operation failed: <reply text> <what failed>. Code: <reply code>"
                message = message.replaceFirst("^File operation failed: ", "");
            }
            String text = t.getClass().getSimpleName() + ": " + message;
            if (seen.add(String.valueOf(t.getMessage()))) {
                parts.add(text.length() > 300 ? text.substring(0, 300) + "..." : text);
            }
        }
        return String.join(" <- ", parts);
    }
}
