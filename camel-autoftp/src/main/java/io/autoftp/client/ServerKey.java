package io.autoftp.client;

/**
 * How a server is named everywhere autoftp speaks of one: the key of {@link ModeMemory}, the logs, the metrics' tag and
 * the health check's data. {@code host:port}, with an IPv6 address in brackets.
 */
public final class ServerKey {

    private ServerKey() {
    }

    /** {@code host:port}, {@code [::1]:21} for an IPv6 address. */
    public static String of(String host, int port) {
        return authority(host, port);
    }

    /** {@code host:port} as in a URI; {@code host} alone when {@code port} is 0 (the scheme's default). */
    public static String authority(String host, int port) {
        String name = host != null && host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
        return port > 0 ? name + ":" + port : name;
    }
}
