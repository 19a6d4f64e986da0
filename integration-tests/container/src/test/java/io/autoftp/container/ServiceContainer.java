package io.autoftp.container;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.autoftp.testing.FreePorts;
import io.autoftp.testing.RealFtpServer;

/**
 * One container of the service's image, on the host network (so it reaches the FTP servers on 127.0.0.1 and they
 * reach it back in active mode), with a read-only root filesystem and the routes, data and tmp directories of the
 * image mounted from the host. Settings come from environment variables, as a Deployment gives them.
 */
final class ServiceContainer implements AutoCloseable {

    /** How long the service may take to become ready before the test gives up (not a measurement). */
    private static final Duration READY_WAIT = Duration.ofMinutes(3);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    final String name = "autoftp-test-" + UUID.randomUUID().toString().substring(0, 8);
    final int httpPort = FreePorts.free();
    private final long startedNanos;

    private ServiceContainer(Mounts mounts, Map<String, String> env, List<String> options) {
        List<String> args = new ArrayList<>(List.of("run", "--detach", "--name", name, "--network", "host",
                "--read-only", "--read-only-tmpfs=false",
                "--volume", mounts.routes + ":/deployments/routes.d:ro",
                "--volume", mounts.data + ":/deployments/data",
                "--volume", mounts.tmp + ":/deployments/tmp",
                "--env", "QUARKUS_HTTP_PORT=" + httpPort));
        env.forEach((key, value) -> args.addAll(List.of("--env", key + "=" + value)));
        args.addAll(options);
        args.add(Podman.IMAGE);
        startedNanos = System.nanoTime();
        Podman.podman(args.toArray(String[]::new)).orFail("podman run");
    }

    /** The host directories mounted on /deployments/routes.d, /deployments/data and /deployments/tmp. */
    record Mounts(Path routes, Path data, Path tmp) {

        /** Three new directories under {@code base}; data and tmp writable by the image's user (185) only. */
        static Mounts under(Path base) throws IOException {
            Mounts mounts = new Mounts(base.resolve("routes"), base.resolve("data"), base.resolve("tmp"));
            for (Path dir : List.of(mounts.routes, mounts.data, mounts.tmp)) {
                Files.createDirectories(dir);
            }
            for (Path dir : List.of(mounts.data, mounts.tmp)) {
                Files.setAttribute(dir, "unix:uid", 185);
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            }
            return mounts;
        }
    }

    static ServiceContainer start(Mounts mounts, Map<String, String> env, String... podmanRunOptions) {
        return new ServiceContainer(mounts, new LinkedHashMap<>(env), List.of(podmanRunOptions));
    }

    /**
     * Waits until /q/health/ready answers 200 and returns its body; fails with the container's log when the
     * container ends or {@link #READY_WAIT} passes first.
     */
    String awaitReady() {
        long deadline = System.nanoTime() + READY_WAIT.toNanos();
        String last = "(no answer)";
        for (int attempt = 1; System.nanoTime() < deadline; attempt++) {
            try {
                HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(url("/q/health/ready"))
                        .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return response.body();
                }
                last = response.statusCode() + " " + response.body();
            } catch (IOException e) { // not listening yet
                last = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            if (attempt % 10 == 0 && !"running".equals(state("{{.State.Status}}"))) { // about once a second
                throw new AssertionError("container " + name + " is " + state("{{.State.Status}}") + " (exit "
                                         + state("{{.State.ExitCode}}") + ") before it was ready:\n" + logs());
            }
            sleep(100);
        }
        throw new AssertionError("container " + name + " not ready after " + READY_WAIT + ": " + last + "\n" + logs());
    }

    /** Seconds from {@code podman run} to the moment {@link #awaitReady()} saw 200 (call right after it). */
    double secondsSinceStart() {
        return (System.nanoTime() - startedNanos) / 1e9;
    }

