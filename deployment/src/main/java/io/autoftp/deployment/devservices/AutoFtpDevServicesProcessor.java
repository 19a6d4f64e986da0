package io.autoftp.deployment.devservices;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.logging.Level;

import io.quarkus.deployment.IsDevServicesSupportedByLaunchMode;
import io.quarkus.deployment.annotations.BuildProducer;
import io.quarkus.deployment.annotations.BuildStep;
import io.quarkus.deployment.builditem.CuratedApplicationShutdownBuildItem;
import io.quarkus.deployment.builditem.DevServicesAdditionalConfigBuildItem;
import io.quarkus.deployment.builditem.DevServicesResultBuildItem;
import io.quarkus.deployment.builditem.DevServicesResultBuildItem.RunningDevService;
import io.quarkus.deployment.builditem.LiveReloadBuildItem;
import io.quarkus.deployment.builditem.LogCategoryBuildItem;
import io.quarkus.deployment.dev.devservices.DevServicesConfig;
import io.quarkus.deployment.logging.LogCleanupFilterBuildItem;
import io.quarkus.deployment.logging.LoggingSetupBuildItem;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

/**
 * Dev Services for autoftp: in dev and test mode, an FTP server in process (Apache FtpServer, no container) for each
 * named server that has no host, its address and login published as {@code quarkus.autoftp.servers.<name>.*}.
 *
 * <p>
 * Shaped like Quarkiverse WireMock's {@code WireMockServerProcessor}: the servers live in a static field, so every
 * build of the same application (a dev mode restart, the next test class with the same configuration) finds them
 * running; a server is replaced only when what it was started with changed, and all of them are stopped when the
 * application is closed for good (end of dev mode, end of the tests), by a {@link CuratedApplicationShutdownBuildItem}
 * task.
 */
// RunningDevService is deprecated in Quarkus 3.27 in favour of DevServicesResultBuildItem.owned() with a Startable;
// it is still the documented shape for a service that manages its own lifecycle, as here.
@SuppressWarnings("deprecation")
class AutoFtpDevServicesProcessor {

    private static final Logger LOG = Logger.getLogger(AutoFtpDevServicesProcessor.class);

    static final String SERVERS_PREFIX = "quarkus.autoftp.servers.";
    static final String DEV_SERVICES_PREFIX = "quarkus.autoftp.devservices.servers.";
    private static final String FEATURE = "autoftp";

    /** The running servers by name; guarded by the class. */
    private static final Map<String, Running> RUNNING = new LinkedHashMap<>();
    /**
     * The names whose properties were published by an earlier build of this application. Quarkus keeps publishing
     * a dev service's old properties as long as they are not set otherwise, see {@link #published}.
     */
    private static final Set<String> PUBLISHED = new TreeSet<>();

    private record Running(DevFtpServer server, RunningDevService devService) {
    }

