package io.autoftp.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.agroal.api.AgroalDataSource;
import io.agroal.api.configuration.supplier.AgroalDataSourceConfigurationSupplier;
import io.agroal.api.security.NamePrincipal;
import io.agroal.api.security.SimplePassword;
import io.autoftp.camel.JdbcClaimRepository;
import io.autoftp.testing.RealFtpServer;
import io.autoftp.testing.RealPostgres;
import org.apache.commons.net.ftp.FTPClient;

/**
 * {@code -Dreplicas.bench=true}: throughput of the packaged service with 1, 2 and 3 replicas claiming in PostgreSQL
 * when each file costs 50 ms downstream (WireMock's fixed delay), and the cost of claiming (one replica with claims
 * and without, at 50 ms and at 0 ms). Not a test: it measures, and writes
 * {@code docs/modules/ROOT/pages/replicas-benchmark.adoc} (and a copy in {@code target/}).
 *
 * <p>Each run: fresh replicas are started and ready, then {@code replicas.bench.files} CSV files (default 500) are
 * released into the directory they poll (inbox only: partner-inbox, downloaded, checked, POSTed, moved to .done);
 * its time runs from the release to the last POST WireMock received; every file must arrive exactly once, as in
 * {@link ReplicasIT}. {@code replicas.bench.rounds} rounds (default 2), the runs in the same order each round; the
 * page gives the median.
 */
final class ReplicaBenchmark {

    /** One configuration: replicas, claims on or off, downstream delay. */
    record Setup(int replicas, boolean claims, int delayMillis) {
        String label() {
            return replicas + (replicas == 1 ? " replica" : " replicas") + (claims ? ", claims" : ", no claims")
                   + ", " + delayMillis + " ms per file";
        }
    }

    private static final List<Setup> SETUPS = List.of(
            new Setup(1, true, 50), new Setup(2, true, 50), new Setup(3, true, 50), new Setup(1, false, 50),
            new Setup(1, true, 0), new Setup(1, false, 0));

    private final RealPostgres db;
    private final RealFtpServer partner;
    private final RealFtpServer target;
    private final WireMockServer api;
    private final int files = Integer.getInteger("replicas.bench.files", 500);
    private final int rounds = Integer.getInteger("replicas.bench.rounds", 3);
    /** Files processed before the measured ones, so that the replicas' JIT is warm (not measured). */
    private final int warmup = Integer.getInteger("replicas.bench.warmup", 100);
    /** A sentence about the machine's state during the run, for the page. */
    private final String note = System.getProperty("replicas.bench.note", "");
    /** setup -> {@link #medianInterval} of each round (one replica only) */
    private final Map<Setup, List<Double>> intervals = new LinkedHashMap<>();
    /** What {@link #claimRoundTrips()} measured. */
    private String claimRoundTrips;
    /** setup -> files/s of each round */
    private final Map<Setup, List<Double>> results = new LinkedHashMap<>();

    ReplicaBenchmark(RealPostgres db, RealFtpServer partner, RealFtpServer target, WireMockServer api) {
        this.db = db;
        this.partner = partner;
        this.target = target;
        this.api = api;
    }

