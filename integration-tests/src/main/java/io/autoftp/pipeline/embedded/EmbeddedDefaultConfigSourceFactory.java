package io.autoftp.pipeline.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;

import io.quarkus.runtime.ExecutionMode;
import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * The embedded default's configuration: when {@code pipeline.embedded} is {@code true}, or {@code auto} (the default)
 * and neither the partner's nor the target's FTP server has a host
 * ({@code quarkus.autoftp.servers.partner.host}, {@code quarkus.autoftp.servers.target.host}), this supplies both
 * servers as two FTP servers on 127.0.0.1 and free ports, which {@link EmbeddedServers} starts before the routes do,
 * and points the partner API at the service's own stand-in ({@code /demo/partner-api}).
 *
 * <p>
 * When only one of the two servers is configured nothing is supplied: the application then stops at startup naming
 * the missing host, rather than sending files to a server that lives only in memory. {@code pipeline.embedded=false}
 * (as the Kubernetes manifests set it) never supplies anything.
 *
 * <p>
 * Ordinal 275: above application.properties, below environment variables and system properties.
 */
public class EmbeddedDefaultConfigSourceFactory implements ConfigSourceFactory {

    public static final String SWITCH = "pipeline.embedded";
    public static final String ACTIVE = "pipeline.embedded.active";
    public static final String SOURCE_NAME = "autoftp pipeline: embedded default";
    static final String HOST = "127.0.0.1";
    private static final int ORDINAL = 275;

    /** Chosen once per JVM, so that every configuration built in it agrees. */
    private static Map<String, String> chosen;

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        if (ExecutionMode.current() == ExecutionMode.UNSET) {
            // The build reads the application's configuration too, and records what it finds as the runtime's
            // defaults: free ports chosen now would end up in the jar. Only a running application gets them.
            return List.of();
        }
        String mode = value(context, SWITCH);
        mode = mode == null ? "auto" : mode.trim().toLowerCase(Locale.ROOT);
        boolean embedded = switch (mode) {
            case "true" -> true;
            case "false" -> false;
            case "auto" -> value(context, "quarkus.autoftp.servers.partner.host") == null
                           && value(context, "quarkus.autoftp.servers.target.host") == null;
            default -> throw new IllegalArgumentException(
                    "Property " + SWITCH + " must be auto, true or false, not '" + mode + "'");
        };
        return embedded ? List.of(new PropertiesConfigSource(properties(), SOURCE_NAME, ORDINAL)) : List.of();
    }

    @Override
    public OptionalInt getPriority() {
        return OptionalInt.of(ORDINAL);
    }

    private static String value(ConfigSourceContext context, String name) {
        ConfigValue value = context.getValue(name);
        return value == null || value.getValue() == null || value.getValue().isBlank() ? null : value.getValue();
    }

    static synchronized Map<String, String> properties() {
        if (chosen == null) {
            Map<String, String> p = new LinkedHashMap<>();
            server(p, "partner");
            server(p, "target");
            p.put(ACTIVE, "true");
            // The partner's HTTP API: the service's own stand-in route (routes/pipeline.yaml, demo-partner-api)
            p.put("partner-api.url", "http://localhost:${quarkus.http.port:8080}/demo/partner-api");
            // Poll more often than in production, so that the demo moves along
            p.put("partner.poll-delay", "5000");
            chosen = Map.copyOf(p);
        }
        return chosen;
    }

    private static void server(Map<String, String> p, String name) {
        String prefix = "quarkus.autoftp.servers." + name + ".";
        p.put(prefix + "host", HOST);
        p.put(prefix + "port", Integer.toString(freePort()));
        p.put(prefix + "username", name);
        byte[] secret = new byte[12];
        new SecureRandom().nextBytes(secret);
        p.put(prefix + "password", HexFormat.of().formatHex(secret));
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("No free port on " + HOST + " for the embedded FTP servers", e);
        }
    }
}
