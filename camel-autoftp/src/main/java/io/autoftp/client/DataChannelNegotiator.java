package io.autoftp.client;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;

import io.autoftp.client.DataChannelException.FailureKind;
import org.apache.commons.net.MalformedServerReplyException;
import org.apache.commons.net.ftp.FTPReply;

/**
 * The one place where the data channel mode is decided. Every transfer and listing of a {@link ModeAwareFtpClient} or
 * {@link ModeAwareFtpsClient} opens its data connection here: the remembered mode for the server first, then the
 * policy's order; the same command is retried in the next mode only after a <em>mode failure</em> (the server refused
 * PASV/EPSV/PORT/EPRT, the data connection could not be made, the reply was unusable, or the server could not connect
 * back), never after a file error and never once data has moved (the caller owns the socket from then on).
 */
public final class DataChannelNegotiator {

    private static final System.Logger LOG = System.getLogger(DataChannelNegotiator.class.getName());

    private final DataChannelClient client;
    private volatile DataChannelSettings settings;
    private volatile ModeMemory memory;

    DataChannelNegotiator(DataChannelClient client, DataChannelSettings settings, ModeMemory memory) {
        this.client = client;
        this.settings = settings;
        this.memory = memory;
    }

    public DataChannelSettings getSettings() {
        return settings;
    }

    public void setSettings(DataChannelSettings settings) {
        this.settings = settings;
    }

    public ModeMemory getMemory() {
        return memory;
    }

    public void setMemory(ModeMemory memory) {
        this.memory = memory;
    }

    /** A mode failed in a way that makes trying the next mode safe and sensible. */
    private static final class ModeFailure extends Exception {
        private static final long serialVersionUID = 1L;
        private final DataChannelException.FailureKind kind;

        ModeFailure(DataChannelException.FailureKind kind, String message) {
            super(message, null, false, false);
            this.kind = kind;
        }

        boolean controlLost() {
            return kind == FailureKind.NO_ANSWER || kind == FailureKind.UNANSWERED;
        }
    }

    /** The data connection {@link #open} returned last, until {@link #track} takes it (a client is single-threaded). */
    private record Opened(String server, DataChannelMode mode, String command) {
    }

    private Opened lastOpened;

    /**
     * Whether a data connection was handed out and the server's final reply for its transfer is still unread: a
     * transfer that then fails must read it before the next command (see {@link #settleAbandonedTransfer}).
     */
    private boolean transferReplyPending;

    /** The outcome of one mode: a socket, or the command's own refusal (a file error, not a mode failure). */
    private record Outcome(Socket socket, boolean modeProven) {
    }

