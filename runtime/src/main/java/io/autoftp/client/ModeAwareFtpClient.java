package io.autoftp.client;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

import org.apache.commons.net.ftp.FTPClient;

/**
 * A commons-net {@link FTPClient} whose data connections are opened by a {@link DataChannelNegotiator}: the mode is
 * chosen per transfer, with fallback and per-server memory, instead of the fixed active/passive switch.
 */
public class ModeAwareFtpClient extends FTPClient implements DataChannelClient {

    private final DataChannelNegotiator negotiator;
    private final ControlSession session = new ControlSession();

    public ModeAwareFtpClient(DataChannelSettings settings, ModeMemory memory) {
        this.negotiator = new DataChannelNegotiator(this, settings, memory);
        addProtocolCommandListener(session);
    }

    public DataChannelNegotiator getNegotiator() {
        return negotiator;
    }

    @Override
    protected Socket _openDataConnection_(String command, String arg) throws IOException {
        long offset = getRestartOffset();
        setRestartOffset(0); // consumed, whichever mode sends the REST
        return negotiator.track(negotiator.open(command, arg, offset));
    }

    @Override
    protected void _connectAction_() throws IOException {
        super._connectAction_();
        session.connected(_hostname_, getRemoteAddress(), getRemotePort());
        ClientSupport.reapplyActiveSettings(this, negotiator.getSettings());
    }

    /** Keeps camel-ftp's {@code activePortRange} alive: commons-net forgets it on every connect. */
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
