package io.autoftp.runtime;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.autoftp.camel.NamedServer;
import io.autoftp.camel.NamedServerComponent;
import io.autoftp.client.DataChannelPolicy;
import io.autoftp.client.PasvAddressPolicy;
import io.quarkus.runtime.RuntimeValue;
import io.quarkus.runtime.annotations.Recorder;
import org.apache.camel.Component;
import org.apache.camel.spi.CamelContextCustomizer;

/**
 * Applies {@code quarkus.autoftp.*} to the {@code autoftp} and {@code autoftps} components before routes start. Every
 * value is checked first, so a bad one stops the application at startup with the property's name.
 */
@Recorder
public class AutoFtpRecorder {

    static final String PREFIX = "quarkus.autoftp.";
    private static final List<String> SCHEMES = List.of("autoftp", "autoftps");

    private final RuntimeValue<AutoFtpRuntimeConfig> config;

    public AutoFtpRecorder(RuntimeValue<AutoFtpRuntimeConfig> config) {
        this.config = config;
    }

    public RuntimeValue<CamelContextCustomizer> componentCustomizer() {
        AutoFtpRuntimeConfig current = config.getValue();
        Map<String, String> defaults = options(current.dataChannel(), PREFIX);
        Map<String, NamedServer> servers = new LinkedHashMap<>();
        current.servers().forEach((name, server) -> servers.put(name, namedServer(name, server)));
        return new RuntimeValue<>(context -> {
            for (String scheme : SCHEMES) {
                Component component = context.getComponent(scheme);
                if (component instanceof NamedServerComponent named) {
                    defaults.forEach((option, value) -> component.getComponentPropertyConfigurer()
                            .configure(context, component, option, value, false));
                    servers.forEach(named::addServer);
                }
            }
        });
    }

    private static NamedServer namedServer(String name, AutoFtpRuntimeConfig.ServerConfig server) {
        String prefix = PREFIX + "servers." + name + ".";
        String host = server.host().filter(h -> !h.isBlank()).orElseThrow(() -> new IllegalArgumentException(
                "Property " + prefix + "host is required (Dev Services start a server only in dev and test mode)"));
        int port = server.port().orElse(0);
        if (server.port().isPresent() && (port < 1 || port > 65535)) {
            throw new IllegalArgumentException("Property " + prefix + "port must be from 1 to 65535, not " + port);
        }
        Map<String, String> options = new LinkedHashMap<>(server.options());
        options.putAll(options(server.dataChannel(), prefix));
        server.activePortRange().ifPresent(range -> {
            checkPortRange(range, prefix + "active-port-range");
            options.put("activePortRange", range);
        });
        return new NamedServer(host.trim(), port, server.username().orElse(null),
                server.password().orElse(null), server.secure(), options);
    }

    /** The data channel settings as endpoint options (URI names), each checked under its property name. */
    static Map<String, String> options(AutoFtpRuntimeConfig.DataChannelConfig config, String prefix) {
        Map<String, String> options = new LinkedHashMap<>();
        config.dataChannel().ifPresent(value -> {
            DataChannelPolicy.parse(value, prefix + "data-channel");
            options.put("dataChannel", value);
        });
        config.dataConnectTimeout().ifPresent(value -> {
            positive(value, prefix + "data-connect-timeout");
            options.put("dataConnectTimeout", Long.toString(value.toMillis()));
        });
        config.pasvAddressPolicy().ifPresent(value -> {
            PasvAddressPolicy.parse(value, prefix + "pasv-address-policy");
            options.put("pasvAddressPolicy", value);
        });
        config.activeExternalAddress().ifPresent(value -> options.put("activeExternalAddress", value));
        config.modeMemoryTtl().ifPresent(value -> {
            if (value.isNegative()) {
                throw new IllegalArgumentException("Property " + prefix + "mode-memory-ttl must not be negative");
            }
            options.put("modeMemoryTtl", Long.toString(value.toMillis()));
        });
        config.memorySafeDownload().ifPresent(value -> options.put("memorySafeDownload", value.toString()));
        return options;
    }

    private static void positive(Duration value, String property) {
        if (value.isZero() || value.isNegative()) {
            throw new IllegalArgumentException("Property " + property + " must be positive, not " + value);
        }
    }

    private static void checkPortRange(String range, String property) {
        String[] parts = range.split("-");
        try {
            int min = Integer.parseInt(parts[0].trim());
            int max = Integer.parseInt(parts[1].trim());
            if (parts.length == 2 && min >= 1 && min <= max && max <= 65535) {
                return;
            }
        } catch (RuntimeException e) {
            // reported below
        }
        throw new IllegalArgumentException("Property " + property + " must be min-max with 1 <= min <= max <= 65535,"
                                           + " not '" + range + "'");
    }
}
