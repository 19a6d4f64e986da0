package io.autoftp.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import javax.net.SocketFactory;

import io.autoftp.camel.ModeAwareComponent;
import io.autoftp.client.DataChannelListener;
import io.autoftp.client.DataChannelMode;
import io.autoftp.testing.RealFtpServer;
import io.autoftp.testing.RealFtpServer.Kind;
import io.autoftp.testing.TestFiles;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.commons.net.ftp.FTPClient;

/**
 * The benchmark of issue 10: one file (1 GiB by default) from vsftpd on 127.0.0.2 to proftpd on 127.0.0.3, both
 * allowing server-to-server transfers, moved by a route {@code from(source?download=false&move=.done).to(target)} in
 * three ways, in one run, the order rotating every round:
 * <ul>
 * <li>autoftp {@code serverToServer=auto}: the servers move it between them (FXP);</li>
 * <li>autoftp {@code serverToServer=never}: this JVM relays it as one stream;</li>
 * <li>stock camel-ftp ({@code ftp:} to {@code ftp:}, passive mode): downloaded into this JVM's memory, then uploaded.</li>
 * </ul>
 * Measured per run: the time from the route's start until the source file is moved to {@code .done} (after the target's
 * 226), this JVM's CPU time over the same span, and the bytes through this JVM's data sockets. The target's copy is
 * verified by SHA-256 after each run (not timed). Writes {@code pages/includes/server-to-server-benchmark.adoc} under
 * {@code bench.docs}, which {@code server-to-server.adoc} includes.
 *
 * <p>
 * Run as root (the servers): {@code ./mvnw -B -Pbench -pl bench -am verify -DskipTests
 * -Dbench.main=io.autoftp.bench.ServerToServerBenchmark -Dbench.largeMiB=1024 -Dbench.rounds=3}.
 */
public final class ServerToServerBenchmark {

    enum Way {
        FXP("autoftp serverToServer=auto (server-to-server)"),
        RELAY("autoftp serverToServer=never (relayed, streaming)"),
        STOCK("stock camel-ftp (downloaded into memory, uploaded)");

        final String label;

        Way(String label) {
            this.label = label;
        }
    }

    /** One run: seconds, CPU seconds of this JVM, bytes through its data sockets. */
    record Run(Way way, int round, double seconds, double cpuSeconds, long bytes) {
    }

    private static final Duration TIMEOUT = Duration.ofMinutes(10);

    private final int rounds = Integer.getInteger("bench.rounds", 3);
    private final long size = Long.getLong("bench.largeMiB", 1024) * 1024 * 1024;
    private final Path docs = Path.of(System.getProperty("bench.docs", "docs/modules/ROOT")).toAbsolutePath()
            .normalize();
    private final List<Run> runs = new ArrayList<>();

    public static void main(String[] args) {
        int status = 0;
        try {
            new ServerToServerBenchmark().run();
        } catch (Throwable e) {
            System.err.println("BENCHMARK FAILED:");
            e.printStackTrace();
            status = 1;
        }
        System.exit(status);
    }

    void run() throws Exception {
        for (Kind kind : List.of(Kind.VSFTPD, Kind.PROFTPD)) {
            if (!RealFtpServer.available(kind)) {
                throw new IllegalStateException(RealFtpServer.unavailableReason(kind));
            }
        }
        long started = System.nanoTime();
        try (RealFtpServer source = RealFtpServer.builder().kind(Kind.VSFTPD).bindAddress("127.0.0.2")
                .allowForeignAddresses().start();
                RealFtpServer target = RealFtpServer.builder().kind(Kind.PROFTPD).bindAddress("127.0.0.3")
                        .allowForeignAddresses().start()) {
            Path relay = source.home().resolve("relay");
            Files.createDirectories(relay);
            Path original = TestFiles.writeRandom(source.directory(), "big.bin", size, 10);
            String sum = TestFiles.sha256(original);
            source.giveToServerUser(relay, original);
            List<Way> order = new ArrayList<>(List.of(Way.values()));
            for (int round = 1; round <= rounds; round++) {
                for (Way way : order) {
                    runs.add(once(way, round, source, target, original, sum));
                    System.out.println(runs.get(runs.size() - 1));
                }
                order.add(order.remove(0));
            }
        }
        write(Duration.ofNanos(System.nanoTime() - started));
    }

