package io.autoftp.camel;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.autoftp.client.ModeMemory;
import io.autoftp.client.ServerKey;
import org.apache.camel.Component;
import org.apache.camel.spi.IdempotentRepository;

/**
 * What the {@code autoftp} and {@code autoftps} components share, for whoever configures or watches them (the Quarkus
 * extension's recorder, health check and metrics) without telling the two apart: the mode memory, the data channel
 * defaults, and the servers that routes may name instead of a host ({@code autoftp://partner/inbox}).
 */
public interface ModeAwareComponent extends Component {

    /** The schemes under which the two components are found in a Camel context. */
    List<String> SCHEMES = List.of("autoftp", "autoftps");

    /** {@code autoftp} or {@code autoftps}. */
    String getScheme();

    /** What every endpoint of this component learned about each server's data channel. */
    ModeMemory getModeMemory();

    /** Deletes and renames the servers refused, over all endpoints. */
    FileOperationCounters getFileOperationCounters();

    /**
     * The repository in which consumers claim files before downloading them, shared by a service's replicas; null
     * (the default) when every endpoint chooses its own read lock.
     */
    IdempotentRepository getClaimRepository();

    void setClaimRepository(IdempotentRepository claimRepository);

    /** The data channel options every new endpoint starts from. */
    DataChannelOptions getDataChannelDefaults();

    void setDataChannelDefaults(DataChannelOptions defaults);

    /** Registers (or replaces) the server that routes call {@code name}. */
    void addServer(String name, NamedServer server);

    Map<String, NamedServer> getServers();

    /**
     * The endpoint a route naming {@code serverName} gets ({@code scheme://serverName/}), created but not started:
     * the one merge of the component's defaults, the server's options and its login, so that a health check or a
     * diagnosis probes with exactly what the routes use.
     *
     * @throws IllegalArgumentException naming the option when one of the server's options is invalid
     */
    default ModeAwareEndpoint endpointFor(String serverName) throws Exception {
        if (!getServers().containsKey(serverName)) {
            throw new IllegalArgumentException("No server named '" + serverName + "' on the " + getScheme()
                                               + " component");
        }
        return (ModeAwareEndpoint) createEndpoint(getScheme() + "://" + serverName + "/");
    }

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
        return scheme + "://" + ServerKey.authority(server.host(), server.port()) + path;
    }
}
