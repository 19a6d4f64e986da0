package io.autoftp.camel;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import javax.sql.DataSource;

import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Claims on files, shared by every replica through one PostgreSQL table: the store behind {@code readLock=idempotent}
 * when several processes poll one directory. A claim is taken before a file is downloaded ({@link #add}), kept alive
 * by a heartbeat while its owner works on it, and either confirmed (the file is done: nobody takes it again) or
 * removed (released: another replica, or a later poll, takes it). A claim whose owner stopped beating for
 * {@code claimTimeout} (a replica killed mid-file) is taken over by the next replica that wants the file.
 *
 * <p>camel-sql's {@code JdbcOrphanLockAwareIdempotentRepository} has the same idea but does not fit here: its
 * {@code confirm} does nothing, so a confirmed key stays in its heartbeat set for as long as the process lives (the
 * batch grows with every file ever processed) and turns into an expired claim when the process ends (with
 * {@code noop=true} the file is then processed again); a claim it takes over from a dead replica is not kept alive, so
 * it expires a second time under the new owner; two replicas can take over the same expired claim at once; it compares
 * the replicas' own clocks; and its key column holds 100 characters. Here every step is one atomic statement, times
 * are the database's, and a confirmed claim stays done.
 *
 * <pre>
 * CREATE TABLE autoftp_claim (
 *   name         VARCHAR(255) NOT NULL,              -- the repository's name: one per service sharing the database
 *   file_key     TEXT NOT NULL,                      -- e.g. acme@ftp.partner.example:21:inbox/orders-1.csv
 *   owner        VARCHAR(255) NOT NULL,              -- host/pid/random of the replica holding it
 *   claimed_at   TIMESTAMP WITH TIME ZONE NOT NULL,
 *   heartbeat_at TIMESTAMP WITH TIME ZONE NOT NULL,
 *   done_at      TIMESTAMP WITH TIME ZONE,           -- set when confirmed: never taken again
 *   PRIMARY KEY (name, file_key))
 * </pre>
 *
 * The table is created at start when missing ({@code createTable}, default true).
 */
public class JdbcClaimRepository extends ServiceSupport implements IdempotentRepository {

    private static final Logger LOG = LoggerFactory.getLogger(JdbcClaimRepository.class);

    public static final String DEFAULT_TABLE = "autoftp_claim";
    public static final String DEFAULT_NAME = "autoftp";
    public static final Duration DEFAULT_CLAIM_TIMEOUT = Duration.ofSeconds(30);

    private final JdbcStore jdbc;
    private String name = DEFAULT_NAME;
    private String table = DEFAULT_TABLE;
    private Duration claimTimeout = DEFAULT_CLAIM_TIMEOUT;
    private boolean createTable = true;
    private final String owner = ownerId();

    /** Whether the table is known to exist (created, or found, since start). */
    private volatile boolean tableReady;
    private ScheduledExecutorService heartbeat;
    /** Claim ends (key → how) that could not reach the database yet. */
    private final Map<String, End> pendingEnds = new ConcurrentHashMap<>();
    /** Whether the last heartbeat failed, so that an outage is warned about once. */
    private volatile boolean heartbeatFailing;

    private final AtomicLong claimed = new AtomicLong();
    private final AtomicLong lost = new AtomicLong();
    private final AtomicLong expiredTakenOver = new AtomicLong();
    private final AtomicLong released = new AtomicLong();
    private final AtomicLong confirmed = new AtomicLong();

    public JdbcClaimRepository(DataSource dataSource) {
        this.jdbc = new JdbcStore(dataSource, "Claim store");
    }

    // ---------------------------------------------------------------------------------------------------------
    // IdempotentRepository

    /** Claims the file: true when it was free (or its claim had expired), false when another replica holds it. */
    @Override
    public boolean add(String key) {
        ensureTable();
        End pending = pendingEnds.get(key);
        if (pending != null) { // before the heartbeat ends it, for it would end the new claim
            apply(key, pending);
            pendingEnds.remove(key, pending);
        }
        if (update("INSERT INTO " + table + " (name, file_key, owner, claimed_at, heartbeat_at)"
                   + " VALUES (?, ?, ?, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP) ON CONFLICT DO NOTHING",
                name, key, owner) == 1) {
            claimed.incrementAndGet();
            return true;
        }
        if (update("UPDATE " + table + " SET owner = ?, claimed_at = CURRENT_TIMESTAMP,"
                   + " heartbeat_at = CURRENT_TIMESTAMP WHERE name = ? AND file_key = ? AND done_at IS NULL"
                   + " AND heartbeat_at < CURRENT_TIMESTAMP - make_interval(secs => ?)",
                owner, name, key, claimTimeout.toMillis() / 1000.0) == 1) {
            LOG.info("Took over the expired claim on {}: the replica holding it stopped for over {}", key,
                    claimTimeout);
            claimed.incrementAndGet();
            expiredTakenOver.incrementAndGet();
            return true;
        }
        lost.incrementAndGet();
        return false;
    }

    /** Whether the file is done or held by a live claim. */
    @Override
    public boolean contains(String key) {
        ensureTable();
        return query("SELECT COUNT(*) FROM " + table + " WHERE name = ? AND file_key = ? AND (done_at IS NOT NULL"
                     + " OR heartbeat_at >= CURRENT_TIMESTAMP - make_interval(secs => ?))",
                name, key, claimTimeout.toMillis() / 1000.0) > 0;
    }

    /** Releases this replica's claim, so that the file is taken again. */
    @Override
    public boolean remove(String key) {
        return end(key, End.RELEASE);
    }

    /** Marks the file done: no replica takes it again. */
    @Override
    public boolean confirm(String key) {
        return end(key, End.CONFIRM);
    }

    /**
     * Ends this replica's claim on a file that is gone from the server (deleted or moved after processing): nothing
     * needs to remember it, and a new file of the same name is a new file. Counted as confirmed.
     */
    public boolean finish(String key) {
        return end(key, End.FINISH);
    }

    /** How a claim ends. */
    private enum End { RELEASE, CONFIRM, FINISH }

    /**
     * Ends a claim, or, while the database cannot be reached, keeps the end for the heartbeat to retry: a confirm
     * that never reached the table would let the claim expire when this replica stops, and another replica would
     * process the file again; a release or finish that never did would hold a new file of that name.
     */
    private boolean end(String key, End end) {
        try {
            boolean ended = apply(key, end);
            pendingEnds.remove(key, end);
            return ended;
        } catch (RuntimeException e) {
            pendingEnds.put(key, end);
            LOG.warn("Could not {} the claim on {} ({}): retried until the database answers", end.name().toLowerCase(),
                    key, e.getMessage());
            return true;
        }
    }

    private boolean apply(String key, End end) {
        if (end == End.CONFIRM) {
            if (update("UPDATE " + table + " SET done_at = CURRENT_TIMESTAMP WHERE name = ? AND file_key = ?"
                       + " AND owner = ?", name, key, owner) == 1) {
                confirmed.incrementAndGet();
                return true;
            }
            LOG.warn("The claim on {} had expired and was taken over by another replica before this one finished the"
                     + " file: it may have been processed twice. Processing took longer than claimTimeout ({})"
                     + " without a heartbeat reaching the database.", key, claimTimeout);
            return false;
        }
        boolean deleted = update("DELETE FROM " + table + " WHERE name = ? AND file_key = ? AND owner = ?",
                name, key, owner) == 1;
        if (deleted) {
            (end == End.RELEASE ? released : confirmed).incrementAndGet();
        }
        return deleted;
    }

    /** Ends the claims whose end could not reach the database, first thing in every heartbeat. */
    private void endPending() {
        for (Map.Entry<String, End> pending : pendingEnds.entrySet()) {
            apply(pending.getKey(), pending.getValue());
            pendingEnds.remove(pending.getKey(), pending.getValue());
        }
    }

    @Override
    public void clear() {
        update("DELETE FROM " + table + " WHERE name = ?", name);
    }

    // ---------------------------------------------------------------------------------------------------------
    // lifecycle

    @Override
    protected void doStart() throws Exception {
        JdbcStore.checkTableName(table);
        if (claimTimeout.toMillis() < 3000) {
            throw new IllegalArgumentException("claimTimeout must be at least 3s, not " + claimTimeout);
        }
        try {
            ensureTable();
        } catch (RuntimeException e) {
            // a replica starting while the database is away starts anyway: it claims nothing (and its readiness says
            // why) until the table can be reached
            LOG.warn("Claims unavailable until the database is reachable: {}", e.getMessage());
        }
        heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "autoftp-claim-heartbeat");
            thread.setDaemon(true);
            return thread;
        });
        long every = claimTimeout.toMillis() / 3;
        heartbeat.scheduleWithFixedDelay(this::beat, every, every, TimeUnit.MILLISECONDS);
        LOG.debug("Claims of {} in table {} as {}, expiring after {}", name, table, owner, claimTimeout);
    }

    @Override
    protected void doStop() throws Exception {
        if (heartbeat != null) {
            heartbeat.shutdownNow();
            heartbeat = null;
        }
    }

    /**
     * Keeps every unfinished claim of this replica alive: one statement, whatever the number of files in flight.
     * While the database is unreachable the claims age; a replica that comes back after {@code claimTimeout} finds
     * them taken over and is told so when it confirms.
     */
    void beat() {
        try {
            endPending();
            update("UPDATE " + table + " SET heartbeat_at = CURRENT_TIMESTAMP WHERE owner = ? AND done_at IS NULL",
                    owner);
            if (heartbeatFailing) {
                heartbeatFailing = false;
                LOG.info("Claim heartbeat reaches the database again");
            }
        } catch (RuntimeException e) {
            if (!heartbeatFailing) {
                heartbeatFailing = true;
                LOG.warn("Claim heartbeat failed: {} (claims of this replica expire after {} without it)",
                        e.getMessage(), claimTimeout);
            }
        }
    }

    /** Runs a trivial query: for readiness, which must be down while claims cannot be taken. */
    public void check() {
        ensureTable();
        query("SELECT COUNT(*) FROM " + table + " WHERE 1 = 0");
    }

    private void ensureTable() {
        if (!tableReady && createTable) {
            createTableIfMissing();
        }
        tableReady = true;
    }

    private void createTableIfMissing() {
        jdbc.createTable(table, "name VARCHAR(255) NOT NULL, file_key TEXT NOT NULL, owner VARCHAR(255) NOT NULL,"
                                + " claimed_at TIMESTAMP WITH TIME ZONE NOT NULL,"
                                + " heartbeat_at TIMESTAMP WITH TIME ZONE NOT NULL,"
                                + " done_at TIMESTAMP WITH TIME ZONE, PRIMARY KEY (name, file_key)");
    }

    private int update(String sql, Object... parameters) {
        return jdbc.update(sql, parameters);
    }

    private long query(String sql, Object... parameters) {
        return jdbc.count(sql, parameters);
    }

    private static String ownerId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "unknown-host";
        }
        String pid = String.valueOf(ProcessHandle.current().pid());
        // pid 1 in every container: the random part tells a restarted replica from its previous life
        String random = UUID.randomUUID().toString().substring(0, 8);
        String id = host + "/" + pid + "/" + random;
        return id.length() > 255 ? id.substring(id.length() - 255) : id;
    }

    // ---------------------------------------------------------------------------------------------------------
    // settings and counters

    public String getName() {
        return name;
    }

    /** Separates the claims of services sharing one database and table. */
    public void setName(String name) {
        this.name = name;
    }

    public String getTable() {
        return table;
    }

    public void setTable(String table) {
        this.table = table;
    }

    public Duration getClaimTimeout() {
        return claimTimeout;
    }

    /** How long a claim lives without its owner's heartbeat (sent every third of it) before others may take it. */
    public void setClaimTimeout(Duration claimTimeout) {
        this.claimTimeout = claimTimeout;
    }

    public boolean isCreateTable() {
        return createTable;
    }

    public void setCreateTable(boolean createTable) {
        this.createTable = createTable;
    }

    /** This replica's name in the table's owner column. */
    public String getOwner() {
        return owner;
    }

    /** Claims taken (including expired ones taken over). */
    public long getClaimed() {
        return claimed.get();
    }

    /** Claims refused because another replica held the file. */
    public long getLost() {
        return lost.get();
    }

    /** Expired claims of a stopped replica taken over. */
    public long getExpiredTakenOver() {
        return expiredTakenOver.get();
    }

    /** Claims released (processing failed, or the file was gone or not ready). */
    public long getReleased() {
        return released.get();
    }

    /** Claims confirmed or finished (the file is done). */
    public long getConfirmed() {
        return confirmed.get();
    }

    @Override
    public String toString() {
        return "JdbcClaimRepository[" + name + " in " + table + " as " + owner + "]";
    }
}
