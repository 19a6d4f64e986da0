package io.autoftp.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.apache.ftpserver.ConnectionConfigFactory;
import org.apache.ftpserver.DataConnectionConfigurationFactory;
import org.apache.ftpserver.FtpServer;
import org.apache.ftpserver.FtpServerFactory;
import org.apache.ftpserver.command.Command;
import org.apache.ftpserver.command.CommandFactoryFactory;
import org.apache.ftpserver.ftplet.Authority;
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
import org.apache.ftpserver.ssl.SslConfiguration;
import org.apache.ftpserver.ssl.SslConfigurationFactory;
import org.apache.ftpserver.usermanager.ClearTextPasswordEncryptor;
import org.apache.ftpserver.usermanager.PropertiesUserManagerFactory;
import org.apache.ftpserver.usermanager.impl.BaseUser;
import org.apache.ftpserver.usermanager.impl.ConcurrentLoginPermission;
import org.apache.ftpserver.usermanager.impl.WritePermission;

/**
 * A real Apache FtpServer on 127.0.0.1 with one writable user, optional refusal of passive and/or
 * active data-channel commands, and a log of every command it receives.
 *
 * <pre>
 * try (EmbeddedFtpServer ftp = EmbeddedFtpServer.builder().refusePassive().start()) {
 *     ... ftp.host(), ftp.port(), ftp.home() ...
 *     assertEquals(List.of("EPSV 502", "PASV 502", "EPRT 200"), ftp.dataChannelReplies());
 * }
 * </pre>
 *
 * With {@link Builder#tls(boolean)} it speaks FTPS (explicit AUTH TLS, or implicit TLS from the first byte) with a
 * self-signed certificate for 127.0.0.1/localhost that clients trust through {@link #truststore()}.
 *
 * Note: FtpServer rejects every command except USER/PASS/AUTH/QUIT/PROT/PBSZ with 530 before login
 * and does so before Ftplets run, so commands sent before login do not show up in the log.
 */
public final class EmbeddedFtpServer implements AutoCloseable {

    /** Verbs that set up the data channel; these are the ones {@link #dataChannelCommands()} keeps. */
    public static final Set<String> DATA_CHANNEL_VERBS = Set.of("EPSV", "PASV", "EPRT", "PORT");

    /** Reply code logged while the server has not answered a command yet. */
    public static final int NO_REPLY_YET = -1;

    private static final String HOST = "127.0.0.1";
    private final String host;

    /** Password of {@link #keystore()} and {@link #truststore()} (and of the key). */
    public static final String TLS_PASSWORD = "changeit";

    /**
     * One received command. {@code session} numbers control connections 1, 2, 3... in the order they
     * connected; {@code argument} is "" when there is none (and masked for PASS).
     */
    public record LoggedCommand(int session, String verb, String argument, int replyCode) {

        /** "VERB argument", or just "VERB". */
        public String line() {
            return argument.isEmpty() ? verb : verb + " " + argument;
        }

        public boolean isDataChannelCommand() {
            return DATA_CHANNEL_VERBS.contains(verb);
        }

        @Override
        public String toString() {
            return "#" + session + " " + line() + " -> " + (replyCode == NO_REPLY_YET ? "?" : replyCode);
        }
    }

    private final FtpServer server;
    private final Listener listener;
    private final Path home;
    private final boolean deleteHomeOnClose;
    private final String username;
    private final String password;
    private final CommandLog log = new CommandLog();
    private final Boolean implicitTls;
    private volatile boolean closed;

