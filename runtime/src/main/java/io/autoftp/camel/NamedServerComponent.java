package io.autoftp.camel;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Map;
import java.util.Optional;

/** A component whose routes may name a configured server instead of a host: {@code autoftp://partner/inbox}. */
public interface NamedServerComponent {

    /** Registers (or replaces) the server that routes call {@code name}. */
    void addServer(String name, NamedServer server);

    Map<String, NamedServer> getServers();

    /**
     * Resolves {@code scheme://name/path} against the named servers: the base URI with the real host and port, and the
     * server's login and options added to {@code parameters} where the route did not set them.
     *
     * @return the base URI to build the endpoint's configuration from; unchanged when no server has that name
     */
    static String resolve(String baseUri, String scheme, boolean secureScheme, Map<String, NamedServer> servers,
            Map<String, Object> parameters) throws URISyntaxException {
        URI uri = new URI(baseUri);
        String authority = uri.getRawAuthority();
        NamedServer server = authority == null ? null : servers.get(authority);
        if (server == null) {
            return baseUri;
        }
        if (server.isSecure() != secureScheme) {
            throw new IllegalArgumentException("Server '" + authority + "' is configured with secure="
                                               + server.isSecure() + ": use " + (server.isSecure() ? "autoftps" : "autoftp")
                                               + "://" + authority + "/... instead of " + scheme + "://");
        }
        server.parameters().forEach(parameters::putIfAbsent);
        String path = Optional.ofNullable(uri.getRawPath()).orElse("");
        String host = server.host().contains(":") ? "[" + server.host() + "]" : server.host();
        return scheme + "://" + host + (server.port() > 0 ? ":" + server.port() : "") + path;
    }
}