    @BuildStep(onlyIf = IsDevServicesSupportedByLaunchMode.class)
    void startFtpServers(AutoFtpDevServicesConfig config, DevServicesConfig globalConfig,
            LiveReloadBuildItem liveReload, CuratedApplicationShutdownBuildItem shutdown,
            @SuppressWarnings("unused") LoggingSetupBuildItem loggingSetup,
            BuildProducer<DevServicesResultBuildItem> results,
            BuildProducer<DevServicesAdditionalConfigBuildItem> additionalConfig) {

        // Runs when the application is closed for good; each build registers it (cheap, and idempotent).
        shutdown.addCloseTask(AutoFtpDevServicesProcessor::stopAll, true);

        List<DevFtpServerSpec> wanted;
        Config appConfig = ConfigProvider.getConfig();
        if (!globalConfig.enabled() || !config.enabled()) {
            wanted = List.of();
        } else {
            wanted = plan(appConfig, config, LOG::warn);
        }

        synchronized (AutoFtpDevServicesProcessor.class) {
            Map<String, Integer> previousPorts = new LinkedHashMap<>();
            // Stop what is no longer wanted as it is: removed servers, and servers whose settings changed.
            for (var it = RUNNING.entrySet().iterator(); it.hasNext();) {
                Map.Entry<String, Running> entry = it.next();
                DevFtpServer server = entry.getValue().server();
                if (!wanted.contains(server.spec())) {
                    previousPorts.put(entry.getKey(), server.port());
                    LOG.infof("Dev Services for autoftp: stopping FTP server %s on %s:%d (%s)", entry.getKey(),
                            server.host(), server.port(), liveReload.isLiveReload() ? "its configuration changed"
                                    : "not needed by this application");
                    close(entry.getValue());
                    it.remove();
                }
            }
            for (DevFtpServerSpec spec : wanted) {
                Running running = RUNNING.get(spec.name());
                if (running == null) {
                    DevFtpServer server;
                    try {
                        server = DevFtpServer.start(spec, previousPorts.getOrDefault(spec.name(), 0));
                    } catch (RuntimeException e) {
                        throw new IllegalStateException("Dev Services for autoftp could not start the FTP server for "
                                                        + SERVERS_PREFIX + quote(spec.name()) + " (" + spec
                                                        + "), see " + DEV_SERVICES_PREFIX + quote(spec.name())
                                                        + ".*: " + e.getMessage(), e);
                    }
                    running = new Running(server, new RunningDevService(FEATURE + "-" + spec.name(), null, server,
                            properties(spec, server)));
                    RUNNING.put(spec.name(), running);
                    LOG.infof("Dev Services for autoftp started FTP server %s on %s:%d (user %s); it %s; home %s",
                            spec.name(), server.host(), server.port(), spec.username(), spec.describeRefusals(),
                            server.home());
                } else {
                    LOG.debugf("Dev Services for autoftp: FTP server %s on %s:%d is reused", spec.name(),
                            running.server().host(), running.server().port());
                }
                results.produce(running.devService().toBuildItem());
            }
            Map<String, String> unset = published(appConfig, wanted);
            if (!unset.isEmpty()) {
                additionalConfig.produce(new DevServicesAdditionalConfigBuildItem(devServicesConfig -> unset));
            }
        }
    }

    /**
     * Apache FtpServer logs every command and reply at INFO, and in 1.2.x warns after every passive transfer ("Releasing
     * unreserved passive port"). Defaults only: {@code quarkus.log.category."org.apache.ftpserver".level=INFO} shows
     * the commands again.
     */
    @BuildStep(onlyIf = IsDevServicesSupportedByLaunchMode.class)
    void quietFtpServerLogs(AutoFtpDevServicesConfig config, DevServicesConfig globalConfig,
            BuildProducer<LogCategoryBuildItem> logCategories, BuildProducer<LogCleanupFilterBuildItem> logFilters) {
        // (not in startFtpServers: that one waits for the build's logging setup, which consumes these)
        if (!globalConfig.enabled() || !config.enabled()
                || plan(ConfigProvider.getConfig(), config, warning -> {
                }).isEmpty()) {
            return;
        }
        logCategories.produce(new LogCategoryBuildItem("org.apache.ftpserver", Level.WARNING));
        logFilters.produce(new LogCleanupFilterBuildItem("org.apache.ftpserver.impl.PassivePorts",
                "Releasing unreserved passive port"));
    }

    /**
     * The servers to run: every server named in {@code quarkus.autoftp.servers.<name>.*} or
     * {@code quarkus.autoftp.devservices.servers.<name>.*} that has no host (and is not FTPS), sorted by name.
     */
    static List<DevFtpServerSpec> plan(Config appConfig, AutoFtpDevServicesConfig config, Consumer<String> warnings) {
        Set<String> names = new TreeSet<>(config.servers().keySet());
        for (String property : appConfig.getPropertyNames()) {
            if (property.startsWith(SERVERS_PREFIX)) {
                serverName(property.substring(SERVERS_PREFIX.length())).ifPresent(names::add);
            }
        }
        List<DevFtpServerSpec> specs = new ArrayList<>();
        for (String name : names) {
            AutoFtpDevServicesConfig.DevServerConfig dev = config.servers().get(name);
            Optional<String> host = value(appConfig, serverKey(name, "host"));
            if (host.isPresent()) {
                if (dev != null) {
                    warnings.accept("Dev Services for autoftp: " + serverKey(name, "host") + " is set, so "
                                    + DEV_SERVICES_PREFIX + quote(name) + ".* is ignored and no FTP server is started");
                }
                continue;
            }
            if (appConfig.getOptionalValue(serverKey(name, "secure"), Boolean.class).orElse(false)) {
                warnings.accept("Dev Services for autoftp start plain FTP servers only: " + name + " has secure=true,"
                                + " so no server is started for it; give it a host (" + serverKey(name, "host") + ")");
                continue;
            }
            int port = appConfig.getOptionalValue(serverKey(name, "port"), Integer.class).orElse(0);
            String username = value(appConfig, serverKey(name, "username"))
                    .orElse(dev == null ? "dev" : dev.username());
            String password = value(appConfig, serverKey(name, "password"))
                    .orElse(dev == null ? "dev" : dev.password());
            specs.add(new DevFtpServerSpec(name, port, username, password, dev != null && dev.refuseActive(),
                    dev != null && dev.refusePassive(), dev == null ? Optional.empty() : dev.seedDirectory()));
        }
        return specs;
    }

