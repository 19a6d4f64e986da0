package io.autoftp.client;

import java.net.InetAddress;
import java.util.Locale;

/**
 * Which address a passive (PASV, 227 reply) data connection goes to. EPSV replies carry no address and always use
 * the control connection's host.
 */
public enum PasvAddressPolicy {
    /** Always the control connection's host, whatever the 227 reply says (like curl). Safe behind NAT. */
    CONTROL_HOST("control-host"),
    /** Exactly the address of the 227 reply, even a third host: only for servers that split control and data. */
    REPLY("reply"),
    /**
     * The 227 address when it can be reached from here; the control host when the reply names a private, loopback,
     * link-local or wildcard address while the control connection goes to a different host.
     */
    REPLY_IF_ROUTABLE("reply-if-routable");

    private final String configValue;

    PasvAddressPolicy(String configValue) {
        this.configValue = configValue;
    }

    public String configValue() {
        return configValue;
    }

    /** Parses {@code control-host}, {@code reply} or {@code reply-if-routable} (enum names are accepted too). */
    public static PasvAddressPolicy parse(String value, String optionName) {
        if (value != null) {
            String normalized = value.trim().toLowerCase(Locale.ROOT).replace('_', '-');
            for (PasvAddressPolicy policy : values()) {
                if (policy.configValue.equals(normalized)) {
                    return policy;
                }
            }
        }
        throw new IllegalArgumentException("Option " + optionName + " has an invalid value '" + value
                                           + "': use control-host, reply or reply-if-routable");
    }

    /** The host to open the passive data connection to. */
    public InetAddress choose(InetAddress replyAddress, InetAddress controlAddress) {
        switch (this) {
            case REPLY:
                return replyAddress;
            case REPLY_IF_ROUTABLE:
                if (replyAddress.equals(controlAddress) || !isLocalOnly(replyAddress) || isLocalOnly(controlAddress)) {
                    return replyAddress;
                }
                return controlAddress;
            default:
                return controlAddress;
        }
    }

    /** Addresses that mean nothing outside the server's own network. */
    static boolean isLocalOnly(InetAddress address) {
        return address.isAnyLocalAddress() || address.isLoopbackAddress() || address.isLinkLocalAddress()
               || address.isSiteLocalAddress() || isSharedAddressSpace(address);
    }

    /** 100.64.0.0/10 (RFC 6598, carrier-grade NAT), which the JDK doesn't count as site-local. */
    private static boolean isSharedAddressSpace(InetAddress address) {
        byte[] b = address.getAddress();
        return b.length == 4 && (b[0] & 0xff) == 100 && (b[1] & 0xc0) == 64;
    }

    @Override
    public String toString() {
        return configValue;
    }
}
