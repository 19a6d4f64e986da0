package io.autoftp.runtime.health;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;

import io.autoftp.camel.AutoFtpsEndpoint;
import io.autoftp.camel.ModeAwareComponent;
import io.autoftp.camel.ModeAwareEndpoint;
import io.autoftp.client.DataChannelMode;
import io.autoftp.client.DataChannelSettings;
import io.autoftp.client.Diagnose;
import io.autoftp.client.ModeMemory;
import io.autoftp.client.ServerKey;
import io.autoftp.runtime.AutoFtpRuntimeConfig;
import org.apache.camel.CamelContext;
import org.apache.camel.component.file.remote.FtpConfiguration;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * The readiness check {@code autoftp}: every named server ({@code quarkus.autoftp.servers.<name>}) is logged in to and
 * probed in each data channel mode; UP when every one has a working mode its endpoints may use. The data tells, per
 * server, the working mode, the mode the component's endpoints remember, each mode's result and the findings in words;
 * a DOWN server says why (unreachable, login failed, no mode works). For each pair of named servers that files went
 * between ({@code serverToServer}), {@code pair.<source> → <target>} says how the last one went (server-to-server in
 * which direction, or relayed, and why), for information only. Results are cached
 * ({@code quarkus.autoftp.health.cache-ttl}). There is no liveness check: a remote server being down never makes the
 * application itself unhealthy.
 *
 * <p>
 * Registered by the deployment module only when the application has {@code quarkus-smallrye-health} (no scope
 * annotation here: {@code @Readiness} makes it a singleton bean there).
 */
@Readiness
public class AutoFtpReadinessCheck implements HealthCheck {

    public static final String NAME = "autoftp";

    /** How long the very first check waits for a server's probe before answering "still probing". */
    private static final Duration MIN_FIRST_WAIT = Duration.ofSeconds(30);

    @Inject
    CamelContext camel;

    @Inject
    AutoFtpRuntimeConfig config;

    @Inject
    AutoFtpHealthConfig health;

    private final Map<String, ServerProbe> probes = new ConcurrentHashMap<>();
    private final ExecutorService executor = Executors.newCachedThreadPool(new ProbeThreads());

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named(NAME);
        if (config.servers().isEmpty()) {
            return response.up().withData("servers", "no named servers configured").build();
        }
        Map<String, CompletableFuture<ServerHealth>> pending = new LinkedHashMap<>();
        Map<String, ServerHealth> failedSetup = new LinkedHashMap<>();
        config.servers().forEach((name, server) -> {
            try {
                ServerProbe probe = probes.computeIfAbsent(name, n -> new ServerProbe(target(n, server), Clock.systemUTC()));
                pending.put(name, probe.result(health.cacheTtl(), executor));
            } catch (RuntimeException e) {
                failedSetup.put(name, ServerHealth.down(name,
                        ServerKey.of(server.host().orElse("?"), server.port().orElse(21)),
                        "Cannot probe: " + e.getMessage(), null, Clock.systemUTC().instant()));
            }
        });
        boolean up = failedSetup.isEmpty();
        StringBuilder down = new StringBuilder();
        // one deadline for all servers: their probes run at the same time, so N slow servers cost one wait, not N
        long deadline = System.nanoTime()
                        + Math.max(MIN_FIRST_WAIT.toMillis(), health.timeout().toMillis() * 3) * 1_000_000L;
        for (String name : config.servers().keySet()) {
            ServerHealth result = failedSetup.containsKey(name) ? failedSetup.get(name)
                    : await(name, pending.get(name), Math.max(0, (deadline - System.nanoTime()) / 1_000_000L));
            Optional<DataChannelMode> remembered = Optional.ofNullable(component(config.servers().get(name))
                    .getModeMemory().snapshot().get(result.server())).map(ModeMemory.Entry::mode);
            result.data(remembered).forEach(response::withData);
            if (!result.up()) {
                up = false;
                down.append(down.length() == 0 ? "" : "; ").append(name).append(": ").append(result.reason());
            }
        }
        pairs().forEach(response::withData);
        if (!up) {
            response.withData("down", down.toString());
        }
        return response.status(up).build();
    }

    /** How files went between named servers, as the components remember it, by "pair.source → target" (names). */
    private Map<String, String> pairs() {
        Map<String, String> names = new LinkedHashMap<>();
        config.servers().forEach((name, server) -> names.put(
                ServerKey.of(server.host().orElse("?"), server.port().orElse(21)), name));
        Map<String, String> data = new java.util.TreeMap<>();
        config.servers().values().stream().map(this::component).distinct()
                .forEach(component -> component.getModeMemory().serverPairs().snapshot().forEach((pair, entry) -> {
                    String[] ends = pair.split(" → ", 2);
                    String source = names.getOrDefault(ends[0], ends[0]);
                    String target = ends.length < 2 ? "?" : names.getOrDefault(ends[1], ends[1]);
                    data.put("pair." + source + " → " + target, entry.route().describe(ends[0], ends.length < 2 ? "?"
                            : ends[1]) + (entry.reason().isEmpty() ? "" : ": " + entry.reason()));
                }));
        return data;
    }

    private ServerHealth await(String name, CompletableFuture<ServerHealth> result, long waitMillis) {
        ServerProbe probe = probes.get(name);
        String server = probe == null ? name : probe.target().serverKey();
        try {
            return result.get(waitMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return ServerHealth.down(name, server, "The first probe is still running", null, Clock.systemUTC().instant());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ServerHealth.down(name, server, "Interrupted", null, Clock.systemUTC().instant());
        } catch (ExecutionException e) {
            return ServerHealth.down(name, server, "Cannot probe: " + e.getCause(), null, Clock.systemUTC().instant());
        }
    }

    /**
     * The probe target of a named server: the endpoint a route naming it gets (login, data channel settings, FTPS
     * settings), so that the check probes with exactly what the routes use.
     */
    private ServerProbe.Target target(String name, AutoFtpRuntimeConfig.ServerConfig server) {
        ModeAwareEndpoint endpoint;
        try {
            endpoint = component(server).endpointFor(name);
        } catch (Exception e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        FtpConfiguration route = endpoint.getConfiguration();
        DataChannelSettings settings = endpoint.dataChannelSettings();
        Diagnose.Tls tls = null;
        if (endpoint instanceof AutoFtpsEndpoint ftps) {
            try {
                tls = new Diagnose.Tls(ftps.getFtpsConfiguration().isImplicit(),
                        ftps.getFtpsConfiguration().getSecurityProtocol(), ftps.configuredTrustManager().orElse(null));
            } catch (Exception e) {
                throw new IllegalStateException("the trust store of ftpClient.trustStore.file cannot be read: " + e, e);
            }
        }
        String host = route.getHost();
        return new ServerProbe.Target(name, host, route.getPort(), route.getUsername(), route.getPassword(), settings,
                settings.policy().modesFor(host.indexOf(':') >= 0), tls, health.timeout());
    }

    private ModeAwareComponent component(AutoFtpRuntimeConfig.ServerConfig server) {
        return camel.getComponent(server.scheme(), ModeAwareComponent.class);
    }

    @PreDestroy
    void stop() {
        executor.shutdownNow();
    }

    private static final class ProbeThreads implements ThreadFactory {
        private final AtomicInteger count = new AtomicInteger();

        @Override
        public Thread newThread(Runnable task) {
            Thread thread = new Thread(task, "autoftp-health-probe-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        }
    }
}