    /** {@code podman inspect --format FORMAT} of this container. */
    String state(String format) {
        return Podman.podman("inspect", "--format", format, name).orFail("podman inspect").output().strip();
    }

    /** Runs a command inside the container (as the image's user). */
    Podman.Result exec(String... command) {
        List<String> args = new ArrayList<>(List.of("exec", name));
        args.addAll(List.of(command));
        return Podman.podman(args.toArray(String[]::new));
    }

    String logs() {
        return Podman.podman("logs", name).output();
    }

    /**
     * The most memory the container's cgroup has used so far, in bytes (cgroup v1 memory.max_usage_in_bytes or v2
     * memory.peak: the JVM and the page cache of the files it wrote).
     */
    long peakMemoryBytes() {
        String pid = state("{{.State.Pid}}");
        try {
            for (String line : Files.readAllLines(Path.of("/proc", pid, "cgroup"))) {
                String[] parts = line.split(":", 3);
                if (parts[1].equals("memory")) {
                    return Long.parseLong(Files.readString(Path.of("/sys/fs/cgroup/memory", parts[2],
                            "memory.max_usage_in_bytes")).strip());
                }
                if (parts[0].equals("0") && parts[1].isEmpty()
                    && Files.exists(Path.of("/sys/fs/cgroup", parts[2], "memory.peak"))) {
                    return Long.parseLong(Files.readString(Path.of("/sys/fs/cgroup", parts[2], "memory.peak")).strip());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new AssertionError("no memory cgroup for container " + name + " (pid " + pid + ")");
    }

    /** The peak resident set size of the container's PID 1, java (VmHWM in /proc/1/status), in bytes. */
    long javaPeakResidentBytes() {
        String status = exec("cat", "/proc/1/status").orFail("podman exec cat /proc/1/status").output();
        Matcher hwm = Pattern.compile("^VmHWM:\\s+(\\d+) kB$", Pattern.MULTILINE).matcher(status);
        if (!hwm.find()) {
            throw new AssertionError("no VmHWM in /proc/1/status:\n" + status);
        }
        return Long.parseLong(hwm.group(1)) * 1024;
    }

    /** {@code podman stop -t GRACE} (SIGTERM, SIGKILL after the grace period); returns the exit code. */
    int stop(int graceSeconds) {
        Podman.podman("stop", "--time", Integer.toString(graceSeconds), name).orFail("podman stop");
        return Integer.parseInt(state("{{.State.ExitCode}}"));
    }

    @Override
    public void close() {
        Podman.podman("rm", "--force", "--time", "0", name);
    }

    private URI url(String path) {
        return URI.create("http://127.0.0.1:" + httpPort + path);
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Sets {@code QUARKUS_AUTOFTP_SERVERS_<name>_HOST|PORT|USERNAME|PASSWORD}, as a Deployment gives a server. */
    static void serverEnv(Map<String, String> env, String name, RealFtpServer server) {
        String prefix = "QUARKUS_AUTOFTP_SERVERS_" + name + "_";
        env.put(prefix + "HOST", server.host());
        env.put(prefix + "PORT", Integer.toString(server.port()));
        env.put(prefix + "USERNAME", server.username());
        env.put(prefix + "PASSWORD", server.password());
    }

    /** Waits, at most {@code wait}, until the consumers moved every file out of {@code dir} (into .done). */
    static void awaitNoRegularFiles(Path dir, Duration wait) throws IOException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            List<Path> left;
            try (Stream<Path> files = Files.list(dir)) {
                left = files.filter(Files::isRegularFile).toList();
            }
            if (left.isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("still in " + dir + ": " + left);
            }
            sleep(100);
        }
    }

    /** A measurement for the docs: on the console and in target/container-measurements.txt. */
    static void measured(String line) throws IOException {
        System.out.println("MEASURED " + line);
        Path file = Path.of("target", "container-measurements.txt");
        Files.createDirectories(file.getParent());
        Files.writeString(file, line + System.lineSeparator(), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }
}
