package io.autoftp.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;

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
 */
public class ModeAwareFtpsClient extends FTPSClient implements DataChannelClient {

    private final SSLContext context;
    private final DataChannelNegotiator negotiator;
    private final ControlSession session = new ControlSession();
    /** The command of the transfer whose TLS data connection is open, until its final reply. */
    private String tlsDataCommand;
    /** True while connecting (greeting, AUTH): see {@link ClientSupport#replyOrDrop}. */
    private boolean connecting;

    /**
     * @param context the TLS context of the control and the data connections: one, so that they share its session
     *                cache (see {@link #sslContext})
     */
    public ModeAwareFtpsClient(boolean implicit, SSLContext context, DataChannelSettings settings, ModeMemory memory) {
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
        return settle(() -> super._retrieveFile(command, remote, local));
    }

    @Override
    protected boolean _storeFile(String command, String remote, InputStream local) throws IOException {
        if (local instanceof RemoteSource source) {
            return ServerToServer.store(this, command, remote, source,
                    () -> settle(() -> super._storeFile(command, remote, local)));
        }
        return settle(() -> super._storeFile(command, remote, local));
    }

    @Override
    public FTPListParseEngine initiateListParsing(String parserKey, String path) throws IOException {
        return settle(() -> super.initiateListParsing(parserKey, path));
    }

    @Override
    public FTPListParseEngine initiateMListParsing(String path) throws IOException {
        return settle(() -> super.initiateMListParsing(path));
    }

    @Override
    public String[] listNames(String path) throws IOException {
        return settle(() -> super.listNames(path));
    }

    /**
     * {@link DataChannelNegotiator#settleOnFailure}, and a transfer whose TLS data connection the server then refused
     * (the reply read while settling) fails as {@link #completePendingCommand} makes it fail.
     */
    private <T> T settle(DataChannelNegotiator.Transfer<T> transfer) throws IOException {
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
     * 425 from proftpd), once the other TLS version is learned; null when that is not what happened.
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
        DataChannelTlsException refused = DataChannelTlsException.refused(serverKey(), command, getReplyString(), cause);
        learnOtherTlsVersion(refused);
        return refused;
    }

    /**
     * The server refused a TLS data connection although it resumed (or offered to resume) the control connection's
     * session: under the other TLS version it may not (vsftpd's TLS 1.2 session tickets outlive what the JDK keeps;
     * proftpd's TLS 1.3 sends no new ticket after an upload, and the JDK uses each once). Offer that version next time,
     * when this client's TLS context enables it by default, and start again on a new control connection.
     */
    private void learnOtherTlsVersion(DataChannelTlsException refused) {
        if (!(_socket_ instanceof SSLSocket control)) {
            return;
        }
        String used = control.getSession().getProtocol();
        String other = "TLSv1.3".equals(used) ? "TLSv1.2" : "TLSv1.3";
        if (Arrays.asList(context.getDefaultSSLParameters().getProtocols()).contains(other)) {
            negotiator.getMemory().rememberTlsVersion(serverKey(), other,
                    "data connections refused under " + used + " (" + refused.getMessage() + ")");
            dropControlConnection();
        }
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
        negotiator.getMemory().tlsVersion(serverKey())
                .ifPresent(version -> setEnabledProtocols(new String[] { version }));
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
}
