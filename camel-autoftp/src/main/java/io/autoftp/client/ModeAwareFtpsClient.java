package io.autoftp.client;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.function.BooleanSupplier;

import javax.net.ServerSocketFactory;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;

import org.apache.commons.net.ftp.FTPListParseEngine;
import org.apache.commons.net.ftp.FTPSClient;
import org.apache.commons.net.ftp.FTPSSocketFactory;
import org.apache.commons.net.util.SSLContextUtils;
import org.apache.commons.net.util.SSLSocketUtils;

/**
 * The TLS twin of {@link ModeAwareFtpClient}: data connections come from the same {@link DataChannelNegotiator}, as
 * plain TCP connections; once {@code PROT P} is in force, TLS is layered on each, naming the control connection's peer,
 * so that the JDK's session cache resumes the control connection's TLS session on it (RFC 4217 §10.2): what vsftpd
 * ({@code require_ssl_reuse}, its default), proftpd (mod_tls' default) and most other servers insist on. commons-net's
 * own data sockets start a new session each, which those servers refuse.
 * <p>
 * Where a server still refuses a data connection's TLS, the client falls back once per server to TLS 1.2 resumed by
 * session id ({@link ResumingTlsContext}), on a new control connection, and does the refused listing or download again
 * there (an upload is done again by the Camel operations, which can read its body again).
 */
public class ModeAwareFtpsClient extends FTPSClient implements DataChannelClient {

    private static final String TLS_1_2 = "TLSv1.2";

    private final ResumingTlsContext context;
    private final DataChannelNegotiator negotiator;
    private final ControlSession session = new ControlSession();
    /** The command of the transfer whose TLS data connection is open, until its final reply. */
    private String tlsDataCommand;
    /** True while connecting (greeting, AUTH): see {@link ClientSupport#replyOrDrop}. */
    private boolean connecting;
    /** Whether this control connection offered TLS 1.2 by session id only. */
    private boolean bySessionId;

    /**
     * @param context the TLS context of the control and the data connections: one, so that they share its session
     *                cache (see {@link #sslContext})
     * @param again   makes {@code context} again, as configured; called (with TLS 1.2 session tickets off) for a server
     *                that needs TLS 1.2 resumed by session id. Null: such a server gets {@code context} itself, with
     *                its session tickets
     */
    public ModeAwareFtpsClient(boolean implicit, SSLContext context, ResumingTlsContext.Factory again,
                               DataChannelSettings settings, ModeMemory memory) {
        this(implicit, ResumingTlsContext.of(context, again), settings, memory);
    }

    /** A client whose TLS context is not made again (see above). */
    public ModeAwareFtpsClient(boolean implicit, SSLContext context, DataChannelSettings settings, ModeMemory memory) {
        this(implicit, context, null, settings, memory);
    }

    private ModeAwareFtpsClient(boolean implicit, ResumingTlsContext context, DataChannelSettings settings,
                                ModeMemory memory) {
        super(implicit, context);
        this.context = context;
        this.negotiator = new DataChannelNegotiator(this, settings, memory);
        addProtocolCommandListener(session);
    }

    /**
     * A TLS context as {@link FTPSClient} makes one from its protocol, key manager and trust manager (which it ignores
     * once given a context).
     *
     * @param keys  null for none
     * @param trust null for the JVM's trusted CAs
     */
    public static SSLContext sslContext(String protocol, KeyManager keys, TrustManager trust) throws IOException {
        return SSLContextUtils.createSSLContext(protocol, keys, trust);
    }

    public DataChannelNegotiator getNegotiator() {
        return negotiator;
    }

    // Each transfer or listing that fails after its data connection was handed out reads the server's reply for it
    // (see DataChannelNegotiator#settleAbandonedTransfer); a successful one reads it in completePendingCommand.

    @Override
    protected boolean _retrieveFile(String command, String remote, OutputStream local) throws IOException {
        long offset = getRestartOffset();
        CountingOutputStream counted = new CountingOutputStream(local);
        return settle(() -> {
            setRestartOffset(offset);
            return super._retrieveFile(command, remote, counted);
        }, () -> counted.count == 0);
    }

    @Override
    protected boolean _storeFile(String command, String remote, InputStream local) throws IOException {
        if (local instanceof RemoteSource source) {
            return ServerToServer.store(this, command, remote, source,
                    () -> settle(() -> super._storeFile(command, remote, local), () -> false));
        }
        return settle(() -> super._storeFile(command, remote, local), () -> false);
    }

    @Override
    public FTPListParseEngine initiateListParsing(String parserKey, String path) throws IOException {
        return settle(() -> super.initiateListParsing(parserKey, path), () -> true);
    }

