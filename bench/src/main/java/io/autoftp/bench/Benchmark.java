package io.autoftp.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.autoftp.testing.EmbeddedFtpServer;
import io.autoftp.testing.RealFtpServer;
import io.autoftp.testing.TestFiles;
import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.file.GenericFile;
import org.apache.camel.component.file.GenericFileFilter;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.spi.PollingConsumerPollStrategy;

/**
 * The benchmark of issue 9: curl, stock camel-ftp ({@code ftp:}) and autoftp ({@code autoftp:}) against Apache
 * FtpServer (in this JVM) and vsftpd (a child process), both on 127.0.0.1, in one run, the clients' order rotating
 * every round. Workloads: one large file, many small files, one poll of a large directory, one large upload, the large
 * download again in a child JVM with {@code -Xmx128m} (its peak RSS sampled), and the small files from a third server,
 * a vsftpd that refuses passive mode (the cost of autoftp's fallback). Every transfer is verified by SHA-256. Writes
 * the report page and its chart into the docs (see {@link Report}).
 *
 * <p>System properties: {@code bench.rounds} (3), {@code bench.largeMiB} (1024), {@code bench.smallFiles} (1000),
 * {@code bench.listingEntries} (10000), {@code bench.docs} (the docs module's ROOT directory). Must run as root
 * (vsftpd through {@link RealFtpServer}).
 */
public final class Benchmark {

    static final int SMALL_SIZE = 10 * 1024;
    /** Longest wait for one measurement; a client that needs longer is recorded as failed. */
    static final Duration TIMEOUT = Duration.ofMinutes(10);

    enum Client {
        CURL("curl"), STOCK("stock camel-ftp"), AUTOFTP("autoftp"),
        /** autoftp with {@code dataChannel=active}: the correctly pinned mode the fallback is compared with. */
        AUTOFTP_ACTIVE("autoftp, active"),
        /**
         * autoftp in a child JVM with its default heap: the cold-JVM run the one under {@code -Xmx128m} is compared
         * with, so that both pay the same JVM warm-up.
         */
        AUTOFTP_DEFAULT_HEAP("autoftp, default heap");

        final String label;

        Client(String label) {
            this.label = label;
        }
    }

    enum Workload {
        LARGE("MiB/s"), SMALL("files/s"), LISTING("s"), UPLOAD("MiB/s"), LOW_MEMORY("MiB/s"), FALLBACK("files/s");

        final String unit;

        Workload(String unit) {
            this.unit = unit;
        }

        /** Who is measured, in the first round's order (it rotates every round). */
        List<Client> clients() {
            return switch (this) {
                // curl has no heap to limit
                case LOW_MEMORY -> List.of(Client.STOCK, Client.AUTOFTP, Client.AUTOFTP_DEFAULT_HEAP);
                // stock camel-ftp is active by default, which is what this server needs: it runs with its default
                case FALLBACK -> List.of(Client.STOCK, Client.AUTOFTP, Client.AUTOFTP_ACTIVE);
                default -> List.of(Client.CURL, Client.STOCK, Client.AUTOFTP);
            };
        }
    }

    static final String APACHE = "Apache FtpServer";
    static final String VSFTPD = "vsftpd";
    /** The third server, {@code RealFtpServer.builder().refusePassive()}: EPSV and PASV answer 550. */
    static final String VSFTPD_NO_PASV = "vsftpd, passive refused";
    /** The heap of the LOW_MEMORY child JVMs. */
    static final String LOW_MEMORY_XMX = "-Xmx128m";

    /** One server under test. */
    record Server(String name, String host, int port, String user, String password, Path home) {
        String url(String path) {
            return "ftp://" + host + ":" + port + "/" + path;
        }
    }

    /**
     * One measurement. {@code value} is MiB/s or files/s, or seconds for the listing; {@code failure} is null when
     * the transfer completed and verified. {@code peakRssMiB} (LOW_MEMORY: the child JVM's) and {@code firstSeconds}
     * (Camel downloads of many files: until the first one was written) are NaN where not measured.
     */
    record Result(Workload workload, String server, int round, int position, Client client, double seconds,
                  double value, String failure, double peakRssMiB, double firstSeconds, double machineBusy,
                  double machineCpuSeconds, double clientCpuSeconds) {
        boolean ok() {
            return failure == null;
        }

        /** Higher is faster, for every workload. */
        double speed() {
            return workload == Workload.LISTING ? 1 / seconds : value;
        }
    }

