package io.autoftp.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.autoftp.testing.RealFtpServer;
import io.autoftp.testing.RealFtpServer.Kind;
import io.autoftp.testing.RequiresRoot;
import io.autoftp.testing.TestFiles;

/**
 * The pipeline service's image, built by build-image.sh, run as a cluster runs it: host network, settings from
 * environment variables, a read-only root filesystem with the routes (read-only), data and tmp directories mounted,
 * against Debian's vsftpd as the partner (refusing passive mode) and proftpd as the target (refusing active mode).
 * Every file is checked by SHA-256. Start-to-ready times, the image size and the peak memory under a 256 MiB limit go
 * to target/container-measurements.txt (for docs/modules/ROOT/pages/container.adoc), never into assertions.
 */
@RequiresRoot
class ContainerServiceTest {

    private static final long GIB = 1L << 30;
    /** Waits for files to arrive (bounds, not measurements). */
    private static final Duration SMALL_FILES_WAIT = Duration.ofMinutes(2);
    private static final Duration LARGE_FILE_WAIT = Duration.ofMinutes(5);
    /** The grace period of podman stop, above camel.main.shutdown-timeout (25 s), as Kubernetes' default 30 s is. */
    private static final int STOP_GRACE_SECONDS = 30;

    private static RealFtpServer partner;
    private static RealFtpServer target;

    @TempDir
    Path work;
    private ServiceContainer.Mounts mounts;

    @BeforeAll
    static void imageAndServers() {
        Podman.require("ContainerServiceTest", Podman.unavailableReason());
        Podman.require("ContainerServiceTest", RealFtpServer.unavailableReason(Kind.VSFTPD));
        Podman.require("ContainerServiceTest", RealFtpServer.unavailableReason(Kind.PROFTPD));
        Podman.buildImage();
        partner = RealFtpServer.builder().kind(Kind.VSFTPD).refusePassive().start();
        target = RealFtpServer.builder().kind(Kind.PROFTPD).refuseActive().start();
    }

    @AfterAll
    static void stopServers() {
        for (RealFtpServer server : new RealFtpServer[] { partner, target }) {
            if (server != null) {
                server.close();
            }
        }
    }

    @BeforeEach
    void directories() throws IOException {
        mounts = ServiceContainer.Mounts.under(work);
        for (Path dir : List.of(partner.home().resolve("inbox"), partner.home().resolve("relay"),
                partner.home().resolve("mounted"), target.home().resolve("outbox"),
                target.home().resolve("from-partner"))) {
            deleteTree(dir);
            Files.createDirectories(dir);
        }
        partner.giveToServerUser(partner.home());
        target.giveToServerUser(target.home());
    }