    @Override
    public FTPListParseEngine initiateMListParsing(String path) throws IOException {
        return settle(() -> super.initiateMListParsing(path), () -> true);
    }

    @Override
    public String[] listNames(String path) throws IOException {
        return settle(() -> super.listNames(path), () -> true);
    }

    /**
     * {@link #settleOnce}; a transfer the server refused for its TLS while this client learned to offer it TLS 1.2 by
     * session id is done once more, on a new control connection that offers that, when nothing of it was consumed.
     *
     * @param repeatable whether the failed transfer can be done again (asked after it failed)
     */
    private <T> T settle(DataChannelNegotiator.Transfer<T> transfer, BooleanSupplier repeatable) throws IOException {
        try {
            return settleOnce(transfer);
        } catch (DataChannelTlsException refused) {
            if (!refused.isRepeatable() || !repeatable.getAsBoolean() || !reconnectBySessionId()) {
                throw refused;
            }
            return settleOnce(transfer);
        }
    }

    /**
     * {@link DataChannelNegotiator#settleOnFailure}, and a transfer whose TLS data connection the server then refused
     * (the reply read while settling) fails as {@link #completePendingCommand} makes it fail.
     */
    private <T> T settleOnce(DataChannelNegotiator.Transfer<T> transfer) throws IOException {
        try {
            return negotiator.settleOnFailure(transfer);
        } catch (IOException | RuntimeException e) {
            DataChannelTlsException refused = tlsRefusal(e);
            if (refused != null) {
                throw refused;
            }
            throw e;
        }
    }

    @Override
    public boolean completePendingCommand() throws IOException {
        negotiator.transferReplyRead();
        boolean completed = super.completePendingCommand();
        DataChannelTlsException refused = completed ? null : tlsRefusal(null);
        tlsDataCommand = null;
        if (refused != null) {
            throw refused;
        }
        return completed;
    }

    /**
     * The exception for a transfer whose TLS data connection was made and then refused for its TLS (522 from vsftpd,
     * 425 from proftpd); null when that is not what happened. Unless this control connection already offered TLS 1.2
     * by session id (or this client may not offer TLS 1.2), that is learned for the server, and the control connection
     * closed: the exception is then {@linkplain DataChannelTlsException#isRepeatable() repeatable}.
     *
     * @param cause how the transfer ended on this side, or null
     */
    private DataChannelTlsException tlsRefusal(Throwable cause) {
        String command = tlsDataCommand;
        tlsDataCommand = null;
        int reply = getReplyCode();
        if (command == null || (reply != 522 && reply != 425)) {
            return null;
        }
        String used = _socket_ instanceof SSLSocket control ? control.getSession().getProtocol() : "TLS";
        String[] offered = getEnabledProtocols() != null ? getEnabledProtocols()
                : context.getDefaultSSLParameters().getProtocols();
        boolean fallBack = !bySessionId && Arrays.asList(offered).contains(TLS_1_2);
        DataChannelTlsException refused = DataChannelTlsException.refused(serverKey(), command, getReplyString(), cause,
                fallBack);
        if (fallBack) {
            negotiator.getMemory().rememberResumingBySessionId(serverKey(),
                    "a data connection was refused under " + used + " (" + refused.getMessage() + ")");
            dropControlConnection();
        }
        return refused;
    }

    @Override
    public int getReply() throws IOException {
        ClientSupport.quickAck(_socket_);
        return ClientSupport.replyOrDrop(this, connecting, super::getReply);
    }

    @Override
    protected Socket _openDataConnection_(String command, String arg) throws IOException {
        long offset = getRestartOffset();
        setRestartOffset(0);
        Socket socket = negotiator.open(command, arg, offset);
        if (socket == null) {
            return null;
        }
        if (isDataProtected()) {
            // named as the control connection's peer: what the control connection's own TLS was layered with
            Socket named = new ControlPeerSocket(socket, new InetSocketAddress(getRemoteAddress(), getRemotePort()));
            socket = context.getSocketFactory().createSocket(named, _hostname_, getRemotePort(), true);
        }
        _prepareDataSocket_(socket);
        if (socket instanceof SSLSocket ssl) {
            // what FTPSClient does for its own data sockets (its method for it is private), and the host name check
            // it does on the control connection only
            ssl.setUseClientMode(getUseClientMode());
            ssl.setEnableSessionCreation(getEnableSessionCreation());
            if (!getUseClientMode()) {
                ssl.setNeedClientAuth(getNeedClientAuth());
                ssl.setWantClientAuth(getWantClientAuth());
            }
            if (getUseClientMode() && isEndpointCheckingEnabled()) {
                SSLSocketUtils.enableEndpointNameVerification(ssl);
            }
            String[] suites = getEnabledCipherSuites();
            if (suites != null) {
                ssl.setEnabledCipherSuites(suites);
            }
            String[] protocols = getEnabledProtocols();
            if (protocols != null) {
                ssl.setEnabledProtocols(protocols);
            }
            try {
                ssl.startHandshake();
            } catch (IOException e) {
                socket.close();
                throw DataChannelTlsException.of(serverKey(), command, e, negotiator.settleFailedDataConnection());
            }
            socket = TicketKeepingSocket.forCommand(ssl, command, negotiator.getSettings().connectTimeout());
            tlsDataCommand = command;
        }
        return negotiator.track(socket);
    }

