package io.autoftp.deployment.devservices;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import org.apache.ftpserver.ConnectionConfigFactory;
import org.apache.ftpserver.DataConnectionConfigurationFactory;
import org.apache.ftpserver.FtpServer;
import org.apache.ftpserver.FtpServerConfigurationException;
import org.apache.ftpserver.FtpServerFactory;
import org.apache.ftpserver.command.Command;
import org.apache.ftpserver.command.CommandFactoryFactory;
import org.apache.ftpserver.ftplet.DefaultFtpReply;
import org.apache.ftpserver.ftplet.DefaultFtplet;
import org.apache.ftpserver.ftplet.FtpException;
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
import org.jboss.logging.Logger;

/**
 * The FTP server of Dev Services: an Apache FtpServer on 127.0.0.1 with one user who may write in a temporary home
 * directory, optionally seeded from a directory, refusing active and/or passive mode when asked. {@link #close()}
 * stops it and deletes the home directory.
 */
public final class DevFtpServer implements Closeable {

    /** Dev Services servers listen on loopback only: the login is a well-known dev default. */
    public static final String HOST = "127.0.0.1";

    private static final Logger LOG = Logger.getLogger(DevFtpServer.class);
    private static final Set<String> DATA_CHANNEL_VERBS = Set.of("EPSV", "PASV", "EPRT", "PORT");

    private final DevFtpServerSpec spec;
    private final FtpServer server;
    private final Listener listener;
    private final Path home;
    private final Thread shutdownHook;
    private volatile boolean closed;

