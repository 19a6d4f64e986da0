package io.autoftp.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import javax.imageio.ImageIO;

import io.autoftp.bench.Benchmark.Client;
import io.autoftp.bench.Benchmark.Result;
import io.autoftp.bench.Benchmark.Workload;
import org.apache.camel.impl.DefaultCamelContext;

/** Writes the report page (AsciiDoc) and its bar chart (PNG, drawn with Java2D) from a run's results. */
final class Report {

    private static final List<String> SERVERS = List.of(Benchmark.APACHE, Benchmark.VSFTPD);
    /** The columns of the main tables: autoftp with its defaults against curl and stock camel-ftp. */
    private static final List<Client> MAIN = List.of(Client.CURL, Client.STOCK, Client.AUTOFTP);
    private static final Map<Client, Color> COLORS = new EnumMap<>(Map.of(
            Client.CURL, new Color(0x888888), Client.STOCK, new Color(0xE08A2C), Client.AUTOFTP, new Color(0x2F6DB5),
            Client.AUTOFTP_ACTIVE, new Color(0x8DB4E2), Client.AUTOFTP_DEFAULT_HEAP, new Color(0x1B3F6B)));

    private final Benchmark bench;
    private final Duration took;

    Report(Benchmark bench, Duration took) {
        this.bench = bench;
        this.took = took;
    }

    String title(Workload w) {
        return switch (w) {
            case LARGE -> bench.largeMiB + " MiB download";
            case SMALL -> String.format(Locale.ROOT, "%,d × 10 KiB download", bench.smallFiles);
            case LISTING -> String.format(Locale.ROOT, "one poll of a %,d-entry directory", bench.listingEntries);
            case UPLOAD -> bench.largeMiB + " MiB upload";
            case LOW_MEMORY -> bench.largeMiB + " MiB download, " + Benchmark.LOW_MEMORY_XMX;
            case FALLBACK -> String.format(Locale.ROOT, "%,d × 10 KiB download, fallback", bench.smallFiles);
        };
    }

    static List<String> servers(Workload w) {
        return w == Workload.FALLBACK ? List.of(Benchmark.VSFTPD_NO_PASV) : SERVERS;
    }

    /** A client's name in a table or chart; against the server that refuses passive mode it says its mode. */
    static String label(Workload w, Client c) {
        if (w != Workload.FALLBACK) {
            return c.label;
        }
        return switch (c) {
            case STOCK -> "stock (active)";
            case AUTOFTP -> "autoftp (auto)";
            default -> c.label;
        };
    }

    static String shortLabel(Client c) {
        return switch (c) {
            case STOCK -> "stock";
            case AUTOFTP_ACTIVE -> "autoftp active";
            case AUTOFTP_DEFAULT_HEAP -> "autoftp default heap";
            default -> c.label;
        };
    }

    List<Result> of(Workload w, String server, Client c) {
        return bench.results.stream()
                .filter(r -> r.workload() == w && r.server().equals(server) && r.client() == c)
                .collect(Collectors.toList());
    }

    Optional<Result> of(Workload w, String server, Client c, int round) {
        return of(w, server, c).stream().filter(r -> r.round() == round).findFirst();
    }

    /** Median of the verified measurements, or empty. */
    Optional<Double> median(Workload w, String server, Client c) {
        return median(w, server, c, Result::value);
    }

    Optional<Double> median(Workload w, String server, Client c, java.util.function.ToDoubleFunction<Result> metric) {
        return median(of(w, server, c).stream().filter(Result::ok).map(metric::applyAsDouble)
                .filter(v -> !Double.isNaN(v)).collect(Collectors.toList()));
    }

    static Optional<Double> median(List<Double> values) {
        if (values.isEmpty()) {
            return Optional.empty();
        }
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return Optional.of(n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2);
    }

    /** autoftp's speed over the other client's in one round (above 1: autoftp faster). */
    Optional<Double> ratio(Workload w, String server, Client other, int round) {
        return ratio(w, Client.AUTOFTP, w, other, server, round);
    }

    /** One round's speed of a client in a workload over another's (both verified), or empty. */
    Optional<Double> ratio(Workload wa, Client a, Workload wb, Client b, String server, int round) {
        Optional<Result> ra = of(wa, server, a, round);
        Optional<Result> rb = of(wb, server, b, round);
        if (ra.isEmpty() || rb.isEmpty() || !ra.get().ok() || !rb.get().ok()) {
            return Optional.empty();
        }
        return Optional.of(ra.get().speed() / rb.get().speed());
    }

    /**
     * LOW_MEMORY: the speed under -Xmx128m over autoftp's in a child JVM with the default heap in the same round
     * (both cold JVMs); none for the baseline itself.
     */
    Optional<Double> vsUnconstrained(String server, Client c, int round) {
        return c == Client.AUTOFTP_DEFAULT_HEAP ? Optional.empty()
                : ratio(Workload.LOW_MEMORY, c, Workload.LOW_MEMORY, Client.AUTOFTP_DEFAULT_HEAP, server, round);
    }

