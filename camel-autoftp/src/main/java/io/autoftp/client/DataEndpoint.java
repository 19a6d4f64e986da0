package io.autoftp.client;

import java.net.InetAddress;

/** Where a data connection goes: an address (absent for EPSV replies, which only name a port) and a port. */
public record DataEndpoint(InetAddress address, int port) {

    @Override
    public String toString() {
        return (address == null ? "?" : address.getHostAddress()) + ":" + port;
    }
}