    /** The control connection's TCP socket, under its TLS. */
    private Socket plainControlSocket;

    @Override
    protected void _connectAction_() throws IOException {
        plainControlSocket = _socket_; // TLS comes on top of it in super's connect action
        session.connected(_hostname_, getRemoteAddress(), getRemotePort()); // before TLS: it names the server
        // A server that refused a data connection otherwise gets TLS 1.2 resumed by session id. A JDK client
        // resumes a TLS 1.3 session with a ticket used once, and proftpd sends no new one after an upload; a TLS 1.2
        // ticket the JDK may discard (see ResumingTlsContext), where a session id stays valid for every connection.
        bySessionId = negotiator.getMemory().resumesBySessionId(serverKey());
        context.resumeBySessionId(bySessionId);
        if (bySessionId) {
            setEnabledProtocols(new String[] { TLS_1_2 });
        }
        connecting = true;
        try {
            super._connectAction_();
        } finally {
            connecting = false;
        }
        ClientSupport.reapplyActiveSettings(this, negotiator.getSettings());
    }

    @Override
    public void setActivePortRange(int minPort, int maxPort) {
        super.setActivePortRange(minPort, maxPort);
        negotiator.setSettings(negotiator.getSettings().withActivePortRange(minPort, maxPort));
    }

    @Override
    public void setActiveExternalIPAddress(String ipAddress) throws java.net.UnknownHostException {
        super.setActiveExternalIPAddress(ipAddress);
        negotiator.setSettings(negotiator.getSettings().withActiveExternalAddress(InetAddress.getByName(ipAddress)));
    }

    @Override
    public String serverKey() {
        return session.serverKey();
    }

    /** Plain: TLS comes on top once connected ({@link #_openDataConnection_}). */
    @Override
    public Socket newDataSocket() throws IOException {
        return isDataProtected() ? new Socket() : _socketFactory_.createSocket();
    }

    /** Plain: TLS comes on top of the accepted connection ({@link #_openDataConnection_}). */
    @Override
    public ServerSocket newDataListener(int port, InetAddress bindAddress) throws IOException {
        return isDataProtected() ? ServerSocketFactory.getDefault().createServerSocket(port, 1, bindAddress)
                : _serverSocketFactory_.createServerSocket(port, 1, bindAddress);
    }

    @Override
    public boolean protectsData() {
        return isDataProtected();
    }

    /** Whether {@code PROT P} is in force: commons-net then gives data connections its TLS socket factories. */
    private boolean isDataProtected() {
        return _socketFactory_ instanceof FTPSSocketFactory;
    }

    @Override
    public void dropControlConnection() {
        ClientSupport.dropQuietly(this);
    }

    /**
     * Closes the TCP connection under the control connection's TLS: commons-net layers TLS on it without auto-close,
     * so closing the TLS socket would leave a read blocked until the server answers (vsftpd tries to connect back for
     * 60 s before its 425).
     */
    @Override
    public void interruptControlRead() {
        ClientSupport.closeQuietly(plainControlSocket != null ? plainControlSocket : _socket_);
    }

    @Override
    public boolean reconnectControl() {
        return ClientSupport.reconnect(this, session);
    }

    /**
     * {@link #reconnectControl} after a {@linkplain DataChannelTlsException#isRepeatable() repeatable} TLS refusal:
     * the new control connection offers TLS 1.2 by session id and is back where the refused one was.
     */
    public boolean reconnectBySessionId() {
        return ClientSupport.reconnect(this, session, "to offer TLS 1.2 by session id");
    }

    /** Counts what a download wrote, so that one refused before its first byte can be done again. */
    private static final class CountingOutputStream extends FilterOutputStream {
        long count;

        CountingOutputStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] buffer, int offset, int length) throws IOException {
            out.write(buffer, offset, length);
            count += length;
        }
    }
}