    /** FALLBACK: a client's speed over autoftp pinned to active in the same round. */
    Optional<Double> vsPinned(Client c, int round) {
        return ratio(Workload.FALLBACK, c, Workload.FALLBACK, Client.AUTOFTP_ACTIVE, Benchmark.VSFTPD_NO_PASV, round);
    }

    Optional<Double> medianRatio(Workload w, String server, Client other) {
        return medianOverRounds(round -> ratio(w, server, other, round));
    }

    Optional<Double> medianOverRounds(java.util.function.IntFunction<Optional<Double>> perRound) {
        return median(everyRound(perRound));
    }

    /** The rounds' values that are there, in round order. */
    List<Double> everyRound(java.util.function.IntFunction<Optional<Double>> perRound) {
        List<Double> values = new ArrayList<>();
        for (int round = 1; round <= bench.rounds; round++) {
            perRound.apply(round).ifPresent(values::add);
        }
        return values;
    }

    /** "2 of 3: OutOfMemoryError (Java heap space)", the first failure's reason up to its first comma; "" if none. */
    String failures(Workload w, String server, Client c) {
        List<Result> failed = of(w, server, c).stream().filter(r -> !r.ok()).collect(Collectors.toList());
        if (failed.isEmpty()) {
            return "";
        }
        return failed.size() + " of " + of(w, server, c).size() + " failed: "
               + failed.get(0).failure().split(",")[0].replace("|", "\\|");
    }

    /**
     * The issue's targets for default options, each with its median from this run and whether it is met; where one is
     * not, the numbers of this run that say why.
     */
    void targets(StringBuilder s) {
        s.append("[[targets]]\n== Targets\n\n");
        s.append("The targets of issue 9 for autoftp with its default options, medians of this run's per-round ")
                .append("ratios.\n\n");
        s.append("[cols=\"4,2,>1,1\",options=\"header\"]\n|===\n| target | server | measured | met\n");
        for (String server : SERVERS) {
            target(s, "1 GiB download ≥ 1.0× curl", server, medianRatio(Workload.LARGE, server, Client.CURL), 1.0);
        }
        for (String server : SERVERS) {
            target(s, "1 GiB upload ≥ 1.0× curl", server, medianRatio(Workload.UPLOAD, server, Client.CURL), 1.0);
        }
        target(s, "1,000 small files ≥ 10× stock camel-ftp", Benchmark.APACHE,
                medianRatio(Workload.SMALL, Benchmark.APACHE, Client.STOCK), 10);
        target(s, "1,000 small files ≥ 2× stock camel-ftp", Benchmark.VSFTPD,
                medianRatio(Workload.SMALL, Benchmark.VSFTPD, Client.STOCK), 2);
        for (String server : SERVERS) {
            target(s, "a 10,000-entry poll ≥ 2× faster than stock camel-ftp", server,
                    medianRatio(Workload.LISTING, server, Client.STOCK), 2);
        }
        for (String server : SERVERS) {
            Optional<Double> rss = median(Workload.LOW_MEMORY, server, Client.AUTOFTP, Result::peakRssMiB);
            Optional<Double> speed = medianOverRounds(round -> vsUnconstrained(server, Client.AUTOFTP, round));
            boolean met = rss.isPresent() && speed.isPresent() && rss.get() <= 143 && speed.get() >= 0.8;
            s.append("| 1 GiB under ").append(Benchmark.LOW_MEMORY_XMX)
                    .append(" in ≤ 150 MB (143 MiB) peak RSS at ≥ 0.8× the unconstrained speed | ").append(server)
                    .append(" | ").append(num(rss)).append(" MiB at ").append(num(speed)).append("× | ")
                    .append(rss.isEmpty() || speed.isEmpty() ? "not run" : met ? "yes" : "*no*").append('\n');
        }
        Optional<Double> first = median(Workload.FALLBACK, Benchmark.VSFTPD_NO_PASV, Client.AUTOFTP,
                r -> r.firstSeconds() * 1000);
        s.append("| fallback: the first file within one `dataConnectTimeout` (5,000 ms) | ")
                .append(Benchmark.VSFTPD_NO_PASV).append(" | ").append(num(first)).append(" ms | ")
                .append(first.isEmpty() ? "not run" : first.get() <= 5000 ? "yes" : "*no*").append('\n');
        target(s, "fallback: later polls within 5% of the pinned mode (≥ 0.95×)", Benchmark.VSFTPD_NO_PASV,
                medianOverRounds(round -> vsPinned(Client.AUTOFTP, round)), 0.95);
        s.append("|===\n\n");

        for (String server : SERVERS) {
            Optional<Double> curlSeconds = median(Workload.LISTING, server, Client.CURL);
            Optional<Double> stockSeconds = median(Workload.LISTING, server, Client.STOCK);
            Optional<Double> ratio = medianRatio(Workload.LISTING, server, Client.STOCK);
            if (curlSeconds.isPresent() && stockSeconds.isPresent() && ratio.isPresent() && ratio.get() < 2) {
                s.append("* The listing on ").append(server).append(": 2× faster than stock camel-ftp's ")
                        .append(num(stockSeconds.get())).append(" s would be ").append(num(stockSeconds.get() / 2))
                        .append(" s for the whole poll (Camel route start, connect, login, the LIST, parsing and ")
                        .append("checking every entry). curl, which only connects, logs in and receives the LIST ")
                        .append("bytes without parsing them, takes ").append(num(curlSeconds.get()))
                        .append(" s on its own: the server's time to produce the listing sets the floor, and MLSD ")
                        .append("would not lower it (vsftpd has none).\n");
            }
        }
        for (Workload w : List.of(Workload.LARGE, Workload.UPLOAD)) {
            for (String server : SERVERS) {
                Optional<Double> ratio = medianRatio(w, server, Client.CURL);
                if (ratio.isEmpty() || ratio.get() >= 1) {
                    continue;
                }
                List<Double> rounds = everyRound(round -> ratio(w, server, Client.CURL, round));
                s.append("* The ").append(title(w)).append(" on ").append(server).append(": autoftp ")
                        .append(num(median(w, server, Client.AUTOFTP))).append(" MiB/s, curl ")
                        .append(num(median(w, server, Client.CURL))).append(", stock camel-ftp ")
                        .append(num(median(w, server, Client.STOCK))).append(" (autoftp / stock ")
                        .append(num(medianRatio(w, server, Client.STOCK))).append("); the per-round ratios to curl ")
                        .append("spread from ").append(num(Collections.min(rounds))).append(" to ")
                        .append(num(Collections.max(rounds))).append(", so the gap to 1.0 is inside this machine's ")
                        .append("noise.\n");
            }
        }
        Optional<Double> pinned = medianOverRounds(round -> vsPinned(Client.AUTOFTP, round));
        if (pinned.isPresent() && pinned.get() < 0.95) {
            List<Double> rounds = everyRound(round -> vsPinned(Client.AUTOFTP, round));
            s.append("* The fallback's later polls: after the first file autoftp sends the commands the pinned mode ")
                    .append("sends (the mode memory answers, no failed try: `FirewallMatrixTest` asserts it in every ")
                    .append("network), so what is left is noise; this run's per-round ratios spread from ")
                    .append(num(Collections.min(rounds))).append(" to ").append(num(Collections.max(rounds)))
                    .append(", wider than the 5% to be shown.\n");
        }
        s.append('\n');
    }

