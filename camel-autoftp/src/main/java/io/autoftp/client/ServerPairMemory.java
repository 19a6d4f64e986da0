package io.autoftp.client;

import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How files went last between two servers, per pair ({@code "source → target"}, each {@code host:port}): one of the
 * two server-to-server directions, or relayed through this service. Trusted for the same time to live as the data
 * channel mode memory; a way that fails is forgotten at once. One INFO line per change.
 */
public final class ServerPairMemory {

    private static final System.Logger LOG = System.getLogger(ServerPairMemory.class.getName());

    /** The way a file goes from the source server to the target server. */
    public enum Route {
        /** The source listens (PASV/EPSV), the target connects to it (PORT/EPRT). */
        SOURCE_PASSIVE,
        /** The target listens (PASV/EPSV), the source connects to it (PORT/EPRT). */
        TARGET_PASSIVE,
        /** Through this service: downloaded from the source and uploaded to the target as one stream. */
        RELAY;

        public boolean isServerToServer() {
            return this != RELAY;
        }

        /** "server-to-server (source passive, target active)" or "relayed through this service". */
        public String describe(String source, String target) {
            return switch (this) {
                case SOURCE_PASSIVE -> "server-to-server (" + source + " passive, " + target + " active)";
                case TARGET_PASSIVE -> "server-to-server (" + target + " passive, " + source + " active)";
                case RELAY -> "relayed through this service";
            };
        }
    }

    /** One pair's last way and, when it is not the first one tried, why the others were passed over. */
    public record Entry(Route route, Instant learnedAt, String reason) {
    }

    /** The pair's entry (null once forgotten) and the way last logged, changed together so each change logs once. */
    private record State(Entry entry, Route logged) {
    }

    private final ConcurrentHashMap<String, State> pairs = new ConcurrentHashMap<>();
    private final Clock clock;

    ServerPairMemory(Clock clock) {
        this.clock = clock;
    }

    /** The key of a pair: {@code "source → target"}. */
    public static String pair(String source, String target) {
        return source + " → " + target;
    }

    /** The way that worked for the pair within {@code ttl} (zero: memory off). */
    public Optional<Route> recall(String source, String target, Duration ttl) {
        State state = pairs.get(pair(source, target));
        Entry entry = state == null ? null : state.entry();
        if (entry == null || ttl.isZero() || !clock.instant().isBefore(entry.learnedAt().plus(ttl))) {
            return Optional.empty();
        }
        return Optional.of(entry.route());
    }

    /**
     * Records that {@code route} moved a file from {@code source} to {@code target}; logs when the pair's way changes.
     *
     * @param reason why the ways tried before were passed over, in words; empty when none was
     */
    public void remember(String source, String target, Route route, String reason, Duration ttl) {
        Instant now = clock.instant();
        String key = pair(source, target);
        pairs.compute(key, (k, old) -> {
            Entry entry = old == null ? null : old.entry();
            boolean stillValid = entry != null && entry.route() == route && now.isBefore(entry.learnedAt().plus(ttl));
            if (old == null || old.logged() != route) {
                LOG.log(Level.INFO, () -> key + ": " + route.describe(source, target)
                                          + (reason.isEmpty() ? "" : ": " + reason));
            }
            return new State(stillValid ? entry : new Entry(route, now, reason), route);
        });
    }

    /** Drops the pair's entry while it is still {@code failed}. */
    public void forget(String source, String target, Route failed) {
        pairs.computeIfPresent(pair(source, target), (k, old) -> old.entry() != null && old.entry().route() == failed
                ? new State(null, old.logged())
                : old);
    }

    /** A snapshot for health checks, metrics and tests, by pair key. */
    public Map<String, Entry> snapshot() {
        Map<String, Entry> entries = new HashMap<>();
        pairs.forEach((key, state) -> {
            if (state.entry() != null) {
                entries.put(key, state.entry());
            }
        });
        return Map.copyOf(entries);
    }
}
