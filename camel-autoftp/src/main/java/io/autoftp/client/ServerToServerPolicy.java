package io.autoftp.client;

import java.util.Locale;

/**
 * Whether a producer whose exchange holds a file still on another FTP server (a consumer with {@code download=false})
 * has the two servers move it between them (FXP, RFC 959's server-to-server transfer) or relays it through this
 * service. The option {@code serverToServer}.
 */
public enum ServerToServerPolicy {
    /** Always relay through this service, streaming (the default). */
    NEVER,
    /** Server-to-server in either direction when the servers allow it, else relay. */
    AUTO,
    /** Server-to-server or fail, naming both servers and each attempt. */
    ALWAYS;

    /** Parses never, auto or always. */
    public static ServerToServerPolicy parse(String value, String optionName) {
        if (value != null) {
            String normalized = value.trim().toUpperCase(Locale.ROOT);
            for (ServerToServerPolicy policy : values()) {
                if (policy.name().equals(normalized)) {
                    return policy;
                }
            }
        }
        throw new IllegalArgumentException("Option " + optionName + " has an invalid value '" + value
                                           + "': use never, auto or always");
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
