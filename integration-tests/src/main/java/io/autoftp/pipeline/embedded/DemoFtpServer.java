package io.autoftp.pipeline.embedded;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import org.apache.ftpserver.ConnectionConfigFactory;
import org.apache.ftpserver.DataConnectionConfigurationFactory;
import org.apache.ftpserver.FtpServer;
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
import org.apache.ftpserver.listener.ListenerFactory;
import org.apache.ftpserver.usermanager.ClearTextPasswordEncryptor;
import org.apache.ftpserver.usermanager.PropertiesUserManagerFactory;
import org.apache.ftpserver.usermanager.impl.BaseUser;
import org.apache.ftpserver.usermanager.impl.ConcurrentLoginPermission;
import org.apache.ftpserver.usermanager.impl.WritePermission;
import org.jboss.logging.Logger;

/**
 * One FTP server of the embedded default: Apache FtpServer on a loopback address with one user writing in a temporary
 * home directory, refusing passive mode (PASV/EPSV answer 502) or active mode (PORT/EPRT answer 501) to show autoftp's
 * fallback. {@link #close()} stops it and deletes the home directory.
 */
final class DemoFtpServer implements Closeable {

    private static final Logger LOG = Logger.getLogger("io.autoftp.pipeline.embedded");
    private static final Set<String> DATA_CHANNEL_VERBS = Set.of("EPSV", "PASV", "EPRT", "PORT");

    enum Refuses {
        PASSIVE("refuses passive mode (PASV/EPSV answer 502): only active mode works"),
        ACTIVE("refuses active mode (PORT/EPRT answer 501): only passive mode works");

        final String description;

        Refuses(String description) {
            this.description = description;
        }
    }

    private final String name;
    private final FtpServer server;
    private final Path home;

    private DemoFtpServer(String name, FtpServer server, Path home) {
        this.name = name;
        this.server = server;
        this.home = home;
    }

    static DemoFtpServer start(String name, String host, int port, String username, String password, Refuses refuses)
            throws IOException {
        Path home = Files.createTempDirectory("autoftp-embedded-" + name + "-");
        DataConnectionConfigurationFactory data = new DataConnectionConfigurationFactory();
        data.setActiveEnabled(refuses != Refuses.ACTIVE);

        ListenerFactory listener = new ListenerFactory();
        listener.setServerAddress(host);
        listener.setPort(port);
        listener.setDataConnectionConfiguration(data.createDataConnectionConfiguration());

        ConnectionConfigFactory connections = new ConnectionConfigFactory();
        connections.setAnonymousLoginEnabled(false);
        connections.setMaxLogins(100);

        // Replacing a command is the only way to make FtpServer refuse PASV/EPSV.
        CommandFactoryFactory commands = new CommandFactoryFactory();
        if (refuses == Refuses.PASSIVE) {
            commands.addCommand("PASV", NOT_IMPLEMENTED);
            commands.addCommand("EPSV", NOT_IMPLEMENTED);
        }

        FtpServerFactory factory = new FtpServerFactory();
        factory.addListener("default", listener.createListener());
        factory.setConnectionConfig(connections.createConnectionConfig());
        factory.setCommandFactory(commands.createCommandFactory());
        factory.setFtplets(new HashMap<>(Map.of("refusal-log", new RefusalLog(name, refuses))));
        FtpServer server;
        try {
            factory.setUserManager(userManager(username, password, home));
            server = factory.createServer();
            server.start();
        } catch (FtpException | RuntimeException e) {
            deleteTree(home);
            throw new IOException("The embedded FTP server " + name + " could not start on " + host + ":" + port
                                  + ": " + e.getMessage(), e);
        }
        LOG.infof("Embedded FTP server %s on %s:%d (user %s) %s; home %s", name, host, port, username,
                refuses.description, home);
        return new DemoFtpServer(name, server, home);
    }

    Path home() {
        return home;
    }

    @Override
    public void close() {
        try {
            server.stop();
        } finally {
            deleteTree(home);
            LOG.debugf("Embedded FTP server %s stopped", name);
        }
    }

    private static UserManager userManager(String username, String password, Path home) throws FtpException {
        PropertiesUserManagerFactory factory = new PropertiesUserManagerFactory();
        factory.setPasswordEncryptor(new ClearTextPasswordEncryptor()); // no users file: in memory
        UserManager users = factory.createUserManager();
        BaseUser user = new BaseUser();
        user.setName(username);
        user.setPassword(password);
        user.setHomeDirectory(home.toAbsolutePath().toString());
        user.setMaxIdleTime(0);
        user.setAuthorities(List.of(new WritePermission(), new ConcurrentLoginPermission(0, 0)));
        users.save(user);
        return users;
    }

    private static final Command NOT_IMPLEMENTED = (session, context, request) -> {
        session.resetState();
        session.write(new DefaultFtpReply(FtpReply.REPLY_502_COMMAND_NOT_IMPLEMENTED, "Command not implemented."));
    };

    /** The server's side of a fallback: one line per refused data channel command. */
    private static final class RefusalLog extends DefaultFtplet {
        private final String name;
        private final Refuses refuses;

        RefusalLog(String name, Refuses refuses) {
            this.name = name;
            this.refuses = refuses;
        }

        @Override
        public FtpletResult afterCommand(FtpSession session, FtpRequest request, FtpReply reply) {
            String verb = request.getCommand();
            if (reply != null && reply.getCode() >= 500 && verb != null && DATA_CHANNEL_VERBS.contains(verb)) {
                LOG.infof("Embedded FTP server %s refused %s (%d): it %s", name, verb, reply.getCode(),
                        refuses.description);
            }
            return FtpletResult.DEFAULT;
        }
    }

    static void deleteTree(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException | UncheckedIOException e) {
            LOG.warnf("Could not delete %s: %s", root, e.toString());
        }
    }
}
