package io.autoftp.camel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.apache.camel.component.file.remote.RemoteFileEndpoint;
import org.apache.camel.util.ObjectHelper;

/**
 * camel-ftp downloads a file into a byte array by default (a 1 GiB file needs over 3 GB of heap), and even
 * {@code streamDownload=true} ends up in memory through stream caching. autoftp's consumers download into a local work
 * directory instead, where camel-ftp writes the file as it arrives and hands the route a {@code File} body, deleted
 * once the exchange is done. {@code localWorkDirectory} or {@code streamDownload} set by the user win.
 *
 * <p>The work directory is {@code java.io.tmpdir/autoftp-work/<this process>/<hash of the endpoint>}: two processes
 * on one host (replicas, a service and its tests) never share work files. A process's directory is named by its pid
 * and start time; when a consumer is created, the directories of processes that no longer run (a replica killed
 * mid-file, a container restarted with pid 1 again) are removed.
 */
final class MemorySafeDownload {

    private MemorySafeDownload() {
    }

    static void apply(RemoteFileEndpoint<?> endpoint, DataChannelOptions options) {
        if (!options.isMemorySafeDownload() || ObjectHelper.isNotEmpty(endpoint.getLocalWorkDirectory())
            || endpoint.getConfiguration().isStreamDownload()) {
            return;
        }
        removeLeftovers();
        endpoint.setLocalWorkDirectory(workDirectory(endpoint.getEndpointBaseUri()).toString());
    }

    /** One directory per process and endpoint, so that two consumers never share in-progress names. */
    static Path workDirectory(String endpointBaseUri) {
        return root().resolve(processName(ProcessHandle.current())).resolve(shortHash(endpointBaseUri));
    }

    private static Path root() {
        return Path.of(System.getProperty("java.io.tmpdir"), "autoftp-work");
    }

    /** {@code p<pid>-<start time in ms>}: a new process with a reused pid gets a name of its own. */
    private static String processName(ProcessHandle process) {
        return "p" + process.pid() + "-" + process.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
    }

    /** Removes the work directories of processes that ended without cleaning up (their files are of no use). */
    private static void removeLeftovers() {
        Path root = root();
        if (!Files.isDirectory(root)) {
            return;
        }
        try (Stream<Path> children = Files.list(root)) {
            children.filter(MemorySafeDownload::isLeftover).forEach(MemorySafeDownload::deleteTree);
        } catch (IOException e) {
            // someone else's directory, or it went meanwhile: nothing of ours
        }
    }

    private static boolean isLeftover(Path directory) {
        Matcher name = PROCESS_DIRECTORY.matcher(directory.getFileName().toString());
        if (!name.matches()) {
            return false;
        }
        Optional<ProcessHandle> process = ProcessHandle.of(Long.parseLong(name.group(1)));
        return process.isEmpty() || !directory.getFileName().toString().equals(processName(process.get()));
    }

    private static final Pattern PROCESS_DIRECTORY = Pattern.compile("p(\\d+)-\\d+");

    private static void deleteTree(Path directory) {
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // best effort: a leftover is only disk space
        }
    }

    private static String shortHash(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }
}
