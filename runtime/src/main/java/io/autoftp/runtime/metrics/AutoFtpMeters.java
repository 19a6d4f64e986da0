package io.autoftp.runtime.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.ToLongFunction;
import java.util.stream.Stream;

import io.autoftp.camel.FileOperationCounters;
import io.autoftp.camel.JdbcClaimRepository;
import io.autoftp.camel.ModeAwareComponent;
import io.autoftp.client.DataChannelException.FailureKind;
import io.autoftp.client.DataChannelListener;
import io.autoftp.client.DataChannelMode;
import io.autoftp.client.ModeMemory;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import org.apache.camel.CamelContext;
import org.apache.camel.RuntimeCamelException;
import org.apache.camel.support.service.ServiceSupport;

/**
 * autoftp's Micrometer meters, fed by the {@link DataChannelListener} events of one component's clients (every
 * endpoint of the component shares its {@link ModeMemory}, which carries the listener). {@code server} is
 * {@code host:port}, as in the logs.
 * <ul>
 * <li>{@code autoftp.data.connections} (counter; server, mode, outcome=opened|failed): data connections opened, and
 * modes that failed to open one;</li>
 * <li>{@code autoftp.fallbacks} (counter; server, from, to): data connections that opened in {@code to} after
 * {@code from}, the first mode tried, failed;</li>
 * <li>{@code autoftp.mode} (gauge; server, mode): 1 for the mode the component remembers for the server, else 0;</li>
 * <li>{@code autoftp.transfers} (counter; server, mode, type=download|upload|listing): data connections that carried
 * a file (RETR; STOR, APPE, STOU) or a listing (LIST, NLST, MLSD), counted when they close;</li>
 * <li>{@code autoftp.data.bytes} (counter, bytes; server, mode, direction=received|sent): bytes through the data
 * connections, counted on the sockets, added when each connection closes;</li>
 * <li>{@code autoftp.pair.transfers} (counter; source, target, mode=server-to-server|relayed): files a producer moved
 * from a file left on another server ({@code download=false}) to its own, straight between the two servers or relayed
 * through this service ({@code serverToServer});</li>
 * <li>{@code autoftp.pair.bytes} (counter, bytes; source, target, mode): their bytes; relayed ones also crossed this
 * service's data connections (in {@code autoftp.data.bytes}), server-to-server ones did not;</li>
 * <li>{@code autoftp.claims} (counter; outcome=claimed|lost|expired|released|confirmed): claims on files in the
 * replicas' shared store ({@code quarkus.autoftp.cluster.*}): taken, refused because another replica held the file,
 * taken over after another replica's claim expired, released (processing failed, or the file was gone), confirmed
 * (done);</li>
 * <li>{@code autoftp.file.operations.refused} (counter; operation=delete|rename): deletes and renames (after
 * processing, or of a temporary upload) that the server refused.</li>
 * </ul>
 * Camel's own route metrics count exchanges and their failures.
 */
public final class AutoFtpMeters implements DataChannelListener {

    private final MeterRegistry registry;
    private final ModeMemory memory;
    private final Set<String> gaugedServers = ConcurrentHashMap.newKeySet();
    private final Set<Meter> meters = ConcurrentHashMap.newKeySet();

    public AutoFtpMeters(MeterRegistry registry, ModeMemory memory) {
        this.registry = registry;
        this.memory = memory;
    }

    /**
     * Listens to the {@code autoftp} and {@code autoftps} components of {@code context} until it stops, with
     * {@code autoftp.mode} gauges from the start for the servers already known.
     *
     * @param knownServers {@code host:port} of the named servers, by the scheme of the component they belong to
     */
    public static void bind(CamelContext context, Map<String, List<String>> knownServers) {
        bind(context, Metrics.globalRegistry, knownServers);
    }

    static void bind(CamelContext context, MeterRegistry registry, Map<String, List<String>> knownServers) {
        List<AutoFtpMeters> bound = new CopyOnWriteArrayList<>();
        List<Meter> contextMeters = contextMeters(context, registry);
        for (String scheme : ModeAwareComponent.SCHEMES) {
            if (!(context.getComponent(scheme) instanceof ModeAwareComponent component)) {
                continue;
            }
            ModeMemory memory = component.getModeMemory();
            AutoFtpMeters meters = new AutoFtpMeters(registry, memory);
            knownServers.getOrDefault(scheme, List.of()).forEach(meters::gauges);
            memory.addListener(meters);
            bound.add(meters);
        }
        try {
            context.addService(new ServiceSupport() {
                @Override
                protected void doStop() {
                    bound.forEach(AutoFtpMeters::close);
                    contextMeters.forEach(registry::remove);
                }
            }, true);
        } catch (Exception e) {
            throw RuntimeCamelException.wrapRuntimeCamelException(e);
        }
    }