    final int rounds = Integer.getInteger("bench.rounds", 3);
    final int largeMiB = Integer.getInteger("bench.largeMiB", 1024);
    final int smallFiles = Integer.getInteger("bench.smallFiles", 1000);
    final int listingEntries = Integer.getInteger("bench.listingEntries", 10000);
    /** The workloads to run (comma-separated names, e.g. {@code SMALL}); all by default. */
    final List<Workload> workloads = System.getProperty("bench.workloads", "").isBlank() ? List.of(Workload.values())
            : java.util.Arrays.stream(System.getProperty("bench.workloads").split(","))
                    .map(name -> Workload.valueOf(name.trim().toUpperCase(Locale.ROOT))).toList();
    final Path docs = Path.of(System.getProperty("bench.docs", "docs/modules/ROOT")).toAbsolutePath().normalize();

    final List<Result> results = new ArrayList<>();
    Path work;
    boolean curl;
    String curlVersion;
    Map<String, String> smallSums;
    String largeSum;
    /** The UPLOAD source, written once per run (not on a server: the servers' big.bin must not be the source). */
    Path uploadFile;
    String uploadSum;

    public static void main(String[] args) {
        int status;
        try {
            new Benchmark().run();
            status = 0;
        } catch (BenchmarkException e) {
            System.err.println("BENCHMARK NOT RUN: " + e.getMessage());
            status = 2;
        } catch (Throwable e) {
            System.err.println("BENCHMARK FAILED:");
            e.printStackTrace();
            status = 1;
        }
        // Camel and FtpServer leave non-daemon threads behind; the servers are closed by now.
        System.exit(status);
    }

    /** A prerequisite is missing: said in one line, without a stack trace. */
    static final class BenchmarkException extends RuntimeException {
        BenchmarkException(String message) {
            super(message);
        }
    }

    /** autoftp logs through java.util.logging: WARN and above only, as the slf4j-simple backend is set. */
    static void quietLogging() {
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        root.setLevel(java.util.logging.Level.WARNING);
        for (java.util.logging.Handler handler : root.getHandlers()) {
            handler.setLevel(java.util.logging.Level.WARNING);
        }
    }

