package io.autoftp.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

import org.apache.commons.net.ftp.FTPClient;
import org.apache.commons.net.ftp.FTPListParseEngine;

/**
 * A commons-net {@link FTPClient} whose data connections are opened by a {@link DataChannelNegotiator}: the mode is
 * chosen per transfer, with fallback and per-server memory, instead of the fixed active/passive switch.
 */
public class ModeAwareFtpClient extends FTPClient implements DataChannelClient {

    private final DataChannelNegotiator negotiator;
    private final ControlSession session = new ControlSession();
    /** True while connecting (greeting, AUTH): see {@link ClientSupport#replyOrDrop}. */
    private boolean connecting;

    public ModeAwareFtpClient(DataChannelSettings settings, ModeMemory memory) {
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
        if (local instanceof RemoteSource source) {
            return ServerToServer.store(this, command, remote, source,
                    () -> negotiator.settleOnFailure(() -> super._storeFile(command, remote, local)));
        }
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
        ClientSupport.quickAck(_socket_);
        return ClientSupport.replyOrDrop(this, connecting, super::getReply);
    }

    @Override
    protected Socket _openDataConnection_(String command, String arg) throws IOException {
        long offset = getRestartOffset();
        setRestartOffset(0); // consumed, whichever mode sends the REST
        return negotiator.track(negotiator.open(command, arg, offset));
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
    public void interruptControlRead() {
        ClientSupport.closeQuietly(_socket_);
    }

    @Override
    public boolean reconnectControl() {
        return ClientSupport.reconnect(this, session);
    }
}
