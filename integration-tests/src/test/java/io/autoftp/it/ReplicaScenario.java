package io.autoftp.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import io.autoftp.testing.RealFtpServer;
import io.autoftp.testing.TestFiles;

/**
 * One scenario of {@link ReplicasIT}: files named {@code <name>-0001.csv}, ... prepared on the partner's vsftpd,
 * released into the directories a group of replicas polls ({@code <directory>/inbox}: partner-inbox, POSTed to
 * WireMock; {@code <directory>/relay}: partner-to-target, uploaded to the target's vsftpd
 * {@code <directory>/from-partner}), then counted where they arrived: WireMock's request journal (one entry per POST,
 * with the body) and the target's vsftpd log (one {@code OK UPLOAD} line per upload), each compared by SHA-256 with
 * what was released.
 */
final class ReplicaScenario {

    /** vsftpd's log line of a completed transfer: {@code OK UPLOAD: Client "127.0.0.1", "/main/x.part", 12 bytes}. */
    private static final Pattern TRANSFER =
            Pattern.compile(".*\\] OK (UPLOAD|DOWNLOAD): Client \"[^\"]*\", \"([^\"]+)\", (\\d+) bytes.*");

    final String name;
    /** The replicas' directory on both servers, shared by the scenarios one group of replicas runs. */
    final String directory;
    final int inboxFiles;
    final int relayFiles;
    private final RealFtpServer partner;
    private final RealFtpServer target;
    private final WireMockServer api;
    private final String apiPath;
    /** file name -> SHA-256 of what was released */
    final Map<String, String> inbox = new TreeMap<>();
    final Map<String, String> relay = new TreeMap<>();
    final List<ReplicaProcess> replicas;
    /** Lines in each replica's log before {@link #release()}: what this scenario logged comes after. */
    private final Map<ReplicaProcess, Integer> logStart = new HashMap<>();
    private long releasedAt;
    private long drainedAt;

    ReplicaScenario(String name, String directory, int inboxFiles, int relayFiles, List<ReplicaProcess> replicas,
                    RealFtpServer partner, RealFtpServer target, WireMockServer api, String apiPath) {
        this.name = name;
        this.directory = directory;
        this.replicas = replicas;
        this.inboxFiles = inboxFiles;
        this.relayFiles = relayFiles;
        this.partner = partner;
        this.target = target;
        this.api = api;
        this.apiPath = apiPath;
    }

    /** The directories the replicas poll, relative to the partner's home ("/" on the server). */
    static String inboxDirectory(String directory) {
        return directory + "/inbox";
    }

    static String relayDirectory(String directory) {
        return directory + "/relay";
    }

    static String targetDirectory(String directory) {
        return directory + "/from-partner";
    }

    String inboxDirectory() {
        return inboxDirectory(directory);
    }

    String relayDirectory() {
        return relayDirectory(directory);
    }

    String targetDirectory() {
        return targetDirectory(directory);
    }

    /** Creates the directories a group of replicas polls and writes to, owned by the FTP user. */
    static void createDirectories(String directory, RealFtpServer partner, RealFtpServer target) throws IOException {
        Files.createDirectories(partner.home().resolve(inboxDirectory(directory)));
        Files.createDirectories(partner.home().resolve(relayDirectory(directory)));
        Files.createDirectories(target.home().resolve(targetDirectory(directory)));
        partner.giveToServerUser(partner.home().resolve(directory));
        target.giveToServerUser(target.home().resolve(directory));
    }

    /**
     * Writes the files into a staging directory on the partner's disk (not polled) and creates the polled
     * directories, empty: CSV files of 5 to 40 records for the inbox, 1 to 20 KiB of random bytes for the relay.
     */
    void prepare() throws IOException {
        Path staging = Files.createDirectories(staging());
        SplittableRandom random = new SplittableRandom(name.hashCode());
        for (int i = 1; i <= inboxFiles; i++) {
            String file = String.format("%s-%04d.csv", name, i);
            StringBuilder csv = new StringBuilder("order_id,customer,product,quantity,amount_eur\n");
            int records = 5 + random.nextInt(36);
            for (int r = 0; r < records; r++) {
                csv.append(i * 1000 + r).append(",customer-").append(random.nextInt(100_000)).append(",product-")
                        .append(random.nextInt(500)).append(',').append(1 + random.nextInt(50)).append(',')
                        .append(random.nextInt(100_000) / 100.0).append('\n');
            }
            Path p = staging.resolve("inbox").resolve(file);
            Files.createDirectories(p.getParent());
            Files.writeString(p, csv, StandardCharsets.UTF_8);
            inbox.put(file, TestFiles.sha256(p));
        }
        for (int i = 1; i <= relayFiles; i++) {
            String file = String.format("%s-%04d.bin", name, i);
            Path p = TestFiles.writeRandom(staging.resolve("relay"), file, 1024 + random.nextInt(19 * 1024),
                    random.nextLong());
            relay.put(file, TestFiles.sha256(p));
        }
        partner.giveToServerUser(staging);
    }

