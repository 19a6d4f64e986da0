package io.autoftp.client;

import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What data channel mode worked last, per server ({@code host:port}), shared by every endpoint of a component. An
 * entry is trusted for a time to live (the caller's {@code modeMemoryTtl}) counted from when the mode was learned, so a
 * server that had to fall back is probed again in its preferred order later; a mode that fails is forgotten at once.
 */
public final class ModeMemory {

    private static final System.Logger LOG = System.getLogger(ModeMemory.class.getName());

    /** One server's last working mode and why earlier modes were passed over. */
    public record Entry(DataChannelMode mode, Instant learnedAt, String reason) {
    }

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final Map<String, DataChannelMode> lastLogged = new ConcurrentHashMap<>();
    private final Clock clock;

    public ModeMemory() {
        this(Clock.systemUTC());
    }

    public ModeMemory(Clock clock) {
        this.clock = clock;
    }

    /** The mode to try first for this server, if one worked within {@code ttl} (zero: memory off). */
    public Optional<DataChannelMode> recall(String server, Duration ttl) {
        Entry entry = entries.get(server);
        if (entry == null || ttl.isZero() || !clock.instant().isBefore(entry.learnedAt().plus(ttl))) {
            return Optional.empty();
        }
        return Optional.of(entry.mode());
    }

    /**
     * Records that {@code mode} opened a data connection to {@code server}. The time to live restarts only when the
     * mode changes or the old entry had expired, so a fallback mode does not stay forever.
     *
     * @param reason why earlier modes were passed over, in words; empty when the first mode worked
     */
    public void remember(String server, DataChannelMode mode, String reason, Duration ttl) {
        Instant now = clock.instant();
        entries.compute(server, (key, old) -> {
            boolean stillValid = old != null && old.mode() == mode && now.isBefore(old.learnedAt().plus(ttl));
            return stillValid ? old : new Entry(mode, now, reason);
        });
        DataChannelMode logged = lastLogged.put(server, mode);
        if (logged != mode) {
            LOG.log(Level.INFO, () -> logged == null
                    ? "Data channel to " + server + ": using " + mode.describe() + (reason.isEmpty() ? "" : "; " + reason)
                    : "Data channel to " + server + ": switched from " + logged.describe() + " to " + mode.describe()
                      + (reason.isEmpty() ? "" : "; " + reason));
        }
    }

    /** Drops what was known about a server after its remembered mode failed. */
    public void forget(String server) {
        entries.remove(server);
    }

    /** A snapshot for health checks, metrics and tests. */
    public Map<String, Entry> snapshot() {
        return Map.copyOf(entries);
    }
}
