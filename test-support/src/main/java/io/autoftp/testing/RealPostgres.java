package io.autoftp.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Debian's PostgreSQL server (package {@code postgresql-15}, installed by {@code .ci/run}), started by a test in a
 * cluster of its own: a fresh {@code initdb} in a temporary directory, listening on 127.0.0.1 and a free port, with a
 * password login ({@code scram-sha-256}) as a real deployment has. Never the machine's own cluster.
 *
 * <pre>
 * Prerequisites.require(RealPostgres.unavailableReason());
 * try (RealPostgres db = RealPostgres.start()) {
 *     String url = db.jdbcUrl(); // jdbc:postgresql://127.0.0.1:PORT/autoftp, user db.username(), db.password()
 *     db.restart();             // stop (fast: open connections are cut) and start on the same port and data
 * }
 * </pre>
 *
 * As root the server runs as the system user {@code postgres} (PostgreSQL refuses to run as root), which owns the
 * temporary directory.
 */
public final class RealPostgres implements AutoCloseable {

    public static final String DATABASE = "autoftp";
    public static final String USER = "autoftp";

    private final Path base;
    private final Path data;
    private final int port;
    private final String password = "pw-" + Long.toHexString(System.nanoTime());

    private RealPostgres(Path base, int port) {
        this.base = base;
        this.data = base.resolve("data");
        this.port = port;
    }

    /** Null when a server can be started here, else why not and how to fix it. */
    public static String unavailableReason() {
        if (binDir().isEmpty()) {
            return "PostgreSQL not found under /usr/lib/postgresql/*/bin: apt-get install postgresql-15 (as .ci/run does)";
        }
        if (isRoot() && !Files.isExecutable(Path.of("/usr/sbin/runuser"))) {
            return "as root, PostgreSQL is run as the user postgres through runuser, which is missing";
        }
        return null;
    }

    public static RealPostgres start() throws IOException {
        Path base = Files.createTempDirectory("autoftp-postgres-");
        RealPostgres db = new RealPostgres(base, FreePorts.free());
        try {
            db.initialise();
            db.startServer();
            db.createDatabase();
            return db;
        } catch (IOException | RuntimeException e) {
            db.close();
            throw e;
        }
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE;
    }

    public int port() {
        return port;
    }

    public String username() {
        return USER;
    }

    public String password() {
        return password;
    }

    /** Stops the server ({@code -m fast}: sessions are cut, as when a database fails over). */
    public void stop() throws IOException {
        pgCtl("stop", "-m", "fast");
    }

    /** Starts it again on the same port and data. */
    public void startServer() throws IOException {
        pgCtl("start", "-o", "-c listen_addresses=127.0.0.1 -c port=" + port + " -c unix_socket_directories="
                            + base + " -c max_connections=100 -c fsync=off");
    }

    public void restart() throws IOException {
        stop();
        startServer();
    }

    /** Runs one SQL statement through psql as the database's owner and returns what it printed (unaligned). */
    public String sql(String statement) throws IOException {
        return run(List.of(bin("psql"), "-h", base.toString(), "-p", String.valueOf(port), "-U", USER, "-d", DATABASE,
                "-v", "ON_ERROR_STOP=1", "-At", "-c", statement), "psql");
    }

    @Override
    public void close() {
        try {
            if (Files.exists(data.resolve("postmaster.pid"))) {
                stop();
            }
        } catch (IOException e) {
            // the directory goes anyway; a server left behind dies with its data directory's lock file
        } finally {
            deleteTree(base);
        }
    }

    private void initialise() throws IOException {
        Path pwfile = base.resolve("pwfile");
        Files.writeString(pwfile, password + "\n");
        if (isRoot()) {
            chownToPostgres();
        }
        run(List.of(bin("initdb"), "-D", data.toString(), "-U", USER, "--pwfile=" + pwfile, "--auth-local=trust",
                "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C"), "initdb");
    }

    /** PostgreSQL runs as postgres when we are root, and must own its directories. */
    private void chownToPostgres() throws IOException {
        Process p = new ProcessBuilder("chown", "-R", "postgres:postgres", base.toString()).redirectErrorStream(true)
                .start();
        try {
            if (p.waitFor() != 0) {
                throw new IOException("chown postgres " + base + ": " + new String(p.getInputStream().readAllBytes()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private void createDatabase() throws IOException {
        run(List.of(bin("createdb"), "-h", base.toString(), "-p", String.valueOf(port), "-U", USER, DATABASE),
                "createdb");
    }

    private void pgCtl(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(bin("pg_ctl"), "-D", data.toString(), "-w", "-t", "60",
                "-l", base.resolve("server.log").toString()));
        command.addAll(List.of(args));
        try {
            run(command, "pg_ctl " + args[0]);
        } catch (IOException e) {
            throw new IOException(e.getMessage() + "\nserver.log:\n" + tail(base.resolve("server.log")), e);
        }
    }

    private String run(List<String> command, String what) throws IOException {
        List<String> full = new ArrayList<>();
        if (isRoot()) {
            full.addAll(List.of("/usr/sbin/runuser", "-u", "postgres", "--"));
        }
        full.addAll(command);
        ProcessBuilder pb = new ProcessBuilder(full).redirectErrorStream(true).directory(base.toFile());
        pb.environment().put("LC_ALL", "C");
        pb.environment().put("PGPASSWORD", password);
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(90, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(what + " did not finish within 90 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted while running " + what, e);
        }
        if (p.exitValue() != 0) {
            throw new IOException(what + " failed with exit code " + p.exitValue() + ": " + out);
        }
        return out.strip();
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    private static String bin(String tool) {
        return binDir().orElseThrow(() -> new IllegalStateException(unavailableReason())).resolve(tool).toString();
    }

    /** The newest installed major version's binaries. */
    private static Optional<Path> binDir() {
        Path root = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(root)) {
            return Optional.empty();
        }
        try (Stream<Path> versions = Files.list(root)) {
            return versions.map(v -> v.resolve("bin"))
                    .filter(b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("pg_ctl")))
                    .max(Comparator.comparing(b -> versionOf(b.getParent())));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int versionOf(Path dir) {
        try {
            return Integer.parseInt(dir.getFileName().toString());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory
        }
    }
}
