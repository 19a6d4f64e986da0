package io.autoftp.runtime;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

import javax.sql.DataSource;

import io.autoftp.camel.DataChannelOptions;
import io.autoftp.camel.JdbcClaimRepository;
import io.autoftp.camel.JdbcModeMemoryStore;
import io.autoftp.camel.ModeAwareComponent;
import io.autoftp.camel.NamedServer;
import io.autoftp.client.DataChannelSettings;
import io.quarkus.arc.Arc;
import io.quarkus.arc.InstanceHandle;
import io.quarkus.runtime.RuntimeValue;
import io.quarkus.runtime.annotations.Recorder;
import io.quarkus.runtime.configuration.ConfigurationException;
import org.apache.camel.spi.CamelContextCustomizer;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Applies {@code quarkus.autoftp.*} to the {@code autoftp} and {@code autoftps} components before routes start. Every
 * value is checked first, by the components' own validation, so a bad one stops the application at startup with a
 * {@link ConfigurationException} naming the property.
 */
@Recorder
public class AutoFtpRecorder {

    static final String PREFIX = "quarkus.autoftp.";

    private final RuntimeValue<AutoFtpRuntimeConfig> config;

    public AutoFtpRecorder(RuntimeValue<AutoFtpRuntimeConfig> config) {
        this.config = config;
    }

    public RuntimeValue<CamelContextCustomizer> componentCustomizer() {
        AutoFtpRuntimeConfig current = config.getValue();
        AutoFtpRuntimeConfig.DataChannelConfig defaults = current.dataChannel();
        check(apply(new DataChannelOptions(), defaults), null, option -> PREFIX + property(option));
        Map<String, NamedServer> servers = new LinkedHashMap<>();
        current.servers().forEach((name, server) -> servers.put(name, namedServer(name, server, defaults)));
        DataSource claimStore = claimStore(current.cluster());
        JdbcClaimRepository claims = claimStore == null ? null : claimRepository(claimStore, current.cluster());
        JdbcModeMemoryStore sharedMemory = claimStore != null && current.cluster().shareModeMemory()
                ? new JdbcModeMemoryStore(claimStore, current.cluster().name(), JdbcModeMemoryStore.DEFAULT_TABLE)
                : null;
        return new RuntimeValue<>(context -> {
            for (String scheme : ModeAwareComponent.SCHEMES) {
                if (context.getComponent(scheme) instanceof ModeAwareComponent component) {
                    component.setDataChannelDefaults(apply(component.getDataChannelDefaults(), defaults));
                    servers.forEach(component::addServer);
                    component.setClaimRepository(claims);
                    component.getModeMemory().setSharedStore(sharedMemory);
                }
            }
            current.servers().forEach((name, server) -> checkAsRoutesUseIt(
                    context.getComponent(server.scheme(), ModeAwareComponent.class), name));
        });
    }

    /**
     * The database of {@code quarkus.autoftp.cluster.*}: the default datasource, or null when the replicas share
     * nothing.
     */
    private static DataSource claimStore(AutoFtpRuntimeConfig.ClusterConfig cluster) {
        String property = PREFIX + "cluster.repository";
        boolean jdbcUrl = ConfigProvider.getConfig().getOptionalValue("quarkus.datasource.jdbc.url", String.class)
                .filter(url -> !url.isBlank()).isPresent();
        boolean jdbc = switch (cluster.repository()) {
            case JDBC -> true;
            case NONE -> false;
            case AUTO -> jdbcUrl;
        };
        if (!jdbc) {
            return null;
        }
        if (cluster.claimTimeout().toMillis() < 3000) {
            throw new ConfigurationException("Property " + PREFIX + "cluster.claim-timeout must be at least 3s, not "
                                             + cluster.claimTimeout(), Set.of(PREFIX + "cluster.claim-timeout"));
        }
        InstanceHandle<DataSource> dataSource = Arc.container().instance(DataSource.class);
        if (!dataSource.isAvailable() || !jdbcUrl) {
            throw new ConfigurationException("Property " + property + "=jdbc needs the default datasource: add"
                                             + " quarkus-agroal and quarkus-jdbc-postgresql and set"
                                             + " quarkus.datasource.jdbc.url",
                    Set.of(property, "quarkus.datasource.jdbc.url"));
        }
        return dataSource.get();
    }