    private static void target(StringBuilder s, String target, String server, Optional<Double> ratio,
                               double atLeast) {
        s.append("| ").append(target).append(" | ").append(server).append(" | ").append(num(ratio)).append("× | ")
                .append(ratio.isEmpty() ? "not run" : ratio.get() >= atLeast ? "yes" : "*no*").append('\n');
    }

    static String num(Optional<Double> v) {
        return v.map(Report::num).orElse("—");
    }

    static String num(double v) {
        if (v >= 100) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        return String.format(Locale.ROOT, v >= 10 ? "%.1f" : "%.2f", v);
    }

    String cell(Workload w, String server, Client c, int round) {
        Optional<Result> r = of(w, server, c, round);
        if (r.isEmpty()) {
            return missing(w, c);
        }
        return r.get().ok() ? num(r.get().value()) : "failed: " + r.get().failure().replace("|", "\\|");
    }

    /** Why a client has no measurement: not part of the workload, or curl not installed. */
    String missing(Workload w, Client c) {
        if (!w.clients().contains(c)) {
            return "not run";
        }
        return c == Client.CURL && !bench.curl ? "skipped" : "—";
    }

    static String num(double v, String unit) {
        return Double.isNaN(v) ? "—" : num(v) + unit;
    }

    /** The clients of one workload, server and round in the order they ran. */
    String order(Workload w, String server, int round) {
        return bench.results.stream()
                .filter(r -> r.workload() == w && r.server().equals(server) && r.round() == round)
                .sorted((a, b) -> Integer.compare(a.position(), b.position()))
                .map(r -> shortLabel(r.client()))
                .collect(Collectors.joining(", "));
    }

    void write() throws IOException {
        Path pages = Files.createDirectories(bench.docs.resolve("pages"));
        Path images = Files.createDirectories(bench.docs.resolve("images"));
        ImageIO.write(chart(), "png", images.resolve("benchmark.png").toFile());
        Files.writeString(pages.resolve("benchmark.adoc"), page());
    }