    void run() throws Exception {
        System.setProperty("java.awt.headless", "true");
        quietLogging();
        long uid = new com.sun.security.auth.module.UnixSystem().getUid();
        if (uid != 0) {
            throw new BenchmarkException("the benchmark starts vsftpd (RealFtpServer), which must run as root; this JVM"
                                         + " runs as uid " + uid + ". Run it as root: sudo ./mvnw -B -Pbench -pl bench"
                                         + " -am verify -DskipTests");
        }
        if (!RealFtpServer.available(RealFtpServer.Kind.VSFTPD)) {
            throw new BenchmarkException("vsftpd is not available: "
                                         + RealFtpServer.unavailableReason(RealFtpServer.Kind.VSFTPD)
                                         + " (sudo .ci/fetch-ftp-servers.sh unpacks it)");
        }
        curlVersion = curlVersion();
        curl = curlVersion != null;
        if (!curl) {
            System.out.println("NOTE: no curl binary on the PATH: curl is skipped (apt-get install -y curl adds it)");
        }
        long started = System.nanoTime();
        // autoftp downloads into work files under java.io.tmpdir/autoftp-work/<process>/<hash of the endpoint>
        // (this JVM's and the low-memory children's): the folders this run adds are removed at the end when they hold
        // no file
        Path autoftpWork = Path.of(System.getProperty("java.io.tmpdir"), "autoftp-work");
        List<Path> workBefore = children(autoftpWork);
        work = Files.createTempDirectory("autoftp-bench-");
        Thread cleanup = new Thread(() -> deleteTree(work), "autoftp-bench-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try (EmbeddedFtpServer apache = EmbeddedFtpServer.builder().start();
             RealFtpServer vsftpd = RealFtpServer.builder().kind(RealFtpServer.Kind.VSFTPD).start();
             RealFtpServer noPasv = RealFtpServer.builder().kind(RealFtpServer.Kind.VSFTPD).refusePassive().start()) {
            List<Server> servers = List.of(
                    new Server(APACHE, apache.host(), apache.port(), apache.username(), apache.password(),
                            apache.home()),
                    new Server(VSFTPD, vsftpd.host(), vsftpd.port(), vsftpd.username(), vsftpd.password(),
                            vsftpd.home()));
            Server refusing = new Server(VSFTPD_NO_PASV, noPasv.host(), noPasv.port(), noPasv.username(),
                    noPasv.password(), noPasv.home());
            System.out.printf(Locale.ROOT, "Writing the files (%d × 10 KiB, %d entries, %d MiB) on both servers, the "
                                           + "small files on the third (passive refused)...%n",
                    smallFiles, listingEntries, largeMiB);
            for (Server server : servers) {
                prepare(server.home());
            }
            // vsftpd writes uploads as the FTP user: the directory root created must be handed over
            vsftpd.giveToServerUser(vsftpd.home().resolve("up"));
            writeSmall(refusing.home());
            smallSums = TestFiles.sha256Tree(servers.get(0).home().resolve("small"));
            largeSum = TestFiles.sha256(servers.get(0).home().resolve("big/big.bin"));
            uploadFile = TestFiles.writeRandom(Files.createDirectories(work.resolve("upload")), "big.bin",
                    largeMiB * 1024L * 1024L, 43);
            uploadSum = TestFiles.sha256(uploadFile);

            for (int round = 1; round <= rounds; round++) {
                System.out.println("Round " + round + " of " + rounds + ", order " + order(Workload.LARGE, round));
                for (Workload workload : workloads) {
                    List<Client> order = order(workload, round);
                    for (Server server : workload == Workload.FALLBACK ? List.of(refusing) : servers) {
                        for (int position = 0; position < order.size(); position++) {
                            Client client = order.get(position);
                            if (client == Client.CURL && !curl) {
                                continue;
                            }
                            Result r = measure(workload, server, round, position + 1, client);
                            results.add(r);
                            System.out.printf(Locale.ROOT, "  %-10s %-23s %-16s %9.2f s  %10s %s%s%s%s%n",
                                    workload, server.name(), client.label, r.seconds(),
                                    r.ok() ? String.format(Locale.ROOT, "%.2f", r.value()) : "—", workload.unit,
                                    Double.isNaN(r.peakRssMiB()) ? ""
                                            : String.format(Locale.ROOT, "  peak RSS %.0f MiB", r.peakRssMiB()),
                                    workload == Workload.FALLBACK && !Double.isNaN(r.firstSeconds())
                                            ? String.format(Locale.ROOT, "  first file %.0f ms",
                                                    r.firstSeconds() * 1000) : "",
                                    r.ok() ? "" : "  FAILED: " + r.failure());
                        }
                    }
                }
            }
        } finally {
            deleteTree(work);
            Runtime.getRuntime().removeShutdownHook(cleanup);
            for (Path added : children(autoftpWork)) {
                if (!workBefore.contains(added) && !ofAnotherLiveProcess(added)) {
                    if (holdsFiles(added)) {
                        System.out.println("NOTE: autoftp left files in " + added); // they stay, to be seen
                    } else {
                        deleteTree(added);
                    }
                }
            }
        }
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        new Report(this, took).write();
        System.out.println("Benchmark done in " + took.toSeconds() + " s; report "
                           + docs.resolve("pages/benchmark.adoc") + ", chart " + docs.resolve("images/benchmark.png"));
    }

    /** The workload's clients, rotated by one every round. */
    static List<Client> order(Workload workload, int round) {
        List<Client> clients = workload.clients();
        List<Client> order = new ArrayList<>();
        for (int i = 0; i < clients.size(); i++) {
            order.add(clients.get((i + round - 1) % clients.size()));
        }
        return order;
    }

