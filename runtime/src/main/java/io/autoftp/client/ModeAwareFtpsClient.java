package io.autoftp.client;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

import org.apache.commons.net.ftp.FTPSClient;

/**
 * The TLS twin of {@link ModeAwareFtpClient}: data connections come from the same {@link DataChannelNegotiator}
 * (through this client's TLS socket factories once {@code PROT P} is in force), then get the TLS set-up that
 * {@link FTPSClient} gives its own.
 */
public class ModeAwareFtpsClient extends FTPSClient implements DataChannelClient {

    private final DataChannelNegotiator negotiator;
    private final ControlSession session = new ControlSession();

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
        super._connectAction_();
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
    public boolean reconnectControl() {
        return ClientSupport.reconnect(this, session);
    }
}