    /** Where {@link #prepare()} writes the files, outside the polled directories. */
    private Path staging() {
        return partner.home().resolve("staging-" + name);
    }

    /** Moves every prepared file into the polled directories (one rename each, so no replica sees half a file). */
    void release() throws IOException {
        for (ReplicaProcess r : replicas) {
            logStart.put(r, r.lines().size());
        }
        releasedAt = System.nanoTime();
        for (String dir : List.of("inbox", "relay")) {
            Path from = staging().resolve(dir);
            if (!Files.isDirectory(from)) {
                continue;
            }
            try (Stream<Path> files = Files.list(from)) {
                for (Path f : files.toList()) {
                    Files.move(f, partner.home().resolve(directory).resolve(dir).resolve(f.getFileName()),
                            StandardCopyOption.ATOMIC_MOVE);
                }
            }
        }
    }

    /** POSTs of this scenario's files WireMock received so far. */
    int posted() {
        return events().size();
    }

    /**
     * Waits until every file arrived at least once and none is left in the polled directories but those
     * {@link #leftBehindWithWarning}: from then on no replica takes a file again. Fails after {@code timeout} naming what is missing.
     */
    void awaitDrained(Duration timeout) throws Exception {
        awaitDrained(timeout, true);
    }

    /** With {@code everyFileArrives} false (stock camel-ftp may lose files), only the first condition. */
    void awaitDrained(Duration timeout, boolean everyFileArrives) throws Exception {
        await(timeout, () -> (!everyFileArrives || (missing(posts(), inbox).isEmpty()
                                                    && onTargetNames().containsAll(relay.keySet())))
                             && (leftInPartner().isEmpty() || leftBehindWithWarning().containsAll(leftInPartner())),
                () -> "left on the partner: " + leftInPartner() + "; not POSTed: " + missing(posts(), inbox)
                      + "; not uploaded: " + missing(uploads(), relay));
        drainedAt = System.nanoTime();
    }

    /** Seconds from {@link #release()} to {@link #awaitDrained}. */
    double seconds() {
        return (drainedAt - releasedAt) / 1e9;
    }