    /**
     * small/: n × 10 KiB random files; list/: entries empty files; big/big.bin: random; up/: empty, for the uploads.
     * Same seeds on each server.
     */
    void prepare(Path home) throws IOException {
        writeSmall(home);
        Files.createDirectories(home.resolve("up"));
        Path list = Files.createDirectories(home.resolve("list"));
        for (int i = 0; i < listingEntries; i++) {
            Files.createFile(list.resolve(String.format(Locale.ROOT, "e%05d.dat", i)));
        }
        TestFiles.writeRandom(Files.createDirectories(home.resolve("big")), "big.bin", largeMiB * 1024L * 1024L, 42);
    }

    void writeSmall(Path home) throws IOException {
        Path small = Files.createDirectories(home.resolve("small"));
        for (int i = 0; i < smallFiles; i++) {
            TestFiles.writeRandom(small, String.format(Locale.ROOT, "f%05d.bin", i), SMALL_SIZE, 1000 + i);
        }
    }

    Result measure(Workload workload, Server server, int round, int position, Client client) throws Exception {
        Path out = Files.createDirectories(work.resolve("out-" + round + "-" + position + "-" + workload));
        Path uploaded = server.home().resolve("up/big.bin");
        try {
            syncDisks();
            long[] ticksBefore = machineTicks();
            long clientBefore = clientTicks();
            Outcome o = switch (client) {
                case CURL -> curl(workload, server, out);
                case STOCK, AUTOFTP, AUTOFTP_ACTIVE, AUTOFTP_DEFAULT_HEAP -> switch (workload) {
                    case UPLOAD -> upload(server, client);
                    case LOW_MEMORY -> lowMemory(server, out, client);
                    default -> camel(workload, server, out, client);
                };
            };
            long clientAfter = clientTicks();
            long[] ticksAfter = machineTicks();
            String failure = o.failure != null ? o.failure : verify(workload, out, uploaded, o.seen);
            double seconds = o.nanos / 1e9;
            double value = switch (workload) {
                case LARGE, UPLOAD, LOW_MEMORY -> largeMiB / seconds;
                case SMALL, FALLBACK -> smallFiles / seconds;
                case LISTING -> seconds;
            };
            return new Result(workload, server.name(), round, position, client, seconds, value, failure,
                    o.peakRssKiB < 0 ? Double.NaN : o.peakRssKiB / 1024.0,
                    o.firstNanos < 0 ? Double.NaN : o.firstNanos / 1e9, busy(ticksBefore, ticksAfter),
                    (ticksAfter[0] - ticksBefore[0] - (ticksAfter[1] - ticksBefore[1])) / (double) CLOCK_TICKS,
                    clientBefore < 0 || clientAfter < 0 ? Double.NaN
                            : (clientAfter - clientBefore) / (double) CLOCK_TICKS);
        } finally {
            deleteTree(out);
            Files.deleteIfExists(uploaded); // the next client uploads to an empty up/
        }
    }

    /**
     * Writes the page cache's dirty pages out before a measurement (sync(1)), so that the gigabyte the previous client
     * wrote is not written back to disk during the next client's turn. Not timed.
     */
    static void syncDisks() throws IOException, InterruptedException {
        try {
            new ProcessBuilder("sync").inheritIO().start().waitFor();
        } catch (IOException e) {
            // no sync(1): the measurements stay as noisy as the machine's write-back makes them
        }
    }

    /** Linux's USER_HZ: /proc/stat counts in hundredths of a second on every architecture the JDK runs on. */
    static final int CLOCK_TICKS = 100;

