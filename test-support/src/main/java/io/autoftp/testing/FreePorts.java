package io.autoftp.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/** Port helpers for tests that need a local port up front. */
public final class FreePorts {

    private FreePorts() {
    }

    /**
     * Returns a port on 127.0.0.1 that was free a moment ago. Another process may grab it before the
     * caller binds it, so prefer binding port 0 where the API allows it.
     */
    public static int free() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on 127.0.0.1", e);
        }
    }

    /**
     * A port on {@code address} that was free a moment ago and lies outside {@code min}-{@code max}: a server's control
     * port must not fall in a passive range that firewall rules are written for, and the ephemeral ports include it.
     */
    public static int freeOutside(InetAddress address, int min, int max) {
        while (true) {
            try (ServerSocket socket = new ServerSocket()) {
                socket.setReuseAddress(true);
                socket.bind(new InetSocketAddress(address, 0));
                if (socket.getLocalPort() < min || socket.getLocalPort() > max) {
                    return socket.getLocalPort();
                }
            } catch (IOException e) {
                throw new UncheckedIOException("no free port on " + address.getHostAddress(), e);
            }
        }
    }

    /**
     * Binds a plain (client) TCP socket to 127.0.0.1 on an ephemeral port without listening or
     * connecting. While the returned socket stays open nobody else can take the port, and a connect
     * to it is answered with RST, i.e. "Connection refused". Close it to release the port.
     */
    public static Socket reserveRefusingPort() {
        Socket socket = new Socket();
        try {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return socket;
        } catch (IOException e) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // nothing to release
            }
            throw new UncheckedIOException("could not reserve a port on 127.0.0.1", e);
        }
    }
}
