package io.autoftp.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.apache.ftpserver.ConnectionConfigFactory;
import org.apache.ftpserver.DataConnectionConfigurationFactory;
import org.apache.ftpserver.FtpServer;
import org.apache.ftpserver.FtpServerFactory;
import org.apache.ftpserver.ftplet.Authority;
import org.apache.ftpserver.ftplet.DefaultFtplet;
import org.apache.ftpserver.ftplet.FtpReply;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.ftplet.FtpSession;
import org.apache.ftpserver.ftplet.FtpletResult;
import org.apache.ftpserver.ftplet.UserManager;
import org.apache.ftpserver.listener.Listener;
import org.apache.ftpserver.listener.ListenerFactory;
import org.apache.ftpserver.usermanager.ClearTextPasswordEncryptor;
import org.apache.ftpserver.usermanager.PropertiesUserManagerFactory;
import org.apache.ftpserver.usermanager.impl.BaseUser;
import org.apache.ftpserver.usermanager.impl.ConcurrentLoginPermission;
import org.apache.ftpserver.usermanager.impl.WritePermission;

/**
 * Apache FtpServer in a JVM of its own inside a network namespace (an embedded server cannot run in another namespace
 * than the test JVM's): {@code ip netns exec <ns> java -cp <test classpath>} this class's {@link #main}, listening on a
 * given address and a free port outside the passive range, with one writable user, the passive port range and
 * optionally an address to advertise in 227 replies ({@code DataConnectionConfigurationFactory.setPassiveExternalAddress}). It logs every
 * command with its reply to stdout, which {@link #log()} returns, and stops when its stdin is closed.
 *
 * <p>
 * Unlike vsftpd, proftpd and pure-ftpd it answers 150 <em>before</em> it connects back in active mode, and it connects
 * to any address a PORT/EPRT names (no check against the client's address).
 */
public final class ForkedApacheFtpServer implements AutoCloseable {

    public static final String USERNAME = "partner";
    public static final String PASSWORD = "s3cret";
    private static final String READY = "@@FTPSERVER PORT ";

    private final String host;
    private final Path base;
    private final Path home;
    private final Path log;
    private final Process process;
    private final int port;
    private volatile boolean closed;

    private ForkedApacheFtpServer(String namespace, String host, int passiveMin, int passiveMax, String pasvAddress)
            throws IOException {
        this.host = host;
        this.base = Files.createTempDirectory("autoftp-apache-ftpserver-");
        this.home = Files.createDirectories(base.resolve("home"));
        this.log = base.resolve("server.log");
        List<String> command = new ArrayList<>(List.of(NetworkLab.ipCommand(), "netns", "exec", namespace,
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-Djava.net.preferIPv4Stack=true", "-cp",
                System.getProperty("java.class.path"), ForkedApacheFtpServer.class.getName(), host, home.toString(),
                passiveMin + "-" + passiveMax));
        if (pasvAddress != null) {
            command.add(pasvAddress);
        }
        this.process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            this.port = awaitPort();
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * Starts the server in {@code namespace} on {@code host}.
     *
     * @param pasvAddress the address to name in 227 replies instead of {@code host}, or null
     */
    public static ForkedApacheFtpServer start(String namespace, String host, int passiveMin, int passiveMax,
            String pasvAddress) {
        try {
            return new ForkedApacheFtpServer(namespace, host, passiveMin, passiveMax, pasvAddress);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start Apache FtpServer in " + namespace, e);
        }
    }

    private int awaitPort() throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                if (line.startsWith(READY)) {
                    return Integer.parseInt(line.substring(READY.length()).trim());
                }
            }
            if (!process.isAlive()) {
                throw new IOException("Apache FtpServer exited with " + process.exitValue() + ":\n" + log());
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }
        throw new IOException("Apache FtpServer did not start within 30 s:\n" + log());
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    /** "host:port", the key ModeMemory uses. */
    public String address() {
        return host + ":" + port;
    }

