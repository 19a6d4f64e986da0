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
 * The benchmark of issue 9 (first slice): curl, stock camel-ftp ({@code ftp:}) and autoftp ({@code autoftp:}) against
 * Apache FtpServer (in this JVM) and vsftpd (a child process), both on 127.0.0.1, in one run, the clients' order
 * rotating every round. Workloads: one large file, many small files, one poll of a large directory. Every transfer
 * is verified by SHA-256. Writes the report page and its chart into the docs (see {@link Report}).
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
        CURL("curl"), STOCK("stock camel-ftp"), AUTOFTP("autoftp");

        final String label;

        Client(String label) {
            this.label = label;
        }
    }

    enum Workload {
        LARGE("MiB/s"), SMALL("files/s"), LISTING("s");

        final String unit;

        Workload(String unit) {
            this.unit = unit;
        }
    }

    /** One server under test. */
    record Server(String name, String host, int port, String user, String password, Path home) {
        String url(String path) {
            return "ftp://" + host + ":" + port + "/" + path;
        }
    }

    /**
     * One measurement. {@code value} is MiB/s or files/s, or seconds for the listing; {@code failure} is null when
     * the transfer completed and verified.
     */
    record Result(Workload workload, String server, int round, int position, Client client, double seconds,
                  double value, String failure) {
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
    final Path docs = Path.of(System.getProperty("bench.docs", "docs/modules/ROOT")).toAbsolutePath().normalize();

    final List<Result> results = new ArrayList<>();
    Path work;
    boolean curl;
    String curlVersion;
    Map<String, String> smallSums;
    String largeSum;

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

    void run() throws Exception {
        System.setProperty("java.awt.headless", "true");
        // autoftp logs through java.util.logging: WARN and above only, as the slf4j-simple backend is set
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        root.setLevel(java.util.logging.Level.WARNING);
        for (java.util.logging.Handler handler : root.getHandlers()) {
            handler.setLevel(java.util.logging.Level.WARNING);
        }
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
        // autoftp downloads into work files under java.io.tmpdir/autoftp-work/<hash of the endpoint>: the folders
        // this run adds are removed at the end (when empty)
        Path autoftpWork = Path.of(System.getProperty("java.io.tmpdir"), "autoftp-work");
        List<Path> workBefore = children(autoftpWork);
        work = Files.createTempDirectory("autoftp-bench-");
        Thread cleanup = new Thread(() -> deleteTree(work), "autoftp-bench-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try (EmbeddedFtpServer apache = EmbeddedFtpServer.builder().start();
             RealFtpServer vsftpd = RealFtpServer.builder().kind(RealFtpServer.Kind.VSFTPD).start()) {
            List<Server> servers = List.of(
                    new Server("Apache FtpServer", apache.host(), apache.port(), apache.username(), apache.password(),
                            apache.home()),
                    new Server("vsftpd", vsftpd.host(), vsftpd.port(), vsftpd.username(), vsftpd.password(),
                            vsftpd.home()));
            System.out.printf(Locale.ROOT, "Writing the files (%d × 10 KiB, %d entries, %d MiB) on both servers...%n",
                    smallFiles, listingEntries, largeMiB);
            for (Server server : servers) {
                prepare(server.home());
            }
            smallSums = TestFiles.sha256Tree(servers.get(0).home().resolve("small"));
            largeSum = TestFiles.sha256(servers.get(0).home().resolve("big/big.bin"));

            List<Client> clients = List.of(Client.CURL, Client.STOCK, Client.AUTOFTP);
            for (int round = 1; round <= rounds; round++) {
                List<Client> order = new ArrayList<>();
                for (int i = 0; i < clients.size(); i++) {
                    order.add(clients.get((i + round - 1) % clients.size()));
                }
                System.out.println("Round " + round + " of " + rounds + ", order " + order);
                for (Workload workload : Workload.values()) {
                    for (Server server : servers) {
                        for (int position = 0; position < order.size(); position++) {
                            Client client = order.get(position);
                            if (client == Client.CURL && !curl) {
                                continue;
                            }
                            Result r = measure(workload, server, round, position + 1, client);
                            results.add(r);
                            System.out.printf(Locale.ROOT, "  %-8s %-17s %-16s %9.2f s  %10.2f %s%s%n", workload,
                                    server.name(), client.label, r.seconds(), r.value(), workload.unit,
                                    r.ok() ? "" : "  FAILED: " + r.failure());
                        }
                    }
                }
            }
        } finally {
            deleteTree(work);
            Runtime.getRuntime().removeShutdownHook(cleanup);
            for (Path added : children(autoftpWork)) {
                if (!workBefore.contains(added)) {
                    try {
                        Files.deleteIfExists(added); // only an empty folder: a file left inside stays, to be seen
                    } catch (IOException e) {
                        System.out.println("NOTE: autoftp left files in " + added);
                    }
                }
            }
        }
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        new Report(this, took).write();
        System.out.println("Benchmark done in " + took.toSeconds() + " s; report "
                           + docs.resolve("pages/benchmark.adoc") + ", chart " + docs.resolve("images/benchmark.png"));
    }

    /** small/: n × 10 KiB random files; list/: entries empty files; big/big.bin: random. Same seeds on each server. */
    void prepare(Path home) throws IOException {
        Path small = Files.createDirectories(home.resolve("small"));
        for (int i = 0; i < smallFiles; i++) {
            TestFiles.writeRandom(small, String.format(Locale.ROOT, "f%05d.bin", i), SMALL_SIZE, 1000 + i);
        }
        Path list = Files.createDirectories(home.resolve("list"));
        for (int i = 0; i < listingEntries; i++) {
            Files.createFile(list.resolve(String.format(Locale.ROOT, "e%05d.dat", i)));
        }
        TestFiles.writeRandom(Files.createDirectories(home.resolve("big")), "big.bin", largeMiB * 1024L * 1024L, 42);
    }

    Result measure(Workload workload, Server server, int round, int position, Client client) throws Exception {
        Path out = Files.createDirectories(work.resolve("out-" + round + "-" + position + "-" + workload));
        try {
            Outcome o = switch (client) {
                case CURL -> curl(workload, server, out);
                case STOCK, AUTOFTP -> camel(workload, server, out, client);
            };
            String failure = o.failure != null ? o.failure : verify(workload, out, o.seen);
            double seconds = o.nanos / 1e9;
            double value = switch (workload) {
                case LARGE -> largeMiB / seconds;
                case SMALL -> smallFiles / seconds;
                case LISTING -> seconds;
            };
            return new Result(workload, server.name(), round, position, client, seconds, value, failure);
        } finally {
            deleteTree(out);
        }
    }

    /** Time, and for the listing how many entries the client saw; failure null if it completed. */
    record Outcome(long nanos, int seen, String failure) {
    }

    String verify(Workload workload, Path out, int seen) {
        switch (workload) {
            case LARGE: {
                String sum = TestFiles.sha256(out.resolve("big.bin"));
                return sum.equals(largeSum) ? null : "SHA-256 of big.bin differs: " + sum;
            }
            case SMALL: {
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

    Outcome camel(Workload workload, Server server, Path out, Client client) throws Exception {
        String directory = switch (workload) {
            case LARGE -> "big";
            case SMALL -> "small";
            case LISTING -> "list";
        };
        // camel-ftp defaults except binary=true (and passiveMode=true for stock camel-ftp); noop=true keeps the
        // server's files for the next client; initialDelay=0 so the first poll starts with the route, not 1 s later.
        String options = "binary=true&noop=true&initialDelay=0" + (client == Client.STOCK ? "&passiveMode=true" : "");
        String scheme = client == Client.STOCK ? "ftp" : "autoftp";
        String uri = scheme + "://" + server.user() + "@" + server.host() + ":" + server.port() + "/" + directory
                     + "?password=RAW(" + server.password() + ")&" + options;

        int expected = workload == Workload.SMALL ? smallFiles : 1;
        CountDownLatch done = new CountDownLatch(expected);
        AtomicLong end = new AtomicLong();
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
                            end.set(System.nanoTime());
                            done.countDown();
                        });
                    }
                }
            });
            long start = System.nanoTime();
            context.start();
            boolean finished = done.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            long nanos = (finished ? end.get() : System.nanoTime()) - start;
            context.stop();
            if (!finished) {
                return new Outcome(nanos, seen.get(), "not complete after " + TIMEOUT.toMinutes() + " min ("
                                                      + (expected - done.getCount()) + " of " + expected + ")");
            }
            return new Outcome(nanos, seen.get(), failure.get());
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
            default: {
                Path listing = out.resolve("listing.txt");
                String err = exec(List.of("curl", "-sS", "--user", user, "-o", listing.toString(), server.url("list/")),
                        null);
                long nanos = System.nanoTime() - start;
                int seen = err != null ? 0
                        : (int) Files.readAllLines(listing, StandardCharsets.UTF_8).stream()
                                .filter(l -> l.strip().matches(".*e\\d{5}\\.dat")).count();
                return new Outcome(nanos, seen, err);
            }
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