    /**
     * The machine's CPU time so far (all cores: client, servers, kernel) from /proc/stat: {total, idle + iowait}
     * in clock ticks; zeros where /proc is not there.
     */
    static long[] machineTicks() {
        try {
            String[] cpu = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < cpu.length; i++) {
                total += Long.parseLong(cpu[i]);
            }
            return new long[] { total, Long.parseLong(cpu[4]) + Long.parseLong(cpu[5]) };
        } catch (IOException | RuntimeException e) {
            return new long[] { 0, 0 };
        }
    }

    /**
     * The CPU time of this JVM and of the child processes it waited for (curl, the low-memory JVMs), from
     * /proc/self/stat (utime, stime, cutime, cstime), in clock ticks; -1 where /proc is not there. vsftpd's session
     * processes are its own children, reaped by it, so they are not in it; Apache FtpServer runs in this JVM, so it is.
     */
    static long clientTicks() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
            // fields[0] is the state (the third field of the line): utime is the 14th field, fields[11]
            return Long.parseLong(fields[11]) + Long.parseLong(fields[12]) + Long.parseLong(fields[13])
                   + Long.parseLong(fields[14]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** The share of the machine's CPU time that was busy between two {@link #machineTicks}, NaN if unknown. */
    static double busy(long[] before, long[] after) {
        long total = after[0] - before[0];
        return total <= 0 ? Double.NaN : 1 - (after[1] - before[1]) / (double) total;
    }

    /**
     * Time, and for the listing how many entries the client saw; failure null if it completed. {@code peakRssKiB}
     * (a child JVM's) and {@code firstNanos} (until the first of many files was written) are -1 where not measured.
     */
    record Outcome(long nanos, int seen, String failure, long peakRssKiB, long firstNanos) {
        Outcome(long nanos, int seen, String failure) {
            this(nanos, seen, failure, -1, -1);
        }
    }

    String verify(Workload workload, Path out, Path uploaded, int seen) {
        switch (workload) {
            case LARGE, LOW_MEMORY: {
                if (!Files.isRegularFile(out.resolve("big.bin"))) {
                    return "no big.bin was written";
                }
                String sum = TestFiles.sha256(out.resolve("big.bin"));
                return sum.equals(largeSum) ? null : "SHA-256 of big.bin differs: " + sum;
            }
            case UPLOAD: {
                if (!Files.isRegularFile(uploaded)) {
                    return "no up/big.bin on the server";
                }
                String sum = TestFiles.sha256(uploaded);
                return sum.equals(uploadSum) ? null : "SHA-256 of the uploaded up/big.bin differs: " + sum;
            }
            case SMALL, FALLBACK: {
                Map<String, String> sums = TestFiles.sha256Tree(out);
                return sums.equals(smallSums) ? null
                        : "the downloaded tree differs (" + sums.size() + " files, " + smallSums.size() + " expected)";
            }
            default:
                return seen == listingEntries ? null
                        : "the listing had " + seen + " entries, " + listingEntries + " expected";
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Camel: a fresh CamelContext per workload, round and client, in this JVM

    /**
     * The endpoint URI of a client for a server directory: camel-ftp defaults except binary=true, and
     * passiveMode=true for stock camel-ftp (except against the server that refuses passive mode, where its default,
     * active, is the right setting); autoftp's defaults, or dataChannel=active for {@link Client#AUTOFTP_ACTIVE}.
     */
    static String uri(Server server, String directory, Client client, String options) {
        String scheme = client == Client.STOCK ? "ftp" : "autoftp";
        String mode = switch (client) {
            case STOCK -> server.name().equals(VSFTPD_NO_PASV) ? "" : "&passiveMode=true";
            case AUTOFTP_ACTIVE -> "&dataChannel=active";
            default -> "";
        };
        return scheme + "://" + server.user() + "@" + server.host() + ":" + server.port() + "/" + directory
               + "?password=RAW(" + server.password() + ")&binary=true" + mode + options;
    }

    Outcome camel(Workload workload, Server server, Path out, Client client) throws Exception {
        String directory = switch (workload) {
            case LARGE, LOW_MEMORY -> "big";
            case SMALL, FALLBACK -> "small";
            case LISTING -> "list";
            case UPLOAD -> throw new IllegalArgumentException("an upload is measured by upload()");
        };
        // noop=true keeps the server's files for the next client; initialDelay=0 so the first poll starts with the
        // route, not 1 s later.
        String uri = uri(server, directory, client, "&noop=true&initialDelay=0");

        int expected = workload == Workload.SMALL || workload == Workload.FALLBACK ? smallFiles : 1;
        CountDownLatch done = new CountDownLatch(expected);
        AtomicLong end = new AtomicLong();
        AtomicLong first = new AtomicLong(); // when the first file was written: the fallback's cost shows there
        AtomicReference<String> failure = new AtomicReference<>();
        AtomicInteger seen = new AtomicInteger();
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            if (workload == Workload.LISTING) {
                // The filter counts every entry the consumer looks at and takes none; the poll strategy's commit
                // marks the end of the first poll (connect, login, LIST, parsing, every entry checked).
                GenericFileFilter<Object> countNone = (GenericFile<Object> file) -> {
                    seen.incrementAndGet();
                    return false;
                };
                context.getRegistry().bind("countNone", countNone);
                context.getRegistry().bind("firstPoll", new PollingConsumerPollStrategy() {
                    @Override
                    public boolean begin(Consumer consumer, Endpoint endpoint) {
                        return true;
                    }

                    @Override
                    public void commit(Consumer consumer, Endpoint endpoint, int polledMessages) {
                        if (end.compareAndSet(0, System.nanoTime())) {
                            done.countDown();
                        }
                    }

                    @Override
                    public boolean rollback(Consumer consumer, Endpoint endpoint, int retryCounter, Exception cause) {
                        if (end.compareAndSet(0, System.nanoTime())) {
                            failure.set("the poll failed: " + cause);
                            done.countDown();
                        }
                        return false;
                    }
                });
                uri += "&filter=#countNone&pollStrategy=#firstPoll";
            }
            String from = uri;
            context.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    if (workload == Workload.LISTING) {
                        from(from).routeId("bench").to("file:" + out);
                    } else {
                        from(from).routeId("bench").to("file:" + out).process(e -> {
                            long now = System.nanoTime();
                            first.compareAndSet(0, now);
                            end.set(now);
                            done.countDown();
                        });
                    }
                }
            });
            Timed run = timed(context, done, end);
            if (!run.finished()) {
                return new Outcome(run.nanos(), seen.get(), "not complete after " + TIMEOUT.toMinutes() + " min ("
                                                            + (expected - done.getCount()) + " of " + expected + ")");
            }
            long firstNanos = expected > 1 && first.get() != 0 ? first.get() - run.start() : -1;
            return new Outcome(run.nanos(), seen.get(), failure.get(), -1, firstNanos);
        }
    }

    /**
     * UPLOAD: a route from a local folder holding the source file (noop=true, so it stays) to the server's up/
     * directory; the time from {@code CamelContext.start()} until the FTP producer has completed the exchange.
     */
    Outcome upload(Server server, Client client) throws Exception {
        String to = uri(server, "up", client, "");
        CountDownLatch done = new CountDownLatch(1);
        AtomicLong end = new AtomicLong();
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            context.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("file:" + uploadFile.getParent() + "?noop=true&initialDelay=0").routeId("bench").to(to)
                            .process(e -> {
                                end.set(System.nanoTime());
                                done.countDown();
                            });
                }
            });
            Timed run = timed(context, done, end);
            return new Outcome(run.nanos(), 0, run.finished() ? null
                    : "not complete after " + TIMEOUT.toMinutes() + " min");
        }
    }

    /** A route's run: when it started, how long until its end mark (or the timeout), whether it finished. */
    record Timed(long start, long nanos, boolean finished) {
    }

    /** Starts the context, waits for {@code done} at most {@link #TIMEOUT}, stops the context. */
    static Timed timed(DefaultCamelContext context, CountDownLatch done, AtomicLong end) throws Exception {
        long start = System.nanoTime();
        context.start();
        boolean finished = done.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        long nanos = (finished ? end.get() : System.nanoTime()) - start;
        context.stop();
        return new Timed(start, nanos, finished);
    }

    // ---------------------------------------------------------------------------------------------------------
    // LOW_MEMORY: the LARGE route in a child JVM with -Xmx128m, its resident set sampled from /proc

    /**
     * Runs {@link LowMemoryChild} and samples its peak RSS: VmHWM (the kernel's high-water mark) and VmRSS from
     * /proc/&lt;pid&gt;/status every 50 ms while it lives (neither is readable once it has exited), keeping the
     * largest. The time is the child's own, from {@code CamelContext.start()} like LARGE, so the JVM's start is not
     * in it.
     */
    Outcome lowMemory(Server server, Path out, Client client) throws Exception {
        Path log = work.resolve("child-" + client + ".log");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        if (client != Client.AUTOFTP_DEFAULT_HEAP) { // the baseline gets the JVM's default heap
            command.add(LOW_MEMORY_XMX);
        }
        command.addAll(List.of("-XX:+ExitOnOutOfMemoryError", // an OOM ends the child instead of hanging the route
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-Dorg.slf4j.simpleLogger.log.org.apache.ftpserver=error",
                "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"), // autoftp's work files, cleaned up by run()
                "-cp", System.getProperty("java.class.path"), LowMemoryChild.class.getName(),
                client.name(), server.name(), server.host(), String.valueOf(server.port()), server.user(),
                server.password(), out.toString()));
        long start = System.nanoTime();
        Process child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Path status = Path.of("/proc", String.valueOf(child.pid()), "status");
        long peakKiB = 0;
        long deadline = start + TIMEOUT.toNanos();
        try {
            while (!child.waitFor(50, TimeUnit.MILLISECONDS)) {
                peakKiB = Math.max(peakKiB, residentKiB(status));
                if (System.nanoTime() > deadline) {
                    child.destroyForcibly().waitFor();
                    return new Outcome(System.nanoTime() - start, 0, "child JVM not done after "
                                                                     + TIMEOUT.toMinutes() + " min", peakKiB, -1);
                }
            }
            long lifetime = System.nanoTime() - start;
            String output = Files.readString(log);
            if (child.exitValue() != 0) {
                String reason = output.contains("OutOfMemoryError")
                        ? "OutOfMemoryError" + output.lines().filter(l -> l.contains("OutOfMemoryError")).findFirst()
                                .map(l -> l.replaceAll(".*OutOfMemoryError:?", "").strip()).filter(l -> !l.isEmpty())
                                .map(l -> " (" + l + ")").orElse("")
                        : "child JVM exited " + child.exitValue() + ": " + last(output, 300);
                return new Outcome(lifetime, 0, String.format(Locale.ROOT, "%s, after %.1f s, peak RSS %.0f MiB",
                        reason, lifetime / 1e9, peakKiB / 1024.0), peakKiB, -1);
            }
            long nanos = output.lines().filter(l -> l.startsWith(LowMemoryChild.NANOS)).findFirst()
                    .map(l -> Long.parseLong(l.substring(LowMemoryChild.NANOS.length()).strip())).orElse(-1L);
            return nanos < 0
                    ? new Outcome(lifetime, 0, "the child JVM printed no time: " + last(output, 300), peakKiB, -1)
                    : new Outcome(nanos, 0, null, peakKiB, -1);
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /** The larger of VmHWM and VmRSS in KiB, 0 when the process is gone. */
    static long residentKiB(Path status) {
        long kib = 0;
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("VmHWM:") || line.startsWith("VmRSS:")) {
                    kib = Math.max(kib, Long.parseLong(line.replaceAll("\\D", "")));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // exited between waitFor and the read: the previous sample stands
        }
        return kib;
    }

    static String last(String text, int chars) {
        String t = text.strip();
        return t.length() > chars ? "..." + t.substring(t.length() - chars) : t;
    }

    /**
     * The LOW_MEMORY child: {@link #camel} with the LARGE workload, so the same URI and options as LARGE; prints
     * {@value #NANOS} and its time, exits 0 when the file was written, 1 otherwise (an OOM exits through
     * -XX:+ExitOnOutOfMemoryError). The parent verifies the file.
     */
    public static final class LowMemoryChild {
        static final String NANOS = "BENCH-NANOS ";

        public static void main(String[] args) {
            int status;
            try {
                quietLogging();
                Server server = new Server(args[1], args[2], Integer.parseInt(args[3]), args[4], args[5], null);
                Outcome o = new Benchmark().camel(Workload.LARGE, server, Path.of(args[6]), Client.valueOf(args[0]));
                if (o.failure() == null) {
                    System.out.println(NANOS + o.nanos());
                    status = 0;
                } else {
                    System.out.println("FAILED: " + o.failure());
                    status = 1;
                }
            } catch (Throwable e) {
                e.printStackTrace(System.out);
                status = 1;
            }
            System.out.flush();
            System.exit(status); // Camel leaves non-daemon threads behind
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // curl (its defaults: EPSV, binary)

    Outcome curl(Workload workload, Server server, Path out) throws Exception {
        String user = server.user() + ":" + server.password();
        long start = System.nanoTime();
        switch (workload) {
            case LARGE: {
                String err = exec(List.of("curl", "-sS", "--user", user, "-o", out.resolve("big.bin").toString(),
                        server.url("big/big.bin")), null);
                return new Outcome(System.nanoTime() - start, 0, err);
            }
            case SMALL: {
                // like a poller: list the directory (NLST), then fetch every file on one reused connection
                Path names = out.resolveSibling(out.getFileName() + ".names");
                Path config = out.resolveSibling(out.getFileName() + ".curlrc");
                try {
                    String err = exec(List.of("curl", "-sS", "--user", user, "-l", "-o", names.toString(),
                            server.url("small/")), null);
                    if (err != null) {
                        return new Outcome(System.nanoTime() - start, 0, err);
                    }
                    StringBuilder cfg = new StringBuilder();
                    for (String name : Files.readAllLines(names, StandardCharsets.UTF_8)) {
                        if (!name.isBlank()) {
                            cfg.append("url = \"").append(server.url("small/" + name.strip())).append("\"\n")
                                    .append("output = \"").append(out.resolve(name.strip())).append("\"\n");
                        }
                    }
                    Files.writeString(config, cfg);
                    err = exec(List.of("curl", "-sS", "--user", user, "-K", config.toString()), null);
                    return new Outcome(System.nanoTime() - start, 0, err);
                } finally {
                    Files.deleteIfExists(names);
                    Files.deleteIfExists(config);
                }
            }
            case UPLOAD: {
                String err = exec(List.of("curl", "-sS", "--user", user, "-T", uploadFile.toString(),
                        server.url("up/big.bin")), null);
                return new Outcome(System.nanoTime() - start, 0, err);
            }
            case LISTING: {
                Path listing = out.resolve("listing.txt");
                String err = exec(List.of("curl", "-sS", "--user", user, "-o", listing.toString(), server.url("list/")),
                        null);
                long nanos = System.nanoTime() - start;
                int seen = err != null ? 0
                        : (int) Files.readAllLines(listing, StandardCharsets.UTF_8).stream()
                                .filter(l -> l.strip().matches(".*e\\d{5}\\.dat")).count();
                return new Outcome(nanos, seen, err);
            }
            default:
                throw new IllegalArgumentException("curl is not measured in " + workload);
        }
    }

    /** Runs a command; null when it exited 0, else what went wrong. */
    static String exec(List<String> command, Path output) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        Path log = Files.createTempFile("autoftp-bench-", ".log");
        try {
            pb.redirectOutput(output != null ? output.toFile() : log.toFile());
            Process p = pb.start();
            if (!p.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                return command.get(0) + " did not finish within " + TIMEOUT.toMinutes() + " min";
            }
            if (p.exitValue() != 0) {
                return command.get(0) + " exited " + p.exitValue() + ": " + Files.readString(log).strip();
            }
            return null;
        } finally {
            Files.deleteIfExists(log);
        }
    }

    static String curlVersion() {
        try {
            Process p = new ProcessBuilder("curl", "--version").redirectErrorStream(true).start();
            String first = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().findFirst()
                    .orElse("curl");
            return p.waitFor() == 0 ? first : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    static List<Path> children(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> list = Files.list(dir)) {
            return list.toList();
        }
    }

    static final Pattern PROCESS_FOLDER = Pattern.compile("p(\\d+)-\\d+");

    /** A p&lt;pid&gt;-&lt;start&gt; folder of a process still running other than this one (another build's). */
    static boolean ofAnotherLiveProcess(Path dir) {
        Matcher m = PROCESS_FOLDER.matcher(dir.getFileName().toString());
        if (!m.matches()) {
            return false;
        }
        long pid = Long.parseLong(m.group(1));
        return pid != ProcessHandle.current().pid() && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    static boolean holdsFiles(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            return paths.anyMatch(p -> !Files.isDirectory(p));
        }
    }

    static void deleteTree(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete " + root, e);
        }
    }
}
