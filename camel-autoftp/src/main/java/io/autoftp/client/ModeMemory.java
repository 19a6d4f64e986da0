package io.autoftp.client;

import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import io.autoftp.client.DataChannelException.FailureKind;

/**
 * What data channel mode worked last, per server ({@code host:port}), shared by every endpoint of a component. An
 * entry is trusted for a time to live (the caller's {@code modeMemoryTtl}) counted from when the mode was learned, so a
 * server that had to fall back is probed again in its preferred order later; a mode that fails is forgotten at once.
 * It also carries the {@link DataChannelListener}s that hear every data connection of the clients sharing it.
 */
public final class ModeMemory {

    private static final System.Logger LOG = System.getLogger(ModeMemory.class.getName());

    /** One server's last working mode and why earlier modes were passed over. */
    public record Entry(DataChannelMode mode, Instant learnedAt, String reason) {
    }

    /**
     * A server's entry (null once forgotten) and the mode last logged for it, kept as one value so that each change is
     * decided, and logged, exactly once even when endpoints sharing the memory learn or forget at the same time.
     */
    private record State(Entry entry, DataChannelMode logged) {
    }

    private final ConcurrentHashMap<String, State> servers = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, String> tlsVersions = new ConcurrentHashMap<>();
    private final Clock clock;
    private final List<DataChannelListener> listeners = new CopyOnWriteArrayList<>();
    private final DataChannelListener events = new Dispatcher();

    public ModeMemory() {
        this(Clock.systemUTC());
    }

    public ModeMemory(Clock clock) {
        this.clock = clock;
    }

    /** The mode to try first for this server, if one worked within {@code ttl} (zero: memory off). */
    public Optional<DataChannelMode> recall(String server, Duration ttl) {
        State state = servers.get(server);
        Entry entry = state == null ? null : state.entry();
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
        servers.compute(server, (key, old) -> {
            Entry entry = old == null ? null : old.entry();
            boolean stillValid = entry != null && entry.mode() == mode && now.isBefore(entry.learnedAt().plus(ttl));
            DataChannelMode logged = old == null ? null : old.logged();
            if (logged != mode) {
                // logged while the change is made, so that the lines come in the order of the changes (they are rare)
                String why = reason.isEmpty() ? "" : "; " + reason;
                LOG.log(Level.INFO, () -> logged == null
                        ? "Data channel to " + server + ": using " + mode.describe() + why
                        : "Data channel to " + server + ": switched from " + logged.describe() + " to "
                          + mode.describe() + why);
            }
            return new State(stillValid ? entry : new Entry(mode, now, reason), mode);
        });
    }

    /**
     * The TLS version to offer a server, learned when its data connections were refused for their TLS under the other
     * one (see {@link ModeAwareFtpsClient}); empty: the client's own choice.
     */
    public Optional<String> tlsVersion(String server) {
        return Optional.ofNullable(tlsVersions.get(server));
    }

    /** Offers only {@code version} to {@code server} from now on; one INFO line when that changes. */
    public void rememberTlsVersion(String server, String version, String reason) {
        if (!version.equals(tlsVersions.put(server, version))) {
            LOG.log(Level.INFO, () -> "TLS to " + server + ": " + reason + "; offering " + version
                                      + " only from now on");
        }
    }

    /** Drops what was known about a server, whichever mode it was. */
    public void forget(String server) {
        servers.computeIfPresent(server, (key, old) -> new State(null, old.logged()));
    }

    /**
     * Drops a server's entry after {@code failed} failed, but only while the entry is still that mode: another endpoint
     * may have learned a working one since this one recalled it.
     */
    public void forget(String server, DataChannelMode failed) {
        servers.computeIfPresent(server, (key, old) -> old.entry() != null && old.entry().mode() == failed
                ? new State(null, old.logged())
                : old);
    }

    /** A snapshot for health checks, metrics and tests. */
    public Map<String, Entry> snapshot() {
        Map<String, Entry> entries = new HashMap<>();
        servers.forEach((server, state) -> {
            if (state.entry() != null) {
                entries.put(server, state.entry());
            }
        });
        return Map.copyOf(entries);
    }

    /** Lets {@code listener} hear every data connection of the clients that share this memory. */
    public void addListener(DataChannelListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    public void removeListener(DataChannelListener listener) {
        listeners.remove(listener);
    }

    boolean hasListeners() {
        return !listeners.isEmpty();
    }

    /** The listeners as one; a listener that throws is logged and skipped. */
    DataChannelListener events() {
        return events;
    }

    private final class Dispatcher implements DataChannelListener {

        @Override
        public void onOpened(String server, DataChannelMode mode, String command) {
            each(l -> l.onOpened(server, mode, command));
        }

        @Override
        public void onModeFailed(String server, DataChannelMode mode, FailureKind kind) {
            each(l -> l.onModeFailed(server, mode, kind));
        }

        @Override
        public void onFallback(String server, DataChannelMode from, DataChannelMode to) {
            each(l -> l.onFallback(server, from, to));
        }

        @Override
        public void onClosed(String server, DataChannelMode mode, String command, long bytesReceived, long bytesSent) {
            each(l -> l.onClosed(server, mode, command, bytesReceived, bytesSent));
        }

        private void each(Consumer<DataChannelListener> event) {
            for (DataChannelListener listener : listeners) {
                try {
                    event.accept(listener);
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "Data channel listener " + listener + " failed", e);
                }
            }
        }
    }
}