    private EmbeddedFtpServer(Builder b) throws IOException, FtpException {
        this.username = b.username;
        this.password = b.password;
        this.host = b.host;
        this.deleteHomeOnClose = b.home == null;
        this.implicitTls = b.implicitTls;
        this.home = b.home != null ? Files.createDirectories(b.home) : Files.createTempDirectory("autoftp-ftp-home-");

        DataConnectionConfigurationFactory data = new DataConnectionConfigurationFactory();
        // Makes PORT and EPRT answer "501 PORT is disabled." / "501 EPRT is disabled."
        data.setActiveEnabled(!b.refuseActive);
        // Also the time the server waits for a client to connect to a pending passive port.
        data.setIdleTime(b.dataIdleTimeoutSeconds);
        if (b.passivePorts != null) {
            data.setPassivePorts(b.passivePorts);
        }
        SslConfiguration ssl = b.implicitTls == null ? null : TestKeystore.sslConfiguration(b.tlsProtocols);
        if (ssl != null) {
            // the data channel is TLS after PROT P; with implicit TLS it is from the start
            data.setSslConfiguration(ssl);
            data.setImplicitSsl(b.implicitTls);
        }

        ListenerFactory listenerFactory = new ListenerFactory();
        listenerFactory.setServerAddress(b.host);
        listenerFactory.setPort(0); // the OS picks a free port; NioListener reports the bound one
        listenerFactory.setIdleTimeout(b.idleTimeoutSeconds);
        if (ssl != null) {
            listenerFactory.setSslConfiguration(ssl); // explicit: AUTH TLS switches the control channel
            listenerFactory.setImplicitSsl(b.implicitTls);
        }
        listenerFactory.setDataConnectionConfiguration(data.createDataConnectionConfiguration());
        this.listener = listenerFactory.createListener();

        ConnectionConfigFactory connections = new ConnectionConfigFactory();
        connections.setAnonymousLoginEnabled(false);
        connections.setMaxLogins(b.maxLogins);
        connections.setMaxLoginFailures(0); // never drop the connection because of wrong passwords
        connections.setLoginFailureDelay(0);

        // Replacing a default command is the only way to make the server answer 502 for it.
        CommandFactoryFactory commands = new CommandFactoryFactory();
        for (String verb : b.refusedVerbs) {
            commands.addCommand(verb, NOT_IMPLEMENTED);
        }

        FtpServerFactory factory = new FtpServerFactory();
        factory.addListener("default", listener);
        factory.setConnectionConfig(connections.createConnectionConfig());
        factory.setCommandFactory(commands.createCommandFactory());
        factory.setUserManager(userManager(b));
        factory.setFtplets(new HashMap<>(Map.of("command-log", log)));
        this.server = factory.createServer();
        try {
            server.start();
        } catch (FtpException | RuntimeException e) {
            deleteHomeIfOwned();
            throw e;
        }
    }

    /** Starts a server with default settings (user "partner"/"s3cret", passive and active allowed). */
    public static EmbeddedFtpServer startDefault() {
        return builder().start();
    }

    public static Builder builder() {
        return new Builder();
    }

    public String host() {
        return host;
    }

    public int port() {
        return listener.getPort();
    }

    public Path home() {
        return home;
    }

    public String username() {
        return username;
    }

    public String password() {
        return password;
    }

    /** True when started with {@link Builder#tls(boolean)}. */
    public boolean isTls() {
        return implicitTls != null;
    }

    /** True for implicit TLS (TLS from the first byte), false for explicit (AUTH TLS) or plain FTP. */
    public boolean isImplicitTls() {
        return Boolean.TRUE.equals(implicitTls);
    }

    /** The server's PKCS12 key store (self-signed RSA key, password {@link #TLS_PASSWORD}), made once per JVM. */
    public static Path keystore() {
        return TestKeystore.get().keystore;
    }

    /** A PKCS12 trust store (password {@link #TLS_PASSWORD}) holding only the server's certificate. */
    public static Path truststore() {
        return TestKeystore.get().truststore;
    }