    /**
     * The counters of claims and refused file operations, read from the components when scraped (the claim store is
     * given to the components by another customizer, in no particular order with this one).
     */
    private static List<Meter> contextMeters(CamelContext context, MeterRegistry registry) {
        List<Meter> meters = new ArrayList<>();
        Map<String, ToLongFunction<JdbcClaimRepository>> claims = Map.of("claimed", JdbcClaimRepository::getClaimed,
                "lost", JdbcClaimRepository::getLost, "expired", JdbcClaimRepository::getExpiredTakenOver,
                "released", JdbcClaimRepository::getReleased, "confirmed", JdbcClaimRepository::getConfirmed);
        claims.forEach((outcome, count) -> meters.add(FunctionCounter.builder("autoftp.claims", context,
                c -> claimStore(c).map(count::applyAsLong).orElse(0L))
                .description("Claims on files in the replicas' shared store, by outcome")
                .tags("outcome", outcome)
                .register(registry)));
        Map<String, ToLongFunction<FileOperationCounters>> refused = Map.of(
                "delete", FileOperationCounters::getRefusedDeletes, "rename", FileOperationCounters::getRefusedRenames);
        refused.forEach((operation, count) -> meters.add(FunctionCounter.builder("autoftp.file.operations.refused",
                context, c -> components(c).mapToLong(m -> count.applyAsLong(m.getFileOperationCounters())).sum())
                .description("Deletes and renames of files that the server refused")
                .tags("operation", operation)
                .register(registry)));
        return meters;
    }

    private static Stream<ModeAwareComponent> components(CamelContext context) {
        return ModeAwareComponent.SCHEMES.stream().map(context::hasComponent)
                .filter(ModeAwareComponent.class::isInstance).map(ModeAwareComponent.class::cast);
    }

    private static Optional<JdbcClaimRepository> claimStore(CamelContext context) {
        return components(context).map(ModeAwareComponent::getClaimRepository)
                .filter(JdbcClaimRepository.class::isInstance).map(JdbcClaimRepository.class::cast).findFirst();
    }

    /** Stops listening and removes the meters (a restarted application registers its own). */
    public void close() {
        memory.removeListener(this);
        meters.forEach(registry::remove);
        meters.clear();
        gaugedServers.clear();
    }

    @Override
    public void onOpened(String server, DataChannelMode mode, String command) {
        gauges(server);
        connections(server, mode, "opened").increment();
    }

    @Override
    public void onModeFailed(String server, DataChannelMode mode, FailureKind kind) {
        gauges(server);
        connections(server, mode, "failed").increment();
    }

    @Override
    public void onFallback(String server, DataChannelMode from, DataChannelMode to) {
        keep(Counter.builder("autoftp.fallbacks")
                .description("Data connections that opened in another mode after the first mode tried failed")
                .tags("server", server, "from", from.name(), "to", to.name())
                .register(registry)).increment();
    }

    @Override
    public void onClosed(String server, DataChannelMode mode, String command, long bytesReceived, long bytesSent) {
        keep(Counter.builder("autoftp.transfers")
                .description("Data connections that carried a file (download, upload) or a listing, by mode")
                .tags("server", server, "mode", mode.name(), "type", type(command))
                .register(registry)).increment();
        bytes(server, mode, "received").increment(bytesReceived);
        bytes(server, mode, "sent").increment(bytesSent);
    }

    @Override
    public void onServerPairTransfer(String source, String target, boolean serverToServer, long bytes) {
        String mode = serverToServer ? "server-to-server" : "relayed";
        keep(Counter.builder("autoftp.pair.transfers")
                .description("Files moved from another server to this one, straight between the servers or relayed")
                .tags("source", source, "target", target, "mode", mode)
                .register(registry)).increment();
        keep(Counter.builder("autoftp.pair.bytes")
                .description("Bytes of the files moved from another server to this one, by way")
                .baseUnit("bytes")
                .tags("source", source, "target", target, "mode", mode)
                .register(registry)).increment(bytes);
    }

    private Counter connections(String server, DataChannelMode mode, String outcome) {
        return keep(Counter.builder("autoftp.data.connections")
                .description("Data connections opened, and data channel modes that failed to open one")
                .tags("server", server, "mode", mode.name(), "outcome", outcome)
                .register(registry));
    }

    private Counter bytes(String server, DataChannelMode mode, String direction) {
        return keep(Counter.builder("autoftp.data.bytes")
                .description("Bytes through data connections")
                .baseUnit("bytes")
                .tags("server", server, "mode", mode.name(), "direction", direction)
                .register(registry));
    }

    /** One gauge per mode: 1 for the mode remembered for the server, 0 for the others (all 0 while none is). */
    void gauges(String server) {
        if (!gaugedServers.add(server)) {
            return;
        }
        for (DataChannelMode mode : DataChannelMode.values()) {
            keep(Gauge.builder("autoftp.mode", memory, m -> {
                ModeMemory.Entry entry = m.snapshot().get(server);
                return entry != null && entry.mode() == mode ? 1 : 0;
            })
                    .description("1 for the data channel mode used for the server now (the one remembered), else 0")
                    .tags("server", server, "mode", mode.name())
                    .strongReference(true)
                    .register(registry));
        }
    }

    private <M extends Meter> M keep(M meter) {
        meters.add(meter);
        return meter;
    }

    static String type(String command) {
        return switch (command == null ? "" : command.toUpperCase(Locale.ROOT)) {
            case "RETR" -> "download";
            case "STOR", "APPE", "STOU" -> "upload";
            default -> "listing";
        };
    }
}