    void run() throws Exception {
        long started = System.nanoTime();
        String loadBefore = loadAverage();
        for (int round = 1; round <= rounds; round++) {
            int n = 0;
            for (Setup setup : SETUPS) {
                n++;
                String name = "bench" + round + "x" + n;
                String directory = "bench-" + round + "-" + n;
                Map<String, String> props = setup.claims() ? ReplicasIT.claims("10s") : new LinkedHashMap<>();
                if (!setup.claims()) {
                    props.put("quarkus.autoftp.cluster.repository", "none");
                }
                props.put("partner-api.url", "http://127.0.0.1:" + api.port()
                                             + (setup.delayMillis() > 0 ? "/slow" : "/orders"));
                List<ReplicaProcess> replicas = ReplicasIT.startReplicas(name + "r", setup.replicas(), directory,
                        props, List.of("-Xmx256m"));
                try {
                    String path = setup.delayMillis() > 0 ? "/slow" : "/orders";
                    ReplicaScenario warm = new ReplicaScenario(name + "w", directory, warmup, 0, replicas, partner,
                            target, api, path);
                    warm.prepare();
                    warm.release();
                    warm.awaitDrained(Duration.ofMinutes(5));
                    ReplicaScenario s = new ReplicaScenario(name, directory, files, 0, replicas, partner, target, api,
                            path);
                    s.prepare();
                    long released = System.currentTimeMillis();
                    s.release();
                    s.awaitDrained(Duration.ofMinutes(5));
                    Map<String, Integer> duplicates = ReplicaScenario.duplicates(s.posts());
                    if (!duplicates.isEmpty() || !ReplicaScenario.missing(s.posts(), s.inbox).isEmpty()) {
                        throw new AssertionError(setup.label() + ": duplicates " + duplicates + ", missing "
                                                 + ReplicaScenario.missing(s.posts(), s.inbox));
                    }
                    double seconds = (s.lastPostMillis() - released) / 1000.0;
                    double rate = files / seconds;
                    results.computeIfAbsent(setup, k -> new ArrayList<>()).add(rate);
                    if (setup.replicas() == 1) {
                        intervals.computeIfAbsent(setup, k -> new ArrayList<>())
                                .add(medianInterval(replicas.get(0), name));
                    }
                    System.out.printf(Locale.ROOT, "bench round %d: %s: %d files in %.2f s, %.1f files/s%n", round,
                            setup.label(), files, seconds, rate);
                } finally {
                    for (ReplicaProcess r : replicas) {
                        r.close();
                    }
                }
            }
        }
        claimRoundTrips = claimRoundTrips();
        System.out.printf(Locale.ROOT, "bench: claim round trips alone: %s%n", claimRoundTrips);
        String page = page((System.nanoTime() - started) / 1e9, loadBefore, loadAverage());
        Files.writeString(Path.of("target", "replicas-benchmark.adoc"), page, StandardCharsets.UTF_8);
        Path docs = Path.of("..", "docs", "modules", "ROOT", "pages");
        if (Files.isDirectory(docs)) {
            Files.writeString(docs.resolve("replicas-benchmark.adoc"), page, StandardCharsets.UTF_8);
        }
        System.out.println(page);
    }

    /**
     * The claim's own round trips measured alone, from this JVM, as a replica makes them for each file: the claim
     * ({@link JdbcClaimRepository#add}, an INSERT), the MDTM that checks the file is still there, and the finish (a
     * DELETE), on a pool of the same PostgreSQL and a control
     * connection to the same vsftpd; 1,000 times after 200 to warm up. Returns "median x ms, 90th percentile y ms".
     */
    private String claimRoundTrips() throws Exception {
        AgroalDataSourceConfigurationSupplier config = new AgroalDataSourceConfigurationSupplier()
                .connectionPoolConfiguration(pool -> pool.maxSize(2).connectionFactoryConfiguration(factory -> factory
                        .jdbcUrl(db.jdbcUrl()).principal(new NamePrincipal(db.username()))
                        .credential(new SimplePassword(db.password()))));
        Path file = partner.home().resolve("claim-bench.txt");
        Files.writeString(file, "x");
        partner.giveToServerUser(file);
        FTPClient ftp = new FTPClient();
        try (AgroalDataSource dataSource = AgroalDataSource.from(config)) {
            JdbcClaimRepository claims = new JdbcClaimRepository(dataSource);
            claims.setName("claim-bench");
            claims.start();
            ftp.connect(partner.host(), partner.port());
            if (!ftp.login(partner.username(), partner.password())) {
                throw new IOException("login: " + ftp.getReplyString());
            }
            long[] each = new long[1000];
            for (int i = -200; i < each.length; i++) {
                long t0 = System.nanoTime();
                String key = "claim-bench:" + i;
                if (!claims.add(key) || ftp.sendCommand("MDTM", "claim-bench.txt") != 213 || !claims.finish(key)) {
                    throw new IOException("claim round trip " + i + " failed: " + ftp.getReplyString());
                }
                if (i >= 0) {
                    each[i] = System.nanoTime() - t0;
                }
            }
            claims.stop();
            Arrays.sort(each);
            return String.format(Locale.ROOT, "median %.2f ms, 90th percentile %.2f ms", each[500] / 1e6,
                    each[900] / 1e6);
        } finally {
            if (ftp.isConnected()) {
                ftp.disconnect();
            }
        }
    }