    /**
     * Opens a data connection for {@code command} as commons-net's {@code _openDataConnection_} does.
     *
     * @return the connected data socket, or {@code null} when the server refused the command itself (e.g. 550 for a
     *         missing file), leaving the reply in the client
     * @throws DataChannelException when no allowed mode could open a data connection
     */
    public Socket open(String command, String arg, long restartOffset) throws IOException {
        DataChannelSettings current = settings;
        String server = client.serverKey();
        boolean ipv6 = client.getRemoteAddress() instanceof Inet6Address;
        List<DataChannelMode> order = new ArrayList<>(current.policy().modesFor(ipv6));
        Optional<DataChannelMode> remembered = current.policy().isAdaptive() ? memory.recall(server, current.memoryTtl()) : Optional.empty();
        remembered.filter(order::contains).ifPresent(mode -> {
            order.remove(mode);
            order.add(0, mode);
        });
        String what = command + (arg == null ? "" : " " + arg);
        List<DataChannelException.Attempt> failures = new ArrayList<>();
        // a blocked path is not tried again in its other command: that would cost another timeout for nothing
        String passiveBlocked = null;
        String activeBlocked = null;
        for (DataChannelMode mode : order) {
            String blocked = mode.isPassive()
                    ? (goesToControlHost(mode, current) ? passiveBlocked : null)
                    : activeBlocked;
            if (blocked != null) {
                failures.add(new DataChannelException.Attempt(mode, FailureKind.SKIPPED, "not tried: " + blocked));
                continue;
            }
            try {
                Outcome outcome = mode.isPassive()
                        ? openPassive(mode, command, arg, restartOffset, current)
                        : openActive(mode, command, arg, restartOffset, current);
                if (outcome.modeProven() && current.policy().isAdaptive()) {
                    memory.remember(server, mode, failures.isEmpty() ? "" : DataChannelException.describe(failures),
                            current.memoryTtl());
                }
                if (outcome.socket() != null) {
                    opened(server, mode, command, failures);
                }
                return outcome.socket();
            } catch (ModeFailure failure) {
                failures.add(new DataChannelException.Attempt(mode, failure.kind, failure.getMessage()));
                memory.events().onModeFailed(server, mode, failure.kind);
                LOG.log(System.Logger.Level.DEBUG, () -> "Data channel to " + server + " for " + what + ": " + mode
                                                         + " failed: " + failure.getMessage());
                if (current.policy().isAdaptive()) {
                    memory.forget(server, mode); // unless another endpoint has learned a different mode since
                }
                if (mode.isPassive() && failure.kind == FailureKind.CONNECT_TIMED_OUT && goesToControlHost(mode, current)) {
                    passiveBlocked = "passive data connections to " + client.getRemoteAddress().getHostAddress()
                                     + " time out";
                } else if (failure.kind == FailureKind.NO_CONNECT_BACK || failure.kind == FailureKind.NO_ANSWER) {
                    activeBlocked = "the server cannot connect back to this client";
                }
                if (failure.controlLost() && !client.reconnectControl()) {
                    throw new DataChannelException(server, what, failures,
                            "the control connection was lost and could not be re-opened");
                }
            }
        }
        throw new DataChannelException(server, what, failures, "allowed modes: " + order);
    }

    /** Whether a passive mode's data connection goes to the control connection's host. */
    private static boolean goesToControlHost(DataChannelMode mode, DataChannelSettings current) {
        return mode == DataChannelMode.EPSV || current.pasvAddressPolicy() == PasvAddressPolicy.CONTROL_HOST;
    }

    /** Tells the listeners, and keeps what {@link #track} needs to count the connection's bytes. */
    private void opened(String server, DataChannelMode mode, String command, List<DataChannelException.Attempt> failures) {
        memory.events().onOpened(server, mode, command);
        if (!failures.isEmpty()) {
            memory.events().onFallback(server, failures.get(0).mode(), mode);
        }
        lastOpened = new Opened(server, mode, command);
        transferReplyPending = true;
    }

    /**
     * The data socket to hand to commons-net: the one {@link #open} just returned, once the client has finished setting
     * it up (TLS), wrapped to count its bytes for the {@link DataChannelListener}s when there are any.
     */
    Socket track(Socket socket) {
        Opened last = lastOpened;
        lastOpened = null;
        if (socket == null || last == null || !memory.hasListeners()) {
            return socket;
        }
        return new CountingDataSocket(socket, last.server(), last.mode(), last.command(), memory.events());
    }