    /**
     * Readiness UP with the modes autoftp found, the jar's relay route and a route from the mounted directory moving
     * files, the process running as user 185, java as PID 1, nothing writable but the mounts, no password in the log.
     */
    @Test
    void movesFilesAsNonRootOnReadOnlyRoot() throws Exception {
        Files.writeString(mounts.routes().resolve("mounted.yaml"), """
                # a route from the mounted routes directory: the partner's mounted/ into the data directory
                - route:
                    id: mounted-partner-to-data
                    from:
                      uri: "autoftp://partner/mounted?delay=500&move=.done"
                      steps:
                        - to:
                            uri: "file:{{pipeline.data-dir}}/received?tempFileName=${file:name}.part"
                """);
        Map<String, String> relayed = new LinkedHashMap<>();
        Map<String, String> mounted = new LinkedHashMap<>();
        for (int i = 0; i < 3; i++) {
            String name = "file-" + i + ".bin";
            relayed.put(name, TestFiles.sha256(TestFiles.writeRandom(partner.home().resolve("relay"), name,
                    100_000L * (i + 1) + i, 11 + i)));
            mounted.put(name, TestFiles.sha256(TestFiles.writeRandom(partner.home().resolve("mounted"), name,
                    70_000L * (i + 1) + i, 21 + i)));
        }
        partner.giveToServerUser(partner.home());

        try (ServiceContainer service = ServiceContainer.start(mounts, serversEnv())) {
            String ready = service.awaitReady();
            assertTrue(ready.contains("\"partner.status\": \"UP\"") && ready.contains("\"target.status\": \"UP\""),
                    ready);
            assertTrue(ready.matches("(?s).*\"partner\\.mode\": \"(EPRT|PORT)[^\"]*\".*"),
                    "vsftpd refuses passive mode, so the partner's first working mode is active: " + ready);
            assertTrue(ready.matches("(?s).*\"target\\.mode\": \"(EPSV|PASV)[^\"]*\".*"),
                    "proftpd refuses active mode, so the target's first working mode is passive: " + ready);

            TestFiles.awaitFiles(target.home().resolve("from-partner"), relayed.size(), SMALL_FILES_WAIT);
            assertEquals(relayed, TestFiles.sha256Tree(target.home().resolve("from-partner")));
            TestFiles.awaitFiles(mounts.data().resolve("received"), mounted.size(), SMALL_FILES_WAIT);
            assertEquals(mounted, TestFiles.sha256Tree(mounts.data().resolve("received")));
            ServiceContainer.awaitNoRegularFiles(partner.home().resolve("relay"), LARGE_FILE_WAIT);
            ServiceContainer.awaitNoRegularFiles(partner.home().resolve("mounted"), LARGE_FILE_WAIT);
            assertEquals(relayed.keySet(), TestFiles.sha256Tree(partner.home().resolve("relay/.done")).keySet());

            String status = service.exec("cat", "/proc/1/status").orFail("podman exec cat /proc/1/status").output();
            assertTrue(Pattern.compile("^Name:\tjava$", Pattern.MULTILINE).matcher(status).find(),
                    "java is PID 1, so SIGTERM reaches it:\n" + status);
            assertTrue(Pattern.compile("^Uid:\t185\t185\t185\t185$", Pattern.MULTILINE).matcher(status).find(),
                    "runs as user 185:\n" + status);
            assertEquals("true", service.state("{{.HostConfig.ReadonlyRootfs}}"));
            for (String dir : List.of("/deployments", "/tmp", "/deployments/lib")) {
                Podman.Result touch = service.exec("touch", dir + "/written-by-test");
                assertNotEquals(0, touch.exitCode(), dir + " must not be writable: " + touch.output());
            }
            assertEquals(0, service.exec("touch", "/deployments/tmp/written-by-test").exitCode());

            String log = service.logs();
            assertTrue(log.contains("mounted-partner-to-data"), "the mounted route was loaded:\n" + log);
            assertFalse(log.contains(RealFtpServer.PASSWORD), "the servers' password must not be logged:\n" + log);
            assertEquals(143, service.stop(STOP_GRACE_SECONDS), "exit status after SIGTERM:\n" + service.logs());
        }
    }