    // ---------------------------------------------------------------------------------------------------------

    String page() {
        StringBuilder s = new StringBuilder();
        String date = ZonedDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm z", Locale.ROOT));
        s.append("= Benchmark: curl, stock camel-ftp and autoftp on loopback\n\n");
        s.append("This page is written by the benchmark in `bench/` (issue 9); do not edit it by hand. Last run: ")
                .append(date).append(", ").append(bench.rounds).append(" rounds, ").append(took.toMinutes())
                .append(" min ").append(took.toSecondsPart()).append(" s.\n\n");
        s.append("image::benchmark.png[Medians per workload, server and client]\n\n");
        s.append("All Camel measurements except the ones under `" + Benchmark.LOW_MEMORY_XMX + "` share one JVM (a"
                 + " fresh Camel context each): from the second round on, stock camel-ftp runs in a warm JVM with a"
                 + " grown heap, so its first round shows the cold figure and the medians flatter it.\n\n");

        s.append("== Medians\n\n");
        s.append("Throughput in MiB/s or files/s (higher is better); the listing in seconds (lower is better). Ratios "
                 + "are speed ratios, above 1 when autoftp is faster (for the listing: the other client's time over "
                 + "autoftp's), the median of the per-round ratios. A failed or unverified transfer counts in no "
                 + "median. autoftp runs with its defaults everywhere; in the fallback rows stock camel-ftp runs with "
                 + "its default, active mode (see <<fallback>>).\n\n");
        s.append("[cols=\"3,2,>1,>1,>1,>1,>1\",options=\"header\"]\n|===\n")
                .append("| workload | server | curl | stock camel-ftp | autoftp | autoftp / curl | autoftp / stock\n");
        for (Workload w : Workload.values()) {
            for (String server : servers(w)) {
                s.append("| ").append(title(w)).append(" (").append(w.unit).append(") | ").append(server);
                for (Client c : MAIN) {
                    Optional<Double> m = median(w, server, c);
                    s.append(" | ").append(m.isEmpty() && !of(w, server, c).isEmpty() ? "failed" : m.isEmpty()
                            ? missing(w, c) : num(m.get()));
                }
                s.append(" | ").append(num(medianRatio(w, server, Client.CURL)))
                        .append(" | ").append(num(medianRatio(w, server, Client.STOCK))).append('\n');
            }
        }
        s.append("|===\n\n");

        targets(s);

        s.append("[[cpu]]\n== CPU per small file\n\n");
        s.append("Loopback has no network to wait for: client, server and kernel share the machine's ")
                .append(Runtime.getRuntime().availableProcessors()).append(" cores, so the rate at which small files ")
                .append("can move is bounded by the CPU time each file costs all of them together. Measured from ")
                .append("`/proc/stat` over each small-file measurement (machine-wide: the client, the server, the ")
                .append("kernel; with Apache FtpServer the server runs in the benchmark's JVM). The ceiling is the ")
                .append("rate at which the cores would be busy all the time at that cost per file. The client's part is ")
                .append("the benchmark JVM's CPU time and its waited-for children's (curl), from `/proc/self/stat`: ")
                .append("with vsftpd that is the client alone (vsftpd's session processes are not the JVM's ")
                .append("children), with Apache FtpServer it includes the server. The last column is the ceiling ")
                .append("that the rest (server and kernel) leaves, i.e. for a client that cost no CPU at all. ")
                .append("Medians over the rounds.\n\n");
        s.append("[cols=\"2,2,>1,>1,>1,>1,>1,>1\",options=\"header\"]\n|===\n")
                .append("| server | client | files/s | machine busy | CPU ms per file | of it the client's ")
                .append("| ceiling (files/s) | ceiling, client free\n");
        for (String server : SERVERS) {
            for (Client c : MAIN) {
                Optional<Double> perFile = median(Workload.SMALL, server, c,
                        r -> r.machineCpuSeconds() * 1000 / bench.smallFiles);
                Optional<Double> clientPerFile = median(Workload.SMALL, server, c,
                        r -> r.clientCpuSeconds() * 1000 / bench.smallFiles);
                Optional<Double> restPerFile = median(Workload.SMALL, server, c,
                        r -> (r.machineCpuSeconds() - r.clientCpuSeconds()) * 1000 / bench.smallFiles);
                s.append("| ").append(server).append(" | ").append(c.label)
                        .append(" | ").append(num(median(Workload.SMALL, server, c)))
                        .append(" | ").append(median(Workload.SMALL, server, c, Result::machineBusy)
                                .map(b -> Math.round(b * 100) + " %").orElse("—"))
                        .append(" | ").append(num(perFile))
                        .append(" | ").append(num(clientPerFile))
                        .append(" | ").append(num(perFile.filter(ms -> ms > 0)
                                .map(ms -> Runtime.getRuntime().availableProcessors() * 1000 / ms)))
                        .append(" | ").append(num(restPerFile.filter(ms -> ms > 0)
                                .map(ms -> Runtime.getRuntime().availableProcessors() * 1000 / ms)))
                        .append('\n');
            }
        }
        s.append("|===\n\n");

        s.append("[[low-memory]]\n== Under `").append(Benchmark.LOW_MEMORY_XMX).append("`\n\n");
        s.append("The large download again, each in a child JVM with `").append(Benchmark.LOW_MEMORY_XMX)
                .append("`; its peak resident set (RSS) sampled from `/proc`. The ratio is the child's speed over ")
                .append("autoftp's in a child JVM with the default heap (a quarter of the machine's memory) in the ")
                .append("same round, so that both pay the same cold-JVM start (JIT, class loading). The ")
                .append("issue's target for autoftp: at most 150 MB (143 MiB) peak RSS at 0.8× its unconstrained ")
                .append("speed or more. Medians of the verified rounds.\n\n");
        s.append("[cols=\"2,2,>1,>1,>1,3\",options=\"header\"]\n|===\n")
                .append("| server | client | MiB/s | peak RSS (MiB) | / unconstrained | failures\n");
        for (String server : SERVERS) {
            for (Client c : Workload.LOW_MEMORY.clients()) {
                s.append("| ").append(server).append(" | ").append(c.label)
                        .append(" | ").append(num(median(Workload.LOW_MEMORY, server, c)))
                        .append(" | ").append(num(median(Workload.LOW_MEMORY, server, c, Result::peakRssMiB)))
                        .append(" | ").append(num(medianOverRounds(round -> vsUnconstrained(server, c, round))))
                        .append(" | ").append(failures(Workload.LOW_MEMORY, server, c)).append('\n');
            }
        }
        s.append("|===\n\n");

        s.append("[[fallback]]\n== Fallback\n\n");
        s.append("The small files from a vsftpd that refuses passive mode (`pasv_enable=NO`: EPSV and PASV answer 550)."
                 + " autoftp with its defaults (`dataChannel=auto`, a fresh mode memory every measurement, so the "
                 + "first file pays for the fallback), autoftp pinned to the mode that works (`dataChannel=active`), "
                 + "and stock camel-ftp with `passiveMode=false` (its default). First file: from "
                 + "`CamelContext.start()` until the first file was written, in milliseconds. The ratio is the speed "
                 + "over pinned autoftp's in the same round. The issue's targets: within 5% of the pinned mode (a "
                 + "ratio of 0.95 or more) and the first file within one `dataConnectTimeout` (5 s).\n\n");
        s.append("[cols=\"3,>1,>1,>1,3\",options=\"header\"]\n|===\n")
                .append("| client | files/s | first file (ms) | / autoftp active | failures\n");
        for (Client c : Workload.FALLBACK.clients()) {
            s.append("| ").append(label(Workload.FALLBACK, c))
                    .append(" | ").append(num(median(Workload.FALLBACK, Benchmark.VSFTPD_NO_PASV, c)))
                    .append(" | ").append(num(median(Workload.FALLBACK, Benchmark.VSFTPD_NO_PASV, c,
                            r -> r.firstSeconds() * 1000)))
                    .append(" | ").append(c == Client.AUTOFTP_ACTIVE ? "1"
                            : num(medianOverRounds(round -> vsPinned(c, round))))
                    .append(" | ").append(failures(Workload.FALLBACK, Benchmark.VSFTPD_NO_PASV, c)).append('\n');
        }
        s.append("|===\n\n");

        s.append("== Every round\n\n");
        s.append("The clients ran in the order given, one after the other (the order rotates every round).\n\n");
        s.append("[cols=\"3,2,>1,2,>1,>1,>1,>1,>1\",options=\"header\"]\n|===\n")
                .append("| workload | server | round | order | curl | stock camel-ftp | autoftp | autoftp / curl"
                        + " | autoftp / stock\n");
        for (Workload w : Workload.values()) {
            for (String server : servers(w)) {
                for (int round = 1; round <= bench.rounds; round++) {
                    s.append("| ").append(title(w)).append(" (").append(w.unit).append(") | ").append(server)
                            .append(" | ").append(round).append(" | ").append(order(w, server, round));
                    for (Client c : MAIN) {
                        s.append(" | ").append(cell(w, server, c, round));
                    }
                    s.append(" | ").append(num(ratio(w, server, Client.CURL, round)))
                            .append(" | ").append(num(ratio(w, server, Client.STOCK, round))).append('\n');
                }
            }
        }
        s.append("|===\n\n");
        s.append("Under `").append(Benchmark.LOW_MEMORY_XMX).append("` and with the fallback, every round:\n\n");
        s.append("[cols=\"3,2,>1,2,2,>1,>1,>1,>1\",options=\"header\"]\n|===\n")
                .append("| workload | server | round | order | client | speed | peak RSS (MiB) | first file (ms)"
                        + " | ratio\n");
        for (Workload w : List.of(Workload.LOW_MEMORY, Workload.FALLBACK)) {
            for (String server : servers(w)) {
                for (int round = 1; round <= bench.rounds; round++) {
                    for (Client c : w.clients()) {
                        Optional<Result> r = of(w, server, c, round);
                        Optional<Double> ratio = w == Workload.LOW_MEMORY ? vsUnconstrained(server, c, round)
                                : c == Client.AUTOFTP_ACTIVE ? Optional.empty() : vsPinned(c, round);
                        s.append("| ").append(title(w)).append(" (").append(w.unit).append(") | ").append(server)
                                .append(" | ").append(round).append(" | ").append(order(w, server, round))
                                .append(" | ").append(label(w, c))
                                .append(" | ").append(cell(w, server, c, round))
                                .append(" | ").append(r.map(x -> num(x.peakRssMiB(), "")).orElse("—"))
                                .append(" | ").append(r.filter(Result::ok)
                                        .map(x -> num(x.firstSeconds() * 1000, "")).orElse("—"))
                                .append(" | ").append(ratio.map(v -> num(v) + (w == Workload.LOW_MEMORY
                                        ? " of unconstrained" : " of active")).orElse("—")).append('\n');
                    }
                }
            }
        }
        s.append("|===\n\n");

        s.append("== Machine\n\n");
        s.append("* ").append(Runtime.getRuntime().availableProcessors()).append(" cores, ").append(memory())
                .append(" memory, ").append(System.getProperty("os.name")).append(' ')
                .append(System.getProperty("os.version")).append(" (").append(System.getProperty("os.arch"))
                .append(")\n");
        s.append("* JDK ").append(System.getProperty("java.runtime.version")).append(" (")
                .append(System.getProperty("java.vm.name")).append("), heap -Xmx")
                .append(System.getProperty("bench.xmx", "?")).append(" (max ")
                .append(Runtime.getRuntime().maxMemory() / (1024 * 1024)).append(" MiB); the low-memory child JVMs `")
                .append(Benchmark.LOW_MEMORY_XMX).append(" -XX:+ExitOnOutOfMemoryError`\n");
        s.append("* Camel ").append(camelVersion()).append(", commons-net ")
                .append(Optional.ofNullable(org.apache.commons.net.ftp.FTPClient.class.getPackage()
                        .getImplementationVersion()).orElse("(version not in its manifest)"))
                .append(", Apache FtpServer ")
                .append(Optional.ofNullable(org.apache.ftpserver.FtpServer.class.getPackage()
                        .getImplementationVersion()).orElse("(version not in its manifest)"))
                .append(", vsftpd from Debian (`.ci/fetch-ftp-servers.sh`)\n");
        s.append("* ").append(bench.curl ? bench.curlVersion.split(" \\(")[0] : "curl: not installed, skipped")
                .append("\n");
        s.append("* Date: ").append(date).append("\n\n");

        s.append("== Method\n\n");
        s.append("""
                * Servers: Apache FtpServer (`EmbeddedFtpServer`, in the benchmark's JVM) and vsftpd (`RealFtpServer`, a \
                child process running as root), both on 127.0.0.1 with their defaults, passive and active allowed. \
                Each holds the same files, written once before the first round (so they are in the page cache for \
                every client alike). For the fallback, a second vsftpd started with \
                `RealFtpServer.builder().kind(VSFTPD).refusePassive()` holds the same small files.
                * Clients, measured one after the other in the same run, the order rotating every round:
                ** curl with its defaults (EPSV passive, binary), one process per measurement;
                ** stock camel-ftp, `ftp:` with camel-ftp's defaults plus `binary=true&passiveMode=true`;
                ** autoftp, `autoftp:` with its defaults plus `binary=true`.
                +
                Both Camel clients also get `noop=true` (the server's files stay for the next client) and \
                `initialDelay=0` (the first poll starts with the route instead of 1 s later). Each Camel measurement \
                runs in a fresh `CamelContext` (so a fresh component and, for autoftp, a fresh mode memory) in the \
                same JVM as the other measurements; the JIT is warm after the first round. Before every measurement                 the page cache's dirty pages are written out (`sync`, not timed), so that no client pays for the                 write-back of the gigabyte the one before it uploaded or downloaded.
                * Large file: one file of the given size in `big/`; a route from the server's `big/` directory to a local `file:` folder. Time \
                from `CamelContext.start()` until the file producer has written the file; curl: the process's \
                lifetime (`curl -o`). Verified by the file's SHA-256.
                * Small files: `small/` holds the given number of 10 KiB random files; the route downloads all of \
                them into an empty local folder; time from `CamelContext.start()` until the last one is written. \
                curl lists the directory (`curl -l`, NLST) and then fetches every file in one process (a `-K` config \
                of url/output pairs, one reused control connection); both processes are timed. Verified by comparing \
                the SHA-256 of every file with the served tree.
                * Listing: `list/` holds the given number of empty files. The route's consumer gets a `filter` that \
                counts every entry it is asked about and accepts none, and a `pollStrategy` whose `commit` marks \
                the end of the first poll. The time from `CamelContext.start()` to that commit is one complete poll: \
                connect, login, the directory listing and its parsing, and the consumer's check of every entry, with \
                no download. Verified: the filter saw every entry. curl: `curl ftp://.../list/` (LIST) into a file, \
                its lifetime; verified by counting the entries in its output.
                * Upload: one random file of the large file's size, written once per run on the local disk (not on a \
                server), in a folder of its own; a route `file:<folder>?noop=true&initialDelay=0` to the server's \
                `up/` directory (stock: `ftp://...@host:port/up?binary=true&passiveMode=true`, autoftp: \
                `autoftp://...@host:port/up?binary=true`). Time from `CamelContext.start()` until the FTP producer \
                has completed the exchange (a processor after the `to`); curl: `curl -T <file> ftp://.../up/big.bin`, \
                the process's lifetime. Verified by the SHA-256 of `up/big.bin` in the server's directory, which is \
                then deleted before the next client's upload.
                * Under `-Xmx128m`: stock camel-ftp and autoftp only (curl has no heap to limit). The large-file route \
                with the same URI and options runs in a child JVM (`java -Xmx128m -XX:+ExitOnOutOfMemoryError -cp \
                <the benchmark's classpath> io.autoftp.bench.Benchmark$LowMemoryChild`), which prints its time from \
                `CamelContext.start()` until the file was written, so the JVM's start is not in it; it is a cold JVM \
                in every round, and so is the baseline it is compared with: autoftp in the same child JVM with the \
                default heap (no `-Xmx`). The parent \
                samples the child's `VmHWM` and `VmRSS` in `/proc/<pid>/status` every 50 ms while it lives and keeps \
                the largest. Verified by the file's SHA-256. An `OutOfMemoryError` (stock camel-ftp reads a whole file \
                into memory) ends the child and is recorded as a failure; the run goes on.
                * Fallback: the small-files route against the vsftpd that refuses passive mode, with autoftp's \
                defaults (`dataChannel=auto`), autoftp pinned to `dataChannel=active`, and stock camel-ftp with its \
                default `passiveMode=false` (passive could not work there), timed and verified as the small files, \
                plus the time until the first file was written. That server answers EPSV and PASV with an error \
                reply, on which autoftp falls back at once (EPRT next). A firewall that silently drops the passive \
                data connection instead costs the first file at most one `dataConnectTimeout` (5 s by default), and \
                no later transfer anything, once the mode is learned; that case is not measured here but covered by \
                the network-namespace matrix tests (`FirewallMatrixTest` asserts both).
                * Ratios compare the same round's measurements; medians are over the rounds. No timing is asserted \
                anywhere: the benchmark reports, it does not pass or fail on speed.

                == Running it

                As root (vsftpd runs as root), with the servers unpacked by `sudo .ci/fetch-ftp-servers.sh`:

                ----
                ./mvnw -B -Pbench -pl bench -am verify -DskipTests -Dbench.rounds=3
                ----

                `-Dbench.largeMiB=1024` (the size of the large download, the upload and the download under \
                `-Xmx128m`), `-Dbench.smallFiles=1000` (also the fallback's files), `-Dbench.listingEntries=10000` \
                and `-Dbench.xmx=6g` (the benchmark JVM's heap; stock camel-ftp holds a large file in memory; the \
                low-memory children always get `-Xmx128m`) change the workloads. It starts three servers: Apache \
                FtpServer, vsftpd, and a second vsftpd that refuses passive mode. The `bench` profile is the only \
                place the `bench/` module is built: `./mvnw verify` and CI never run it. `-DskipTests` skips the \
                other modules' tests, not the benchmark. It rewrites this page and `images/benchmark.png`.
                """);
        return s.toString();
    }