    private Run once(Way way, int round, RealFtpServer source, RealFtpServer target, Path original, String sum)
            throws Exception {
        Path relay = source.home().resolve("relay");
        Path file = relay.resolve("big.bin");
        Path arrived = target.home().resolve("in/big.bin");
        Files.deleteIfExists(arrived);
        Files.deleteIfExists(relay.resolve(".done/big.bin"));
        Files.createLink(file, original); // the same bytes every run, without copying them
        AtomicLong bytes = new AtomicLong();
        CountingSockets counting = new CountingSockets(bytes);
        CamelContext context = new DefaultCamelContext();
        context.getRegistry().bind("down", counting.client());
        context.getRegistry().bind("up", counting.client());
        ((ModeAwareComponent) context.getComponent("autoftp")).getModeMemory().addListener(new DataChannelListener() {
            @Override
            public void onClosed(String server, DataChannelMode mode, String command, long received, long sent) {
                if (!command.startsWith("LIST") && !command.startsWith("MLSD") && !command.startsWith("NLST")) {
                    bytes.addAndGet(received + sent);
                }
            }
        });
        String scheme = way == Way.STOCK ? "ftp" : "autoftp";
        String from = uri(scheme, source, "relay", way == Way.STOCK ? "passiveMode=true&ftpClient=#down"
                : "download=false") + "&move=.done&initialDelay=0&delay=100";
        String to = uri(scheme, target, "in", way == Way.STOCK ? "passiveMode=true&ftpClient=#up"
                : "serverToServer=" + (way == Way.FXP ? "auto" : "never"));
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from(from).to(to);
            }
        });
        long cpu = cpuNanos();
        long start = System.nanoTime();
        context.start();
        Path done = relay.resolve(".done/big.bin");
        long deadline = start + TIMEOUT.toNanos();
        while (!Files.exists(done)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(way + " did not finish within " + TIMEOUT + "\n" + source.log()
                                                + target.log());
            }
            Thread.sleep(5);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double cpuSeconds = (cpuNanos() - cpu) / 1e9;
        context.stop();
        if (!sum.equals(TestFiles.sha256(arrived))) {
            throw new IllegalStateException(way + ": the target's copy differs from the source");
        }
        Files.delete(done);
        return new Run(way, round, seconds, cpuSeconds, bytes.get());
    }

    private static String uri(String scheme, RealFtpServer server, String directory, String options) {
        return scheme + "://" + server.username() + "@" + server.address() + "/" + directory + "?password=RAW("
               + server.password() + ")&binary=true&" + options;
    }

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    // ---------------------------------------------------------------------------------------------------------
    // the report

    private void write(Duration took) throws IOException {
        // the median of each measure on its own, over the rounds
        Map<Way, Run> medians = new EnumMap<>(Way.class);
        for (Way way : Way.values()) {
            List<Run> of = runs.stream().filter(r -> r.way() == way).toList();
            medians.put(way, new Run(way, 0, median(of, Run::seconds), median(of, Run::cpuSeconds),
                    (long) median(of, r -> r.bytes())));
        }
        String now = ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'"));
        StringBuilder s = new StringBuilder();
        s.append("// Written by bench/src/main/java/io/autoftp/bench/ServerToServerBenchmark.java; do not edit by hand.\n");
        s.append("Last run: ").append(now).append(", ").append(size >> 20).append(" MiB from vsftpd on 127.0.0.2 to"
                                                                         + " proftpd on 127.0.0.3, ")
                .append(rounds).append(" rounds, ").append(took.toSeconds()).append(" s; ")
                .append(Runtime.getRuntime().availableProcessors()).append(" cores, JDK ")
                .append(System.getProperty("java.version")).append(", heap -Xmx")
                .append(Runtime.getRuntime().maxMemory() >> 20).append("m.\n\n");
        s.append("[cols=\"4,>1,>1,>1\",options=\"header\"]\n|===\n| way (medians) | time (s) | service CPU (s)"
                 + " | MiB through the service (in + out)\n");
        for (Way way : Way.values()) {
            Run r = medians.get(way);
            s.append("| ").append(way.label).append(" | ").append(fmt(r.seconds())).append(" | ")
                    .append(fmt(r.cpuSeconds())).append(" | ").append(fmt(r.bytes() / 1048576.0)).append('\n');
        }
        s.append("|===\n\n");
        s.append("....\n");
        chart(s, "time (s)", medians, Run::seconds);
        chart(s, "service CPU (s)", medians, Run::cpuSeconds);
        chart(s, "MiB through the service (in + out)", medians, r -> r.bytes() / 1048576.0);
        s.append("....\n\n");
        s.append("Every run:\n\n[cols=\"4,>1,>1,>1,>1\",options=\"header\"]\n|===\n| way | round | time (s) | service CPU"
                 + " (s) | MiB through the service (in + out)\n");
        for (Run r : runs) {
            s.append("| ").append(r.way().label).append(" | ").append(r.round()).append(" | ").append(fmt(r.seconds()))
                    .append(" | ").append(fmt(r.cpuSeconds())).append(" | ").append(fmt(r.bytes() / 1048576.0))
                    .append('\n');
        }
        s.append("|===\n");
        Path out = docs.resolve("pages/includes/server-to-server-benchmark.adoc");
        Files.createDirectories(out.getParent());
        Files.writeString(out, s, StandardCharsets.UTF_8);
        System.out.println("Wrote " + out);
        System.out.print(s);
    }

    private interface Metric {
        double of(Run run);
    }

    private static double median(List<Run> runs, Metric metric) {
        double[] values = runs.stream().mapToDouble(metric::of).sorted().toArray();
        return values.length % 2 == 1 ? values[values.length / 2]
                : (values[values.length / 2 - 1] + values[values.length / 2]) / 2;
    }

    /** An ASCII bar chart of one metric, bars scaled to the largest value. */
    private static void chart(StringBuilder s, String title, Map<Way, Run> medians, Metric metric) {
        double max = medians.values().stream().mapToDouble(metric::of).max().orElse(1);
        s.append(title).append('\n');
        for (Way way : Way.values()) {
            double value = metric.of(medians.get(way));
            int width = max <= 0 ? 0 : (int) Math.round(40 * value / max);
            s.append(String.format(Locale.ROOT, "  %-16s %-40s %s%n", name(way), "#".repeat(width), fmt(value)));
        }
    }

    private static String name(Way way) {
        return switch (way) {
            case FXP -> "server-to-server";
            case RELAY -> "autoftp relay";
            case STOCK -> "stock camel-ftp";
        };
    }

    private static String fmt(double value) {
        return value >= 100 ? String.format(Locale.ROOT, "%,.0f", value)
                : String.format(Locale.ROOT, value >= 10 ? "%.1f" : "%.2f", value);
    }

    /** commons-net clients for stock camel-ftp whose sockets count the bytes they carry (control ones too). */
    private static final class CountingSockets extends SocketFactory {
        private final AtomicLong bytes;

        CountingSockets(AtomicLong bytes) {
            this.bytes = bytes;
        }

        FTPClient client() {
            FTPClient client = new FTPClient();
            client.setSocketFactory(this);
            return client;
        }

        @Override
        public Socket createSocket() {
            return new Socket() {
                @Override
                public InputStream getInputStream() throws IOException {
                    return new java.io.FilterInputStream(super.getInputStream()) {
                        @Override
                        public int read(byte[] b, int off, int len) throws IOException {
                            int n = in.read(b, off, len);
                            if (n > 0) {
                                bytes.addAndGet(n);
                            }
                            return n;
                        }
                    };
                }

                @Override
                public OutputStream getOutputStream() throws IOException {
                    return new java.io.FilterOutputStream(super.getOutputStream()) {
                        @Override
                        public void write(byte[] b, int off, int len) throws IOException {
                            out.write(b, off, len);
                            bytes.addAndGet(len);
                        }
                    };
                }
            };
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            Socket socket = createSocket();
            socket.connect(new InetSocketAddress(host, port));
            return socket;
        }

        @Override
        public Socket createSocket(String host, int port, java.net.InetAddress local, int localPort) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Socket createSocket(java.net.InetAddress host, int port) throws IOException {
            Socket socket = createSocket();
            socket.connect(new InetSocketAddress(host, port));
            return socket;
        }

        @Override
        public Socket createSocket(java.net.InetAddress host, int port, java.net.InetAddress local, int localPort) {
            throw new UnsupportedOperationException();
        }
    }
}