    /**
     * The server name at the start of what follows {@code quarkus.autoftp.servers.}: {@code partner.host} gives
     * {@code partner}, {@code "ftp.example".host} gives {@code ftp.example}.
     */
    static Optional<String> serverName(String rest) {
        String name;
        if (rest.startsWith("\"")) {
            int end = rest.indexOf('"', 1);
            if (end < 0 || end + 1 >= rest.length() || rest.charAt(end + 1) != '.') {
                return Optional.empty();
            }
            name = rest.substring(1, end);
        } else {
            int dot = rest.indexOf('.');
            if (dot < 0) {
                return Optional.empty();
            }
            name = rest.substring(0, dot);
        }
        return name.isEmpty() ? Optional.empty() : Optional.of(name);
    }

    /** {@code quarkus.autoftp.servers.<name>.<property>}, the name quoted when it contains a dot. */
    static String serverKey(String name, String property) {
        return SERVERS_PREFIX + quote(name) + "." + property;
    }

    private static String quote(String name) {
        return name.contains(".") ? '"' + name + '"' : name;
    }

    private static Optional<String> value(Config config, String key) {
        return config.getOptionalValue(key, String.class).map(String::trim).filter(v -> !v.isEmpty());
    }

    /** What the application gets for one server: its address and login. */
    private static Map<String, String> properties(DevFtpServerSpec spec, DevFtpServer server) {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put(serverKey(spec.name(), "host"), server.host());
        properties.put(serverKey(spec.name(), "port"), Integer.toString(server.port()));
        properties.put(serverKey(spec.name(), "username"), spec.username());
        properties.put(serverKey(spec.name(), "password"), spec.password());
        return properties;
    }

    /**
     * Remembers which names now have a Dev Services server, and returns empty values for the port and login of a
     * server that had one in an earlier build but has been given a host since: Quarkus keeps publishing a dev
     * service's earlier properties (as defaults) when no build item publishes them again, and an empty value is how a
     * property is taken back (SmallRye Config reads it as not set). The host set in the configuration wins over the
     * old one anyway. Additional config is not remembered from one build to the next, so this is produced by every
     * build.
     */
    private static Map<String, String> published(Config appConfig, List<DevFtpServerSpec> wanted) {
        Set<String> now = new TreeSet<>();
        wanted.forEach(spec -> now.add(spec.name()));
        Map<String, String> unset = new LinkedHashMap<>();
        for (String name : PUBLISHED) {
            if (!now.contains(name) && value(appConfig, serverKey(name, "host")).isPresent()) {
                for (String property : List.of("port", "username", "password")) {
                    if (value(appConfig, serverKey(name, property)).isEmpty()) {
                        unset.put(serverKey(name, property), "");
                    }
                }
            }
        }
        PUBLISHED.addAll(now);
        return unset;
    }

    private static void close(Running running) {
        try {
            running.devService().close();
        } catch (Exception e) {
            LOG.warnf(e, "Dev Services for autoftp: could not stop FTP server %s", running.server().spec().name());
        }
    }

    /** Stops every server; the close task of the application, also safe to call twice. */
    static void stopAll() {
        synchronized (AutoFtpDevServicesProcessor.class) {
            for (Running running : RUNNING.values()) {
                LOG.debugf("Dev Services for autoftp: stopping FTP server %s", running.server().spec().name());
                close(running);
            }
            RUNNING.clear();
            PUBLISHED.clear();
        }
    }
}
