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

    private static final List<String> SERVERS = List.of("Apache FtpServer", "vsftpd");
    private static final Map<Client, Color> COLORS = new EnumMap<>(Map.of(
            Client.CURL, new Color(0x888888), Client.STOCK, new Color(0xE08A2C), Client.AUTOFTP, new Color(0x2F6DB5)));

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
        return median(of(w, server, c).stream().filter(Result::ok).map(Result::value).collect(Collectors.toList()));
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
        Optional<Result> a = of(w, server, Client.AUTOFTP, round);
        Optional<Result> o = of(w, server, other, round);
        if (a.isEmpty() || o.isEmpty() || !a.get().ok() || !o.get().ok()) {
            return Optional.empty();
        }
        return Optional.of(a.get().speed() / o.get().speed());
    }

    Optional<Double> medianRatio(Workload w, String server, Client other) {
        List<Double> ratios = new ArrayList<>();
        for (int round = 1; round <= bench.rounds; round++) {
            ratio(w, server, other, round).ifPresent(ratios::add);
        }
        return median(ratios);
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
            return c == Client.CURL && !bench.curl ? "skipped" : "—";
        }
        return r.get().ok() ? num(r.get().value()) : "failed: " + r.get().failure().replace("|", "\\|");
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
        s.append("Not measured yet: the 1 GiB upload, the 1 GiB download under `-Xmx128m`, and the cost of a fallback."
                 + " All Camel measurements share one JVM (a fresh Camel context each): from the second round on, stock"
                 + " camel-ftp runs in a warm JVM with a grown heap, so its first round shows the cold figure and the"
                 + " medians flatter it.\n\n");

        s.append("== Medians\n\n");
        s.append("Throughput in MiB/s or files/s (higher is better); the listing in seconds (lower is better). Ratios "
                 + "are speed ratios, above 1 when autoftp is faster (for the listing: the other client's time over "
                 + "autoftp's), the median of the per-round ratios. A failed or unverified transfer counts in no "
                 + "median.\n\n");
        s.append("[cols=\"3,2,>1,>1,>1,>1,>1\",options=\"header\"]\n|===\n")
                .append("| workload | server | curl | stock camel-ftp | autoftp | autoftp / curl | autoftp / stock\n");
        for (Workload w : Workload.values()) {
            for (String server : SERVERS) {
                s.append("| ").append(title(w)).append(" (").append(w.unit).append(") | ").append(server);
                for (Client c : Client.values()) {
                    s.append(" | ").append(c == Client.CURL && !bench.curl ? "skipped" : num(median(w, server, c)));
                }
                s.append(" | ").append(num(medianRatio(w, server, Client.CURL)))
                        .append(" | ").append(num(medianRatio(w, server, Client.STOCK))).append('\n');
            }
        }
        s.append("|===\n\n");

        s.append("== Every round\n\n");
        s.append("The clients ran in the order given, one after the other (the order rotates every round).\n\n");
        s.append("[cols=\"3,2,>1,2,>1,>1,>1,>1,>1\",options=\"header\"]\n|===\n")
                .append("| workload | server | round | order | curl | stock camel-ftp | autoftp | autoftp / curl"
                        + " | autoftp / stock\n");
        for (Workload w : Workload.values()) {
            for (String server : SERVERS) {
                for (int round = 1; round <= bench.rounds; round++) {
                    int rnd = round;
                    String order = bench.results.stream()
                            .filter(r -> r.workload() == w && r.server().equals(server) && r.round() == rnd)
                            .sorted((a, b) -> Integer.compare(a.position(), b.position()))
                            .map(r -> r.client() == Client.STOCK ? "stock" : r.client().label)
                            .collect(Collectors.joining(", "));
                    s.append("| ").append(title(w)).append(" (").append(w.unit).append(") | ").append(server)
                            .append(" | ").append(round).append(" | ").append(order);
                    for (Client c : Client.values()) {
                        s.append(" | ").append(cell(w, server, c, round));
                    }
                    s.append(" | ").append(num(ratio(w, server, Client.CURL, round)))
                            .append(" | ").append(num(ratio(w, server, Client.STOCK, round))).append('\n');
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
                .append(Runtime.getRuntime().maxMemory() / (1024 * 1024)).append(" MiB)\n");
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
                every client alike).
                * Clients, measured one after the other in the same run, the order rotating every round:
                ** curl with its defaults (EPSV passive, binary), one process per measurement;
                ** stock camel-ftp, `ftp:` with camel-ftp's defaults plus `binary=true&passiveMode=true`;
                ** autoftp, `autoftp:` with its defaults plus `binary=true`.
                +
                Both Camel clients also get `noop=true` (the server's files stay for the next client) and \
                `initialDelay=0` (the first poll starts with the route instead of 1 s later). Each Camel measurement \
                runs in a fresh `CamelContext` (so a fresh component and, for autoftp, a fresh mode memory) in the \
                same JVM as the other measurements; the JIT is warm after the first round.
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
                * Ratios compare the same round's measurements; medians are over the rounds. No timing is asserted \
                anywhere: the benchmark reports, it does not pass or fail on speed.

                == Running it

                As root (vsftpd runs as root), with the servers unpacked by `sudo .ci/fetch-ftp-servers.sh`:

                ----
                ./mvnw -B -Pbench -pl bench -am verify -DskipTests -Dbench.rounds=3
                ----

                `-Dbench.largeMiB=1024` (the large file's size), `-Dbench.smallFiles=1000`, \
                `-Dbench.listingEntries=10000` and `-Dbench.xmx=6g` (the benchmark JVM's heap; stock camel-ftp holds \
                a large file in memory) change the workloads. The `bench` profile is the only place the `bench/` \
                module is built: `./mvnw verify` and CI never run it. `-DskipTests` skips the other modules' tests, \
                not the benchmark. It rewrites this page and `images/benchmark.png`.
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

    /** One panel per workload and server, a bar per client (its median), each panel on its own scale. */
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
            g.setColor(COLORS.get(c));
            g.fillRect(lx, 42, 14, 14);
            g.setColor(Color.BLACK);
            g.drawString(c.label, lx + 20, 54);
            lx += 40 + g.getFontMetrics().stringWidth(c.label);
        }
        int row = 0;
        for (Workload w : Workload.values()) {
            int col = 0;
            for (String server : SERVERS) {
                panel(g, w, server, 20 + col * panelW, top + row * panelH, panelW - 20, panelH - 20);
                col++;
            }
            row++;
        }
        g.dispose();
        return img;
    }

    private void panel(Graphics2D g, Workload w, String server, int x, int y, int pw, int ph) {
        g.setColor(new Color(0xF4F4F4));
        g.fillRect(x, y, pw, ph);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString(title(w) + ", " + server, x + 10, y + 20);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.drawString(w == Workload.LISTING ? "seconds, lower is better" : w.unit + ", higher is better", x + 10,
                y + 36);
        double max = 0;
        Map<Client, Optional<Double>> medians = new EnumMap<>(Client.class);
        for (Client c : Client.values()) {
            Optional<Double> m = median(w, server, c);
            medians.put(c, m);
            max = Math.max(max, m.orElse(0.0));
        }
        int baseY = y + ph - 30;
        int chartTop = y + 60;
        int barW = 110;
        int gap = (pw - 3 * barW) / 4;
        g.setStroke(new BasicStroke(1));
        g.setColor(Color.GRAY);
        g.drawLine(x + 10, baseY, x + pw - 10, baseY);
        int i = 0;
        for (Client c : Client.values()) {
            int bx = x + gap + i * (barW + gap);
            Optional<Double> m = medians.get(c);
            FontMetrics fm = g.getFontMetrics();
            if (m.isPresent() && max > 0) {
                int bh = (int) Math.round((baseY - chartTop) * m.get() / max);
                g.setColor(COLORS.get(c));
                g.fillRect(bx, baseY - bh, barW, bh);
                g.setColor(Color.BLACK);
                String label = num(m.get());
                g.drawString(label, bx + (barW - fm.stringWidth(label)) / 2, baseY - bh - 4);
            } else {
                g.setColor(Color.DARK_GRAY);
                String label = c == Client.CURL && !bench.curl ? "skipped" : "no result";
                g.drawString(label, bx + (barW - fm.stringWidth(label)) / 2, baseY - 4);
            }
            g.setColor(Color.BLACK);
            g.drawString(c.label, bx + (barW - fm.stringWidth(c.label)) / 2, baseY + 16);
            i++;
        }
    }
}