    /** The user's directory ("/" on the server); the server runs as root, so anything a test puts there is usable. */
    public Path home() {
        return home;
    }

    public String username() {
        return USERNAME;
    }

    public String password() {
        return PASSWORD;
    }

    /** Every command and reply so far, and whatever else the server printed. */
    public String log() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public String toString() {
        return "Apache FtpServer on " + address() + " (pid " + process.pid() + ", " + base + ")";
    }

    /** Closes its stdin (it stops itself), kills it if it does not, and deletes its directory. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            process.getOutputStream().close();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (IOException | InterruptedException e) {
            process.destroyForcibly();
        }
        try (Stream<Path> paths = Files.walk(base)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // a temporary directory: not worth failing a test for
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // the forked JVM

    /** {@code host home passiveMin-passiveMax [pasvAddress]}. */
    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
                StandardCharsets.UTF_8);
        String host = args[0];
        Path home = Path.of(args[1]);
        DataConnectionConfigurationFactory data = new DataConnectionConfigurationFactory();
        data.setPassivePorts(args[2]);
        if (args.length > 3) {
            data.setPassiveExternalAddress(args[3]);
        }
        ListenerFactory listenerFactory = new ListenerFactory();
        listenerFactory.setServerAddress(host);
        String[] passive = args[2].split("-");
        listenerFactory.setPort(FreePorts.freeOutside(java.net.InetAddress.getByName(host),
                Integer.parseInt(passive[0].trim()), Integer.parseInt(passive[passive.length - 1].trim())));
        listenerFactory.setIdleTimeout(120);
        listenerFactory.setDataConnectionConfiguration(data.createDataConnectionConfiguration());
        Listener listener = listenerFactory.createListener();

        ConnectionConfigFactory connections = new ConnectionConfigFactory();
        connections.setAnonymousLoginEnabled(false);
        connections.setMaxLogins(100);
        connections.setMaxLoginFailures(0);
        connections.setLoginFailureDelay(0);

        PropertiesUserManagerFactory users = new PropertiesUserManagerFactory();
        users.setPasswordEncryptor(new ClearTextPasswordEncryptor());
        UserManager userManager = users.createUserManager();
        BaseUser user = new BaseUser();
        user.setName(USERNAME);
        user.setPassword(PASSWORD);
        user.setHomeDirectory(home.toAbsolutePath().toString());
        user.setMaxIdleTime(0);
        List<Authority> authorities = new ArrayList<>();
        authorities.add(new WritePermission());
        authorities.add(new ConcurrentLoginPermission(0, 0));
        user.setAuthorities(authorities);
        userManager.save(user);

        FtpServerFactory factory = new FtpServerFactory();
        factory.addListener("default", listener);
        factory.setConnectionConfig(connections.createConnectionConfig());
        factory.setUserManager(userManager);
        Map<String, org.apache.ftpserver.ftplet.Ftplet> ftplets = new HashMap<>();
        ftplets.put("log", new DefaultFtplet() {
            @Override
            public FtpletResult afterCommand(FtpSession session, FtpRequest request, FtpReply reply) {
                String verb = request.getCommand() == null ? "" : request.getCommand().toUpperCase(Locale.ROOT);
                String argument = verb.equals("PASS") ? "<password>" : request.hasArgument() ? request.getArgument()
                        : "";
                out.println(session.getClientAddress() + " " + verb + (argument.isEmpty() ? "" : " " + argument)
                            + " -> " + (reply == null ? "?" : reply.getCode() + " " + reply.getMessage()));
                return FtpletResult.DEFAULT;
            }
        });
        factory.setFtplets(ftplets);
        FtpServer server = factory.createServer();
        server.start();
        out.println(READY + listener.getPort());
        // runs until the parent closes stdin (or dies)
        CompletableFuture.runAsync(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                while (in.readLine() != null) {
                    // ignore
                }
            } catch (IOException e) {
                // parent gone
            }
        }).join();
        server.stop();
        Runtime.getRuntime().halt(0);
    }
}
