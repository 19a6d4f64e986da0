package io.autoftp.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.autoftp.client.DataChannelMode;
import io.autoftp.testing.ForkedApacheFtpServer;
import io.autoftp.testing.NetworkLab;
import io.autoftp.testing.NetworkLab.Scenario;
import io.autoftp.testing.Prerequisites;
import io.autoftp.testing.RealFtpServer;
import io.autoftp.testing.RealFtpServer.Kind;
import io.autoftp.testing.RequiresRoot;
import io.autoftp.testing.TestFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The seeds' networks for real: for every server (vsftpd, proftpd, pure-ftpd, and Apache FtpServer in a JVM of its own)
 * × network ({@link Scenario}) a fresh {@link NetworkLab} (client, router and server namespaces), the server in the
 * server namespace and the client routes in a JVM of their own in the client namespace ({@link NetworkClientMain}).
 *
 * <p>
 * In every cell an {@code autoftp:} consumer downloads and an {@code autoftp:} producer uploads a file set (three small
 * files and one of 20 MiB) with the default {@code dataChannel=auto} and {@code dataConnectTimeout=2s}; asserted: the
 * checksums, each file exactly once, the mode the component remembered for the server, that the first file arrives
 * within one data-connect timeout plus {@link #FIRST_FILE_MARGIN}, and that once the mode is learned no data connection
 * fails again (later polls, the uploads and a file dropped in later). Where active mode is broken, autoftp also runs
 * with {@code passiveMode=false} (a preference for active) and must still end up passive. Then stock camel-ftp runs in
 * the same cell with the static mode that is wrong there, and is shown failing (or, where the network happens to make
 * that mode work, succeeding: said in the cell's summary). The scenario's nftables counter shows that the firewall
 * really acted (passive connects dropped or rejected) or that autoftp never touched what it must not (no connection
 * back through the client's firewall or the NAT, nothing sent to the advertised private address); the lab's guard
 * counter that nothing was sent outside 10.200.0.0/16.
 *
 * <p>
 * Needs root, network namespaces, nftables and the servers ({@code .ci/network-prerequisites.sh},
 * {@code .ci/fetch-ftp-servers.sh}); skipped with the reason where they are missing, failed when {@code CI=true}. A
 * summary per cell goes to stdout and {@code target/firewall-matrix.txt}.
 */
@RequiresRoot
class FirewallMatrixTest {

    static final Duration DATA_CONNECT_TIMEOUT = Duration.ofSeconds(2);
    /** What the first file may take beyond one data-connect timeout: login, listing, the transfer, JIT warm-up. */
    static final Duration FIRST_FILE_MARGIN = Duration.ofMillis(1500);
    /** What FTPS adds to that: the TLS handshakes of the control and the first data connections in a cold JVM. */
    static final Duration TLS_MARGIN = Duration.ofMillis(1500);
    /** How long a stock camel-ftp client gets to show what it does. */
    static final long STOCK_WINDOW_MILLIS = 15_000;
    static final long LARGE_SIZE = 20L * 1024 * 1024 + 1;
    static final long[] SMALL_SIZES = { 1024, 10 * 1024 + 3, 100 * 1024 + 7 };
    static final Path SUMMARY = Path.of("target", "firewall-matrix.txt");

    private static final Pattern FAILED_MODE = Pattern.compile(": (EPSV|PASV|EPRT|PORT) failed: ");

    /** What autoftp must end up with in a network, and which static mode breaks stock camel-ftp there. */
    enum Expectation {
        /** Passive comes first, so active is never tried by default: the active-first run and stock show it fail. */
        CLIENT_FIREWALL(Scenario.CLIENT_FIREWALL, DataChannelMode.EPSV, false, "passiveMode=false", false,
                DataChannelMode.EPSV),
        SERVER_PASSIVE_DROP(Scenario.SERVER_PASSIVE_DROP, DataChannelMode.EPRT, true, "passiveMode=true", false, null),
        SERVER_PASSIVE_REJECT(Scenario.SERVER_PASSIVE_REJECT, DataChannelMode.EPRT, true, "passiveMode=true", false,
                null),
        /**
         * commons-net 3.12 ignores the 227 address unless {@code ipAddressFromPasvResponse=true} (the behaviour of
         * commons-net before 3.9 and of most FTP clients); stock passive with the default is run too and works.
         */
        SERVER_NAT_PRIVATE_PASV(Scenario.SERVER_NAT_PRIVATE_PASV, DataChannelMode.EPSV, false,
                "passiveMode=true&ftpClient.ipAddressFromPasvResponse=true", false, null),
        CLIENT_MASQUERADE(Scenario.CLIENT_MASQUERADE, DataChannelMode.EPSV, false, "passiveMode=false", false,
                DataChannelMode.EPSV),
        /** The helper makes active mode work through the NAT: stock active succeeds, autoftp active-first stays EPRT. */
        CLIENT_MASQUERADE_FTP_HELPER(Scenario.CLIENT_MASQUERADE_FTP_HELPER, DataChannelMode.EPSV, false,
                "passiveMode=false", true, DataChannelMode.EPRT);

        final Scenario scenario;
        final DataChannelMode mode;
        /** Whether the first data connection fails in the passive modes before the mode is found. */
        final boolean passiveFails;
        final String stockOptions;
        final boolean stockWorks;
        /** With {@code passiveMode=false} (active first): the mode autoftp must end up with; null: not run. */
        final DataChannelMode activeFirstMode;

        Expectation(Scenario scenario, DataChannelMode mode, boolean passiveFails, String stockOptions,
                    boolean stockWorks, DataChannelMode activeFirstMode) {
            this.scenario = scenario;
            this.mode = mode;
            this.passiveFails = passiveFails;
            this.stockOptions = stockOptions;
            this.stockWorks = stockWorks;
            this.activeFirstMode = activeFirstMode;
        }

        /**
         * Over FTPS the conntrack FTP helper cannot read the encrypted PORT/EPRT, so active mode through the NAT fails
         * as it does without the helper.
         */
        boolean stockWorks(boolean tls) {
            return stockWorks && !(tls && scenario.needsFtpHelper());
        }

        DataChannelMode activeFirstMode(boolean tls) {
            return tls && scenario.needsFtpHelper() ? DataChannelMode.EPSV : activeFirstMode;
        }
    }

    /**
     * Every server × network; {@code -Dautoftp.network.cells=REGEX} keeps the cells whose "server/SCENARIO" (e.g.
     * "vsftpd/CLIENT_FIREWALL") matches, for running a few while working on them.
     */
    static Stream<Arguments> cells() {
        Pattern only = Pattern.compile(System.getProperty("autoftp.network.cells", ".*"));
        List<Arguments> cells = new ArrayList<>();
        for (Expectation expectation : Expectation.values()) {
            for (ServerKind kind : ServerKind.values()) {
                if (only.matcher(kind + "/" + expectation.scenario).matches()) {
                    cells.add(Arguments.of(kind, expectation));
                }
            }
        }
        return cells.stream();
    }

    @TempDir
    Path temp;

    private static final long SUITE_START = System.nanoTime();

    @BeforeAll
    static void freshSummary() throws IOException {
        Files.deleteIfExists(SUMMARY);
    }

    @AfterAll
    static void total() throws IOException {
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - SUITE_START);
        summary("total " + seconds + " s");
        if (System.getProperty("autoftp.network.cells") == null && !REPORT.isEmpty()) {
            CompatibilityReport.write(REPORT, seconds);
        }
    }

    /** One passed cell, for the compatibility report in docs/. */
    record ReportRow(String server, String network, String mode, long firstFileMillis, String failedTries,
                     String activeFirst, String stockOptions, String stock) {
    }

    static final List<ReportRow> REPORT = java.util.Collections.synchronizedList(new ArrayList<>());

    @ParameterizedTest(name = "{0} / {1}")
    @MethodSource("cells")
    void autoftpFindsTheModeThatWorksAndStockCamelFtpDoesNot(ServerKind kind, Expectation expect) throws Exception {
        Prerequisites.require(NetworkLab.unavailableReason());
        Prerequisites.require(kind.unavailableReason());
        if (expect.scenario.needsFtpHelper()) {
            Prerequisites.require(NetworkLab.ftpHelperUnavailableReason());
        }
        long cellStart = System.nanoTime();
        try (NetworkLab lab = NetworkLab.create(); LabServer server = kind.start(expect.scenario, lab)) {
            lab.apply(expect.scenario, server.port());
            Cell cell = new Cell(kind, expect, lab, server);
            deleteTree(cell.artifacts());
            try {
                runCell(cell, cellStart);
            } finally {
                cell.keepLogs();
            }
        }
    }

    /** autoftp (default, then active first where active is broken), then stock camel-ftp; one summary line. */
    private void runCell(Cell cell, long cellStart) throws IOException {
        Expectation expect = cell.expect;
        ClientRun auto = cell.runAutoftp();
        long hitsAfterAuto = cell.lab.hits();
        cell.checkAutoftp(auto, hitsAfterAuto);
        String activeFirst = "";
        if (expect.activeFirstMode(cell.kind.tls) != null) {
            activeFirst = cell.checkActiveFirst(cell.runActiveFirst());
        }

        boolean stockCanTransfer = cell.kind.stockCanTransfer();
        String stock = cell.checkStock(cell.runStock(expect.stockOptions),
                stockCanTransfer && expect.stockWorks(cell.kind.tls));
        if (expect == Expectation.SERVER_NAT_PRIVATE_PASV) {
            stock += "; with commons-net's default (PASV address ignored): "
                     + cell.checkStock(cell.runStock("passiveMode=true"), stockCanTransfer);
        }
        assertEquals(0, cell.lab.escapes(), "packets to or from outside 10.200.0.0/16:\n" + cell.lab.describe());
        REPORT.add(new ReportRow(cell.kind.toString(), expect.scenario.toString(), auto.rememberedMode(cell.server),
                auto.firstDownloadMillis(), auto.failedModes().toString(), activeFirst, expect.stockOptions, stock));
        summary(String.format("%-16s %-28s autoftp %-4s first file %5d ms, failed tries %s%s | stock %s: %s"
                              + " | rule hits after autoftp %d, after all %d | cell %d s",
                cell.kind, expect.scenario, auto.rememberedMode(cell.server), auto.firstDownloadMillis(),
                auto.failedModes(), activeFirst, expect.stockOptions, stock, hitsAfterAuto, cell.lab.hits(),
                TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - cellStart)));
    }

    /** The servers: Debian's three, and Apache FtpServer in a JVM of its own ({@link ForkedApacheFtpServer}). */
    enum ServerKind {
        VSFTPD(Kind.VSFTPD, false), PROFTPD(Kind.PROFTPD, false), PUREFTPD(Kind.PUREFTPD, false),
        APACHE_FTPSERVER(null, false),
        /** Explicit FTPS with vsftpd's defaults: TLS data connections must resume the control connection's session. */
        VSFTPD_TLS(Kind.VSFTPD, true),
        /**
         * Explicit FTPS with proftpd's mod_tls defaults: session reuse required, and no new TLS 1.3 ticket after an
         * upload (autoftps falls back to TLS 1.2 by session id when the second upload in a row is refused).
         */
        PROFTPD_TLS(Kind.PROFTPD, true),
        /** Explicit FTPS with pure-ftpd, which does not require session reuse. */
        PUREFTPD_TLS(Kind.PUREFTPD, true);

        private final Kind real;
        /** Whether the client speaks FTPS ({@code autoftps:}, stock {@code ftps:}): the lab's routers see no commands. */
        final boolean tls;

        ServerKind(Kind real, boolean tls) {
            this.real = real;
            this.tls = tls;
        }

        /** Whether autoftps falls back to TLS 1.2 by session id once (see {@link #PROFTPD_TLS}). */
        boolean fallsBackToTlsSessionIds() {
            return this == PROFTPD_TLS;
        }

        /** Stock {@code ftps:} never resumes the TLS session: a server requiring that refuses its every transfer. */
        boolean stockCanTransfer() {
            return !(tls && (real == Kind.VSFTPD || real == Kind.PROFTPD));
        }

        String unavailableReason() {
            return real == null ? null : tls ? RealFtpServer.tlsUnavailableReason(real)
                    : RealFtpServer.unavailableReason(real);
        }

        /**
         * Starts the server in the lab's server namespace on {@link NetworkLab#SERVER_ADDRESS} with the lab's passive
         * range; for {@link Scenario#SERVER_NAT_PRIVATE_PASV} advertising {@link NetworkLab#UNROUTABLE_PASV_ADDRESS}.
         */
        LabServer start(Scenario scenario, NetworkLab lab) {
            String pasv = scenario == Scenario.SERVER_NAT_PRIVATE_PASV ? NetworkLab.UNROUTABLE_PASV_ADDRESS : null;
            if (real == null) {
                return LabServer.of(ForkedApacheFtpServer.start(lab.serverNamespace(), NetworkLab.SERVER_ADDRESS,
                        NetworkLab.PASSIVE_MIN_PORT, NetworkLab.PASSIVE_MAX_PORT, pasv));
            }
            RealFtpServer.Builder builder = RealFtpServer.builder().kind(real).inNamespace(lab.serverNamespace())
                    .bindAddress(NetworkLab.SERVER_ADDRESS)
                    .passivePorts(NetworkLab.PASSIVE_MIN_PORT, NetworkLab.PASSIVE_MAX_PORT);
            if (pasv != null) {
                builder.pasvAddress(pasv);
            }
            if (tls) {
                builder.tls(false);
            }
            return LabServer.of(builder.start());
        }

        @Override
        public String toString() {
            return real == null ? "apache-ftpserver" : real + (tls ? "-ftps" : "");
        }
    }

    /** What the cells need of a server, whichever it is. */
    interface LabServer extends AutoCloseable {
        String host();

        int port();

        /** "host:port": the mode memory's key. */
        default String address() {
            return host() + ":" + port();
        }

        Path home();

        String username();

        String password();

        /** Hands a directory the test made to the user the server writes as. */
        void giveToServerUser(Path dir);

        String log();

        @Override
        void close();

        static LabServer of(RealFtpServer server) {
            return new LabServer() {
                public String host() {
                    return server.host();
                }

                public int port() {
                    return server.port();
                }

                public Path home() {
                    return server.home();
                }

                public String username() {
                    return server.username();
                }

                public String password() {
                    return server.password();
                }

                public void giveToServerUser(Path dir) {
                    server.giveToServerUser(dir);
                }

                public String log() {
                    return server.log();
                }

                public void close() {
                    server.close();
                }

                @Override
                public String toString() {
                    return server.toString();
                }
            };
        }

        static LabServer of(ForkedApacheFtpServer server) {
            return new LabServer() {
                public String host() {
                    return server.host();
                }

                public int port() {
                    return server.port();
                }

                public Path home() {
                    return server.home();
                }

                public String username() {
                    return server.username();
                }

                public String password() {
                    return server.password();
                }

                public void giveToServerUser(Path dir) {
                    // the server runs as root
                }

                public String log() {
                    return server.log();
                }

                public void close() {
                    server.close();
                }

                @Override
                public String toString() {
                    return server.toString();
                }
            };
        }
    }

    /** One cell's lab, server and local folders, and the runs and checks in it. */
    private final class Cell {
        final ServerKind kind;
        final Expectation expect;
        final NetworkLab lab;
        final LabServer server;
        int runs;

        Cell(ServerKind kind, Expectation expect, NetworkLab lab, LabServer server) {
            this.kind = kind;
            this.expect = expect;
            this.lab = lab;
            this.server = server;
        }

        Duration margin() {
            return kind.tls ? FIRST_FILE_MARGIN.plus(TLS_MARGIN) : FIRST_FILE_MARGIN;
        }

        /** {@code scheme}, or its FTPS twin ({@code autoftps}, {@code ftps}) with the test certificate trusted. */
        String uri(String scheme, String directory, String options) {
            String tls = kind.tls ? "&ftpClient.trustStore.file=" + RealFtpServer.trustStore()
                                    + "&ftpClient.trustStore.password=" + RealFtpServer.TRUSTSTORE_PASSWORD : "";
            return scheme + (kind.tls ? "s" : "") + "://" + server.username() + "@" + server.host() + ":"
                   + server.port() + "/" + directory + "?password=RAW(" + server.password() + ")&binary=true" + tls
                   + (options.isEmpty() ? "" : "&" + options);
        }

        /** The full check: file set down and up, a later file, two more polls. */
        ClientRun runAutoftp() throws IOException {
            Path inbox = serverDir("inbox");
            Map<String, String> remote = fileSet(inbox, "down", 1);
            server.giveToServerUser(inbox);
            Path outbox = Files.createDirectories(temp.resolve("outbox"));
            Map<String, String> local = fileSet(outbox, "up", 100);
            Path laterDir = Files.createDirectories(temp.resolve("later"));
            Path later = TestFiles.writeRandom(laterDir, "later.bin", 64 * 1024 + 1, 7);
            Path target = temp.resolve("downloaded");
            String common = "dataConnectTimeout=" + DATA_CONNECT_TIMEOUT.toMillis();
            ClientRun run = runClient("autoftp", List.of(
                    "download=" + uri("autoftp", "inbox", common
                                      + "&delay=200&initialDelay=0&move=.done&pollStrategy=#pollReport"),
                    "upload=" + uri("autoftp", "upload", common),
                    "target=" + target, "outbox=" + outbox,
                    "downloads=" + remote.size(), "later=" + later, "laterInbox=" + inbox,
                    "extraPolls=2", "window=60000"));
            run.expectedDownloads = new TreeMap<>(remote);
            run.expectedDownloads.put("later.bin", TestFiles.sha256(later));
            run.expectedUploads = local;
            run.target = target;
            run.uploaded = server.home().resolve("upload");
            return run;
        }

        void checkAutoftp(ClientRun run, long hits) {
            run.assertCompleted(List.of("download", "upload", "later", "polls"));
            run.assertNo("POLL failed", "a failed poll");
            run.assertNo("UPLOAD_FAILED", "a failed upload");
            run.assertNo("RECONNECTED", "a re-opened control connection");
            // proftpd's TLS 1.3 refuses the second upload in a row once: learned once, the control connection re-opened
            // once, the refused upload stored again (each file uploaded once, below)
            long expectedFallbacks = kind.fallsBackToTlsSessionIds() ? 2 : 0;
            assertEquals(expectedFallbacks, run.count("TLS_FALLBACK"), run.context("TLS fallback lines"));
            run.assertEachOnce("DOWNLOADED", run.expectedDownloads.keySet());
            run.assertEachOnce("UPLOADED", run.expectedUploads.keySet());
            assertEquals(run.expectedDownloads, topLevelSums(run.target), run.context("downloaded bytes"));
            assertEquals(run.expectedDownloads, TestFiles.sha256Tree(server.home().resolve("inbox/.done")),
                    run.context("files moved to .done on the server"));
            assertEquals(run.expectedUploads, TestFiles.sha256Tree(run.uploaded), run.context("uploaded bytes"));
            run.assertLearnedOnce(expect.mode, server);
            run.assertNoFailureAfterLearning();
            List<DataChannelMode> failed = run.failedModes();
            if (expect.passiveFails) {
                assertTrue(!failed.isEmpty() && failed.stream().allMatch(DataChannelMode::isPassive),
                        run.context("the passive modes (and only they) must fail first: " + failed));
            } else {
                assertEquals(List.of(), failed, run.context("failed tries"));
            }
            long bound = DATA_CONNECT_TIMEOUT.plus(margin()).toMillis();
            assertTrue(run.firstDownloadMillis() <= bound, run.context("first file after " + run.firstDownloadMillis()
                                                                       + " ms, more than one data-connect timeout ("
                                                                       + DATA_CONNECT_TIMEOUT.toMillis() + " ms) + "
                                                                       + margin().toMillis() + " ms"));
            switch (expect.scenario) {
                case SERVER_PASSIVE_DROP, SERVER_PASSIVE_REJECT ->
                    assertTrue(hits > 0, run.context("the server firewall never saw the passive connects"));
                default ->
                    // autoftp never tried active through the client's firewall / the NAT, and never went to the
                    // advertised private address
                    assertEquals(0, hits, run.context("packets counted by the scenario's firewall rule"));
            }
        }

        /** autoftp with camel-ftp's passiveMode=false (a preference: active first), downloading small files. */
        ClientRun runActiveFirst() throws IOException {
            Path inbox = serverDir("inbox-active-first");
            Map<String, String> remote = smallFiles(inbox, "af", 50);
            server.giveToServerUser(inbox);
            Path target = temp.resolve("downloaded-active-first");
            ClientRun run = runClient("autoftp-active-first", List.of(
                    "download=" + uri("autoftp", "inbox-active-first", "passiveMode=false&dataConnectTimeout="
                                      + DATA_CONNECT_TIMEOUT.toMillis()
                                      + "&delay=200&initialDelay=0&move=.done&pollStrategy=#pollReport"),
                    "target=" + target, "downloads=" + remote.size(), "extraPolls=1", "window=60000"));
            run.expectedDownloads = remote;
            run.target = target;
            return run;
        }

        String checkActiveFirst(ClientRun run) {
            run.assertCompleted(List.of("download", "polls"));
            run.assertNo("POLL failed", "a failed poll");
            run.assertEachOnce("DOWNLOADED", run.expectedDownloads.keySet());
            assertEquals(run.expectedDownloads, topLevelSums(run.target), run.context("downloaded bytes"));
            run.assertLearnedOnce(expect.activeFirstMode(kind.tls), server);
            run.assertNoFailureAfterLearning();
            List<DataChannelMode> failed = run.failedModes();
            long bound;
            if (expect.activeFirstMode(kind.tls).isPassive()) {
                assertTrue(!failed.isEmpty() && failed.stream().noneMatch(DataChannelMode::isPassive),
                        run.context("the active modes (and only they) must fail first: " + failed));
                // a server that cannot connect back goes silent: each active try costs dataConnectTimeout (the
                // accept gives up, the control connection owing its reply is dropped) and a new control connection
                long silent = run.count("RECONNECTED");
                bound = DATA_CONNECT_TIMEOUT.multipliedBy(2 * silent).plus(DATA_CONNECT_TIMEOUT)
                        .plus(margin().multipliedBy(1 + silent)).toMillis();
            } else {
                assertEquals(List.of(), failed, run.context("failed tries"));
                bound = DATA_CONNECT_TIMEOUT.plus(margin()).toMillis();
            }
            assertTrue(run.firstDownloadMillis() <= bound,
                    run.context("first file after " + run.firstDownloadMillis() + " ms > " + bound + " ms"));
            return "; passiveMode=false: " + run.rememberedMode(server) + " after " + failed
                   + (run.count("RECONNECTED") > 0 ? " (" + run.count("RECONNECTED") + " reconnects)" : "") + " in "
                   + run.firstDownloadMillis() + " ms";
        }

        /** Stock camel-ftp, with the same short timeouts autoftp bounds its waits with. */
        ClientRun runStock(String stockOptions) throws IOException {
            int n = ++runs;
            String dir = "stock" + n;
            Path inbox = serverDir(dir + "-inbox");
            Map<String, String> remote = smallFiles(inbox, "stock", 200 + n);
            server.giveToServerUser(inbox);
            Path outbox = Files.createDirectories(temp.resolve(dir + "-outbox"));
            Map<String, String> local = new TreeMap<>();
            Path up = TestFiles.writeRandom(outbox, "stock-up.bin", 10 * 1024, 300 + n);
            local.put("stock-up.bin", TestFiles.sha256(up));
            Path target = temp.resolve(dir + "-downloaded");
            // connectTimeout bounds a passive connect, soTimeout/timeout a silent server: the same 2 s / 4 s as autoftp
            String timeouts = "connectTimeout=" + DATA_CONNECT_TIMEOUT.toMillis() + "&soTimeout="
                              + 2 * DATA_CONNECT_TIMEOUT.toMillis() + "&timeout=" + 2 * DATA_CONNECT_TIMEOUT.toMillis()
                              + "&" + stockOptions;
            ClientRun run = runClient("stock-" + n, List.of(
                    "download=" + uri("ftp", dir + "-inbox", timeouts
                                      + "&delay=200&initialDelay=0&move=.done&pollStrategy=#pollReport"),
                    "upload=" + uri("ftp", dir + "-upload", timeouts),
                    "target=" + target, "outbox=" + outbox, "downloads=" + remote.size(),
                    "together=true", "stopOnFailure=true", "emptyPolls=3", "window=" + STOCK_WINDOW_MILLIS));
            run.expectedDownloads = remote;
            run.expectedUploads = local;
            run.target = target;
            run.uploaded = server.home().resolve(dir + "-upload");
            return run;
        }

        /** Asserts that stock camel-ftp failed (or worked, where the network lets it) and says how. */
        String checkStock(ClientRun run, boolean works) {
            Map<String, String> downloaded = Files.isDirectory(run.target) ? topLevelSums(run.target) : Map.of();
            Map<String, String> uploaded = Files.isDirectory(run.uploaded) ? TestFiles.sha256Tree(run.uploaded)
                    : Map.of();
            int down = intact(downloaded, run.expectedDownloads);
            int up = intact(uploaded, run.expectedUploads);
            String how = describeStock(run, down, up);
            List<String> broken = new ArrayList<>();
            uploaded.forEach((name, sum) -> {
                if (!sum.equals(run.expectedUploads.get(name))) {
                    broken.add(name + " (" + size(run.uploaded.resolve(name)) + " bytes)");
                }
            });
            if (!broken.isEmpty()) {
                how += ", left on the server: " + String.join(", ", broken);
            }
            if (works) {
                assertTrue(downloaded.equals(run.expectedDownloads) && uploaded.equals(run.expectedUploads),
                        run.context("stock camel-ftp was expected to work here: " + how));
            } else {
                assertTrue(down == 0 && up == 0, run.context("stock camel-ftp was expected to fail here: " + how));
            }
            return how;
        }

        /** How many of the expected files arrived with the right bytes. */
        int intact(Map<String, String> seen, Map<String, String> expected) {
            return (int) expected.entrySet().stream().filter(e -> e.getValue().equals(seen.get(e.getKey()))).count();
        }

        long size(Path file) {
            try {
                return Files.size(file);
            } catch (IOException e) {
                return -1;
            }
        }

        String describeStock(ClientRun run, int down, int up) {
            StringBuilder how = new StringBuilder();
            how.append("download ").append(down).append('/').append(run.expectedDownloads.size()).append(' ');
            List<String> polls = run.facts("POLL");
            long failedPolls = polls.stream().filter(p -> p.startsWith("failed")).count();
            long emptyPolls = polls.stream().filter(p -> p.equals("ok 0")).count();
            if (failedPolls > 0) {
                how.append("(failed poll: ").append(shortCause(polls.stream().filter(p -> p.startsWith("failed"))
                        .findFirst().orElseThrow().substring("failed ".length()))).append(')');
            } else if (emptyPolls > 0 && down == 0) {
                how.append("(").append(emptyPolls).append(" polls saw an EMPTY directory, no error)");
            } else if (polls.isEmpty() && down == 0) {
                how.append("(no poll finished within ").append(STOCK_WINDOW_MILLIS / 1000).append(" s: hanging)");
            } else {
                how.append("(ok)");
            }
            how.append(", upload ").append(up).append('/').append(run.expectedUploads.size()).append(' ');
            List<String> failedUploads = run.facts("UPLOAD_FAILED");
            if (!failedUploads.isEmpty()) {
                String f = failedUploads.get(0);
                how.append("(failed: ").append(shortCause(f.substring(f.indexOf(' ') + 1))).append(')');
            } else if (up == 0) {
                how.append("(no answer within ").append(STOCK_WINDOW_MILLIS / 1000).append(" s: hanging)");
            } else {
                how.append("(ok)");
            }
            return how.toString();
        }

        Path serverDir(String name) throws IOException {
            return Files.createDirectories(server.home().resolve(name));
        }

        ClientRun runClient(String name, List<String> args) throws IOException {
            Path log = artifacts().resolve(name + ".log");
            Path tmp = Files.createDirectories(temp.resolve(name + "-tmp"));
            List<String> java = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                    "-Djava.net.preferIPv4Stack=true",
                    "-Djava.util.logging.manager=org.jboss.logmanager.LogManager",
                    "-Djava.io.tmpdir=" + tmp,
                    "-cp", System.getProperty("java.class.path"),
                    NetworkClientMain.class.getName()));
            java.addAll(args);
            Process child = new ProcessBuilder(lab.inClient(java)).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            try {
                if (!child.waitFor(3, TimeUnit.MINUTES)) {
                    child.destroyForcibly();
                    fail(name + " did not finish within 3 minutes:\n" + tail(Files.readString(log)));
                }
            } catch (InterruptedException e) {
                child.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
            ClientRun run = new ClientRun(name, Files.readString(log, StandardCharsets.UTF_8), child.exitValue(),
                    this);
            assertEquals(0, run.exit, run.context("client JVM exit code"));
            return run;
        }

        /** Where the cell's client outputs and server log are kept: target/firewall-matrix/server-SCENARIO/. */
        Path artifacts() throws IOException {
            return Files.createDirectories(SUMMARY.resolveSibling("firewall-matrix").resolve(kind + "-"
                                                                                             + expect.scenario));
        }

        /** Keeps the server's log and the lab's rules (with their counters) beside the client outputs. */
        void keepLogs() {
            try {
                Files.writeString(artifacts().resolve("server.log"), server + "\n" + server.log());
                Files.writeString(artifacts().resolve("lab.txt"), lab.describe());
            } catch (IOException e) {
                System.err.println("could not keep the logs of " + kind + "/" + expect.scenario + ": " + e);
            }
        }

        String diagnostics() {
            return "\n--- " + server + "\n" + tail(server.log()) + "\n--- " + lab.describe();
        }
    }

    /** What one client JVM reported. */
    static final class ClientRun {
        final String name;
        final String output;
        final int exit;
        final List<String[]> lines = new ArrayList<>(); // {millis, fact}
        final Cell cell;
        Map<String, String> expectedDownloads = Map.of();
        Map<String, String> expectedUploads = Map.of();
        Path target;
        Path uploaded;

        ClientRun(String name, String output, int exit, Cell cell) {
            this.name = name;
            this.output = output;
            this.exit = exit;
            this.cell = cell;
            for (String line : output.split("\\R")) {
                if (line.startsWith(NetworkClientMain.TAG + " ")) {
                    String rest = line.substring(NetworkClientMain.TAG.length() + 1);
                    int space = rest.indexOf(' ');
                    lines.add(new String[] { rest.substring(0, space), rest.substring(space + 1) });
                }
            }
        }

        /** Facts starting with {@code key}, without the key. */
        List<String> facts(String key) {
            return lines.stream().filter(l -> l[1].equals(key) || l[1].startsWith(key + " "))
                    .map(l -> l[1].substring(Math.min(l[1].length(), key.length() + 1))).collect(Collectors.toList());
        }

        List<Long> times(String key) {
            return lines.stream().filter(l -> l[1].equals(key) || l[1].startsWith(key + " "))
                    .map(l -> Long.parseLong(l[0])).collect(Collectors.toList());
        }

        long count(String key) {
            return facts(key).size();
        }

        long firstDownloadMillis() {
            return times("DOWNLOADED").stream().mapToLong(Long::longValue).min().orElse(-1);
        }

        List<DataChannelMode> failedModes() {
            List<DataChannelMode> modes = new ArrayList<>();
            for (String f : facts("ATTEMPT_FAILED")) {
                Matcher m = FAILED_MODE.matcher(f);
                modes.add(m.find() ? DataChannelMode.valueOf(m.group(1)) : null);
            }
            return modes;
        }

        String rememberedMode(LabServer server) {
            return facts("MEMORY").stream().filter(m -> m.startsWith(server.address() + " "))
                    .map(m -> m.split(" ")[1]).findFirst().orElse("none");
        }

        void assertCompleted(List<String> phases) {
            for (String phase : phases) {
                assertTrue(facts("PHASE").contains(phase + " done"), context("phase " + phase + " did not complete"));
            }
        }

        void assertNo(String key, String what) {
            assertEquals(List.of(), facts(key), context(what));
        }

        void assertEachOnce(String key, java.util.Set<String> names) {
            List<String> seen = facts(key).stream().sorted().collect(Collectors.toList());
            assertEquals(names.stream().sorted().collect(Collectors.toList()), seen, context(key + ": each file once"));
        }

        void assertLearnedOnce(DataChannelMode mode, LabServer server) {
            List<String> memory = facts("MEMORY");
            assertEquals(1, memory.size(), context("one server in the mode memory: " + memory));
            String[] entry = memory.get(0).split(" ", 4);
            assertEquals(server.address(), entry[0], context("memory key"));
            assertEquals(mode.name(), entry[1], context("remembered mode"));
            assertEquals(1, count("LEARNED"), context("the mode was learned once and never changed"));
        }

        /** Every failed try came before the mode was learned, i.e. in the first data connection's negotiation. */
        void assertNoFailureAfterLearning() {
            long learned = times("LEARNED").get(0);
            List<Long> late = times("ATTEMPT_FAILED").stream().filter(t -> t > learned).collect(Collectors.toList());
            assertEquals(List.of(), late, context("failed tries after the mode was learned at " + learned + " ms"));
            assertTrue(firstDownloadMillis() >= learned, context("learned before the first file"));
        }

        String context(String what) {
            return cell.kind + " / " + cell.expect.scenario + " / " + name + ": " + what + "\n--- client report\n"
                   + lines.stream().map(l -> l[0] + " " + l[1]).collect(Collectors.joining("\n"))
                   + "\n--- client output (tail)\n" + tail(output) + cell.diagnostics();
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    static Map<String, String> fileSet(Path dir, String prefix, long seed) {
        Map<String, String> sums = smallFiles(dir, prefix, seed);
        Path large = TestFiles.writeRandom(dir, prefix + "-large.bin", LARGE_SIZE, seed + 10);
        sums.put(large.getFileName().toString(), TestFiles.sha256(large));
        return sums;
    }

    static Map<String, String> smallFiles(Path dir, String prefix, long seed) {
        Map<String, String> sums = new TreeMap<>();
        for (int i = 0; i < SMALL_SIZES.length; i++) {
            Path file = TestFiles.writeRandom(dir, prefix + i + ".bin", SMALL_SIZES[i], seed + i);
            sums.put(file.getFileName().toString(), TestFiles.sha256(file));
        }
        return sums;
    }

    /** SHA-256 of the regular files directly in {@code dir}. */
    static Map<String, String> topLevelSums(Path dir) {
        Map<String, String> sums = new TreeMap<>();
        TestFiles.sha256Tree(dir).forEach((name, sum) -> {
            if (!name.contains("/")) {
                sums.put(name, sum);
            }
        });
        return sums;
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).collect(Collectors.toList())) {
                Files.deleteIfExists(p);
            }
        }
    }

    static String shortCause(String cause) {
        // the innermost exception says what happened
        String[] chain = cause.split(" <- ");
        String last = chain[chain.length - 1];
        return last.length() > 160 ? last.substring(0, 160) + "..." : last;
    }

    static String tail(String text) {
        return text.length() > 6000 ? "..." + text.substring(text.length() - 6000) : text;
    }

    static synchronized void summary(String line) {
        System.out.println("[firewall-matrix] " + line);
        try {
            Files.createDirectories(SUMMARY.getParent());
            Files.writeString(SUMMARY, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
