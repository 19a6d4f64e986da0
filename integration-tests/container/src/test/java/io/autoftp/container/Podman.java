package io.autoftp.container;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.autoftp.testing.Prerequisites;

/**
 * podman, always with {@code --runtime runc} (crun refuses this machine's hybrid cgroups), and the service's image,
 * built once per test JVM by integration-tests' {@code src/main/docker/build-image.sh}.
 */
final class Podman {

    /** integration-tests/: the packaged service, its Dockerfile and its generated manifests. */
    static final Path SERVICE_DIR = Path.of(System.getProperty("autoftp.service.dir", "..")).toAbsolutePath().normalize();
    /** The image build-image.sh builds, as the Kubernetes manifests name it (without a registry). */
    static final String IMAGE = System.getProperty("autoftp.image", "autoftp/autoftp-pipeline:0.1.0-SNAPSHOT");
    static final Path BUILD_SCRIPT = SERVICE_DIR.resolve("src/main/docker/build-image.sh");
    static final Path MANIFEST = SERVICE_DIR.resolve("target/kubernetes/kubernetes.yml");
    private static final Path ROOTFS_CACHE = Path.of(System.getProperty("user.home"), ".cache", "autoftp", "container",
            "debian-bookworm-jre17-rootfs.tar");

    private static boolean built;

    /** What a podman command printed (stdout and stderr) and its exit status. */
    record Result(int exitCode, String output) {
        Result orFail(String what) {
            if (exitCode != 0) {
                throw new AssertionError(what + " failed (exit " + exitCode + "):\n" + output);
            }
            return this;
        }
    }

    private Podman() {
    }

    /** Null when containers can be built and run here, else why not and how to fix it. */
    static String unavailableReason() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return "the container tests need root (podman runs the containers as root on these machines)";
        }
        if (!Files.isRegularFile(SERVICE_DIR.resolve("target/quarkus-app/quarkus-run.jar"))) {
            return SERVICE_DIR + "/target/quarkus-app is missing: build the service first (./mvnw package -pl"
                   + " integration-tests -am)";
        }
        Result info;
        try {
            info = run(List.of("podman", "--runtime", "runc", "info", "--format", "{{.Host.OCIRuntime.Name}}"), 60);
        } catch (UncheckedIOException e) {
            return "podman not found (" + e.getCause().getMessage() + "): run .ci/container-prerequisites.sh";
        }
        if (info.exitCode() != 0) {
            return "podman does not work here (run .ci/container-prerequisites.sh): " + info.output().strip();
        }
        boolean baseCached = Files.isRegularFile(ROOTFS_CACHE)
                             || podman("image", "exists", "localhost/autoftp/debian-bookworm-jre17:latest").exitCode() == 0;
        if (!baseCached && !Files.isExecutable(Path.of("/usr/sbin/debootstrap"))) {
            return "debootstrap not found (it makes the base image): run .ci/container-prerequisites.sh";
        }
        return null;
    }

    /**
     * Skips the calling test class, saying why on the console too (surefire shows a class skipped in its
     * {@code @BeforeAll} as "Tests run: 0"), when a reason is given; fails instead with {@code CI=true}.
     */
    static void require(String testClass, String unavailableReason) {
        if (unavailableReason != null && !Prerequisites.inCi()) {
            System.out.println(testClass + " skipped: " + unavailableReason);
        }
        Prerequisites.require(unavailableReason);
    }

    /** Builds the image with build-image.sh, once per JVM (the script reuses the cached base image). */
    static synchronized void buildImage() {
        if (!built) {
            run(List.of("bash", BUILD_SCRIPT.toString(), IMAGE), 900).orFail("bash " + BUILD_SCRIPT + " " + IMAGE);
            built = true;
        }
    }

    /** {@code podman --runtime runc ARGS}, waiting at most 10 minutes. */
    static Result podman(String... args) {
        List<String> command = new ArrayList<>(List.of("podman", "--runtime", "runc"));
        command.addAll(List.of(args));
        return run(command, 600);
    }

    /** {@code podman image inspect --format FORMAT IMAGE}, trimmed. */
    static String inspectImage(String format) {
        return podman("image", "inspect", "--format", format, IMAGE).orFail("podman image inspect").output().strip();
    }

    static Result run(List<String> command, long timeoutSeconds) {
        try {
            Path output = Files.createTempFile("autoftp-podman-", ".log");
            try {
                Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile())
                        .start();
                if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor();
                    throw new AssertionError(String.join(" ", command) + " did not end within " + timeoutSeconds
                                             + " s:\n" + Files.readString(output, StandardCharsets.UTF_8));
                }
                return new Result(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
