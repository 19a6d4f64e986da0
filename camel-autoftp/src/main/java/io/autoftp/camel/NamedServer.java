package io.autoftp.camel;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A server that routes name instead of spelling out its address and credentials: {@code autoftp://partner/inbox}
 * uses the host, port, login and endpoint options registered under {@code partner} on the component (from
 * {@code quarkus.autoftp.servers.partner.*} in Quarkus). Options in the route's URI win over the server's.
 */
public final class NamedServer {

    private final String host;
    private final int port;
    private final String username;
    private final String password;
    private final boolean secure;
    private final Map<String, String> options;

    /**
     * @param port    the control port, or 0 for the scheme's default
     * @param secure  whether the server speaks FTPS (only {@code autoftps} routes may use it)
     * @param options further endpoint options (camel-ftp's and autoftp's) by their URI names
     */
    public NamedServer(String host, int port, String username, String password, boolean secure,
                       Map<String, String> options) {
        this.host = Objects.requireNonNull(host, "host");
        this.port = port;
        this.username = username;
        this.password = password;
        this.secure = secure;
        this.options = Map.copyOf(options);
    }

    public boolean isSecure() {
        return secure;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public String username() {
        return username;
    }

    /** The endpoint parameters this server stands for: login and options, URI names to values. */
    Map<String, Object> parameters() {
        Map<String, Object> parameters = new LinkedHashMap<>(options);
        if (username != null) {
            parameters.put("username", username);
        }
        if (password != null) {
            parameters.put("password", password);
        }
        return parameters;
    }

    /** Never shows the password. */
    @Override
    public String toString() {
        return (username == null ? "" : username + "@") + host + (port > 0 ? ":" + port : "");
    }
}
