package io.autoftp.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** File helpers for transfer tests: deterministic content, checksums, waiting for arrivals. */
public final class TestFiles {

    private static final int BUFFER = 1 << 20; // 1 MiB

    /** Name endings that mark a file still being written (Camel, FTP clients, browsers...). */
    private static final List<String> TRANSIENT_SUFFIXES = List.of(
            ".inprogress", ".tmp", ".temp", ".part", ".partial", ".filepart", ".camellock", ".crdownload");

    private static final long POLL_MILLIS = 100;

    private TestFiles() {
    }

    /**
     * Writes {@code size} pseudo-random bytes from a {@link SplittableRandom} seeded with
     * {@code seed}. Same seed and size give the same bytes, and a shorter file is a prefix of a
     * longer one with the same seed. Generates 1 MiB blocks of longs, so 1 GiB takes a few seconds.
     */
    public static Path writeRandom(Path dir, String name, long size, long seed) {
        if (size < 0) {
            throw new IllegalArgumentException("size < 0: " + size);
        }
        Path file = dir.resolve(name);
        SplittableRandom random = new SplittableRandom(seed);
        ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER).order(ByteOrder.LITTLE_ENDIAN);
        try {
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                long remaining = size;
                while (remaining > 0) {
                    buffer.clear();
                    while (buffer.hasRemaining()) { // always a full block, so content never depends on size
                        buffer.putLong(random.nextLong());
                    }
                    buffer.flip();
                    buffer.limit((int) Math.min(BUFFER, remaining));
                    remaining -= buffer.remaining();
                    while (buffer.hasRemaining()) {
                        out.write(buffer);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + file, e);
        }
        return file;
    }

    /** Lower-case hex SHA-256 of the file, streamed with a 1 MiB buffer. */
    public static String sha256(Path file) {
        MessageDigest digest = newSha256();
        byte[] buf = new byte[BUFFER];
        try (InputStream in = Files.newInputStream(file)) {
            int r;
            while ((r = in.read(buf)) != -1) {
                digest.update(buf, 0, r);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + file, e);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /**
     * SHA-256 of every regular file below {@code root}, keyed by path relative to root with '/'
     * separators, sorted by that path. Compare two trees with {@code assertEquals}.
     */
    public static Map<String, String> sha256Tree(Path root) {
        Map<String, String> result = new TreeMap<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.filter(Files::isRegularFile).collect(Collectors.toList())) {
                result.put(relative(root, p), sha256(p));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not walk " + root, e);
        }
        return result;
    }

    /**
     * Waits until {@code dir} (recursively) holds at least {@code count} regular files, none with a
     * transient name (see {@link #isTransientName}), and names, sizes and modification times are
     * unchanged between two consecutive polls (100 ms apart), i.e. nothing is still being written.
     * A missing {@code dir} counts as empty.
     *
     * @throws AssertionError on timeout, listing what was there
     */
    public static void awaitFiles(Path dir, int count, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, String> previous = null;
        Map<String, String> current = Map.of();
        while (true) {
            Map<String, String> seen = snapshot(dir);
            current = seen != null ? seen : current;
            boolean enough = current.keySet().stream().filter(n -> !isTransientName(n)).count() >= count;
            boolean noneTransient = current.keySet().stream().noneMatch(TestFiles::isTransientName);
            if (seen != null && enough && noneTransient && seen.equals(previous)) {
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                break;
            }
            previous = seen;
            sleep(POLL_MILLIS);
        }
        StringBuilder msg = new StringBuilder()
                .append("Timed out after ").append(timeout).append(" waiting for ").append(count)
                .append(" complete file(s) in ").append(dir).append("; found ").append(current.size()).append(':');
        if (current.isEmpty()) {
            msg.append(" (nothing)");
        }
        current.forEach((name, state) -> msg.append("\n  ").append(name).append("  ").append(state)
                .append(isTransientName(name) ? "  [transient]" : ""));
        throw new AssertionError(msg.toString());
    }

    /** True for names like "a.csv.inprogress", "x.tmp", "b.part", "c.camelLock" (case-insensitive). */
    public static boolean isTransientName(String relativePath) {
        String name = relativePath.substring(relativePath.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
        return TRANSIENT_SUFFIXES.stream().anyMatch(name::endsWith);
    }

    /** relative path -> "size=N mtime=T" for all regular files, or null if the walk was disturbed. */
    private static Map<String, String> snapshot(Path dir) {
        Map<String, String> result = new TreeMap<>();
        if (!Files.isDirectory(dir)) {
            return result;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.forEach(p -> {
                try {
                    BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                    if (a.isRegularFile()) {
                        result.put(relative(dir, p), "size=" + a.size() + " mtime=" + a.lastModifiedTime().toMillis());
                    }
                } catch (IOException e) {
                    // renamed or deleted between listing and reading: the next poll sees the new state
                }
            });
        } catch (IOException | UncheckedIOException e) {
            return null; // a directory vanished mid-walk (e.g. a temp dir renamed): not stable, poll again
        }
        return result;
    }

    private static String relative(Path root, Path p) {
        return root.relativize(p).toString().replace(p.getFileSystem().getSeparator(), "/");
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JRE", e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for files", e);
        }
    }
}
