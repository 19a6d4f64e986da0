package io.autoftp.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * TCP proxy for an FTP control connection that can rewrite the server's reply lines.
 *
 * <p>Client→server bytes pass unchanged. Server→client traffic is handled line by line (LF-terminated,
 * normally CRLF); every line, including lines of multi-line replies, goes through the rewriting
 * and is sent on with its original line terminator. Data connections are not proxied: passive
 * data goes straight to the address in the (possibly rewritten) 227/229 reply, active data comes
 * straight from the server to the address in the client's PORT/EPRT.
 *
 * <p>In {@link Mode#PASSIVE_PORT_CLOSED} the port in every 227 and 229 reply is replaced by a
 * local port that is reserved but not listening, so the client's passive data connect fails with
 * "Connection refused" while the server still waits for it. Mode and rewriter can be changed at any
 * time; they apply to lines read afterwards.
 */
public final class ReplyRewritingProxy implements AutoCloseable {

    public enum Mode {
        /** Forward everything unchanged (apart from a custom {@link #rewrite} hook). */
        PASS_THROUGH,
        /** Point the port of 227/229 replies at a port where nothing listens. */
        PASSIVE_PORT_CLOSED
    }

    // "227 Entering Passive Mode (127,0,0,1,195,80)": h1..h4 kept, p1,p2 replaced.
    private static final Pattern PASV_ADDRESS = Pattern.compile("(\\d{1,3},\\d{1,3},\\d{1,3},\\d{1,3}),(\\d{1,3}),(\\d{1,3})");
    // "229 Entering Extended Passive Mode (|||50000|)"; the delimiter may be any char per RFC 2428.
    private static final Pattern EPSV_PORT = Pattern.compile("\\((.)\\1\\1(\\d+)\\1\\)");

    private final String targetHost;
    private final int targetPort;
    private final ServerSocket serverSocket;
    private final Socket refusingPort; // held open so the port stays ours and refuses connects
    private final Thread acceptor;
    private final AtomicInteger connectionCount = new AtomicInteger();
    private final Set<Socket> openSockets = ConcurrentHashMap.newKeySet();
    private final List<String> rewrites = new ArrayList<>(); // guarded by itself
    private volatile Mode mode = Mode.PASS_THROUGH;
    private volatile Function<String, String> customRewriter = Function.identity();
    private volatile boolean closed;

    public ReplyRewritingProxy(String targetHost, int targetPort) {
        this.targetHost = Objects.requireNonNull(targetHost);
        this.targetPort = targetPort;
        try {
            this.serverSocket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException("could not bind proxy on 127.0.0.1", e);
        }
        this.refusingPort = FreePorts.reserveRefusingPort();
        this.acceptor = new Thread(this::acceptLoop, "ftp-proxy-accept-" + serverSocket.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Proxy in front of an embedded server. */
    public static ReplyRewritingProxy to(EmbeddedFtpServer server) {
        return new ReplyRewritingProxy(server.host(), server.port());
    }

    public ReplyRewritingProxy mode(Mode mode) {
        this.mode = Objects.requireNonNull(mode);
        return this;
    }

    /**
     * Extra rewriting of server→client lines (without line terminator), applied after the mode's
     * rewriting. Return the line to send, or {@code null} to drop the line. Replaces any previous
     * hook; {@code Function.identity()} removes it.
     */
    public ReplyRewritingProxy rewrite(Function<String, String> serverLineRewriter) {
        this.customRewriter = Objects.requireNonNull(serverLineRewriter);
        return this;
    }

    public String host() {
        return "127.0.0.1";
    }

    public int port() {
        return serverSocket.getLocalPort();
    }

    /** Client connections accepted so far. */
    public int connectionCount() {
        return connectionCount.get();
    }

    /** The port that 227/229 replies are redirected to in {@link Mode#PASSIVE_PORT_CLOSED}. */
    public int closedPort() {
        return refusingPort.getLocalPort();
    }

    /** Every line that was changed or dropped, as "original => rewritten" (for assertion messages). */
    public List<String> rewrites() {
        synchronized (rewrites) {
            return List.copyOf(rewrites);
        }
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(serverSocket);
        for (Socket s : openSockets) {
            closeQuietly(s);
        }
        closeQuietly(refusingPort);
        try {
            acceptor.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = serverSocket.accept();
            } catch (IOException e) {
                return; // closed
            }
            int n = connectionCount.incrementAndGet();
            Socket upstream = new Socket();
            try {
                upstream.connect(new InetSocketAddress(targetHost, targetPort), 10_000);
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
            } catch (IOException e) {
                closeQuietly(client);
                closeQuietly(upstream);
                continue;
            }
            new Connection(n, client, upstream).start();
        }
    }

    /** One proxied control connection: a thread per direction; closes both sockets when both end. */
    private final class Connection {
        private final int id;
        private final Socket client;
        private final Socket upstream;
        private final AtomicInteger running = new AtomicInteger(2);

        Connection(int id, Socket client, Socket upstream) {
            this.id = id;
            this.client = client;
            this.upstream = upstream;
        }

        void start() {
            openSockets.add(client);
            openSockets.add(upstream);
            thread("c2s", this::clientToServer).start();
            thread("s2c", this::serverToClient).start();
        }

        private Thread thread(String dir, Runnable body) {
            Thread t = new Thread(() -> {
                try {
                    body.run();
                } finally {
                    if (running.decrementAndGet() == 0) {
                        closeBoth();
                    }
                }
            }, "ftp-proxy-" + port() + "-" + id + "-" + dir);
            t.setDaemon(true);
            return t;
        }

        private void clientToServer() {
            try {
                // not try-with-resources: closing a socket stream closes the whole socket
                InputStream in = client.getInputStream();
                OutputStream out = upstream.getOutputStream();
                byte[] buf = new byte[8192];
                int r;
                while ((r = in.read(buf)) != -1) {
                    out.write(buf, 0, r);
                    out.flush();
                }
                upstream.shutdownOutput(); // pass the client's FIN on, keep reading the server's goodbye
            } catch (IOException e) {
                closeBoth(); // reset or close on one side: tear down the whole connection
            }
        }

        private void serverToClient() {
            try {
                ControlLines.relay(upstream.getInputStream(), client.getOutputStream(), (raw, out) -> {
                    out.write(processLine(raw));
                    return true;
                });
                client.shutdownOutput();
            } catch (IOException e) {
                closeBoth();
            }
        }

        private void closeBoth() {
            closeQuietly(client);
            closeQuietly(upstream);
            openSockets.remove(client);
            openSockets.remove(upstream);
        }
    }

    /** Rewrites one raw line (terminator included); unchanged lines keep their exact bytes. */
    private byte[] processLine(byte[] raw) {
        String terminator = ControlLines.terminator(raw);
        String original = ControlLines.text(raw);

        String rewritten = original;
        if (mode == Mode.PASSIVE_PORT_CLOSED) {
            rewritten = closePassivePort(rewritten);
        }
        rewritten = customRewriter.apply(rewritten);

        if (original.equals(rewritten)) {
            return raw;
        }
        synchronized (rewrites) {
            rewrites.add(original + " => " + (rewritten == null ? "(dropped)" : rewritten));
        }
        return rewritten == null ? new byte[0] : (rewritten + terminator).getBytes(StandardCharsets.UTF_8);
    }

    private String closePassivePort(String line) {
        int dead = closedPort();
        if (line.startsWith("227")) {
            Matcher m = PASV_ADDRESS.matcher(line);
            if (m.find()) {
                String replacement = m.group(1) + "," + (dead >> 8) + "," + (dead & 0xff);
                return line.substring(0, m.start()) + replacement + line.substring(m.end());
            }
        } else if (line.startsWith("229")) {
            Matcher m = EPSV_PORT.matcher(line);
            if (m.find()) {
                return line.substring(0, m.start(2)) + dead + line.substring(m.end(2));
            }
        }
        return line;
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // best effort during teardown
        }
    }
}