    /** A trust manager that trusts the server's certificate ({@link #truststore()}) and nothing else. */
    public static javax.net.ssl.TrustManager trustManager() {
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(truststore())) {
            java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
            store.load(in, TLS_PASSWORD.toCharArray());
            javax.net.ssl.TrustManagerFactory factory = javax.net.ssl.TrustManagerFactory.getInstance("PKIX");
            factory.init(store);
            return factory.getTrustManagers()[0];
        } catch (java.io.IOException | java.security.GeneralSecurityException e) {
            throw new IllegalStateException("the test trust store cannot be read", e);
        }
    }

    /** All received commands across sessions, in arrival order, e.g. "PASV", "RETR a.csv". */
    public List<String> commands() {
        return log.snapshot().stream().map(LoggedCommand::line).collect(Collectors.toList());
    }

    /** Only the EPSV/PASV/EPRT/PORT verbs (without arguments), in arrival order. */
    public List<String> dataChannelCommands() {
        return log.snapshot().stream().filter(LoggedCommand::isDataChannelCommand)
                .map(LoggedCommand::verb).collect(Collectors.toList());
    }

    /**
     * Data-channel verbs with the reply code the server sent, e.g. ["EPSV 502", "PASV 227"]. Waits
     * up to 2 s for codes still missing, because the client can see a reply slightly before the
     * server's afterCommand hook has recorded it.
     */
    public List<String> dataChannelReplies() {
        List<LoggedCommand> mode = log.awaitReplies(2_000).stream()
                .filter(LoggedCommand::isDataChannelCommand).collect(Collectors.toList());
        return mode.stream().map(c -> c.verb() + " " + (c.replyCode() == NO_REPLY_YET ? "?" : c.replyCode()))
                .collect(Collectors.toList());
    }

    /** Full log with session numbers and reply codes (codes may be {@link #NO_REPLY_YET}). */
    public List<LoggedCommand> log() {
        return log.snapshot();
    }

    /** Number of control connections accepted since start (not reset by {@link #clearLog()}). */
    public int sessionCount() {
        return log.sessionCounter.get();
    }

    public void clearLog() {
        log.clear();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            server.stop();
        } finally {
            deleteHomeIfOwned();
        }
    }

    private void deleteHomeIfOwned() {
        if (!deleteHomeOnClose || !Files.exists(home)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(home)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete FTP home " + home, e);
        }
    }

    private UserManager userManager(Builder b) throws FtpException {
        PropertiesUserManagerFactory factory = new PropertiesUserManagerFactory();
        factory.setPasswordEncryptor(new ClearTextPasswordEncryptor()); // no file: users live in memory
        UserManager users = factory.createUserManager();
        BaseUser user = new BaseUser();
        user.setName(b.username);
        user.setPassword(b.password);
        user.setHomeDirectory(home.toAbsolutePath().toString());
        user.setMaxIdleTime(0); // 0 = no per-user limit; the listener idle timeout applies
        List<Authority> authorities = new ArrayList<>();
        authorities.add(new WritePermission());
        authorities.add(new ConcurrentLoginPermission(0, 0)); // 0 = unlimited parallel logins
        user.setAuthorities(authorities);
        users.save(user);
        return users;
    }

    /** Replacement for refused commands: always "502 Command not implemented.". */
    private static final Command NOT_IMPLEMENTED = (session, context, request) -> {
        session.resetState();
        session.write(new DefaultFtpReply(FtpReply.REPLY_502_COMMAND_NOT_IMPLEMENTED, "Command not implemented."));
    };

    /** Fluent configuration; {@link #start()} creates and starts the server. */
    public static final class Builder {
        private String host = HOST;
        private String username = "partner";
        private String password = "s3cret";
        private Path home;
        private boolean refuseActive;
        private final Set<String> refusedVerbs = new TreeSet<>();
        private String passivePorts;
        private int idleTimeoutSeconds = 600;
        private int dataIdleTimeoutSeconds = 120;
        private int maxLogins = 100;
        private Boolean implicitTls;
        private String[] tlsProtocols = { "TLSv1.2" };

        private Builder() {
        }

        /** The loopback address to listen on: 127.0.0.1 (default) or ::1 for IPv6. */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host);
            return this;
        }

        public Builder username(String username) {
            this.username = Objects.requireNonNull(username);
            return this;
        }

        public Builder password(String password) {
            this.password = Objects.requireNonNull(password);
            return this;
        }

        /** Use this directory as the user's home; it is created if missing and NOT deleted on close. */
        public Builder home(Path home) {
            this.home = Objects.requireNonNull(home);
            return this;
        }

        /** PORT and EPRT are refused: FtpServer answers "501 PORT is disabled." / "501 EPRT is disabled.". */
        public Builder refuseActive() {
            this.refuseActive = true;
            return this;
        }

        /** PASV and EPSV answer "502 Command not implemented.". */
        public Builder refusePassive() {
            refusedVerbs.add("PASV");
            refusedVerbs.add("EPSV");
            return this;
        }

        /** Only EPSV answers "502 Command not implemented."; PASV still works. */
        public Builder refuseEpsvOnly() {
            refusedVerbs.add("EPSV");
            return this;
        }

        /** Any verb (e.g. "EPRT", "MLSD") answers "502 Command not implemented.". */
        public Builder refuse(String verb) {
            refusedVerbs.add(verb.toUpperCase(Locale.ROOT));
            return this;
        }

        /** Passive port range in FtpServer syntax, e.g. "30000-30010". Default: any free port. */
        public Builder passivePorts(String range) {
            this.passivePorts = Objects.requireNonNull(range);
            return this;
        }

        /** Control connection idle timeout; default 600 s so slow tests are not cut off. */
        public Builder idleTimeoutSeconds(int seconds) {
            this.idleTimeoutSeconds = seconds;
            return this;
        }

        /**
         * Data connection timeout: how long a pending passive port waits for the client's connect
         * and how long a data transfer may stall. Default 120 s.
         */
        public Builder dataIdleTimeoutSeconds(int seconds) {
            this.dataIdleTimeoutSeconds = seconds;
            return this;
        }

        /**
         * FTPS with the self-signed certificate of {@link EmbeddedFtpServer#keystore()}: explicit (AUTH TLS on this
         * port, data channel TLS after PROT P) or implicit (TLS from the first byte, data channel always TLS).
         */
        public Builder tls(boolean implicit) {
            this.implicitTls = implicit;
            return this;
        }

        /**
         * The TLS versions the server accepts on control and data connections, the first also naming its SSLContext;
         * default TLSv1.2 only (FtpServer's own default).
         */
        public Builder tlsProtocols(String... protocols) {
            if (protocols.length == 0) {
                throw new IllegalArgumentException("at least one TLS protocol");
            }
            this.tlsProtocols = protocols.clone();
            return this;
        }

        /** Maximum concurrent logins; default 100. */
        public Builder maxLogins(int maxLogins) {
            this.maxLogins = maxLogins;
            return this;
        }

        public EmbeddedFtpServer start() {
            try {
                return new EmbeddedFtpServer(this);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (FtpException e) {
                throw new IllegalStateException("could not start embedded FtpServer", e);
            }
        }
    }

    /** A self-signed RSA key made with the JDK's keytool, once per JVM, and a trust store with its certificate. */
    private static final class TestKeystore {
        private static TestKeystore instance;

        final Path keystore;
        final Path truststore;

        private TestKeystore(Path keystore, Path truststore) {
            this.keystore = keystore;
            this.truststore = truststore;
        }

        static synchronized TestKeystore get() {
            if (instance == null) {
                try {
                    instance = create();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                } catch (GeneralSecurityException e) {
                    throw new IllegalStateException("could not make the test key store", e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while making the test key store", e);
                }
            }
            return instance;
        }

        static SslConfiguration sslConfiguration(String[] protocols) {
            SslConfigurationFactory factory = new SslConfigurationFactory();
            factory.setSslProtocol(protocols);
            factory.setKeystoreFile(get().keystore.toFile());
            factory.setKeystoreType("PKCS12");
            factory.setKeystorePassword(TLS_PASSWORD);
            return factory.createSslConfiguration();
        }

        private static TestKeystore create() throws IOException, GeneralSecurityException, InterruptedException {
            Path dir = Files.createTempDirectory("autoftp-tls-");
            Path keystore = dir.resolve("server.p12");
            String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
            Process process = new ProcessBuilder(keytool, "-genkeypair", "-alias", "ftpserver", "-keyalg", "RSA",
                    "-keysize", "2048", "-validity", "7", "-dname", "CN=localhost",
                    "-ext", "SAN=ip:" + HOST + ",dns:localhost", "-storetype", "PKCS12",
                    "-keystore", keystore.toString(), "-storepass", TLS_PASSWORD, "-keypass", TLS_PASSWORD)
                    .redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes());
            if (process.waitFor() != 0) {
                throw new IOException("keytool failed: " + output);
            }
            KeyStore keys = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(keystore)) {
                keys.load(in, TLS_PASSWORD.toCharArray());
            }
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("ftpserver", keys.getCertificate("ftpserver"));
            Path truststore = dir.resolve("trust.p12");
            try (OutputStream out = Files.newOutputStream(truststore)) {
                trust.store(out, TLS_PASSWORD.toCharArray());
            }
            for (Path p : List.of(dir, keystore, truststore)) {
                p.toFile().deleteOnExit(); // deleted in reverse order: the files, then the folder
            }
            return new TestKeystore(keystore, truststore);
        }
    }

    /** Ftplet that records each command before it runs and its reply code after it ran. */
    private static final class CommandLog extends DefaultFtplet {
        private final AtomicInteger sessionCounter = new AtomicInteger();
        private final ConcurrentMap<UUID, Integer> sessionNumbers = new ConcurrentHashMap<>();
        // guarded by "this"
        private final List<Entry> entries = new ArrayList<>();

        /** Mutable while the command runs; reply is filled in by afterCommand. */
        private static final class Entry {
            final int session;
            final String verb;
            final String argument;
            volatile int reply = NO_REPLY_YET;

            Entry(int session, String verb, String argument) {
                this.session = session;
                this.verb = verb;
                this.argument = argument;
            }
        }

        // Commands of one session are handled one after another, so a per-session "last entry"
        // is enough to find where afterCommand's reply belongs.
        private final ConcurrentMap<UUID, Entry> current = new ConcurrentHashMap<>();

        @Override
        public FtpletResult onConnect(FtpSession session) {
            sessionNumbers.put(session.getSessionId(), sessionCounter.incrementAndGet());
            return FtpletResult.DEFAULT;
        }

        @Override
        public FtpletResult onDisconnect(FtpSession session) {
            current.remove(session.getSessionId());
            return FtpletResult.DEFAULT;
        }

        @Override
        public FtpletResult beforeCommand(FtpSession session, FtpRequest request) {
            String verb = request.getCommand() == null ? "" : request.getCommand().toUpperCase(Locale.ROOT);
            String argument = request.hasArgument() ? request.getArgument() : "";
            if (verb.equals("PASS")) {
                argument = "****";
            }
            int number = sessionNumbers.computeIfAbsent(session.getSessionId(), id -> sessionCounter.incrementAndGet());
            Entry entry = new Entry(number, verb, argument);
            synchronized (this) {
                entries.add(entry);
            }
            current.put(session.getSessionId(), entry);
            return FtpletResult.DEFAULT;
        }

        @Override
        public FtpletResult afterCommand(FtpSession session, FtpRequest request, FtpReply reply) {
            Entry entry = current.remove(session.getSessionId());
            if (entry != null && reply != null) {
                entry.reply = reply.getCode();
                synchronized (this) {
                    notifyAll();
                }
            }
            return FtpletResult.DEFAULT;
        }

        synchronized List<LoggedCommand> snapshot() {
            List<LoggedCommand> copy = new ArrayList<>(entries.size());
            for (Entry e : entries) {
                copy.add(new LoggedCommand(e.session, e.verb, e.argument, e.reply));
            }
            return copy;
        }

        /** Snapshot after waiting (bounded) until every data-channel command has its reply code. */
        synchronized List<LoggedCommand> awaitReplies(long maxWaitMillis) {
            long deadline = System.currentTimeMillis() + maxWaitMillis;
            while (entries.stream().anyMatch(e -> e.reply == NO_REPLY_YET && DATA_CHANNEL_VERBS.contains(e.verb))) {
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    break;
                }
                try {
                    wait(left);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            return snapshot();
        }

        synchronized void clear() {
            entries.clear();
        }
    }
}
