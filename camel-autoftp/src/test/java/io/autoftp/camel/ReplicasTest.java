package io.autoftp.camel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;

import io.autoftp.testing.EmbeddedFtpServer;
import io.autoftp.testing.Prerequisites;
import io.autoftp.testing.RealPostgres;
import io.autoftp.testing.TestFiles;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Three Camel contexts (replicas, each with its own claim repository on one PostgreSQL server) polling one directory
 * of a real FTP server: every file is processed exactly once, checksummed.
 */
class ReplicasTest {

    private static final Duration WAIT = Duration.ofSeconds(90);

    private static RealPostgres db;
    private static PGSimpleDataSource dataSource;

    @TempDir
    Path temp;

    private EmbeddedFtpServer server;
    private final List<CamelContext> replicas = new ArrayList<>();
    private final List<JdbcClaimRepository> repositories = new ArrayList<>();
    /** file name → how many times a replica processed it with the right checksum */
    private final Map<String, AtomicInteger> processed = new ConcurrentHashMap<>();
    private final Map<String, String> wrongChecksums = new ConcurrentHashMap<>();
    private Map<String, String> expected;

    @BeforeAll
    static void startDatabase() throws Exception {
        Prerequisites.require(RealPostgres.unavailableReason());
        db = RealPostgres.start();
        dataSource = JdbcClaimRepositoryTest.dataSource(db);
    }

    @AfterAll
    static void stopDatabase() {
        if (db != null) {
            db.close();
        }
    }

    @AfterEach
    void stopReplicas() throws Exception {
        for (CamelContext replica : replicas) {
            replica.stop();
        }
        repositories.forEach(JdbcClaimRepository::stop);
        if (server != null) {
            server.close();
        }
    }

    private void serverWithFiles(int count, String... refusedVerbs) throws Exception {
        EmbeddedFtpServer.Builder builder = EmbeddedFtpServer.builder().home(Files.createDirectories(temp.resolve("ftp")));
        for (String verb : refusedVerbs) {
            builder.refuse(verb);
        }
        server = builder.start();
        Path inbox = Files.createDirectories(server.home().resolve("inbox"));
        for (int i = 0; i < count; i++) {
            TestFiles.writeRandom(inbox, String.format("order-%04d.csv", i), 2_000 + i * 7L, i);
        }
        expected = TestFiles.sha256Tree(inbox);
    }

