package io.autoftp.camel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import io.autoftp.testing.Prerequisites;
import io.autoftp.testing.RealPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/** The claim store on a real PostgreSQL server: what replicas rely on, one statement at a time. */
class JdbcClaimRepositoryTest {

    private static RealPostgres db;
    private static PGSimpleDataSource dataSource;

    private final List<JdbcClaimRepository> started = new ArrayList<>();

    @BeforeAll
    static void startDatabase() throws Exception {
        Prerequisites.require(RealPostgres.unavailableReason());
        db = RealPostgres.start();
        dataSource = dataSource(db);
    }

    static PGSimpleDataSource dataSource(RealPostgres db) {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setUrl(db.jdbcUrl());
        dataSource.setUser(db.username());
        dataSource.setPassword(db.password());
        return dataSource;
    }

    @AfterAll
    static void stopDatabase() {
        if (db != null) {
            db.close();
        }
    }

    @AfterEach
    void stopRepositories() {
        started.forEach(JdbcClaimRepository::stop);
    }

    private JdbcClaimRepository replica(String name, Duration timeout) {
        JdbcClaimRepository repository = new JdbcClaimRepository(dataSource);
        repository.setName(name);
        repository.setClaimTimeout(timeout);
        repository.start();
        started.add(repository);
        return repository;
    }

    /** Waits, at most {@code millis}, until the claim's row meets {@code condition}. */
    private static void awaitRow(String name, String key, String condition, long millis) throws Exception {
        String query = "SELECT COUNT(*) FROM autoftp_claim WHERE name = '" + name + "' AND file_key = '" + key
                       + "' AND " + condition;
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (!db.sql(query).equals("1")) {
            assertTrue(System.nanoTime() < deadline, "not within " + millis + " ms: " + condition);
            Thread.sleep(100);
        }
    }

    @Test
    void oneReplicaHoldsAClaimUntilItReleasesOrConfirmsIt() {
        JdbcClaimRepository a = replica("hold", Duration.ofSeconds(30));
        JdbcClaimRepository b = replica("hold", Duration.ofSeconds(30));
        String key = "acme@ftp.example:21:inbox/orders.csv";

        assertTrue(a.add(key));
        assertFalse(b.add(key), "held by a");
        assertTrue(b.contains(key));
        assertFalse(b.remove(key), "b cannot release a's claim");
        assertFalse(b.add(key), "still held by a");

        assertTrue(a.remove(key), "released (processing failed)");
        assertFalse(a.contains(key));
        assertTrue(b.add(key), "free again");
        assertTrue(b.confirm(key));
        assertFalse(a.add(key), "done: never taken again");
        assertFalse(b.add(key), "done: not even by its owner");
        assertEquals(1, a.getClaimed());
        assertEquals(4, a.getLost() + b.getLost());
        assertEquals(1, a.getReleased());
        assertEquals(1, b.getConfirmed());
    }

    @Test
    void namesSeparateServices() {
        JdbcClaimRepository a = replica("service-a", Duration.ofSeconds(30));
        JdbcClaimRepository b = replica("service-b", Duration.ofSeconds(30));
        assertTrue(a.add("same-key"));
        assertTrue(b.add("same-key"));
    }

    @Test
    void aStoppedReplicasClaimExpiresAndIsTakenOverButADoneFileStaysDone() throws Exception {
        JdbcClaimRepository dying = replica("expiry", Duration.ofSeconds(3));
        JdbcClaimRepository survivor = replica("expiry", Duration.ofSeconds(3));
        assertTrue(dying.add("in-flight"));
        assertTrue(dying.add("finished"));
        assertTrue(dying.confirm("finished"));
        dying.stop(); // no heartbeat any more, as after kill -9

        assertFalse(survivor.add("in-flight"), "not expired yet");
        // the database's clock decides: wait until its heartbeat is older than the timeout (within the timeout + 0.5 s)
        awaitRow("expiry", "in-flight", "heartbeat_at < CURRENT_TIMESTAMP - interval '3 seconds'", 3_500);
        assertTrue(survivor.add("in-flight"), "expired: taken over");
        assertEquals(1, survivor.getExpiredTakenOver());
        assertFalse(survivor.add("finished"), "a confirmed claim does not expire");
        assertFalse(dying.confirm("in-flight"), "the old owner learns that it lost the claim");
    }