    static String memory() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    long kib = Long.parseLong(line.replaceAll("\\D", ""));
                    return String.format(Locale.ROOT, "%.1f GiB", kib / (1024.0 * 1024.0));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux: unknown
        }
        return "(unknown)";
    }

    static String camelVersion() {
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            return context.getVersion();
        } catch (IOException e) {
            return "(unknown)";
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    /** One bar: a median (empty: {@code missing} is shown instead) and a note under the client's name. */
    record Bar(String label, Color color, Optional<Double> value, String note, String missing) {
    }

    /**
     * One panel per workload and server, a bar per client (its median), each panel on its own scale. The fallback
     * row has one server: its second panel shows the time until the first file.
     */
    BufferedImage chart() {
        int panelW = 560;
        int panelH = 260;
        int top = 70;
        int width = panelW * SERVERS.size() + 40;
        int height = top + panelH * Workload.values().length + 20;
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
        g.drawString("curl, stock camel-ftp and autoftp on loopback: medians of " + bench.rounds + " rounds", 20, 28);
        // legend
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        int lx = 20;
        for (Client c : Client.values()) {
            String name = c == Client.AUTOFTP_ACTIVE ? "autoftp, dataChannel=active" : c.label;
            g.setColor(COLORS.get(c));
            g.fillRect(lx, 42, 14, 14);
            g.setColor(Color.BLACK);
            g.drawString(name, lx + 20, 54);
            lx += 40 + g.getFontMetrics().stringWidth(name);
        }
        int row = 0;
        for (Workload w : Workload.values()) {
            int y = top + row * panelH;
            List<String> servers = servers(w);
            for (int col = 0; col < servers.size(); col++) {
                String server = servers.get(col);
                String subtitle = w == Workload.LISTING ? "seconds, lower is better" : w.unit + ", higher is better";
                List<Bar> bars = new ArrayList<>();
                for (Client c : w.clients()) {
                    String note = "";
                    if (w == Workload.LOW_MEMORY) {
                        note = median(w, server, c, Result::peakRssMiB).map(v -> "peak RSS " + num(v) + " MiB")
                                .orElse("");
                    }
                    bars.add(new Bar(label(w, c), COLORS.get(c), median(w, server, c), note, noResult(w, server, c)));
                }
                panel(g, title(w) + ", " + server, subtitle, bars, 20 + col * panelW, y, panelW - 20, panelH - 20);
            }
            if (w == Workload.FALLBACK) {
                String server = servers.get(0);
                List<Bar> bars = new ArrayList<>();
                for (Client c : w.clients()) {
                    bars.add(new Bar(label(w, c), COLORS.get(c), median(w, server, c, r -> r.firstSeconds() * 1000),
                            "", noResult(w, server, c)));
                }
                panel(g, "Fallback: time until the first file",
                        "milliseconds from CamelContext.start(), lower is better", bars, 20 + panelW, y, panelW - 20,
                        panelH - 20);
            }
            row++;
        }
        g.dispose();
        return img;
    }

    /** What a bar without a median says: its failure (all rounds failed), skipped, or no result. */
    String noResult(Workload w, String server, Client c) {
        List<Result> rs = of(w, server, c);
        if (rs.isEmpty()) {
            return missing(w, c);
        }
        boolean oom = rs.stream().allMatch(r -> !r.ok() && r.failure().startsWith("OutOfMemoryError"));
        return oom ? "OutOfMemoryError" : "failed";
    }

    private void panel(Graphics2D g, String title, String subtitle, List<Bar> bars, int x, int y, int pw, int ph) {
        g.setColor(new Color(0xF4F4F4));
        g.fillRect(x, y, pw, ph);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString(title, x + 10, y + 20);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.drawString(subtitle, x + 10, y + 36);
        double max = bars.stream().mapToDouble(b -> b.value().orElse(0.0)).max().orElse(0);
        boolean notes = bars.stream().anyMatch(b -> !b.note().isEmpty());
        int baseY = y + ph - (notes ? 44 : 30);
        int chartTop = y + 60;
        int barW = 110;
        int gap = (pw - bars.size() * barW) / (bars.size() + 1);
        g.setStroke(new BasicStroke(1));
        g.setColor(Color.GRAY);
        g.drawLine(x + 10, baseY, x + pw - 10, baseY);
        FontMetrics fm = g.getFontMetrics();
        for (int i = 0; i < bars.size(); i++) {
            Bar bar = bars.get(i);
            int bx = x + gap + i * (barW + gap);
            if (bar.value().isPresent() && max > 0) {
                int bh = (int) Math.round((baseY - chartTop) * bar.value().get() / max);
                g.setColor(bar.color());
                g.fillRect(bx, baseY - bh, barW, bh);
                g.setColor(Color.BLACK);
                String label = num(bar.value().get());
                g.drawString(label, bx + (barW - fm.stringWidth(label)) / 2, baseY - bh - 4);
            } else {
                g.setColor(bar.missing().equals("OutOfMemoryError") ? new Color(0xB00020) : Color.DARK_GRAY);
                g.drawString(bar.missing(), bx + (barW - fm.stringWidth(bar.missing())) / 2, baseY - 4);
            }
            g.setColor(Color.BLACK);
            g.drawString(bar.label(), bx + (barW - fm.stringWidth(bar.label())) / 2, baseY + 16);
            if (!bar.note().isEmpty()) {
                g.setColor(Color.DARK_GRAY);
                g.drawString(bar.note(), bx + (barW - fm.stringWidth(bar.note())) / 2, baseY + 32);
            }
        }
    }
}
