package io.autoftp.it.devmode;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code quarkus:dev} on {@code app/}, an application with its own pom (no parent, the Quarkus and Camel Quarkus BOMs,
 * quarkus-autoftp and two Camel Quarkus extensions), run by the build's own Maven as a user runs it: Dev Services must
 * start the FTP server {@code partner} in the application's JVM, the seeded file must arrive in {@code out/} unchanged,
 * an edit of the YAML route must reload, and stopping dev mode must stop the server and delete its home directory.
 * <p>
 * The io.autoftp artifacts come from {@code target/dev-mode-repository}, where the invoker plugin installed this build's
 * jars before the tests (the build's local repository is only a read-only tail), so the test passes on a machine where
 * they were never installed. Every wait is bounded; the whole process tree (Maven and the dev mode JVM it forks) is
 * killed whatever happens, also when this JVM is stopped.
 */
class DevModeTest {

    private static final Duration FIRST_FILE_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration RELOAD_TIMEOUT = Duration.ofSeconds(45);
    private static final Duration SECOND_FILE_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    private static final String SEEDED = "orders-1001.csv";
    private static final String DROPPED = "orders-2002.csv";

    private static final Pattern DEV_SERVICES_STARTED = Pattern.compile(
            "Dev Services for autoftp started FTP server partner on 127\\.0\\.0\\.1:(\\d+) .*; home (\\S+)");

    @Test
    @Timeout(value = 175, unit = TimeUnit.SECONDS)
    void devModeStartsTheDevServicesServerMovesAFileAndReloadsARouteEdit() throws Exception {
        Path app = prepareApplication();
        Path log = app.resolve("dev-mode.log");
        Instant launched = Instant.now();
        DevModeProcess devMode = DevModeProcess.start(app, log, command());
        try {
            // 1. Dev Services start the FTP server partner; the route downloads the seeded file from it into out/
            Path seeded = app.resolve("ftp-seed/inbox").resolve(SEEDED);
            Path moved = app.resolve("out").resolve(SEEDED);
            devMode.await("the seeded file in out/ with the seed's checksum", FIRST_FILE_TIMEOUT,
                    () -> sameContent(seeded, moved));
            Duration firstFile = Duration.between(launched, Instant.now());

            String started = devMode.log();
            Matcher server = DEV_SERVICES_STARTED.matcher(started);
            assertTrue(server.find(), () -> "No Dev Services FTP server partner in the log\n" + devMode.tail());
            String port = server.group(1);
            Path serverHome = Path.of(server.group(2));
            assertTrue(started.contains("Data channel to 127.0.0.1:" + port + ": using"),
                    () -> "The route did not talk to the Dev Services server on port " + port + "\n" + devMode.tail());

            // 2. An edit of the YAML route reloads: files now go to out-reloaded/, through the same FTP server
            Path routes = app.resolve("src/main/resources/camel/routes.yaml");
            String yaml = Files.readString(routes);
            assertTrue(yaml.contains("\"file:out\""), "routes.yaml has no \"file:out\" to edit");
            int logBeforeEdit = started.length();
            Instant edited = Instant.now();
            Files.writeString(routes, yaml.replace("\"file:out\"", "\"file:out-reloaded\""));
            Files.setLastModifiedTime(routes, FileTime.from(Instant.now()));
            devMode.await("the live reload after the edit of routes.yaml", RELOAD_TIMEOUT,
                    () -> devMode.log().indexOf("Live reload total time", logBeforeEdit) >= 0);
            Duration reload = Duration.between(edited, Instant.now());

            byte[] dropped = ("order,customer,sku,quantity,price\n2002,Initech,FTP-3,7,4.20\n" + Instant.now() + "\n")
                    .getBytes(UTF_8);
            Path in = Files.createDirectories(app.resolve("in"));
            Path part = Files.write(in.resolve("." + DROPPED + ".part"), dropped);
            Files.move(part, in.resolve(DROPPED), StandardCopyOption.ATOMIC_MOVE);
            Path reloaded = app.resolve("out-reloaded").resolve(DROPPED);
            devMode.await("the dropped file in out-reloaded/ (up to the FTP server and back) with its checksum",
                    SECOND_FILE_TIMEOUT, () -> Files.isRegularFile(reloaded) && sha256(reloaded).equals(sha256(dropped)));
            assertFalse(Files.exists(app.resolve("out").resolve(DROPPED)), "The edited route still wrote to out/");
            assertEquals(1, count(devMode.log(), "Dev Services for autoftp started FTP server partner"),
                    () -> "The reload restarted the FTP server although its settings did not change\n" + devMode.tail());
            // Apache FtpServer's own INFO lines stay out, "FTP server started" included (logged before the app's setup)
            assertEquals(0, count(devMode.log(), "INFO  [org.apa.ftp"),
                    () -> "Apache FtpServer logged at INFO\n" + devMode.tail());

            // 3. Stopping dev mode stops the application and the server, whose home directory is deleted
            Instant stopping = Instant.now();
            devMode.stop();
            Duration stop = Duration.between(stopping, Instant.now());
            assertTrue(eventually(Duration.ofSeconds(10), () -> !Files.exists(serverHome)),
                    () -> "The Dev Services server's home directory " + serverHome + " is left behind\n" + devMode.tail());

            System.out.printf("quarkus:dev: %s moved %.1f s after launch, route edit reloaded in %.1f s (%s moved),"
                    + " stopped in %.1f s%n", SEEDED, seconds(firstFile), seconds(reload), DROPPED, seconds(stop));
        } catch (Throwable failure) {
            try {
                devMode.stop();
            } catch (Throwable stopFailure) {
                failure.addSuppressed(stopFailure);
            }
            throw failure;
        }
    }

    /** A fresh copy of app/ under target/, with its own .mvn so that Maven and Quarkus see it as a project root. */
    private static Path prepareApplication() throws IOException {
        Path source = Path.of(property("devmode.app"));
        Path work = Path.of(property("devmode.work"));
        deleteRecursively(work);
        try (Stream<Path> files = Files.walk(source)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Path relative = source.relativize(file);
                if (relative.getNameCount() > 0 && List.of("target", "in", "out", "out-reloaded")
                        .contains(relative.getName(0).toString())) {
                    continue;
                }
                Path copy = work.resolve(relative.toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(copy);
                } else {
                    Files.copy(file, copy, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
        Files.createDirectories(work.resolve(".mvn"));
        return work;
    }

    private static List<String> command() {
        List<String> command = new ArrayList<>();
        boolean windows = System.getProperty("os.name").toLowerCase().startsWith("windows");
        command.add(Path.of(property("devmode.maven.home"), "bin", windows ? "mvn.cmd" : "mvn").toString());
        command.add("-B");
        command.add("-Dmaven.repo.local=" + property("devmode.repository"));
        command.add("-Dmaven.repo.local.tail=" + property("devmode.repository.tail"));
        command.add("-Dautoftp.version=" + property("devmode.autoftp.version"));
        command.add("-Dquarkus.platform.version=" + property("devmode.quarkus.version"));
        command.add("-Dcamel-quarkus.version=" + property("devmode.camel-quarkus.version"));
        command.add("quarkus:dev");
        // Nothing on a fixed port: no debug agent (5005), and Camel's debugger off, whose JMX connector always takes
        // 1099 (camel-quarkus-debug, camel-quarkus-core's other dev mode dependency, is resolved all the same, like
        // camel-quarkus-console would be without quarkus-autoftp's exclusion). No console, no analytics prompt.
        command.add("-Ddebug=false");
        command.add("-Dquarkus.camel.debug.enabled=false");
        command.add("-Dquarkus.console.enabled=false");
        command.add("-Dquarkus.analytics.disabled=true");
        return command;
    }

    private static boolean eventually(Duration timeout, BooleanSupplier condition) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                return false;
            }
            Thread.sleep(100);
        }
        return true;
    }

    private static boolean sameContent(Path expected, Path actual) {
        return Files.isRegularFile(actual) && sha256(actual).equals(sha256(expected));
    }

    private static String sha256(Path file) {
        try {
            return sha256(Files.readAllBytes(file));
        } catch (IOException e) {
            return "unreadable: " + e;
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int count(String text, String what) {
        int count = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + what.length())) {
            count++;
        }
        return count;
    }

    private static String property(String name) {
        String value = System.getProperty(name);
        if (value == null || value.isBlank() || value.contains("${")) {
            throw new IllegalStateException("System property " + name + " is not set (the module's pom sets it for"
                    + " Surefire): " + value);
        }
        return value;
    }

    private static double seconds(Duration duration) {
        return duration.toMillis() / 1000.0;
    }

    private static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(file);
            }
        }
    }

    /**
     * The Maven process running quarkus:dev and everything it forks. Every process of the tree seen while waiting is
     * remembered, so that {@link #stop()} (and a shutdown hook, if this JVM is stopped first) also ends a dev mode JVM
     * that outlived its Maven parent.
     */
    private static final class DevModeProcess {

        private final Process maven;
        private final Path log;
        private final List<ProcessHandle> tree = new ArrayList<>();
        private final Thread killOnExit;

        private DevModeProcess(Process maven, Path log) {
            this.maven = maven;
            this.log = log;
            this.tree.add(maven.toHandle());
            this.killOnExit = new Thread(() -> destroy(Duration.ofSeconds(5)), "stop quarkus:dev");
            Runtime.getRuntime().addShutdownHook(killOnExit);
        }

        static DevModeProcess start(Path directory, Path log, List<String> command) throws IOException {
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(directory.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            Map<String, String> environment = builder.environment();
            // the outer build's arguments and project directory are not the application's
            environment.remove("MAVEN_ARGS");
            environment.remove("MAVEN_BASEDIR");
            environment.remove("MAVEN_PROJECTBASEDIR");
            environment.put("JAVA_HOME", System.getProperty("java.home"));
            Process process = builder.start();
            process.getOutputStream().close(); // no console input
            return new DevModeProcess(process, log);
        }

        /** Waits until the condition holds; fails at once when dev mode ended or the build failed. */
        void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
            Instant deadline = Instant.now().plus(timeout);
            while (true) {
                rememberTree();
                if (condition.getAsBoolean()) {
                    return;
                }
                if (!maven.isAlive()) {
                    fail("quarkus:dev ended (exit " + maven.exitValue() + ") before " + what + "\n" + tail());
                }
                if (log().contains("BUILD FAILURE")) {
                    fail("quarkus:dev failed before " + what + "\n" + tail());
                }
                if (Instant.now().isAfter(deadline)) {
                    fail("Waited " + timeout.toSeconds() + " s for " + what + " in vain\n" + tail());
                }
                Thread.sleep(250);
            }
        }

        String log() {
            try {
                return Files.readString(log, UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        String tail() {
            List<String> lines = log().lines().toList();
            return "--- last lines of " + log + " ---\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - 80), lines.size()));
        }

        /** Stops dev mode as Ctrl-C would (SIGTERM), then kills whatever is still alive; idempotent. */
        void stop() {
            boolean interrupted = Thread.interrupted(); // a JUnit timeout must not cut the clean-up short
            try {
                destroy(STOP_TIMEOUT);
                try {
                    Runtime.getRuntime().removeShutdownHook(killOnExit);
                } catch (IllegalStateException shuttingDown) {
                    // the hook runs anyway
                }
                List<ProcessHandle> alive = tree.stream().filter(ProcessHandle::isAlive).toList();
                assertTrue(alive.isEmpty(), () -> "Still alive after stop: " + alive);
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        /** SIGTERM to the tree (the dev mode JVM first), then SIGKILL to what is alive after {@code graceful}. */
        private synchronized void destroy(Duration graceful) {
            rememberTree();
            // the dev mode JVM first: it closes the application and the Dev Services, then Maven returns
            for (int i = tree.size() - 1; i >= 0; i--) {
                tree.get(i).destroy();
            }
            waitForExit(graceful);
            tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
            waitForExit(Duration.ofSeconds(10));
        }

        private void waitForExit(Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            for (ProcessHandle process : tree) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                try {
                    process.onExit().get(left, TimeUnit.NANOSECONDS);
                } catch (Exception notYet) {
                    // the caller kills what is still alive
                }
            }
        }

        private synchronized void rememberTree() {
            maven.toHandle().descendants().filter(process -> !tree.contains(process)).forEach(tree::add);
        }
    }
}
