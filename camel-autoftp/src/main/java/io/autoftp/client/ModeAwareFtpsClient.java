package io.autoftp.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

import org.apache.commons.net.ftp.FTPListParseEngine;
import org.apache.commons.net.ftp.FTPSClient;

/**
 * The TLS twin of {@link ModeAwareFtpClient}: data connections come from the same {@link DataChannelNegotiator}
 * (through this client's TLS socket factories once {@code PROT P} is in force), then get the TLS set-up that
 * {@link FTPSClient} gives its own.
 */
public class ModeAwareFtpsClient extends FTPSClient implements DataChannelClient {

    private final DataChannelNegotiator negotiator;
    private final ControlSession session = new ControlSession();
    /** True while connecting (greeting, AUTH): see {@link ClientSupport#replyOrDrop}. */
    private boolean connecting;

    public ModeAwareFtpsClient(String protocol, boolean implicit, DataChannelSettings settings, ModeMemory memory) {
        super(protocol, implicit);
        this.negotiator = new DataChannelNegotiator(this, settings, memory);
        addProtocolCommandListener(session);
    }

    public ModeAwareFtpsClient(boolean implicit, SSLContext context, DataChannelSettings settings, ModeMemory memory) {
        super(implicit, context);
        this.negotiator = new DataChannelNegotiator(this, settings, memory);
        addProtocolCommandListener(session);
    }

    public DataChannelNegotiator getNegotiator() {
        return negotiator;
    }

    // Each transfer or listing that fails after its data connection was handed out reads the server's reply for it
    // (see DataChannelNegotiator#settleAbandonedTransfer); a successful one reads it in completePendingCommand.

    @Override
    protected boolean _retrieveFile(String command, String remote, OutputStream local) throws IOException {
        return negotiator.settleOnFailure(() -> super._retrieveFile(command, remote, local));
    }

    @Override
    protected boolean _storeFile(String command, String remote, InputStream local) throws IOException {
        return negotiator.settleOnFailure(() -> super._storeFile(command, remote, local));
    }

    @Override
    public FTPListParseEngine initiateListParsing(String parserKey, String path) throws IOException {
        return negotiator.settleOnFailure(() -> super.initiateListParsing(parserKey, path));
    }

    @Override
    public FTPListParseEngine initiateMListParsing(String path) throws IOException {
        return negotiator.settleOnFailure(() -> super.initiateMListParsing(path));
    }

    @Override
    public String[] listNames(String path) throws IOException {
        return negotiator.settleOnFailure(() -> super.listNames(path));
    }

    @Override
    public boolean completePendingCommand() throws IOException {
        negotiator.transferReplyRead();
        return super.completePendingCommand();
    }

    @Override
    public int getReply() throws IOException {
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
        _prepareDataSocket_(socket);
        if (socket instanceof SSLSocket ssl) {
            // what FTPSClient does for its own data sockets (its method for it is private)
            ssl.setUseClientMode(getUseClientMode());
            ssl.setEnableSessionCreation(getEnableSessionCreation());
            if (!getUseClientMode()) {
                ssl.setNeedClientAuth(getNeedClientAuth());
                ssl.setWantClientAuth(getWantClientAuth());
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
                throw e;
            }
        }
        return negotiator.track(socket);
    }

    @Override
    protected void _connectAction_() throws IOException {
        connecting = true;
        try {
            super._connectAction_();
        } finally {
            connecting = false;
        }
        session.connected(_hostname_, getRemoteAddress(), getRemotePort());
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

    @Override
    public Socket newDataSocket() throws IOException {
        return _socketFactory_.createSocket();
    }

    @Override
    public ServerSocket newDataListener(int port, InetAddress bindAddress) throws IOException {
        return _serverSocketFactory_.createServerSocket(port, 1, bindAddress);
    }

    @Override
    public void dropControlConnection() {
        ClientSupport.dropQuietly(this);
    }

    @Override
    public void interruptControlRead() {
        ClientSupport.closeQuietly(_socket_);
    }

    @Override
    public boolean reconnectControl() {
        return ClientSupport.reconnect(this, session);
    }
}