    /** Files still in the polled directories (not in .done or .error). */
    List<String> leftInPartner() {
        List<String> left = new ArrayList<>();
        for (String dir : List.of(inboxDirectory(), relayDirectory())) {
            try (Stream<Path> files = Files.list(partner.home().resolve(dir))) {
                files.filter(p -> Files.isRegularFile(p) && p.getFileName().toString().startsWith(name + "-"))
                        .forEach(p -> left.add(dir + "/" + p.getFileName()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return left;
    }

    /**
     * Files still in the polled directories that a replica processed but could not move to .done (the server went
     * away), each named by its WARN: their claims stay, confirmed, and no replica takes them again; an operator moves
     * them by hand.
     */
    List<String> leftBehindWithWarning() {
        List<String> warned;
        try {
            warned = logLines("was processed but its delete or move failed");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return leftInPartner().stream()
                .filter(f -> warned.stream().anyMatch(l -> l.contains(f.substring(f.lastIndexOf('/') + 1) + "]")))
                .toList();
    }

    /** Files in the partner's {@code inbox/.error}: failed for good. */
    List<String> failedForGood() throws IOException {
        Path error = partner.home().resolve(inboxDirectory()).resolve(".error");
        if (!Files.isDirectory(error)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(error)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(name + "-")).sorted().toList();
        }
    }

    /** The POSTs WireMock received for this scenario, in order. */
    List<ServeEvent> events() {
        List<ServeEvent> all = new ArrayList<>(api.getAllServeEvents());
        all.removeIf(e -> !e.getRequest().getUrl().startsWith(apiPath)
                          || !String.valueOf(e.getRequest().getHeader("X-File-Name")).startsWith(name + "-"));
        all.sort((a, b) -> a.getRequest().getLoggedDate().compareTo(b.getRequest().getLoggedDate()));
        return all;
    }

    /** file name -> SHA-256 of each POST's body, one entry per POST. */
    Map<String, List<String>> posts() {
        Map<String, List<String>> posts = new TreeMap<>();
        for (ServeEvent e : events()) {
            posts.computeIfAbsent(e.getRequest().getHeader("X-File-Name"), k -> new ArrayList<>())
                    .add(sha256(e.getRequest().getBody()));
        }
        return posts;
    }

    /** When WireMock received the last POST of this scenario (its clock, epoch milliseconds). */
    long lastPostMillis() {
        List<ServeEvent> events = events();
        return events.isEmpty() ? 0 : events.get(events.size() - 1).getRequest().getLoggedDate().getTime();
    }

    /** file name -> sizes of each completed upload to the target's {@code from-partner} (a .part, then renamed). */
    Map<String, List<Long>> uploads() {
        return transfers(target, "UPLOAD", "/" + targetDirectory() + "/", name + "-", ".part");
    }

    /** file name -> sizes of each completed download from the partner's inbox and relay. */
    Map<String, List<Long>> downloads() {
        Map<String, List<Long>> all =
                new TreeMap<>(transfers(partner, "DOWNLOAD", "/" + inboxDirectory() + "/", name + "-", ""));
        all.putAll(transfers(partner, "DOWNLOAD", "/" + relayDirectory() + "/", name + "-", ""));
        return all;
    }

    private static Map<String, List<Long>> transfers(RealFtpServer server, String kind, String directory,
            String prefix, String suffix) {
        Map<String, List<Long>> result = new TreeMap<>();
        for (String line : server.log().split("\n")) {
            Matcher m = TRANSFER.matcher(line);
            if (m.matches() && m.group(1).equals(kind) && m.group(2).startsWith(directory)
                && m.group(2).indexOf('/', directory.length()) < 0 && m.group(2).endsWith(suffix)
                && m.group(2).startsWith(prefix, directory.length())) {
                String file = m.group(2).substring(directory.length(), m.group(2).length() - suffix.length());
                result.computeIfAbsent(file, k -> new ArrayList<>()).add(Long.parseLong(m.group(3)));
            }
        }
        return result;
    }

    /** Files on the target now: name -> SHA-256. */
    Map<String, String> onTarget() {
        Path dir = target.home().resolve(targetDirectory());
        Map<String, String> files = new TreeMap<>(Files.isDirectory(dir) ? TestFiles.sha256Tree(dir) : Map.of());
        files.keySet().removeIf(n -> !n.startsWith(name + "-"));
        return files;
    }

    /** Names of the files on the target now (a listing, no checksums). */
    List<String> onTargetNames() {
        try (Stream<Path> files = Files.list(target.home().resolve(targetDirectory()))) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(name + "-")).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** Names delivered more than once, with their count. */
    static Map<String, Integer> duplicates(Map<String, ? extends List<?>> deliveries) {
        Map<String, Integer> result = new TreeMap<>();
        deliveries.forEach((file, each) -> {
            if (each.size() > 1) {
                result.put(file, each.size());
            }
        });
        return result;
    }

    static List<String> missing(Map<String, ? extends List<?>> deliveries, Map<String, String> expected) {
        return expected.keySet().stream().filter(f -> !deliveries.containsKey(f)).toList();
    }

    /** Deliveries whose content differs from what was released. */
    List<String> wrongContent() {
        List<String> wrong = new ArrayList<>();
        posts().forEach((file, shas) -> shas.stream().filter(s -> !s.equals(inbox.get(file)))
                .forEach(s -> wrong.add("POST " + file)));
        onTarget().forEach((file, sha) -> {
            if (!sha.equals(relay.get(file))) {
                wrong.add("target " + file);
            }
        });
        return wrong;
    }

    /** replica name -> files it logged as downloaded in this scenario. */
    Map<String, Long> sharePerReplica() throws IOException {
        Map<String, Long> share = new LinkedHashMap<>();
        for (ReplicaProcess r : replicas) {
            share.put(r.name(), r.lines().stream().filter(l -> l.contains(": downloaded " + name + "-")).count());
        }
        return share;
    }

    /** Lines of every replica's log since {@link #release()} containing {@code text}, prefixed with its name. */
    List<String> logLines(String text) throws IOException {
        List<String> found = new ArrayList<>();
        for (ReplicaProcess r : replicas) {
            List<String> lines = r.lines();
            for (String l : lines.subList(Math.min(logStart.getOrDefault(r, 0), lines.size()), lines.size())) {
                if (l.contains(text)) {
                    found.add(r.name() + ": " + l);
                }
            }
        }
        return found;
    }

    static void await(Duration timeout, BooleanSupplier condition, Callable<String> what) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + timeout + ": " + what.call());
            }
            Thread.sleep(250);
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    static String counts(Map<String, Integer> duplicates) {
        if (duplicates.isEmpty()) {
            return "none";
        }
        String some = duplicates.entrySet().stream().limit(8).map(e -> e.getKey() + " x" + e.getValue())
                .collect(Collectors.joining(", "));
        return duplicates.size() > 8 ? some + ", and " + (duplicates.size() - 8) + " more" : some;
    }
}
