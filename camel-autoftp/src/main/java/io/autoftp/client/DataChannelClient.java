package io.autoftp.client;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;

/**
 * What {@link DataChannelNegotiator} needs from an FTP client: the commons-net methods it already has, plus access to
 * its socket factories (the FTPS client's produce TLS sockets) and a way to re-open a control connection that went
 * deaf.
 */
interface DataChannelClient {

    /** The client's one place where its data connections' mode is decided. */
    DataChannelNegotiator getNegotiator();

    /** Whether this client's data connections are TLS ({@code PROT P} in force). */
    default boolean protectsData() {
        return false;
    }

    /** {@code host:port} as configured, the key of {@link ModeMemory}. */
    String serverKey();

    InetAddress getRemoteAddress();

    InetAddress getLocalAddress();

    int epsv() throws IOException;

    int pasv() throws IOException;

    int rest(String marker) throws IOException;

    int sendCommand(String command, String args) throws IOException;

    int getReply() throws IOException;

    String getReplyString();

    int getSoTimeout() throws SocketException;

    void setSoTimeout(int timeout) throws SocketException;

    Duration getDataTimeout();

    int getReceiveDataSocketBufferSize();

    int getSendDataSocketBufferSize();

    InetAddress getPassiveLocalIPAddress();

    boolean isRemoteVerificationEnabled();

    boolean verifyRemote(Socket socket);

    /** An unconnected socket from the client's socket factory. */
    Socket newDataSocket() throws IOException;

    /** A listening socket from the client's server socket factory. */
    ServerSocket newDataListener(int port, InetAddress bindAddress) throws IOException;

    boolean isConnected();

    /** Drops the control connection without waiting for the server. */
    void dropControlConnection();

    /**
     * Closes the control connection's socket, from another thread, under a reply being read: the read fails with an
     * {@code IOException}, and its thread then drops the connection ({@link #dropControlConnection}).
     */
    void interruptControlRead();

    /**
     * Connects and logs in again, restoring file type, protection level and working directory.
     *
     * @return false when that was not possible (the caller then gives up)
     */
    boolean reconnectControl();
}