    /** Start-to-ready times of a few starts, for the docs; each start must be ready with both servers UP. */
    @Test
    void startToReadyMeasured() throws Exception {
        List<Double> seconds = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            try (ServiceContainer service = ServiceContainer.start(mounts, serversEnv())) {
                String ready = service.awaitReady();
                seconds.add(service.secondsSinceStart());
                assertTrue(ready.contains("\"partner.status\": \"UP\"") && ready.contains("\"target.status\": \"UP\""),
                        ready);
                service.stop(STOP_GRACE_SECONDS);
            }
        }
        List<Double> sorted = new ArrayList<>(seconds);
        Collections.sort(sorted);
        ServiceContainer.measured(String.format(
                "start-to-ready (podman run to /q/health/ready 200, 5 starts): median %.2f s, all %s",
                sorted.get(sorted.size() / 2), seconds.stream().map(s -> String.format("%.2f", s)).toList()));
        ServiceContainer.measured("image " + Podman.IMAGE + ": " + Podman.inspectImage("{{.Size}}") + " bytes; base "
                 + Podman.podman("image", "inspect", "--format", "{{.Size}}",
                         "localhost/autoftp/debian-bookworm-jre17:latest").output().strip() + " bytes");
    }

    /** A 1 GiB file through the service limited to 256 MiB of memory (no swap): it arrives whole, nothing killed. */
    @Test
    void oneGibFileUnder256MibLimit() throws Exception {
        String sha = TestFiles.sha256(TestFiles.writeRandom(partner.home().resolve("relay"), "big.bin", GIB, 31));
        partner.giveToServerUser(partner.home());
        Map<String, String> env = serversEnv();
        env.put("RELAY_SERVER_TO_SERVER", "never"); // through this JVM: vsftpd and proftpd on one host could do FXP
        try (ServiceContainer service = ServiceContainer.start(mounts, env, "--memory", "256m",
                "--memory-swap", "256m")) {
            service.awaitReady();
            TestFiles.awaitFiles(target.home().resolve("from-partner"), 1, LARGE_FILE_WAIT);
            long cgroupPeak = service.peakMemoryBytes();
            long javaPeak = service.javaPeakResidentBytes();
            assertEquals(Map.of("big.bin", sha), TestFiles.sha256Tree(target.home().resolve("from-partner")));
            ServiceContainer.awaitNoRegularFiles(partner.home().resolve("relay"), LARGE_FILE_WAIT);
            assertEquals("false", service.state("{{.State.OOMKilled}}"));
            ServiceContainer.measured(String.format(
                    "1 GiB relayed under --memory 256m: java's peak resident set %.0f MiB; the"
                                   + " container's cgroup peaked at %.0f MiB (with the page cache of the work file)",
                    javaPeak / 1048576.0, cgroupPeak / 1048576.0));
            assertEquals(143, service.stop(STOP_GRACE_SECONDS), service.logs());
        }
    }

    /**
     * podman stop (SIGTERM) while a large file is on its way to the target: the file either arrives whole before the
     * JVM ends, or stays on the partner for the next poll; it never appears under its final name half written. A
     * second container then delivers it (or finds nothing left to do): exactly one whole copy, no .part left. Once
     * with the image's camel.main.shutdown-timeout (25 s: the upload finishes), once with 1 s (Camel gives up on the
     * upload in flight, unless it is that fast).
     */
    @ParameterizedTest(name = "shutdown timeout {0}")
    @ValueSource(strings = { "image default", "1" })
    void sigtermDuringTransferLosesNothing(String shutdownTimeout) throws Exception {
        Map<String, String> env = serversEnv();
        env.put("RELAY_SERVER_TO_SERVER", "never"); // the upload from this JVM is what SIGTERM must not cut in half
        if (!shutdownTimeout.equals("image default")) {
            env.put("CAMEL_MAIN_SHUTDOWN_TIMEOUT", shutdownTimeout);
        }
        String sha = TestFiles.sha256(TestFiles.writeRandom(partner.home().resolve("relay"), "large.bin", GIB, 41));
        partner.giveToServerUser(partner.home());
        Path delivered = target.home().resolve("from-partner/large.bin");
        Path part = target.home().resolve("from-partner/large.bin.part");
        String outcome;
        try (ServiceContainer service = ServiceContainer.start(mounts, env)) {
            service.awaitReady();
            long deadline = System.nanoTime() + LARGE_FILE_WAIT.toNanos();
            while (!Files.exists(part) && !Files.exists(delivered) && System.nanoTime() < deadline) {
                ServiceContainer.sleep(5);
            }
            assertTrue(Files.exists(part), "the upload under the temporary name was seen before the stop: "
                                           + (Files.exists(delivered) ? "already delivered" : "nothing yet"));
            int exit = service.stop(STOP_GRACE_SECONDS);
            String log = service.logs();
            assertEquals(143, exit, "the JVM ends on SIGTERM within the grace period (137 would be SIGKILL):\n" + log);
            System.out.println("shutdown of " + service.name + ":\n" + log.lines()
                    .filter(l -> l.contains("Shutdown thread") || l.contains("shutdown") || l.contains("inflight"))
                    .collect(Collectors.joining("\n")));
            boolean whole = Files.exists(delivered);
            if (whole) {
                assertEquals(sha, TestFiles.sha256(delivered), "delivered under its final name, so it must be whole");
                outcome = "finished before the JVM ended";
            } else {
                assertTrue(Files.exists(partner.home().resolve("relay/large.bin")),
                        "not delivered, so it must still be on the partner for the next poll");
                outcome = "left on the partner for the next poll";
            }
        }
        ServiceContainer.measured("SIGTERM during a 1 GiB upload, shutdown timeout " + shutdownTimeout + ": the file "
                                  + outcome);
        try (ServiceContainer again = ServiceContainer.start(mounts, serversEnv())) {
            again.awaitReady();
            ServiceContainer.awaitNoRegularFiles(partner.home().resolve("relay"), LARGE_FILE_WAIT);
            TestFiles.awaitFiles(target.home().resolve("from-partner"), 1, LARGE_FILE_WAIT);
            assertEquals(Map.of("large.bin", sha), TestFiles.sha256Tree(target.home().resolve("from-partner")));
            assertEquals(List.of("large.bin"), TestFiles.sha256Tree(partner.home().resolve("relay/.done")).keySet()
                    .stream().toList());
            again.stop(STOP_GRACE_SECONDS);
        }
    }

    /** The service's settings as a Deployment gives them: environment variables only. */
    private static Map<String, String> serversEnv() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PIPELINE_EMBEDDED", "false");
        ServiceContainer.serverEnv(env, "PARTNER", partner);
        ServiceContainer.serverEnv(env, "TARGET", target);
        env.put("PARTNER_POLL_DELAY", "500");
        // partner-inbox would POST here; the tests put nothing in the inbox
        env.put("PARTNER_API_URL", "http://127.0.0.1:9/unused");
        return env;
    }


    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Collections.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
