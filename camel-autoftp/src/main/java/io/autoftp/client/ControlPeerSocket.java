package io.autoftp.client;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;

/**
 * A data connection that names the control connection's peer as its own, for the TLS layered on it: the JDK's client
 * session cache is keyed by the peer's host and port, so the TLS of the data connection then offers the control
 * connection's session (RFC 4217 §10.2), which most FTPS servers require. Only the layered TLS socket sees it; the
 * bytes go over the real data connection.
 */
final class ControlPeerSocket extends DelegatingSocket {

    private final InetSocketAddress controlPeer;

    ControlPeerSocket(Socket data, InetSocketAddress controlPeer) {
        super(data);
        this.controlPeer = controlPeer;
    }

    @Override
    public InetAddress getInetAddress() {
        return controlPeer.getAddress();
    }

    @Override
    public int getPort() {
        return controlPeer.getPort();
    }

    @Override
    public SocketAddress getRemoteSocketAddress() {
        return controlPeer;
    }
}