    @Test
    void claimEndsThatCannotReachTheDatabaseAreRetriedWithTheHeartbeat() throws Exception {
        JdbcClaimRepository replica = replica("outage", Duration.ofSeconds(30));
        assertTrue(replica.add("noop-file"));
        assertTrue(replica.add("moved-file"));
        assertTrue(replica.add("failed-file"));
        db.stop();
        try {
            replica.confirm("noop-file");
            replica.finish("moved-file");
            replica.remove("failed-file");
        } finally {
            db.startServer();
        }
        replica.beat();
        assertEquals("noop-file", db.sql("SELECT string_agg(file_key, ',') FROM autoftp_claim WHERE name = 'outage'"
                                         + " AND done_at IS NOT NULL"), "confirmed: never taken again");
        assertEquals("1", db.sql("SELECT COUNT(*) FROM autoftp_claim WHERE name = 'outage'"), "the others ended");
        assertEquals(2, replica.getConfirmed());
        assertEquals(1, replica.getReleased());
        assertTrue(replica.add("failed-file"), "released: taken again");
    }

    @Test
    void theHeartbeatKeepsALongProcessingClaimAlive() throws Exception {
        JdbcClaimRepository busy = replica("heartbeat", Duration.ofSeconds(3));
        JdbcClaimRepository other = replica("heartbeat", Duration.ofSeconds(3));
        assertTrue(busy.add("large.csv"));
        // held for longer than the timeout, and its heartbeat renewed since
        awaitRow("heartbeat", "large.csv", "heartbeat_at > claimed_at + interval '3.5 seconds'", 10_000);
        assertFalse(other.add("large.csv"), "still held");
        assertTrue(busy.confirm("large.csv"));
    }

    @Test
    void concurrentReplicasClaimEachKeyExactlyOnce() throws Exception {
        // (a connection per statement without a pool, with password hashing: a few ms per claim)
        List<JdbcClaimRepository> replicas = List.of(replica("race", Duration.ofSeconds(30)),
                replica("race", Duration.ofSeconds(30)), replica("race", Duration.ofSeconds(30)));
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            keys.add("inbox/file-" + i + ".csv");
        }
        Map<String, AtomicInteger> winners = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> runs = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            JdbcClaimRepository replica = replicas.get(t % 3);
            List<String> order = new ArrayList<>(keys);
            Collections.shuffle(order);
            runs.add(pool.submit(() -> {
                go.await();
                for (String key : order) {
                    if (replica.add(key)) {
                        winners.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
                    }
                }
                return null;
            }));
        }
        go.countDown();
        for (Future<?> run : runs) {
            run.get();
        }
        pool.shutdown();
        assertEquals(keys.size(), winners.size());
        winners.forEach((key, count) -> assertEquals(1, count.get(), key));
        assertEquals(keys.size(), replicas.stream().mapToLong(JdbcClaimRepository::getClaimed).sum());
    }

    @Test
    void replicasStartingTogetherCreateTheTableOnce() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<JdbcClaimRepository>> starts = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            starts.add(pool.submit(() -> {
                JdbcClaimRepository repository = new JdbcClaimRepository(dataSource);
                repository.setTable("claims_created_together");
                repository.start();
                return repository;
            }));
        }
        for (Future<JdbcClaimRepository> start : starts) {
            started.add(start.get());
        }
        pool.shutdown();
        assertTrue(started.get(0).add("k"));
        assertEquals("1", db.sql("SELECT COUNT(*) FROM claims_created_together"));
    }
}