    private DevFtpServer(DevFtpServerSpec spec, FtpServer server, Listener listener, Path home) {
        this.spec = spec;
        this.server = server;
        this.listener = listener;
        this.home = home;
        // The application's close task stops the server in dev mode and in QuarkusUnitTest; @QuarkusTest (Quarkus
        // 3.27) does not close its applications before the JVM exits, so the home directory would be left behind.
        this.shutdownHook = new Thread(this::closeAtExit, "autoftp-devservices-" + spec.name() + "-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /**
     * Starts a server for {@code spec}. When the spec asks for any free port ({@code 0}), {@code preferredPort} (e.g.
     * the port of the server this one replaces) is tried first, so that a restarted server keeps its address when it
     * can.
     *
     * @throws IllegalStateException when the server cannot start (e.g. a fixed port in use, a missing seed directory)
     */
    public static DevFtpServer start(DevFtpServerSpec spec, int preferredPort) {
        Path home;
        try {
            home = Files.createTempDirectory("autoftp-devservices-" + safeFileName(spec.name()) + "-");
        } catch (IOException e) {
            throw new UncheckedIOException("Could not create a home directory for the FTP server " + spec.name(), e);
        }
        try {
            spec.seedDirectory().ifPresent(seed -> copyTree(seed, home));
            if (spec.port() == 0 && preferredPort > 0) {
                try {
                    return startOn(spec, preferredPort, home);
                } catch (IllegalStateException portTaken) {
                    LOG.debugf(portTaken, "Port %d is taken, the FTP server %s gets another one", preferredPort,
                            spec.name());
                }
            }
            return startOn(spec, spec.port(), home);
        } catch (RuntimeException e) {
            deleteTree(home);
            throw e;
        }
    }

    private static DevFtpServer startOn(DevFtpServerSpec spec, int port, Path home) {
        DataConnectionConfigurationFactory data = new DataConnectionConfigurationFactory();
        // PORT and EPRT then answer "501 PORT is disabled." / "501 EPRT is disabled."
        data.setActiveEnabled(!spec.refuseActive());
        // passive data connections: any free port on the listener's address (127.0.0.1)

        ListenerFactory listenerFactory = new ListenerFactory();
        listenerFactory.setServerAddress(HOST);
        listenerFactory.setPort(port); // 0: the OS picks one, the listener reports it after start
        listenerFactory.setDataConnectionConfiguration(data.createDataConnectionConfiguration());
        Listener listener = listenerFactory.createListener();

        ConnectionConfigFactory connections = new ConnectionConfigFactory();
        connections.setAnonymousLoginEnabled(false);
        connections.setMaxLogins(100); // a Camel application opens one connection per endpoint and consumer thread

        // Replacing a command in the command factory is the only way to make FtpServer refuse PASV/EPSV.
        CommandFactoryFactory commands = new CommandFactoryFactory();
        if (spec.refusePassive()) {
            commands.addCommand("PASV", NOT_IMPLEMENTED);
            commands.addCommand("EPSV", NOT_IMPLEMENTED);
        }

        FtpServerFactory factory = new FtpServerFactory();
        factory.addListener("default", listener);
        factory.setConnectionConfig(connections.createConnectionConfig());
        factory.setCommandFactory(commands.createCommandFactory());
        // mutable: FtpServer clears this map when it stops
        factory.setFtplets(new HashMap<>(Map.of("autoftp-refusal-log", new RefusalLog(spec))));
        try {
            factory.setUserManager(userManager(spec, home));
        } catch (FtpException e) {
            throw new IllegalStateException("Could not create the user of the FTP server " + spec.name(), e);
        }
        FtpServer server = factory.createServer();

        // Mina creates its I/O and worker threads lazily, from the threads that exist: they all inherit the context
        // class loader of the thread that starts the server. Give them the one that loaded FtpServer (in dev mode the
        // augmentation class loader, which lives as long as dev mode), not the build's current deployment class
        // loader, which the next dev mode restart replaces and closes.
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(DevFtpServer.class.getClassLoader());
        quietUntilLoggingIsConfigured();
        try {
            server.start();
        } catch (FtpException | FtpServerConfigurationException e) {
            server.stop();
            throw new IllegalStateException("Could not start the FTP server " + spec.name() + " on " + HOST + ":"
                                            + port + ": " + e.getMessage(), e);
        } finally {
            thread.setContextClassLoader(previous);
        }
        return new DevFtpServer(spec, server, listener, home);
    }

    /** Held: java.util.logging would otherwise forget the logger, and its level with it. */
    private static final java.util.logging.Logger FTP_SERVER_LOG = java.util.logging.Logger.getLogger("org.apache.ftpserver");

    /**
     * The servers start before the application's logging is set up (in dev mode and tests), so the WARN default of
     * {@code AutoFtpDevServicesProcessor#quietFtpServerLogs} does not yet hold for "FTP server started": set it here.
     * The application's logging setup then applies its own level, {@code quarkus.log.category."org.apache.ftpserver"}
     * included.
     */
    private static void quietUntilLoggingIsConfigured() {
        if (FTP_SERVER_LOG.getLevel() == null) {
            FTP_SERVER_LOG.setLevel(java.util.logging.Level.WARNING);
        }
    }

    public DevFtpServerSpec spec() {
        return spec;
    }

    public String host() {
        return HOST;
    }

    /** The control port the server listens on. */
    public int port() {
        return listener.getPort();
    }

    /** The user's home directory: what clients see as {@code /}. */
    public Path home() {
        return home;
    }

    public boolean isClosed() {
        return closed;
    }

    /** Stops the server (closing its connections) and deletes its home directory. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (Thread.currentThread() != shutdownHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException exiting) {
                // the JVM is exiting: the hook runs anyway and finds the server closed
            }
        }
        try {
            server.stop();
        } finally {
            deleteTree(home);
        }
    }

    private void closeAtExit() {
        try {
            close();
        } catch (Throwable e) {
            // the JVM is exiting; the class loader of the build may be gone already
            deleteTree(home);
        }
    }

    private static UserManager userManager(DevFtpServerSpec spec, Path home) throws FtpException {
        PropertiesUserManagerFactory factory = new PropertiesUserManagerFactory();
        factory.setPasswordEncryptor(new ClearTextPasswordEncryptor()); // no users file: users live in memory
        UserManager users = factory.createUserManager();
        BaseUser user = new BaseUser();
        user.setName(spec.username());
        user.setPassword(spec.password());
        user.setHomeDirectory(home.toAbsolutePath().toString());
        user.setMaxIdleTime(0); // no per-user limit; the listener's idle timeout applies
        // 0 = unlimited parallel logins, from any number of addresses
        user.setAuthorities(List.of(new WritePermission(), new ConcurrentLoginPermission(0, 0)));
        users.save(user);
        return users;
    }

    /** Replacement for refused commands: "502 Command not implemented.". */
    private static final Command NOT_IMPLEMENTED = (session, context, request) -> {
        session.resetState();
        session.write(new DefaultFtpReply(FtpReply.REPLY_502_COMMAND_NOT_IMPLEMENTED, "Command not implemented."));
    };

    /** Logs each refused data channel command, so that a developer sees the server's side of a fallback. */
    private static final class RefusalLog extends DefaultFtplet {
        private final DevFtpServerSpec spec;

        RefusalLog(DevFtpServerSpec spec) {
            this.spec = spec;
        }

        @Override
        public FtpletResult afterCommand(FtpSession session, FtpRequest request, FtpReply reply) {
            String verb = request.getCommand();
            if (reply != null && reply.getCode() >= 500 && verb != null && DATA_CHANNEL_VERBS.contains(verb)) {
                LOG.infof("Dev Services FTP server %s refused %s (%d): it %s", spec.name(), verb, reply.getCode(),
                        spec.describeRefusals());
            }
            return FtpletResult.DEFAULT;
        }
    }

    private static String safeFileName(String name) {
        return name.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    private static void copyTree(Path source, Path target) {
        if (!Files.isDirectory(source)) {
            throw new IllegalStateException("The seed directory " + source + " is not a directory");
        }
        try {
            Files.walkFileTree(source, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                    Files.createDirectories(target.resolve(source.relativize(dir).toString()));
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.copy(file, target.resolve(source.relativize(file).toString()),
                            StandardCopyOption.REPLACE_EXISTING);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("Could not copy the seed directory " + source + " to " + target, e);
        }
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException | UncheckedIOException e) {
            LOG.warnf("Could not delete the FTP server's home directory %s: %s", root, e.toString());
        }
    }
}