    /** A replica: its own context and claim repository (its own owner), the route given the endpoint's options. */
    private CamelContext replica(String name, String options, Consumer<Exchange> work) throws Exception {
        JdbcClaimRepository claims = new JdbcClaimRepository(dataSource);
        claims.setName(name);
        repositories.add(claims);
        CamelContext context = new DefaultCamelContext();
        context.getRegistry().bind("claims", claims);
        context.getComponent("autoftp", AutoFtpComponent.class).setClaimRepository(claims);
        String uri = "autoftp://" + server.username() + "@" + server.host() + ":" + server.port()
                     + "/inbox?password=RAW(" + server.password() + ")&binary=true&delay=50&" + options;
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from(uri).process(exchange -> {
                    work.accept(exchange);
                    String fileName = exchange.getMessage().getHeader(Exchange.FILE_NAME, String.class);
                    String sha = TestFiles.sha256(exchange.getMessage().getBody(File.class).toPath());
                    if (sha.equals(expected.get(fileName))) {
                        processed.computeIfAbsent(fileName, k -> new AtomicInteger()).incrementAndGet();
                    } else {
                        wrongChecksums.put(fileName, sha);
                    }
                });
            }
        });
        replicas.add(context);
        return context;
    }

    private void awaitProcessed(int count) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (processed.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        awaitMorePolls(2); // a duplicate would show now
    }

    /** Waits until the replicas listed the directory {@code polls} more times each (counted by the server). */
    private void awaitMorePolls(int polls) throws InterruptedException {
        long wanted = listings() + (long) polls * replicas.size();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (listings() < wanted) {
            assertTrue(System.nanoTime() < deadline, "the replicas stopped polling: " + listings() + " listings");
            Thread.sleep(20);
        }
    }

    private long listings() {
        return server.log().stream().filter(command -> command.verb().equals("LIST")).count();
    }

    private void assertEachFileExactlyOnce() {
        assertEquals(Map.of(), wrongChecksums, "checksums");
        assertEquals(expected.keySet(), processed.keySet(), "every file");
        processed.forEach((name, count) -> assertEquals(1, count.get(), name + " processed " + count + " times"));
    }

    private List<String> left() throws Exception {
        try (Stream<Path> files = Files.list(server.home().resolve("inbox"))) {
            return files.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).toList();
        }
    }

    @Test
    void threeReplicasDeleteEachFileExactlyOnce() throws Exception {
        serverWithFiles(150);
        for (int i = 0; i < 3; i++) {
            replica("delete", "delete=true", exchange -> { }).start();
        }
        awaitProcessed(150);
        assertEachFileExactlyOnce();
        assertEquals(List.of(), left());
        long lost = repositories.stream().mapToLong(JdbcClaimRepository::getLost).sum();
        System.out.printf("3 replicas, delete=true: 150 files, each once; %d claims lost to another replica%n", lost);
        assertEquals("0", db.sql("SELECT COUNT(*) FROM autoftp_claim WHERE name = 'delete'"),
                "claims of deleted files are removed, so that a new file of the same name is taken");
    }

    @Test
    void threeReplicasWithNoopTakeEachFileOnceAndNeverAgain() throws Exception {
        serverWithFiles(60);
        for (int i = 0; i < 3; i++) {
            replica("noop", "noop=true&readLock=idempotent&idempotentRepository=#claims", exchange -> { }).start();
        }
        awaitProcessed(60);
        awaitMorePolls(1);
        assertEachFileExactlyOnce();
        assertEquals(60, left().size(), "noop leaves the files: " + left());
        assertEquals("60", db.sql("SELECT COUNT(*) FROM autoftp_claim WHERE name = 'noop' AND done_at IS NOT NULL"));
    }

    @Test
    void aFailedFileIsReleasedAndProcessedOnceLater() throws Exception {
        serverWithFiles(30);
        Set<String> failedOnce = ConcurrentHashMap.newKeySet();
        for (int i = 0; i < 3; i++) {
            replica("retry", "move=.done", exchange -> {
                String name = exchange.getMessage().getHeader(Exchange.FILE_NAME, String.class);
                if (name.endsWith("7.csv") && failedOnce.add(name)) {
                    throw new IllegalStateException("downstream refused " + name + " once");
                }
            }).start();
        }
        awaitProcessed(30);
        assertEachFileExactlyOnce();
        assertEquals(3, failedOnce.size());
        assertEquals(List.of(), left());
        assertEquals(30, Files.list(server.home().resolve("inbox/.done")).count());
    }

    @Test
    void aFileWhoseMoveTheServerRefusesIsNotProcessedAgain() throws Exception {
        serverWithFiles(20, "RNFR");
        for (int i = 0; i < 3; i++) {
            replica("move-refused", "move=.done", exchange -> { }).start();
        }
        awaitProcessed(20);
        awaitMorePolls(3); // each claims every file again and finds it confirmed
        assertEachFileExactlyOnce();
        assertEquals(20, left().size(), "the server kept them");
        assertEquals("20", db.sql("SELECT COUNT(*) FROM autoftp_claim WHERE name = 'move-refused'"
                                  + " AND done_at IS NOT NULL"), "their claims stay, confirmed");
    }

    @Test
    void stockCamelFtpWithTheSameThreeReplicas() throws Exception {
        // not asserted: how many duplicates stock camel-ftp delivers in the same setup, for the docs
        serverWithFiles(150);
        Map<String, AtomicInteger> stock = new ConcurrentHashMap<>();
        String uri = "ftp://" + server.username() + "@" + server.host() + ":" + server.port() + "/inbox?password=RAW("
                     + server.password() + ")&binary=true&delay=50&delete=true&passiveMode=true";
        for (int i = 0; i < 3; i++) {
            CamelContext context = new DefaultCamelContext();
            context.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from(uri).process(exchange -> stock.computeIfAbsent(
                            exchange.getMessage().getHeader(Exchange.FILE_NAME, String.class),
                            k -> new AtomicInteger()).incrementAndGet());
                }
            });
            replicas.add(context);
            context.start();
        }
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!left().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        awaitMorePolls(2);
        int deliveries = stock.values().stream().mapToInt(AtomicInteger::get).sum();
        System.out.printf("stock camel-ftp, 3 replicas, delete=true: 150 files delivered %d times (%d twice or more)%n",
                deliveries, stock.values().stream().filter(c -> c.get() > 1).count());
        assertTrue(deliveries >= 150);
    }

    @Test
    void aReadLockCamelFtpDoesNotKnowIsAnErrorNamingTheOption() throws Exception {
        serverWithFiles(0);
        CamelContext context = replica("bad", "readLock=markerFile", exchange -> { });
        Exception e = assertThrows(Exception.class, context::start);
        assertTrue(rootMessage(e).contains("Option readLock has an invalid value 'markerFile'"), rootMessage(e));
    }

    @Test
    void anIdempotentReadLockWithoutRepositoryIsAnErrorNamingTheOption() throws Exception {
        serverWithFiles(0);
        CamelContext context = new DefaultCamelContext();
        replicas.add(context);
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("autoftp://" + server.username() + "@" + server.host() + ":" + server.port()
                     + "/inbox?password=RAW(" + server.password() + ")&readLock=idempotent-changed").to("log:x");
            }
        });
        Exception e = assertThrows(Exception.class, context::start);
        assertTrue(rootMessage(e).contains("readLock=idempotent-changed needs a repository shared by the replicas:"
                                           + " set idempotentRepository=#<bean>"), rootMessage(e));
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getMessage();
    }
}