    private Outcome openPassive(DataChannelMode mode, String command, String arg, long restartOffset,
            DataChannelSettings current) throws IOException, ModeFailure {
        int code = dataChannelCommand(mode, mode == DataChannelMode.EPSV ? client::epsv : client::pasv, current);
        int expected = mode == DataChannelMode.EPSV ? FTPReply.ENTERING_EPSV_MODE : FTPReply.ENTERING_PASSIVE_MODE;
        if (code != expected) {
            throw new ModeFailure(FailureKind.REFUSED_BY_SERVER, "refused by the server (" + reply() + ")");
        }
        InetAddress controlHost = client.getRemoteAddress();
        InetAddress host;
        int port;
        try {
            if (mode == DataChannelMode.EPSV) {
                host = controlHost;
                port = DataAddressCodec.parseEpsvReply(client.getReplyString()).port();
            } else {
                DataEndpoint offered = DataAddressCodec.parsePasvReply(client.getReplyString());
                host = current.pasvAddressPolicy().choose(offered.address(), controlHost);
                port = offered.port();
                if (!host.equals(offered.address())) {
                    LOG.log(System.Logger.Level.DEBUG, () -> "PASV reply names " + offered + ", connecting to the"
                                                             + " control host " + controlHost.getHostAddress()
                                                             + " instead (pasvAddressPolicy="
                                                             + current.pasvAddressPolicy() + ")");
                }
            }
        } catch (MalformedServerReplyException e) {
            throw new ModeFailure(FailureKind.UNUSABLE_REPLY, "unusable reply: " + e.getMessage());
        }

        Socket socket = client.newDataSocket();
        try {
            applyBufferSizes(socket);
            if (client.getPassiveLocalIPAddress() != null) {
                socket.bind(new InetSocketAddress(client.getPassiveLocalIPAddress(), 0));
            }
            socket.connect(new InetSocketAddress(host, port), millis(current.connectTimeout()));
        } catch (IOException e) {
            ClientSupport.closeQuietly(socket);
            throw new ModeFailure(connectFailureKind(e), "data connection to " + host.getHostAddress() + ":" + port
                                                         + " " + connectProblem(e, current.connectTimeout()));
        }
        try {
            if (restartOffset > 0 && !FTPReply.isPositiveIntermediate(client.rest(Long.toString(restartOffset)))) {
                ClientSupport.closeQuietly(socket);
                return new Outcome(null, true);
            }
            int reply = client.sendCommand(command, arg);
            if (FTPReply.isPositivePreliminary(reply)) {
                applyDataTimeout(socket);
                return new Outcome(socket, true);
            }
            ClientSupport.closeQuietly(socket);
            if (isDataConnectionFailure(reply)) {
                throw new ModeFailure(FailureKind.CONNECT_REFUSED,
                        "the server could not use the data connection (" + reply() + ")");
            }
            return new Outcome(null, true);
        } catch (IOException | RuntimeException e) {
            ClientSupport.closeQuietly(socket);
            throw e;
        }
    }

    private Outcome openActive(DataChannelMode mode, String command, String arg, long restartOffset,
            DataChannelSettings current) throws IOException, ModeFailure {
        InetAddress local = client.getLocalAddress();
        InetAddress reported = current.activeExternalAddress() != null ? current.activeExternalAddress() : local;
        try (ServerSocket listener = listen(local, current)) {
            String argument = mode == DataChannelMode.EPRT
                    ? DataAddressCodec.formatEprt(reported, listener.getLocalPort())
                    : DataAddressCodec.formatPort(reported, listener.getLocalPort());
            if (!FTPReply.isPositiveCompletion(dataChannelCommand(mode, () -> client.sendCommand(mode.name(), argument),
                    current))) {
                throw new ModeFailure(FailureKind.REFUSED_BY_SERVER, "refused by the server (" + reply() + ")");
            }
            if (restartOffset > 0 && !FTPReply.isPositiveIntermediate(client.rest(Long.toString(restartOffset)))) {
                return new Outcome(null, false);
            }
            // Most servers (vsftpd, proftpd, pure-ftpd) connect back before they answer the command, others after.
            // So the accept runs while the reply is awaited: a server that cannot reach this host within the data
            // connect timeout fails the mode then (its control connection, owing a reply, is dropped), while one that
            // did connect may take the control connection's own reply timeout to answer.
            listener.setSoTimeout(millis(current.connectTimeout()));
            CompletableFuture<Socket> connectBack = CompletableFuture.supplyAsync(() -> accept(listener), ACCEPTORS);
            AtomicReference<ActiveWait> wait = new AtomicReference<>(ActiveWait.AWAITING_REPLY);
            connectBack.whenComplete((socket, failure) -> {
                if (failure != null && wait.compareAndSet(ActiveWait.AWAITING_REPLY, ActiveWait.GAVE_UP)) {
                    client.interruptControlRead(); // ends the reply read below
                }
            });
            try {
                Socket socket = awaitConnectBack(command, arg, connectBack, wait, current,
                        reported.getHostAddress() + ":" + listener.getLocalPort());
                if (socket == null) {
                    connectBack.thenAccept(ClientSupport::closeQuietly); // the server connected, then refused
                    return new Outcome(null, false);
                }
                if (client.isRemoteVerificationEnabled() && !client.verifyRemote(socket)) {
                    String intruder = socket.getInetAddress().getHostAddress();
                    ClientSupport.closeQuietly(socket);
                    client.dropControlConnection();
                    throw new IOException("Refused an active data connection from " + intruder + ": it is not the"
                                          + " server " + client.serverKey() + " (remote verification)");
                }
                applyBufferSizes(socket);
                applyDataTimeout(socket);
                return new Outcome(socket, true);
            } catch (IOException | ModeFailure | RuntimeException e) {
                connectBack.thenAccept(ClientSupport::closeQuietly); // a connection that came too late
                throw e;
            }
        }
    }

