package io.autoftp.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.autoftp.testing.RealFtpServer;
import io.autoftp.testing.RealFtpServer.Kind;
import io.autoftp.testing.RealPostgres;
import io.autoftp.testing.RequiresRoot;
import io.autoftp.testing.TestFiles;

/**
 * Three containers of the service's image beside one PostgreSQL (Debian's, {@link RealPostgres}) poll one vsftpd
 * directory with the jar's partner-to-target route; with {@code QUARKUS_DATASOURCE_JDBC_URL} set, each claims every
 * file before downloading it (quarkus.autoftp.cluster.repository=auto). Each file must reach proftpd exactly once:
 * one RNTO per name in proftpd's protocol log, one "moved" line per name over the three containers' logs, SHA-256
 * equal, every source in relay/.done.
 */
@RequiresRoot
class ReplicaContainersTest {

    private static final int REPLICAS = 3;
    private static final int FILES = 300;
    private static final Duration WAIT = Duration.ofMinutes(5);
    private static final Pattern MOVED = Pattern.compile("partner-to-target: moved (\\S+) ");

    @TempDir
    Path work;

    @BeforeAll
    static void prerequisites() {
        Podman.require("ReplicaContainersTest", Podman.unavailableReason());
        Podman.require("ReplicaContainersTest", RealFtpServer.unavailableReason(Kind.VSFTPD));
        Podman.require("ReplicaContainersTest", RealFtpServer.unavailableReason(Kind.PROFTPD));
        Podman.require("ReplicaContainersTest", RealPostgres.unavailableReason());
        Podman.buildImage();
    }

    @Test
    void threeReplicasDeliverEachFileOnce() throws Exception {
        List<ServiceContainer> replicas = new ArrayList<>();
        try (RealPostgres db = RealPostgres.start();
             RealFtpServer partner = RealFtpServer.builder().kind(Kind.VSFTPD).start();
             RealFtpServer target = RealFtpServer.builder().kind(Kind.PROFTPD).start()) {
            for (String dir : List.of("relay", "inbox", "staging")) {
                Files.createDirectories(partner.home().resolve(dir));
            }
            Files.createDirectories(target.home().resolve("from-partner"));
            Files.createDirectories(target.home().resolve("outbox"));
            Map<String, String> expected = new TreeMap<>();
            for (int i = 0; i < FILES; i++) {
                String name = String.format("file-%04d.bin", i);
                expected.put(name, TestFiles.sha256(TestFiles.writeRandom(partner.home().resolve("staging"), name,
                        1_000 + (i * 7919L) % 60_000, 1000 + i)));
            }
            partner.giveToServerUser(partner.home());
            target.giveToServerUser(target.home());

            Map<String, String> env = new LinkedHashMap<>();
            env.put("PIPELINE_EMBEDDED", "false");
            ServiceContainer.serverEnv(env, "PARTNER", partner);
            ServiceContainer.serverEnv(env, "TARGET", target);
            env.put("PARTNER_POLL_DELAY", "500");
            env.put("PARTNER_API_URL", "http://127.0.0.1:9/unused");
            env.put("QUARKUS_DATASOURCE_JDBC_URL", db.jdbcUrl());
            env.put("QUARKUS_DATASOURCE_USERNAME", db.username());
            env.put("QUARKUS_DATASOURCE_PASSWORD", db.password());
            for (int i = 0; i < REPLICAS; i++) {
                replicas.add(ServiceContainer.start(ServiceContainer.Mounts.under(work.resolve("replica-" + i)), env));
            }
            for (ServiceContainer replica : replicas) {
                String ready = replica.awaitReady();
                assertTrue(Pattern.compile("\"name\": \"autoftp-claims\",\\s*\"status\": \"UP\"").matcher(ready).find()
                           && !ready.contains("\"claims\": \"off"), "claims in PostgreSQL: " + ready);
            }
            // all three poll already: the files appear at once (renamed in on the same filesystem, never half written)
            try (Stream<Path> staged = Files.list(partner.home().resolve("staging"))) {
                for (Path file : staged.toList()) {
                    Files.move(file, partner.home().resolve("relay").resolve(file.getFileName()));
                }
            }

            TestFiles.awaitFiles(target.home().resolve("from-partner"), FILES, WAIT);
            ServiceContainer.awaitNoRegularFiles(partner.home().resolve("relay"), WAIT);
            assertEquals(expected, TestFiles.sha256Tree(target.home().resolve("from-partner")));
            assertEquals(expected.keySet(), TestFiles.sha256Tree(partner.home().resolve("relay/.done")).keySet());

            Map<String, Integer> renamedOnTarget = new TreeMap<>();
            Matcher rnto = Pattern.compile("\"RNTO (?:\\S*/)?(file-\\d{4}\\.bin)\" 250").matcher(target.log());
            while (rnto.find()) {
                renamedOnTarget.merge(rnto.group(1), 1, Integer::sum);
            }
            Map<String, Integer> uploaded = new TreeMap<>();
            List<Integer> perReplica = new ArrayList<>();
            for (ServiceContainer replica : replicas) {
                int count = 0;
                Matcher line = MOVED.matcher(replica.logs());
                while (line.find()) {
                    uploaded.merge(line.group(1), 1, Integer::sum);
                    count++;
                }
                perReplica.add(count);
            }
            Map<String, Integer> once = new TreeMap<>();
            expected.keySet().forEach(name -> once.put(name, 1));
            assertEquals(once, renamedOnTarget, "deliveries per name on proftpd (RNTO ... 250 in its log)");
            assertEquals(once, uploaded, "uploads per name over the replicas' logs " + perReplica);
            ServiceContainer.measured(String.format(
                    "%d replicas (containers) + PostgreSQL, %d files on vsftpd: each delivered once;"
                                   + " files per replica %s", REPLICAS, FILES, perReplica));
            for (ServiceContainer replica : replicas) {
                assertEquals(143, replica.stop(30), replica.logs());
            }
        } finally {
            replicas.forEach(ServiceContainer::close);
        }
    }
}