    /**
     * The median time between two files in the replica's log ("partner-inbox: downloaded ..." of the measured files,
     * one after the other), in ms: the cost of one file without the pauses between polls, and less disturbed than a
     * run's total time by other work on the machine.
     */
    private static double medianInterval(ReplicaProcess replica, String name) throws IOException {
        DateTimeFormatter format = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss,SSS");
        List<Long> times = new ArrayList<>();
        for (String line : replica.lines()) {
            if (line.contains("partner-inbox: downloaded " + name + "-") && line.length() > 23) {
                times.add(LocalDateTime.parse(line.substring(0, 23), format)
                        .toInstant(ZoneOffset.UTC).toEpochMilli());
            }
        }
        List<Long> gaps = new ArrayList<>();
        for (int i = 1; i < times.size(); i++) {
            gaps.add(times.get(i) - times.get(i - 1));
        }
        gaps.sort(null);
        return gaps.isEmpty() ? Double.NaN : gaps.get(gaps.size() / 2);
    }

    private static double medianOf(List<Double> values) {
        List<Double> all = new ArrayList<>(values);
        all.sort(null);
        int m = all.size() / 2;
        return all.size() % 2 == 1 ? all.get(m) : (all.get(m - 1) + all.get(m)) / 2;
    }

    /** "a–b": the fastest and slowest round's milliseconds per file. */
    private String range(Setup setup) {
        double fastest = 1000 / results.get(setup).stream().mapToDouble(Double::doubleValue).max().orElse(1);
        double slowest = 1000 / results.get(setup).stream().mapToDouble(Double::doubleValue).min().orElse(1);
        return String.format(Locale.ROOT, "%.1f–%.1f", fastest, slowest);
    }

    private double median(Setup setup) {
        return medianOf(results.get(setup));
    }

