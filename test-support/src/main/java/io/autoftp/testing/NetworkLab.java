package io.autoftp.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Three network namespaces wired as client — router — server, for tests that need real firewalls and NAT between an
 * FTP client and server:
 *
 * <pre>
 *  client ns "&lt;name&gt;-c"              router ns "&lt;name&gt;-r"                     server ns "&lt;name&gt;-s"
 *  to-router 10.200.1.2/24 ── to-client 10.200.1.1/24   to-server 10.200.2.1/24 ── to-router 10.200.2.2/24
 *  route 10.200.0.0/16 via .1.1       ip_forward=1                         route 10.200.0.0/16 via .2.1
 * </pre>
 *
 * <h2>Safety</h2> Only addresses in 10.200.0.0/16 and loopback exist in the namespaces; there is no default route and
 * no link to the machine's own network namespace (each veth pair is created directly between two of these namespaces),
 * and IPv6 is switched off in all three, so nothing sent in here can leave; a guard ruleset in each namespace drops and
 * counts anything to or from another address all the same ({@link #escapes()}). Names are unique per JVM and lab
 * ({@code aftp-<pid>-<n>}); {@link #close()} deletes the namespaces (which removes their veths), a shutdown hook does so
 * for labs still open when the JVM exits, and {@link #create()} first removes leftovers of JVMs that are gone (killing
 * the processes still running in them, which only tests started).
 *
 * <h2>Scenarios</h2> {@link #apply} loads one nftables ruleset (table {@code aftp}) into the namespace the
 * {@link Scenario} is about, with a named counter {@code hits} that {@link #hits()} reads: packets the scenario dropped
 * or rejected, so a test can tell that the firewall really acted (or that nothing ever went where it must not go).
 *
 * <pre>
 * assumeTrue(NetworkLab.available(), NetworkLab.unavailableReason());
 * try (NetworkLab lab = NetworkLab.create();
 *      RealFtpServer ftp = RealFtpServer.builder().kind(kind).inNamespace(lab.serverNamespace())
 *              .bindAddress(NetworkLab.SERVER_ADDRESS).passivePorts(NetworkLab.PASSIVE_MIN_PORT,
 *                      NetworkLab.PASSIVE_MAX_PORT).start()) {
 *     lab.apply(Scenario.CLIENT_FIREWALL, ftp.port());
 *     Process p = new ProcessBuilder(lab.inClient(List.of("java", ...))).start();
 * }
 * </pre>
 *
 * Needs Linux, root, iproute2 ({@code ip}) and nftables ({@code nft}): {@code .ci/network-prerequisites.sh} installs
 * them. {@link #unavailableReason()} says what is missing; {@link #ftpHelperUnavailableReason()} whether the kernel has
 * the conntrack FTP helper.
 */
public final class NetworkLab implements AutoCloseable {

    /** Every namespace a lab creates starts with this. */
    public static final String PREFIX = "aftp-";

    public static final String CLIENT_ADDRESS = "10.200.1.2";
    public static final String ROUTER_CLIENT_SIDE_ADDRESS = "10.200.1.1";
    public static final String ROUTER_SERVER_SIDE_ADDRESS = "10.200.2.1";
    public static final String SERVER_ADDRESS = "10.200.2.2";
    /** An address that exists nowhere: {@link Scenario#SERVER_NAT_PRIVATE_PASV}'s server advertises it. */
    public static final String UNROUTABLE_PASV_ADDRESS = "10.200.99.10";
    public static final String UNROUTABLE_NETWORK = "10.200.99.0/24";
    /** The passive ports a server in the lab must use, so that the server scenarios can block them. */
    public static final int PASSIVE_MIN_PORT = 40000;
    public static final int PASSIVE_MAX_PORT = 40099;
    /** The server namespace's own outgoing ports stay clear of the passive range (see {@link #create()}). */
    static final String SERVER_LOCAL_PORT_RANGE = "50000 60999";

    /** A network between client and server; see {@link NetworkLab#apply}. */
    public enum Scenario {
        /** No rules: both modes work. */
        OPEN(Side.NONE, false, "no firewall, no NAT"),
        /**
         * Client namespace: established/related accepted, every new inbound connection dropped (counted). Active
         * data connections (the server connecting back) vanish; the servers then go silent on the control connection.
         */
        CLIENT_FIREWALL(Side.CLIENT, false, "client behind a stateful firewall (inbound NEW dropped)"),
        /** Server namespace: new connections to the passive range dropped (counted): passive connects time out. */
        SERVER_PASSIVE_DROP(Side.SERVER, false, "server firewall drops its passive ports (timeout)"),
        /** Server namespace: new connections to the passive range rejected with a TCP reset (counted). */
        SERVER_PASSIVE_REJECT(Side.SERVER, false, "server firewall rejects its passive ports (refused)"),
        /**
         * The server advertises {@link #UNROUTABLE_PASV_ADDRESS} in its 227 replies (configure the server so: vsftpd
         * {@code pasv_address}, proftpd {@code MasqueradeAddress}, pure-ftpd {@code -P}); the router drops (and counts)
         * everything sent to {@link #UNROUTABLE_NETWORK}, as the Internet would drop a private address.
         */
        SERVER_NAT_PRIVATE_PASV(Side.ROUTER, false, "server behind NAT advertising an unroutable PASV address"),
        /**
         * The router masquerades the client's connections (the server sees 10.200.2.1) and, like any NAT router,
         * forwards nothing new from the server side to the client side (dropped and counted). No FTP helper.
         */
        CLIENT_MASQUERADE(Side.ROUTER, false, "NAT router (masquerade) in front of the client, no FTP helper"),
        /**
         * {@link #CLIENT_MASQUERADE} with the conntrack FTP helper assigned to the control connection by an nft
         * {@code ct helper set} rule (automatic assignment is gone from current kernels): the router rewrites
         * PORT/EPRT to its own address and lets the server's connection back in as RELATED.
         */
        CLIENT_MASQUERADE_FTP_HELPER(Side.ROUTER, true, "NAT router (masquerade) in front of the client, with the"
                                                        + " conntrack FTP helper");

        private final Side side;
        private final boolean ftpHelper;
        private final String description;

        Scenario(Side side, boolean ftpHelper, String description) {
            this.side = side;
            this.ftpHelper = ftpHelper;
            this.description = description;
        }

        /** Whether the scenario needs the kernel's conntrack FTP helper ({@link #ftpHelperUnavailableReason()}). */
        public boolean needsFtpHelper() {
            return ftpHelper;
        }

        public String description() {
            return description;
        }
    }

    private enum Side {
        NONE, CLIENT, ROUTER, SERVER
    }

    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final Set<NetworkLab> OPEN_LABS = Collections.synchronizedSet(new LinkedHashSet<>());
    private static final Pattern LEFTOVER = Pattern.compile(Pattern.quote(PREFIX) + "(\\d+)-[A-Za-z0-9-]+");
    private static final Pattern PACKETS = Pattern.compile("packets (\\d+)");
    private static volatile String unavailable;
    private static volatile String helperUnavailable;
    private static boolean leftoversRemoved;

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            List<NetworkLab> labs;
            synchronized (OPEN_LABS) {
                labs = new ArrayList<>(OPEN_LABS);
            }
            labs.forEach(NetworkLab::close);
        }, "network-lab-cleanup"));
    }

    private final String name;
    private final String client;
    private final String router;
    private final String server;
    private volatile Scenario scenario = Scenario.OPEN;
    private volatile String ruleset = "";
    private volatile boolean closed;

    private NetworkLab(String name) {
        this.name = name;
        this.client = name + "-c";
        this.router = name + "-r";
        this.server = name + "-s";
    }

    /**
     * Creates the three namespaces, their links, addresses and routes.
     *
     * @throws IllegalStateException with {@link #unavailableReason()} when namespaces cannot be made here
     */
    public static NetworkLab create() {
        String why = unavailableReason();
        if (why != null) {
            throw new IllegalStateException(why);
        }
        removeLeftovers();
        NetworkLab lab = new NetworkLab(PREFIX + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet());
        OPEN_LABS.add(lab);
        try {
            lab.build();
        } catch (IOException | RuntimeException e) {
            lab.close();
            throw new IllegalStateException("could not build network lab " + lab.name + ": " + e.getMessage(), e);
        }
        return lab;
    }

    private void build() throws IOException {
        for (String ns : List.of(client, router, server)) {
            ip("netns", "add", ns);
            // IPv4 only, and nothing but 10.200.x.x: no IPv6 link-local chatter either
            sysctl(ns, "net/ipv6/conf/all/disable_ipv6", "1");
            sysctl(ns, "net/ipv6/conf/default/disable_ipv6", "1");
            ip("-n", ns, "link", "set", "lo", "up");
        }
        // created directly between two lab namespaces: never an interface in the machine's own namespace
        ip("-n", router, "link", "add", "to-client", "type", "veth", "peer", "name", "to-router", "netns", client);
        ip("-n", router, "link", "add", "to-server", "type", "veth", "peer", "name", "to-router", "netns", server);
        ip("-n", client, "addr", "add", CLIENT_ADDRESS + "/24", "dev", "to-router");
        ip("-n", router, "addr", "add", ROUTER_CLIENT_SIDE_ADDRESS + "/24", "dev", "to-client");
        ip("-n", router, "addr", "add", ROUTER_SERVER_SIDE_ADDRESS + "/24", "dev", "to-server");
        ip("-n", server, "addr", "add", SERVER_ADDRESS + "/24", "dev", "to-router");
        ip("-n", client, "link", "set", "to-router", "up");
        ip("-n", router, "link", "set", "to-client", "up");
        ip("-n", router, "link", "set", "to-server", "up");
        ip("-n", server, "link", "set", "to-router", "up");
        ip("-n", client, "route", "add", "10.200.0.0/16", "via", ROUTER_CLIENT_SIDE_ADDRESS);
        ip("-n", server, "route", "add", "10.200.0.0/16", "via", ROUTER_SERVER_SIDE_ADDRESS);
        sysctl(router, "net/ipv4/ip_forward", "1");
        sysctl(server, "net/ipv4/ip_local_port_range", SERVER_LOCAL_PORT_RANGE);
        checkIsolated();
        for (String ns : List.of(client, router, server)) {
            runWithInput(List.of(ipCommand(), "netns", "exec", ns, nftCommand(), "-f", "-"), GUARD, "nft -f (guard)");
        }
    }

    /**
     * Loaded into every namespace: drops and counts any packet to or from an address outside 10.200.0.0/16 (and
     * loopback) and any IPv6 packet. With no route out nothing should ever get this far; {@link #escapes()} checks.
     */
    static final String GUARD = """
            table inet aftp_guard {
              counter escapes { }
              chain output {
                type filter hook output priority filter; policy accept;
                meta nfproto ipv6 counter name "escapes" drop
                ip daddr != { 10.200.0.0/16, 127.0.0.0/8 } counter name "escapes" drop
              }
              chain forward {
                type filter hook forward priority filter; policy accept;
                meta nfproto ipv6 counter name "escapes" drop
                ip daddr != 10.200.0.0/16 counter name "escapes" drop
                ip saddr != 10.200.0.0/16 counter name "escapes" drop
              }
            }
            """;

    /** Packets the guard ruleset dropped in any of the three namespaces: must stay 0. */
    public long escapes() {
        long total = 0;
        for (String ns : List.of(client, router, server)) {
            try {
                String out = run(List.of(ipCommand(), "netns", "exec", ns, nftCommand(), "list", "counter", "inet",
                        "aftp_guard", "escapes"), "nft list counter");
                Matcher m = PACKETS.matcher(out);
                if (!m.find()) {
                    throw new IllegalStateException("no packet count in: " + out);
                }
                total += Long.parseLong(m.group(1));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return total;
    }

    /** Fails unless every route in every namespace stays within 10.200.0.0/16 (no default route, nothing else). */
    private void checkIsolated() throws IOException {
        for (String ns : List.of(client, router, server)) {
            for (String line : run(List.of(ipCommand(), "-n", ns, "-4", "route", "show", "table", "all"), "ip route")
                    .split("\n")) {
                String route = line.trim();
                if (route.isEmpty()) {
                    continue;
                }
                String destination = route.split("\\s+")[0];
                if (destination.equals("local") || destination.equals("broadcast")) {
                    destination = route.split("\\s+")[1];
                }
                if (!destination.startsWith("10.200.") && !destination.startsWith("127.")) {
                    throw new IOException("unexpected route in " + ns + ": " + route);
                }
            }
        }
    }

    /** Loads the scenario's ruleset; {@code controlPort} is the FTP server's (for the FTP helper rule). */
    public void apply(Scenario scenario, int controlPort) {
        String rules = rulesetFor(scenario, controlPort);
        this.scenario = scenario;
        this.ruleset = rules;
        if (rules.isEmpty()) {
            return;
        }
        try {
            runWithInput(List.of(ipCommand(), "netns", "exec", namespaceOf(scenario), nftCommand(), "-f", "-"), rules,
                    "nft -f (" + scenario + ")");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The nftables ruleset {@link #apply} loads for a scenario ("" for {@link Scenario#OPEN}). */
    static String rulesetFor(Scenario scenario, int controlPort) {
        String passive = PASSIVE_MIN_PORT + "-" + PASSIVE_MAX_PORT;
        return switch (scenario) {
            case OPEN -> "";
            case CLIENT_FIREWALL -> """
                    table inet aftp {
                      counter hits { }
                      chain input {
                        type filter hook input priority filter; policy drop;
                        iif "lo" accept
                        ct state established,related accept
                        ct state new counter name "hits" drop
                      }
                    }
                    """;
            case SERVER_PASSIVE_DROP, SERVER_PASSIVE_REJECT -> """
                    table inet aftp {
                      counter hits { }
                      chain input {
                        type filter hook input priority filter; policy accept;
                        tcp dport %s ct state new counter name "hits" %s
                      }
                    }
                    """.formatted(passive, scenario == Scenario.SERVER_PASSIVE_DROP ? "drop" : "reject with tcp reset");
            case SERVER_NAT_PRIVATE_PASV -> """
                    table ip aftp {
                      counter hits { }
                      chain prerouting {
                        type filter hook prerouting priority filter; policy accept;
                        ip daddr %s counter name "hits" drop
                      }
                    }
                    """.formatted(UNROUTABLE_NETWORK);
            case CLIENT_MASQUERADE, CLIENT_MASQUERADE_FTP_HELPER -> """
                    table ip aftp {
                      counter hits { }
                    %s
                      chain forward {
                        type filter hook forward priority filter; policy drop;
                        ct state established,related accept
                        iifname "to-client" oifname "to-server" accept
                        counter name "hits" drop
                      }
                      chain postrouting {
                        type nat hook postrouting priority srcnat; policy accept;
                        oifname "to-server" masquerade
                      }
                    }
                    """.formatted(scenario == Scenario.CLIENT_MASQUERADE ? "" : """
                      ct helper ftp-standard {
                        type "ftp" protocol tcp
                        l3proto ip
                      }
                      chain prerouting {
                        type filter hook prerouting priority filter; policy accept;
                        iifname "to-client" tcp dport %d ct helper set "ftp-standard"
                      }
                    """.formatted(controlPort));
        };
    }

    private String namespaceOf(Scenario scenario) {
        return switch (scenario.side) {
            case CLIENT -> client;
            case SERVER -> server;
            case ROUTER, NONE -> router;
        };
    }

    /**
     * Packets counted by the scenario's {@code hits} counter so far: dropped or rejected by its firewall, or sent to
     * the unroutable address; 0 for {@link Scenario#OPEN}.
     */
    public long hits() {
        if (scenario == Scenario.OPEN) {
            return 0;
        }
        String family = scenario.side == Side.ROUTER ? "ip" : "inet";
        try {
            String out = run(List.of(ipCommand(), "netns", "exec", namespaceOf(scenario), nftCommand(), "list",
                    "counter", family, "aftp", "hits"), "nft list counter");
            Matcher m = PACKETS.matcher(out);
            if (!m.find()) {
                throw new IllegalStateException("no packet count in: " + out);
            }
            return Long.parseLong(m.group(1));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The scenario last applied. */
    public Scenario scenario() {
        return scenario;
    }

    /** The ruleset last applied ("" for none). */
    public String ruleset() {
        return ruleset;
    }

    /** The lab's name; its namespaces are this plus "-c", "-r" and "-s". */
    public String name() {
        return name;
    }

    public String clientNamespace() {
        return client;
    }

    public String routerNamespace() {
        return router;
    }

    public String serverNamespace() {
        return server;
    }

    /** {@code command} prefixed so that it runs in the client namespace ({@code ip netns exec}, which execs it). */
    public List<String> inClient(List<String> command) {
        return in(client, command);
    }

    /** {@code command} prefixed so that it runs in the server namespace. */
    public List<String> inServer(List<String> command) {
        return in(server, command);
    }

    /** {@code command} prefixed so that it runs in the router namespace. */
    public List<String> inRouter(List<String> command) {
        return in(router, command);
    }

    private static List<String> in(String ns, List<String> command) {
        List<String> all = new ArrayList<>(List.of(ipCommand(), "netns", "exec", ns));
        all.addAll(command);
        return all;
    }

    /** Rulesets, addresses and routes of all three namespaces, for a failure message. */
    public String describe() {
        StringBuilder text = new StringBuilder("network lab ").append(name).append(", scenario ").append(scenario)
                .append('\n');
        for (String ns : List.of(client, router, server)) {
            text.append("== ").append(ns).append('\n');
            for (List<String> cmd : List.of(List.of(ipCommand(), "-n", ns, "-4", "-br", "addr"),
                    List.of(ipCommand(), "-n", ns, "-4", "route"),
                    List.of(ipCommand(), "netns", "exec", ns, nftCommand(), "list", "ruleset"))) {
                try {
                    text.append(run(cmd, "describe"));
                } catch (IOException e) {
                    text.append(e.getMessage()).append('\n');
                }
            }
        }
        return text.toString();
    }

    /** Kills what still runs in the namespaces (only tests start processes there), then deletes them. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (String ns : List.of(client, router, server)) {
            deleteNamespace(ns);
        }
        OPEN_LABS.remove(this);
    }

    @Override
    public String toString() {
        return "NetworkLab " + name;
    }

    // ---------------------------------------------------------------------------------------------------------
    // prerequisites

    /** Whether namespaces, veths and the nftables features the scenarios use work here (root, Linux, ip, nft). */
    public static boolean available() {
        return unavailableReason() == null;
    }

    /** Why {@link #available()} is false, with the fix, or null. Checked once per JVM with a throw-away namespace. */
    public static synchronized String unavailableReason() {
        if (unavailable == null) {
            probe();
        }
        return unavailable.isEmpty() ? null : unavailable;
    }

    /**
     * Why {@link Scenario#CLIENT_MASQUERADE_FTP_HELPER} cannot run here (the kernel has no conntrack FTP helper, or
     * namespaces are unavailable at all), or null.
     */
    public static synchronized String ftpHelperUnavailableReason() {
        String why = unavailableReason();
        if (why != null) {
            return why;
        }
        return helperUnavailable.isEmpty() ? null : helperUnavailable;
    }

    private static void probe() {
        String fix = "; run .ci/network-prerequisites.sh (as root)";
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
            unavailable = "network namespaces need Linux, not " + System.getProperty("os.name");
            return;
        }
        if (!isRoot()) {
            unavailable = "network namespace tests need root (ip netns, nft)";
            return;
        }
        if (!Files.isExecutable(Path.of(ipCommand()))) {
            unavailable = "iproute2's ip not found (package iproute2)" + fix;
            return;
        }
        if (!Files.isExecutable(Path.of(nftCommand()))) {
            unavailable = "nft not found (package nftables)" + fix;
            return;
        }
        // The helpers are modules on stock Debian kernels (built in on others, where there is no modprobe at all).
        for (String module : List.of("nf_conntrack_ftp", "nf_nat_ftp")) {
            modprobe(module);
        }
        String a = PREFIX + ProcessHandle.current().pid() + "-probe-a";
        String b = PREFIX + ProcessHandle.current().pid() + "-probe-b";
        try {
            removeLeftovers();
            ip("netns", "add", a);
            ip("netns", "add", b);
            sysctl(a, "net/ipv6/conf/all/disable_ipv6", "1");
            sysctl(b, "net/ipv6/conf/all/disable_ipv6", "1");
            ip("-n", a, "link", "add", "probe0", "type", "veth", "peer", "name", "probe1", "netns", b);
            String base = rulesetFor(Scenario.CLIENT_MASQUERADE, 21).replace("to-client", "probe0")
                    .replace("to-server", "probe0") + rulesetFor(Scenario.SERVER_PASSIVE_REJECT, 21)
                    .replace("table inet aftp", "table inet aftp2");
            runWithInput(List.of(ipCommand(), "netns", "exec", a, nftCommand(), "-f", "-"), base, "nft -f");
            unavailable = "";
        } catch (IOException | RuntimeException e) {
            unavailable = "cannot build network namespaces with veth and nftables rules here: " + e.getMessage() + fix;
        }
        if (unavailable.isEmpty()) {
            try {
                runWithInput(List.of(ipCommand(), "netns", "exec", b, nftCommand(), "-f", "-"),
                        rulesetFor(Scenario.CLIENT_MASQUERADE_FTP_HELPER, 21).replace("to-client", "probe1")
                                .replace("to-server", "probe1"), "nft -f (ct helper ftp)");
                helperUnavailable = "";
            } catch (IOException | RuntimeException e) {
                helperUnavailable = "this kernel has no conntrack FTP helper (nf_conntrack_ftp / nf_nat_ftp: not"
                                    + " built in, and modprobe could not load it): " + e.getMessage();
            }
        } else {
            helperUnavailable = unavailable;
        }
        deleteNamespace(a);
        deleteNamespace(b);
    }

    private static void modprobe(String module) {
        for (String candidate : List.of("/usr/sbin/modprobe", "/sbin/modprobe")) {
            if (Files.isExecutable(Path.of(candidate))) {
                try {
                    run(List.of(candidate, "-q", module), "modprobe");
                } catch (IOException e) {
                    // built in, or really missing: the probe ruleset tells
                }
                return;
            }
        }
    }

    private static boolean isRoot() {
        try {
            return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    /** Deletes namespaces of earlier test JVMs that died without cleaning up (the owner's pid is in the name). */
    private static synchronized void removeLeftovers() {
        if (leftoversRemoved) {
            return;
        }
        leftoversRemoved = true;
        String list;
        try {
            list = run(List.of(ipCommand(), "netns", "list"), "ip netns list");
        } catch (IOException e) {
            return;
        }
        for (String line : list.split("\n")) {
            String ns = line.trim().split("\\s+")[0];
            Matcher m = LEFTOVER.matcher(ns);
            if (m.matches()) {
                long owner = Long.parseLong(m.group(1));
                if (owner != ProcessHandle.current().pid() && ProcessHandle.of(owner).map(ProcessHandle::isAlive)
                        .orElse(false)) {
                    continue; // another test JVM's, in use
                }
                if (owner != ProcessHandle.current().pid()) {
                    System.err.println("NetworkLab: removing leftover network namespace " + ns);
                }
                deleteNamespace(ns);
            }
        }
    }

    /** Kills the processes in the namespace (only this class's users start any there), then deletes it. */
    private static void deleteNamespace(String ns) {
        try {
            String pids = run(List.of(ipCommand(), "netns", "pids", ns), "ip netns pids");
            List<ProcessHandle> inside = new ArrayList<>();
            for (String pid : pids.split("\\s+")) {
                if (!pid.isBlank()) {
                    ProcessHandle.of(Long.parseLong(pid.trim())).ifPresent(inside::add);
                }
            }
            inside.forEach(ProcessHandle::destroy);
            for (ProcessHandle p : inside) {
                try {
                    p.onExit().get(3, TimeUnit.SECONDS);
                } catch (Exception e) {
                    p.destroyForcibly();
                }
            }
        } catch (IOException | RuntimeException e) {
            // no such namespace, or nothing inside
        }
        try {
            run(List.of(ipCommand(), "netns", "delete", ns), "ip netns delete");
        } catch (IOException e) {
            // already gone
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // commands

    static String ipCommand() {
        return firstExecutable("ip", "/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip");
    }

    static String nftCommand() {
        return firstExecutable("nft", "/usr/sbin/nft", "/sbin/nft", "/usr/bin/nft");
    }

    private static String firstExecutable(String name, String... candidates) {
        for (String candidate : candidates) {
            if (Files.isExecutable(Path.of(candidate))) {
                return candidate;
            }
        }
        return candidates[0]; // reported as missing by the probe
    }

    private static void ip(String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(ipCommand());
        command.addAll(List.of(args));
        run(command, "ip " + args[0]);
    }

    /** Writes /proc/sys/{key} inside the namespace (per-namespace settings such as ip_forward). */
    private static void sysctl(String ns, String key, String value) throws IOException {
        run(List.of(ipCommand(), "netns", "exec", ns, "sh", "-c", "printf '%s\\n' \"$1\" > \"/proc/sys/$2\"", "sh",
                value, key), "sysctl " + key);
    }

    private static String run(List<String> command, String what) throws IOException {
        return runWithInput(command, null, what);
    }

    private static String runWithInput(List<String> command, String input, String what) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("LC_ALL", "C");
        Process p = pb.start();
        try (OutputStream in = p.getOutputStream()) {
            if (input != null) {
                in.write(input.getBytes(StandardCharsets.UTF_8));
            }
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(what + " did not finish within 30 s: " + command);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted while running " + what, e);
        }
        if (p.exitValue() != 0) {
            throw new IOException(what + " failed (exit " + p.exitValue() + "): " + String.join(" ", command) + "\n"
                                  + out.trim());
        }
        return out;
    }
}
