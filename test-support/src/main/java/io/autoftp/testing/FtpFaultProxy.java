package io.autoftp.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A TCP proxy for FTP on 127.0.0.1 that carries the control connection <em>and</em> every passive data connection, so
 * that faults can be injected in both.
 *
 * <p>Passive data: each 227/229 reply from the server is rewritten to name a one-shot data relay of this proxy
 * (127.0.0.1, a fresh port), which forwards to the port the server really opened. Because the client connects to the
 * relay before it sends the transfer command, a relay decides what to do with a data connection when its first byte
 * flows, from the last command its control connection carried (e.g. {@code RETR big.bin}). Active data (PORT/EPRT) is
 * not proxied: use {@code dataChannel=passive} or a server that refuses active mode when the data must pass here.
 *
 * <p>Faults:
 * <ul>
 * <li>data: {@link #cutDownload} (RST both ends after N bytes, or a clean FIN to the client after N bytes while the
 * server is drained to its end and believes the transfer complete), {@link #cutUpload}, {@link #replaceListing} (a
 * fake directory listing in place of the server's), {@link #onDataBytes} (run an action once N bytes of a transfer
 * have passed, e.g. stop the server mid-file), {@link #throttle};</li>
 * <li>control: {@link #rewriteReplies}, {@link #rewriteCommands}, {@link #stallRepliesAfter} (the server's replies
 * stop reaching the client), {@link #dropAfter} (the control connection is closed when the client sends a command),
 * {@link #down()}/{@link #up()} (the server disappears: connects are refused), {@link #retarget} (a restarted server
 * on another port behind the same address).</li>
 * </ul>
 */
public final class FtpFaultProxy implements AutoCloseable {

    /** How a data connection is cut. */
    public enum Cut {
        /** RST towards both the client and the server: what a crashed middlebox or a pulled cable ends up as. */
        RESET,
        /**
         * A clean FIN to the client after N bytes, while the rest of the server's data is read and thrown away: the
         * server finishes normally and answers 226, so only the byte count shows that the file is short.
         */
        CLEAN_CLOSE
    }

    private static final Pattern PASV = Pattern.compile("(\\d{1,3}),(\\d{1,3}),(\\d{1,3}),(\\d{1,3}),(\\d{1,3}),(\\d{1,3})");
    private static final Pattern EPSV = Pattern.compile("\\((.)\\1\\1(\\d+)\\1\\)");
    private static final Set<String> DOWNLOADS = Set.of("RETR", "LIST", "NLST", "MLSD");
    private static final Set<String> UPLOADS = Set.of("STOR", "APPE", "STOU");

    private final int port;
    private volatile String targetHost;
    private volatile int targetPort;
    private volatile ServerSocket serverSocket;
    private volatile Thread acceptor;
    private volatile boolean closed;
    private final AtomicInteger connectionCount = new AtomicInteger();
    private final AtomicInteger dataConnectionCount = new AtomicInteger();
    private final Set<Socket> openSockets = ConcurrentHashMap.newKeySet();
    private final List<String> commandLog = new CopyOnWriteArrayList<>();
    private final List<DataRule> dataRules = new CopyOnWriteArrayList<>();
    private final List<ControlRule> controlRules = new CopyOnWriteArrayList<>();
    private volatile Function<String, String> replyRewriter = Function.identity();
    private final List<Map.Entry<Predicate<String>, Function<String, String>>> conditionalRewriters =
            new CopyOnWriteArrayList<>();
    private volatile Function<String, String> commandRewriter = Function.identity();
    private volatile long bytesPerSecond;

    public FtpFaultProxy(String targetHost, int targetPort) {
        this.targetHost = Objects.requireNonNull(targetHost);
        this.targetPort = targetPort;
        this.serverSocket = bind(0);
        this.port = serverSocket.getLocalPort();
        startAcceptor();
    }

    public static FtpFaultProxy to(EmbeddedFtpServer server) {
        return new FtpFaultProxy(server.host(), server.port());
    }

    public String host() {
        return "127.0.0.1";
    }

    public int port() {
        return port;
    }

    /** Control connections accepted so far. */
    public int connectionCount() {
        return connectionCount.get();
    }

    /** Passive data connections relayed so far. */
    public int dataConnectionCount() {
        return dataConnectionCount.get();
    }

    /** Every command line clients sent, as "#connection LINE" (PASS masked), in arrival order. */
    public List<String> commands() {
        return List.copyOf(commandLog);
    }

    /** Commands (without connection numbers) whose verb is {@code verb}. */
    public List<String> commands(String verb) {
        String prefix = verb.toUpperCase(Locale.ROOT);
        List<String> result = new ArrayList<>();
        for (String line : commandLog) {
            String command = line.substring(line.indexOf(' ') + 1);
            if (command.toUpperCase(Locale.ROOT).equals(prefix) || command.toUpperCase(Locale.ROOT).startsWith(prefix + " ")) {
                result.add(command);
            }
        }
        return result;
    }

    // ---- control faults ----

    /** Rewrites server→client lines (without terminator) after the passive relay rewriting; null drops a line. */
    public FtpFaultProxy rewriteReplies(Function<String, String> rewriter) {
        this.replyRewriter = Objects.requireNonNull(rewriter);
        return this;
    }

    /**
     * Rewrites server→client lines (after {@link #rewriteReplies}) while the client's last command matches
     * {@code command}, e.g. only the reply to EPRT; null drops a line.
     */
    public FtpFaultProxy rewriteRepliesTo(Predicate<String> command, Function<String, String> rewriter) {
        conditionalRewriters.add(Map.entry(Objects.requireNonNull(command), Objects.requireNonNull(rewriter)));
        return this;
    }

    /** Rewrites client→server lines (without terminator); null drops a line. */
    public FtpFaultProxy rewriteCommands(Function<String, String> rewriter) {
        this.commandRewriter = Objects.requireNonNull(rewriter);
        return this;
    }

    /** The next {@code times} control connections whose client sends a matching command get no more replies. */
    public FtpFaultProxy stallRepliesAfter(Predicate<String> command, int times) {
        controlRules.add(new ControlRule(command, times, false));
        return this;
    }

    /** The next {@code times} control connections whose client sends a matching command are closed (RST) instead. */
    public FtpFaultProxy dropAfter(Predicate<String> command, int times) {
        controlRules.add(new ControlRule(command, times, true));
        return this;
    }

    /** The server disappears: open connections are reset and new connects are refused until {@link #up()}. */
    public synchronized FtpFaultProxy down() {
        ServerSocket current = serverSocket;
        serverSocket = null;
        closeQuietly(current);
        resetAll();
        return this;
    }

    /** Listens again on the same port. */
    public synchronized FtpFaultProxy up() {
        if (serverSocket == null) {
            serverSocket = bind(port);
            startAcceptor();
        }
        return this;
    }

    /** Resets every open control and data connection; new connections are still accepted. */
    public void resetAll() {
        for (Socket s : openSockets) {
            reset(s);
        }
        openSockets.clear();
    }

    /** New control connections go to this server from now on (e.g. one restarted on another port). */
    public FtpFaultProxy retarget(String host, int newPort) {
        this.targetHost = host;
        this.targetPort = newPort;
        return this;
    }

    public FtpFaultProxy retarget(EmbeddedFtpServer server) {
        return retarget(server.host(), server.port());
    }

    // ---- data faults ----

    /** The next {@code times} downloads (RETR/LIST/NLST/MLSD) matching {@code command} are cut after {@code bytes}. */
    public FtpFaultProxy cutDownload(Predicate<String> command, long bytes, Cut how, int times) {
        dataRules.add(new DataRule(command, times, DataRule.Kind.CUT_DOWNLOAD, bytes, how, null, null));
        return this;
    }

    /** The next {@code times} uploads (STOR/APPE/STOU) matching {@code command} are reset after {@code bytes}. */
    public FtpFaultProxy cutUpload(Predicate<String> command, long bytes, int times) {
        dataRules.add(new DataRule(command, times, DataRule.Kind.CUT_UPLOAD, bytes, Cut.RESET, null, null));
        return this;
    }

    /** Every listing matching {@code command} is replaced by the given bytes (the server's own is discarded). */
    public FtpFaultProxy replaceListing(Predicate<String> command, Supplier<InputStream> listing) {
        dataRules.add(new DataRule(command, Integer.MAX_VALUE, DataRule.Kind.REPLACE, 0, null, listing, null));
        return this;
    }

    /** Runs {@code action} (on a thread of its own) once {@code bytes} of a matching transfer have passed, once. */
    public FtpFaultProxy onDataBytes(Predicate<String> command, long bytes, Runnable action) {
        dataRules.add(new DataRule(command, 1, DataRule.Kind.TRIGGER, bytes, null, null, action));
        return this;
    }

    /** Limits every data connection to about this many bytes per second (0 = unlimited). */
    public FtpFaultProxy throttle(long bytesPerSecondLimit) {
        this.bytesPerSecond = bytesPerSecondLimit;
        return this;
    }

    /** Removes all data and control rules and rewriters. */
    public FtpFaultProxy clearFaults() {
        dataRules.clear();
        controlRules.clear();
        replyRewriter = Function.identity();
        conditionalRewriters.clear();
        commandRewriter = Function.identity();
        bytesPerSecond = 0;
        return this;
    }

    /** Predicate for a command line whose verb is one of {@code verbs} and whose argument contains {@code text}. */
    public static Predicate<String> command(String verbs, String text) {
        Set<String> set = Set.of(verbs.toUpperCase(Locale.ROOT).split(","));
        return line -> {
            int space = line.indexOf(' ');
            String verb = (space < 0 ? line : line.substring(0, space)).toUpperCase(Locale.ROOT);
            return set.contains(verb) && line.contains(text);
        };
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(serverSocket);
        resetAll();
        Thread a = acceptor;
        if (a != null) {
            try {
                a.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ---- machinery ----

    private static ServerSocket bind(int port) {
        try {
            ServerSocket socket = new ServerSocket();
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
            return socket;
        } catch (IOException e) {
            throw new UncheckedIOException("could not bind the fault proxy on 127.0.0.1:" + port, e);
        }
    }

    private void startAcceptor() {
        ServerSocket listening = serverSocket;
        Thread t = new Thread(() -> acceptLoop(listening), "ftp-fault-proxy-accept-" + port);
        t.setDaemon(true);
        acceptor = t;
        t.start();
    }

    private void acceptLoop(ServerSocket listening) {
        while (!closed) {
            Socket client;
            try {
                client = listening.accept();
            } catch (IOException e) {
                return; // closed (down() or close())
            }
            int n = connectionCount.incrementAndGet();
            Socket upstream = new Socket();
            try {
                upstream.connect(new InetSocketAddress(targetHost, targetPort), 5_000);
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
            } catch (IOException e) {
                reset(client); // the server is gone: the client sees the connection reset at once
                closeQuietly(upstream);
                continue;
            }
            new ControlConnection(n, client, upstream).start();
        }
    }

    private static final class ControlRule {
        final Predicate<String> command;
        final AtomicInteger remaining;
        final boolean drop;

        ControlRule(Predicate<String> command, int times, boolean drop) {
            this.command = command;
            this.remaining = new AtomicInteger(times);
            this.drop = drop;
        }
    }

    private static final class DataRule {
        enum Kind { CUT_DOWNLOAD, CUT_UPLOAD, REPLACE, TRIGGER }

        final Predicate<String> command;
        final AtomicInteger remaining;
        final Kind kind;
        final long bytes;
        final Cut cut;
        final Supplier<InputStream> listing;
        final Runnable action;

        DataRule(Predicate<String> command, int times, Kind kind, long bytes, Cut cut, Supplier<InputStream> listing,
                Runnable action) {
            this.command = command;
            this.remaining = new AtomicInteger(times);
            this.kind = kind;
            this.bytes = bytes;
            this.cut = cut;
            this.listing = listing;
            this.action = action;
        }

        boolean take() {
            return remaining.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0;
        }
    }

    /** One proxied control connection: client→server lines and server→client lines, each on a thread. */
    private final class ControlConnection {
        final int id;
        final Socket client;
        final Socket upstream;
        volatile String lastCommand = "";
        volatile boolean stalled;

        ControlConnection(int id, Socket client, Socket upstream) {
            this.id = id;
            this.client = client;
            this.upstream = upstream;
        }

        void start() {
            openSockets.add(client);
            openSockets.add(upstream);
            daemon("c2s", this::clientToServer).start();
            daemon("s2c", this::serverToClient).start();
        }

        private Thread daemon(String direction, Runnable body) {
            Thread t = new Thread(body, "ftp-fault-proxy-" + port + "-" + id + "-" + direction);
            t.setDaemon(true);
            return t;
        }

        private void clientToServer() {
            try {
                if (!ControlLines.relay(client.getInputStream(), upstream.getOutputStream(), this::forwardCommand)) {
                    resetBoth();
                    return;
                }
                upstream.shutdownOutput();
            } catch (IOException e) {
                resetBoth();
            }
        }

        /** Records, rewrites and forwards one command line; false when the connection is to be dropped. */
        private boolean forwardCommand(byte[] raw, OutputStream out) throws IOException {
            String text = ControlLines.text(raw);
            String logged = text.regionMatches(true, 0, "PASS", 0, 4) ? "PASS ****" : text;
            commandLog.add("#" + id + " " + logged);
            lastCommand = text;
            for (ControlRule rule : controlRules) {
                if (rule.command.test(text) && rule.remaining.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0) {
                    if (rule.drop) {
                        return false;
                    }
                    stalled = true;
                }
            }
            String rewritten = commandRewriter.apply(text);
            if (rewritten != null) {
                out.write((rewritten + "\r\n").getBytes(StandardCharsets.UTF_8));
            }
            return true;
        }

        private void serverToClient() {
            try {
                ControlLines.relay(upstream.getInputStream(), client.getOutputStream(), this::forwardReply);
                client.shutdownOutput();
            } catch (IOException e) {
                resetBoth();
            }
        }

        /** Holds a stalled reply, rewrites and forwards one reply line; false when interrupted. */
        private boolean forwardReply(byte[] raw, OutputStream out) throws IOException {
            try {
                while (stalled && !closed && !client.isClosed()) {
                    Thread.sleep(20);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                resetBoth();
                return false;
            }
            String rewritten = replyRewriter.apply(relayPassive(ControlLines.text(raw)));
            for (Map.Entry<Predicate<String>, Function<String, String>> c : conditionalRewriters) {
                if (rewritten != null && c.getKey().test(lastCommand)) {
                    rewritten = c.getValue().apply(rewritten);
                }
            }
            if (rewritten != null) {
                out.write((rewritten + "\r\n").getBytes(StandardCharsets.UTF_8));
            }
            return true;
        }

        /** Points a 227/229 reply at a new data relay that forwards to the port the server named. */
        private String relayPassive(String reply) throws IOException {
            if (reply.startsWith("227")) {
                Matcher m = PASV.matcher(reply);
                if (m.find()) {
                    String host = m.group(1) + "." + m.group(2) + "." + m.group(3) + "." + m.group(4);
                    int dataPort = Integer.parseInt(m.group(5)) * 256 + Integer.parseInt(m.group(6));
                    int relay = new DataRelay(this, host, dataPort).start();
                    return reply.substring(0, m.start()) + "127,0,0,1," + (relay >> 8) + "," + (relay & 0xff)
                           + reply.substring(m.end());
                }
            } else if (reply.startsWith("229")) {
                Matcher m = EPSV.matcher(reply);
                if (m.find()) {
                    int relay = new DataRelay(this, targetHost, Integer.parseInt(m.group(2))).start();
                    return reply.substring(0, m.start(2)) + relay + reply.substring(m.end(2));
                }
            }
            return reply;
        }

        void resetBoth() {
            reset(client);
            reset(upstream);
            openSockets.remove(client);
            openSockets.remove(upstream);
        }
    }

    /** One passive data connection: accepts the client once and forwards to the server's data port. */
    private final class DataRelay {
        final ControlConnection control;
        final String host;
        final int serverPort;
        final ServerSocket listener;
        Socket client;
        Socket upstream;
        private DataRule rule;
        private boolean ruleResolved;
        private String command;

        DataRelay(ControlConnection control, String host, int serverPort) throws IOException {
            this.control = control;
            this.host = host;
            this.serverPort = serverPort;
            this.listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        }

        int start() {
            Thread t = new Thread(this::run, "ftp-fault-proxy-data-" + listener.getLocalPort());
            t.setDaemon(true);
            t.start();
            return listener.getLocalPort();
        }

        private void run() {
            try {
                listener.setSoTimeout(30_000);
                client = listener.accept();
            } catch (SocketTimeoutException e) {
                closeQuietly(listener);
                return; // the client chose another way
            } catch (IOException e) {
                closeQuietly(listener);
                return;
            }
            closeQuietly(listener);
            dataConnectionCount.incrementAndGet();
            upstream = new Socket();
            try {
                upstream.connect(new InetSocketAddress(host, serverPort), 5_000);
            } catch (IOException e) {
                reset(client);
                closeQuietly(upstream);
                return;
            }
            openSockets.add(client);
            openSockets.add(upstream);
            Thread up = new Thread(() -> pump(client, upstream, true), Thread.currentThread().getName() + "-c2s");
            up.setDaemon(true);
            up.start();
            pump(upstream, client, false);
        }

        /** The rule for this connection, decided when its first byte flows (the command is known by then). */
        private synchronized DataRule rule() {
            if (!ruleResolved) {
                ruleResolved = true;
                command = control.lastCommand;
                String verb = command.split(" ", 2)[0].toUpperCase(Locale.ROOT);
                for (DataRule candidate : dataRules) {
                    boolean fits = switch (candidate.kind) {
                        case CUT_DOWNLOAD, REPLACE -> DOWNLOADS.contains(verb);
                        case CUT_UPLOAD -> UPLOADS.contains(verb);
                        case TRIGGER -> true;
                    };
                    if (fits && candidate.command.test(command) && candidate.take()) {
                        rule = candidate;
                        break;
                    }
                }
            }
            return rule;
        }

        private void pump(Socket from, Socket to, boolean clientToServer) {
            long total = 0;
            boolean fired = false;
            long started = System.nanoTime();
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                byte[] buf = new byte[bytesPerSecond > 0 ? 8192 : 65536];
                int r;
                DataRule active = null;
                boolean replace = false;
                while ((r = in.read(buf)) != -1) {
                    if (total == 0) {
                        DataRule candidate = rule();
                        boolean mine = candidate != null && switch (candidate.kind) {
                            case CUT_DOWNLOAD, REPLACE -> !clientToServer;
                            case CUT_UPLOAD -> clientToServer;
                            case TRIGGER -> true;
                        };
                        active = mine ? candidate : null;
                        replace = active != null && active.kind == DataRule.Kind.REPLACE;
                    }
                    if (replace) {
                        total += r; // the server's listing is read and thrown away
                        continue;
                    }
                    if (active != null && (active.kind == DataRule.Kind.CUT_DOWNLOAD
                                           || active.kind == DataRule.Kind.CUT_UPLOAD)
                        && total + r >= active.bytes) {
                        out.write(buf, 0, (int) (active.bytes - total));
                        out.flush();
                        cut(active.cut, from, to);
                        return;
                    }
                    out.write(buf, 0, r);
                    total += r;
                    if (active != null && active.kind == DataRule.Kind.TRIGGER && !fired && total >= active.bytes) {
                        fired = true;
                        Thread t = new Thread(active.action, "ftp-fault-proxy-trigger");
                        t.setDaemon(true);
                        t.start();
                    }
                    long limit = bytesPerSecond;
                    if (limit > 0) {
                        long due = started + total * 1_000_000_000L / limit;
                        long wait = due - System.nanoTime();
                        if (wait > 0) {
                            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                        }
                    }
                }
                if (replace) {
                    try (InputStream listing = active.listing.get()) {
                        listing.transferTo(out);
                    }
                    out.flush();
                }
                to.shutdownOutput();
            } catch (IOException e) {
                if (!cleanClosing) { // a clean cut closes the client side under the other pump: not a failure
                    reset(from);
                    reset(to);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                reset(from);
                reset(to);
            } finally {
                closeWhenBothDone(from, to);
            }
        }

        private final AtomicInteger finished = new AtomicInteger();
        private volatile boolean cleanClosing;

        private void closeWhenBothDone(Socket a, Socket b) {
            if (finished.incrementAndGet() == 2) {
                closeQuietly(a);
                closeQuietly(b);
                openSockets.remove(a);
                openSockets.remove(b);
            }
        }

        private void cut(Cut how, Socket from, Socket to) throws IOException {
            if (how == Cut.RESET) {
                reset(client);
                reset(upstream);
                return;
            }
            // clean close towards the client; the server is drained so that it believes it sent everything
            cleanClosing = true;
            client.shutdownOutput();
            client.close();
            InputStream in = upstream.getInputStream();
            byte[] sink = new byte[65536];
            while (in.read(sink) != -1) {
                // discard
            }
            upstream.close();
        }
    }

    /** Closes with SO_LINGER 0: the peer gets a RST, not a FIN. */
    private static void reset(Socket socket) {
        if (socket == null) {
            return;
        }
        try {
            if (!socket.isClosed()) {
                socket.setSoLinger(true, 0);
            }
        } catch (IOException e) {
            // closing anyway
        }
        closeQuietly(socket);
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception ignored) {
            // best effort
        }
    }
}