    private static JdbcClaimRepository claimRepository(DataSource dataSource,
            AutoFtpRuntimeConfig.ClusterConfig cluster) {
        JdbcClaimRepository claims = new JdbcClaimRepository(dataSource);
        claims.setName(cluster.name());
        claims.setClaimTimeout(cluster.claimTimeout());
        return claims;
    }

    private static NamedServer namedServer(String name, AutoFtpRuntimeConfig.ServerConfig server,
            AutoFtpRuntimeConfig.DataChannelConfig defaults) {
        String prefix = PREFIX + "servers." + name + ".";
        String host = server.host().filter(h -> !h.isBlank()).orElseThrow(() -> new ConfigurationException(
                "Property " + prefix + "host is required (Dev Services start a server only in dev and test mode)",
                Set.of(prefix + "host")));
        int port = server.port().orElse(0);
        if (server.port().isPresent() && (port < 1 || port > 65535)) {
            throw new ConfigurationException("Property " + prefix + "port must be from 1 to 65535, not " + port,
                    Set.of(prefix + "port"));
        }
        AutoFtpRuntimeConfig.DataChannelConfig own = server.dataChannel();
        DataChannelOptions channel = apply(apply(new DataChannelOptions(), defaults), own);
        String range = server.activePortRange().orElse(null);
        check(channel, range, option -> (own.isSet(option) || option.equals("activePortRange") ? prefix : PREFIX)
                                        + property(option));
        Map<String, String> options = new LinkedHashMap<>(server.options());
        options.putAll(own.asOptions());
        if (range != null) {
            options.put("activePortRange", range);
        }
        return new NamedServer(host.trim(), port, server.username().orElse(null),
                server.password().orElse(null), server.secure(), options);
    }

    /** {@code base} with the data channel properties that are set. */
    private static DataChannelOptions apply(DataChannelOptions base, AutoFtpRuntimeConfig.DataChannelConfig config) {
        DataChannelOptions options = base.copy();
        config.dataChannel().ifPresent(options::setDataChannel);
        config.dataConnectTimeout().ifPresent(value -> options.setDataConnectTimeout(value.toMillis()));
        config.pasvAddressPolicy().ifPresent(value -> options.setPasvAddressPolicy(value.configValue()));
        config.activeExternalAddress().ifPresent(options::setActiveExternalAddress);
        config.modeMemoryTtl().ifPresent(value -> options.setModeMemoryTtl(value.toMillis()));
        config.memorySafeDownload().ifPresent(options::setMemorySafeDownload);
        config.parallelDownloads().ifPresent(options::setParallelDownloads);
        config.serverToServer().ifPresent(value -> options.setServerToServer(value.toString()));
        return options;
    }

    /** The components' own check of data channel settings, naming the property each value came from. */
    private static void check(DataChannelOptions options, String activePortRange, UnaryOperator<String> properties) {
        try {
            options.toSettings(null, activePortRange, properties);
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(e.getMessage(), Set.of());
        }
    }

    /**
     * Creates, without starting it, the endpoint a route naming the server gets: a bad endpoint option among the
     * server's {@code options.*} (or any other reason routes could not use the server) stops the startup here.
     */
    private static void checkAsRoutesUseIt(ModeAwareComponent component, String name) {
        try {
            component.endpointFor(name);
        } catch (Exception e) {
            Throwable cause = e;
            while (cause.getCause() != null && cause.getCause() != cause) {
                cause = cause.getCause();
            }
            throw new ConfigurationException("Named server " + name + " (" + PREFIX + "servers." + name
                                             + ".*) cannot be used by routes: " + cause.getMessage(), Set.of());
        }
    }

    /** The property name of a data channel option: {@code dataConnectTimeout} is {@code data-connect-timeout}. */
    private static String property(String option) {
        return DataChannelSettings.kebabCase(option);
    }
}