    /**
     * Sends the transfer command and waits for its first reply while {@code connectBack} accepts the server's data
     * connection.
     *
     * @return the data connection; null when the server refused the command (a file error, not a mode failure)
     */
    private Socket awaitConnectBack(String command, String arg, CompletableFuture<Socket> connectBack,
            AtomicReference<ActiveWait> wait, DataChannelSettings current, String listening)
            throws IOException, ModeFailure {
        String unreachable = "the server did not connect back to " + listening + " within "
                             + millis(current.connectTimeout()) + " ms";
        Duration replyBound = controlReplyBound();
        int reply;
        try {
            reply = withControlTimeout(replyBound, () -> client.sendCommand(command, arg));
        } catch (IOException | RuntimeException e) {
            if (wait.get() == ActiveWait.GAVE_UP) {
                client.dropControlConnection();
                throw new ModeFailure(FailureKind.NO_ANSWER, unreachable + " and did not answer " + command
                                                             + " (control connection dropped)");
            }
            if (e instanceof SocketTimeoutException) {
                client.dropControlConnection();
                throw new ModeFailure(FailureKind.NO_ANSWER, "the server did not answer " + command + " within "
                                                             + millis(replyBound) + " ms (control connection"
                                                             + " dropped)");
            }
            throw e;
        }
        if (!wait.compareAndSet(ActiveWait.AWAITING_REPLY, ActiveWait.REPLIED)) {
            client.dropControlConnection(); // its socket was closed just as the reply came
            throw new ModeFailure(FailureKind.NO_ANSWER, unreachable + " (control connection dropped)");
        }
        if (!FTPReply.isPositivePreliminary(reply)) {
            if (isDataConnectionFailure(reply)) {
                throw new ModeFailure(FailureKind.NO_CONNECT_BACK, "the server could not connect back to "
                                                             + listening + " (" + reply() + ")");
            }
            return null;
        }
        try {
            return connectBack.join();
        } catch (CompletionException e) {
            // the server still owes a reply (usually 425) for the command: read it or give up the connection
            Optional<String> pending = drainPendingReply(current.connectTimeout());
            if (pending.isEmpty()) {
                client.dropControlConnection();
                throw new ModeFailure(FailureKind.NO_ANSWER,
                        unreachable + " (no reply followed; control connection dropped)");
            }
            throw new ModeFailure(FailureKind.NO_CONNECT_BACK, unreachable + " (" + pending.get() + ")");
        }
    }

    /** Where the wait for the first reply to the transfer command stands in active mode. */
    private enum ActiveWait {
        AWAITING_REPLY, REPLIED, GAVE_UP
    }

