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
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import io.autoftp.client.DataChannelException.FailureKind;

/**
 * What data channel mode worked last, per server ({@code host:port}), shared by every endpoint of a component. An
 * entry is trusted for a time to live (the caller's {@code modeMemoryTtl}) counted from when the mode was learned, so a
 * server that had to fall back is probed again in its preferred order later; a mode that fails is forgotten at once.
 * It also carries the {@link DataChannelListener}s that hear every data connection of the clients sharing it.
 *
 * <p>With a {@link SharedStore} (several replicas of a service), what one process learns is written there and a
 * server this process knows nothing about yet is looked up there, so that a replica starting after another one learned
 * "passive times out against this server" does not pay that timeout itself. The store is a help, never a condition: a
 * store that fails is logged (once until it works again) and the memory goes on alone.
 */
public final class ModeMemory {

    private static final System.Logger LOG = System.getLogger(ModeMemory.class.getName());

    /** Where replicas share what they learned (see {@code JdbcModeMemoryStore}). */
    public interface SharedStore {

        /** The entry some replica stored for the server, if any. */
        Optional<Entry> load(String server);

        void save(String server, Entry entry);

        /** Drops the server's entry if it is still {@code failed}. */
        void delete(String server, DataChannelMode failed);
    }

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
    /** The servers whose TLS data connections resume only by TLS 1.2 session id (see ModeAwareFtpsClient). */
    private final Set<String> sessionIdServers = ConcurrentHashMap.newKeySet();
    private final Clock clock;
    private final ServerPairMemory serverPairs;
    private final List<DataChannelListener> listeners = new CopyOnWriteArrayList<>();
    private final DataChannelListener events = new Dispatcher();
    private volatile SharedStore store;
    /** Whether the last use of the store failed, so that an outage is logged once. */
    private volatile boolean storeFailing;

    public ModeMemory() {
        this(Clock.systemUTC());
    }

    public ModeMemory(Clock clock) {
        this.clock = clock;
        this.serverPairs = new ServerPairMemory(clock);
    }

    /** How files went last between two servers (server-to-server or relayed), with the same time to live. */
    public ServerPairMemory serverPairs() {
        return serverPairs;
    }

    /** The mode to try first for this server, if one worked within {@code ttl} (zero: memory off). */
    public Optional<DataChannelMode> recall(String server, Duration ttl) {
        State state = servers.get(server);
        Entry entry = state == null ? null : state.entry();
        if (entry == null && store != null && !ttl.isZero()) {
            entry = fromStore(server);
        }
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
        Entry[] learned = new Entry[1];
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
            Entry current = stillValid ? entry : new Entry(mode, now, reason);
            learned[0] = current == entry ? null : current;
            return new State(current, mode);
        });
        if (learned[0] != null) {
            withStore(s -> s.save(server, learned[0])); // outside compute: no lock held while the store works
        }
    }

    /** Shares what this memory learns with other processes through {@code store} (null: alone, the default). */
    public void setSharedStore(SharedStore store) {
        this.store = store;
    }

    /** Another replica's entry for a server this memory has none for, adopted (and logged) as if learned here. */
    private Entry fromStore(String server) {
        Entry[] found = new Entry[1];
        withStore(s -> found[0] = s.load(server).orElse(null));
        if (found[0] == null) {
            return null;
        }
        Entry shared = found[0];
        State adopted = servers.compute(server, (key, old) -> {
            if (old != null && old.entry() != null) {
                return old; // learned here meanwhile
            }
            LOG.log(Level.INFO, () -> "Data channel to " + server + ": using " + shared.mode().describe()
                                      + ", learned by another replica" + (shared.reason().isEmpty() ? ""
                    : "; " + shared.reason()));
            return new State(shared, shared.mode());
        });
        return adopted.entry();
    }

    private void withStore(Consumer<SharedStore> use) {
        SharedStore current = store;
        if (current == null) {
            return;
        }
        try {
            use.accept(current);
            if (storeFailing) {
                storeFailing = false;
                LOG.log(Level.INFO, "The shared data channel memory works again");
            }
        } catch (RuntimeException e) {
            if (!storeFailing) {
                storeFailing = true;
                LOG.log(Level.WARNING, "The shared data channel memory failed (" + e.getMessage()
                                       + "): this replica goes on with what it learns itself");
            }
        }
    }

    /**
     * Whether FTPS connections to {@code server} offer TLS 1.2 only, without session tickets, so that data connections
     * resume the control connection's session by its id: learned when the server refused a data connection's TLS
     * otherwise (see {@link ModeAwareFtpsClient}).
     */
    public boolean resumesBySessionId(String server) {
        return sessionIdServers.contains(server);
    }

    /** Offers {@code server} TLS 1.2 by session id from now on; one INFO line when that is new. */
    public void rememberResumingBySessionId(String server, String reason) {
        if (sessionIdServers.add(server)) {
            LOG.log(Level.INFO, () -> "TLS to " + server + ": " + reason + "; offering TLS 1.2 only from now on,"
                                      + " resumed by session id (no session tickets)");
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
        withStore(s -> s.delete(server, failed));
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

        @Override
        public void onServerPairTransfer(String source, String target, boolean serverToServer, long bytes) {
            each(l -> l.onServerPairTransfer(source, target, serverToServer, bytes));
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