    private String page(double seconds, String loadBefore, String loadAfter) throws IOException {
        String date = ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'"));
        StringBuilder p = new StringBuilder();
        p.append("= Benchmark: several replicas claiming files\n\n");
        p.append("This page is written by `ReplicasIT` in benchmark mode (issue 7); do not edit it by hand. Last run: ")
                .append(date).append(", ").append(rounds).append(rounds == 1 ? " round" : " rounds").append(", ")
                .append(files).append(" files per run after ").append(warmup).append(" to warm up, ")
                .append(String.format(Locale.ROOT, "%.0f", seconds / 60)).append(" min.\n\n");
        p.append("How fast the pipeline service's `partner-inbox` route empties a partner directory when each file "
                 + "costs 50 ms downstream (the partner API, WireMock with a fixed delay), with 1, 2 and 3 replicas "
                 + "claiming files in PostgreSQL (xref:replicas.adoc[Running several replicas]); and what a claim "
                 + "costs per file.\n\n");
        p.append("== Throughput with 50 ms per file downstream\n\n");
        p.append("....\n");
        double max = SETUPS.stream().filter(s -> s.delayMillis() == 50).mapToDouble(this::median).max().orElse(1);
        for (Setup s : SETUPS) {
            if (s.delayMillis() == 50) {
                String label = String.format(Locale.ROOT, "%-22s", s.replicas() + (s.replicas() == 1 ? " replica"
                        : " replicas") + (s.claims() ? ", claims" : ", no claims"));
                int width = (int) Math.round(50 * median(s) / max);
                p.append(label).append("#".repeat(width)).append(" ".repeat(51 - width))
                        .append(String.format(Locale.ROOT, "%5.1f files/s", median(s))).append('\n');
            }
        }
        p.append("....\n\n");
        double one = median(SETUPS.get(0));
        p.append("[cols=\"3,>1,>1,>1\",options=\"header\"]\n|===\n")
                .append("| run | files/s (median) | × the first run | every round\n");
        for (Setup s : SETUPS) {
            p.append("| ").append(s.label()).append(" | ").append(String.format(Locale.ROOT, "%.1f", median(s)))
                    .append(" | ").append(s.delayMillis() == 50 ? String.format(Locale.ROOT, "%.2f", median(s) / one)
                            : "")
                    .append(" | ").append(results.get(s).stream().map(v -> String.format(Locale.ROOT, "%.1f", v))
                            .reduce((a, b) -> a + ", " + b).orElse("")).append('\n');
        }
        p.append("|===\n\n");
        p.append("== What a claim costs\n\n");
        p.append("Per file, a replica with claims makes three more round trips than one without: the claim (an "
                 + "INSERT), an MDTM before the download that checks the file is still there, and the finish (a "
                 + "DELETE). A fourth, an MDTM that checks the file is gone, only when the server did not confirm its "
                 + "move to .done (if it is still there, the claim stays, confirmed).\n\n");
        for (int delay : List.of(50, 0)) {
            Setup on = new Setup(1, true, delay);
            Setup off = new Setup(1, false, delay);
            double msOn = 1000 / median(on);
            double msOff = 1000 / median(off);
            p.append(String.format(Locale.ROOT, "* %d ms per file downstream, one replica: %.1f ms per file with "
                                                + "claims, %.1f ms without (medians), a difference of %+.1f ms; the "
                                                + "rounds ranged over %s ms with claims and %s ms without.%n",
                    delay, msOn, msOff, msOn - msOff, range(on), range(off)));
        }
        for (int delay : List.of(50, 0)) {
            List<Double> on = intervals.get(new Setup(1, true, delay));
            List<Double> off = intervals.get(new Setup(1, false, delay));
            p.append(String.format(Locale.ROOT, "* %d ms per file downstream, one replica, the median time from one "
                                                + "file to the next in the replica's log (no pauses between polls): "
                                                + "%.0f ms with claims, %.0f ms without (rounds: %s and %s).%n",
                    delay, medianOf(on), medianOf(off), list(on), list(off)));
        }
        p.append("* The three round trips measured alone, from one JVM to the same PostgreSQL and vsftpd, 1,000 "
                 + "times: ").append(claimRoundTrips).append(" per file.\n");
        p.append("\n== Machine\n\n");
        p.append("* ").append(Runtime.getRuntime().availableProcessors()).append(" cores (")
                .append(cpuModel()).append("), ").append(memory()).append(", ")
                .append(System.getProperty("os.name")).append(' ').append(System.getProperty("os.version"))
                .append(" (").append(System.getProperty("os.arch")).append(")\n");
        p.append("* JDK ").append(System.getProperty("java.vm.version")).append(" (")
                .append(System.getProperty("java.vm.name")).append("); each replica `-Xmx256m`, JVM defaults "
                                                                   + "otherwise\n");
        p.append("* PostgreSQL ").append(db.sql("SHOW server_version")).append(" (Debian, `RealPostgres`, "
                                                                          + "fsync off), vsftpd from Debian "
                                                                          + "(`RealFtpServer`), WireMock "
                                                                          + "standalone 3.13, all on loopback\n");
        p.append("* The replicas, both vsftpd, PostgreSQL and WireMock share these cores. Load average (1, 5, 15 "
                 + "min) before the run: ").append(loadBefore).append(", after: ").append(loadAfter).append('.');
        if (!note.isBlank()) {
            p.append(' ').append(note);
        }
        p.append("\n\n");
        p.append("== Method\n\n");
        p.append("`./mvnw -B verify -pl integration-tests -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false "
                 + "-Dit.test=ReplicasIT -Dreplicas.bench=true` (after a package; `-Dreplicas.bench.files=500`, "
                 + "`-Dreplicas.bench.rounds=3`, `-Dreplicas.bench.warmup=100`). For each run, fresh replicas of the "
                 + "packaged service (`quarkus-run.jar`) are started and waited for (`/q/health/ready`), process the "
                 + "warm-up files, then the measured files are released into the directory they poll "
                 + "(`partner.poll-delay=250`), one rename each. A run's time is from the release to the last POST "
                 + "WireMock received; every file must have been POSTed exactly once with its SHA-256, or the run "
                 + "fails. The runs go in the order of the table, every round. \"No claims\" is "
                 + "`quarkus.autoftp.cluster.repository=none`, the service as a single replica runs it.\n");
        return p.toString();
    }

    private static String list(List<Double> values) {
        return values.stream().map(v -> String.format(Locale.ROOT, "%.0f", v)).reduce((a, b) -> a + ", " + b)
                .orElse("");
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + ", " + f[1] + ", " + f[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("unknown CPU");
        } catch (IOException e) {
            return "unknown CPU";
        }
    }

    private static String memory() {
        try {
            return Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal"))
                    .map(l -> String.format(Locale.ROOT, "%.1f GiB memory",
                            Long.parseLong(l.replaceAll("\\D", "")) / 1024.0 / 1024.0))
                    .findFirst().orElse("memory unknown");
        } catch (IOException e) {
            return "memory unknown";
        }
    }
}