    /** Accepts active data connections while the control connection waits for its reply; daemon threads. */
    private static final ExecutorService ACCEPTORS = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "autoftp-active-accept");
        thread.setDaemon(true);
        return thread;
    });

    private static Socket accept(ServerSocket listener) {
        try {
            return listener.accept();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private ServerSocket listen(InetAddress local, DataChannelSettings current) throws ModeFailure {
        if (!current.hasActivePortRange()) {
            try {
                return client.newDataListener(0, local);
            } catch (IOException e) {
                throw new ModeFailure(FailureKind.LOCAL, "cannot listen on " + local.getHostAddress() + ": "
                                                         + e.getMessage());
            }
        }
        int min = current.activeMinPort();
        int size = current.activeMaxPort() - min + 1;
        int start = ThreadLocalRandom.current().nextInt(size);
        for (int i = 0; i < size; i++) {
            int port = min + (start + i) % size;
            try {
                return client.newDataListener(port, local);
            } catch (BindException e) {
                // taken: try the next one
            } catch (IOException e) {
                throw new ModeFailure(FailureKind.LOCAL, "cannot listen on " + local.getHostAddress() + ":" + port
                                                         + ": " + e.getMessage());
            }
        }
        throw new ModeFailure(FailureKind.LOCAL,
                "no free local port in activePortRange " + min + "-" + current.activeMaxPort());
    }

    /**
     * Sends EPSV, PASV, EPRT or PORT. The server answers these by itself, at once, so a hostile or broken one that does
     * not answer within twice the data connect timeout (or soTimeout if shorter) fails the mode, instead of holding the
     * transfer for the control connection's timeout (camel-ftp's soTimeout: 300 s by default); its control connection,
     * out of step now, is dropped.
     */
    private int dataChannelCommand(DataChannelMode mode, ControlCall send, DataChannelSettings current)
            throws IOException, ModeFailure {
        Duration bound = current.connectTimeout().multipliedBy(2);
        Duration control = controlReplyBound();
        if (control.compareTo(bound) < 0) {
            bound = control; // a shorter soTimeout applies anyway: say so
        }
        try {
            return withControlTimeout(bound, send);
        } catch (SocketTimeoutException e) {
            client.dropControlConnection();
            throw new ModeFailure(FailureKind.UNANSWERED, "the server did not answer " + mode + " within "
                                                          + millis(bound) + " ms (control connection dropped)");
        }
    }

    /** The control connection's reply timeout (camel-ftp's soTimeout), or camel-ftp's default when it has none. */
    private Duration controlReplyBound() throws IOException {
        int soTimeout = client.getSoTimeout();
        return soTimeout > 0 ? Duration.ofMillis(soTimeout) : DEFAULT_CONTROL_REPLY_BOUND;
    }

    /** camel-ftp's default soTimeout, for a control connection that would otherwise wait forever (commons-net's 0). */
    private static final Duration DEFAULT_CONTROL_REPLY_BOUND = Duration.ofMinutes(5);

    /** The client read the final reply of the transfer ({@code completePendingCommand}). */
    void transferReplyRead() {
        transferReplyPending = false;
    }

    @FunctionalInterface
    interface Transfer<T> {
        T run() throws IOException;
    }

    /** Runs one of the client's transfers or listings, settling its reply when it fails (see below). */
    <T> T settleOnFailure(Transfer<T> transfer) throws IOException {
        try {
            return transfer.run();
        } catch (IOException | RuntimeException e) {
            settleAbandonedTransfer();
            throw e;
        }
    }

    /**
     * A transfer failed after its data connection had been handed out (e.g. the data connection was cut mid-file).
     * commons-net then throws without reading the server's final reply for it (426, 451, or even 226), so the next
     * command would read that reply as its own answer and every reply after it would be one behind: a PWD answered by
     * "426", an EPSV by "250", a RETR by "229"... Reads that reply now, bounded by the data connect timeout, and drops
     * the control connection when it does not come, so that the next operation starts on a clean one.
     */
    void settleAbandonedTransfer() {
        if (!transferReplyPending) {
            return;
        }
        transferReplyPending = false;
        if (!client.isConnected()) {
            return;
        }
        String server = client.serverKey();
        try {
            Optional<String> pending = drainPendingReply(settings.connectTimeout());
            if (pending.isPresent()) {
                LOG.log(System.Logger.Level.DEBUG, () -> "Transfer with " + server + " failed mid-way; the server's"
                                                         + " reply for it was: " + pending.get());
                return;
            }
        } catch (IOException | RuntimeException e) {
            // the control connection is gone as well
        }
        LOG.log(System.Logger.Level.DEBUG, () -> "Transfer with " + server + " failed mid-way and the server's reply"
                                                 + " for it did not come: dropping the control connection");
        client.dropControlConnection();
    }

    /**
     * The server's reply to the transfer command whose data connection failed before any data moved (its TLS handshake,
     * say), read now, bounded by the data connect timeout, so that the control connection stays in step; empty when
     * none came, and the control connection is then dropped.
     */
    Optional<String> settleFailedDataConnection() {
        transferReplyPending = false;
        try {
            Optional<String> pending = drainPendingReply(settings.connectTimeout());
            if (pending.isPresent()) {
                return pending;
            }
        } catch (IOException | RuntimeException e) {
            // the control connection is gone as well
        }
        client.dropControlConnection();
        return Optional.empty();
    }

    private Optional<String> drainPendingReply(Duration bound) throws IOException {
        try {
            withControlTimeout(bound, client::getReply);
            return Optional.of(reply());
        } catch (SocketTimeoutException e) {
            return Optional.empty();
        }
    }

    @FunctionalInterface
    private interface ControlCall {
        int call() throws IOException;
    }

    private int withControlTimeout(Duration bound, ControlCall call) throws IOException {
        int previous = client.getSoTimeout();
        int limit = millis(bound);
        client.setSoTimeout(previous > 0 ? Math.min(previous, limit) : limit);
        try {
            return call.call();
        } finally {
            try {
                if (client.isConnected()) { // a reply that timed out or was garbled drops the connection
                    client.setSoTimeout(previous);
                }
            } catch (IOException e) {
                // the control connection is already closed: nothing left to restore
            }
        }
    }

    /** 425 Can't open data connection, 426 Connection closed; transfer aborted. */
    private static boolean isDataConnectionFailure(int reply) {
        return reply == FTPReply.CANNOT_OPEN_DATA_CONNECTION || reply == FTPReply.TRANSFER_ABORTED;
    }

    private String reply() {
        String text = client.getReplyString();
        return text == null ? "no reply" : DataAddressCodec.bounded(text.trim().replaceAll("\\s*\\R\\s*", " "));
    }

    private static FailureKind connectFailureKind(IOException e) {
        if (e instanceof SocketTimeoutException) {
            return FailureKind.CONNECT_TIMED_OUT;
        }
        return e instanceof ConnectException ? FailureKind.CONNECT_REFUSED : FailureKind.LOCAL;
    }

    private static String connectProblem(IOException e, Duration timeout) {
        if (e instanceof SocketTimeoutException) {
            return "timed out after " + millis(timeout) + " ms";
        }
        if (e instanceof ConnectException) {
            return "refused";
        }
        if (e instanceof NoRouteToHostException) {
            return "failed: no route to host";
        }
        return "failed: " + e.getMessage();
    }

    private void applyBufferSizes(Socket socket) throws IOException {
        if (client.getReceiveDataSocketBufferSize() > 0) {
            socket.setReceiveBufferSize(client.getReceiveDataSocketBufferSize());
        }
        if (client.getSendDataSocketBufferSize() > 0) {
            socket.setSendBufferSize(client.getSendDataSocketBufferSize());
        }
    }

    private void applyDataTimeout(Socket socket) throws IOException {
        Duration dataTimeout = client.getDataTimeout();
        if (dataTimeout != null && !dataTimeout.isNegative()) {
            socket.setSoTimeout(millis(dataTimeout));
        }
    }

    private static int millis(Duration duration) {
        return (int) Math.min(Integer.MAX_VALUE, duration.toMillis());
    }
}
