package io.autoftp.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509TrustManager;

/**
 * A real FTP server from Debian (vsftpd, proftpd or pure-ftpd) run in the foreground as a child process on
 * 127.0.0.1 and a free port, with a generated configuration in a temporary directory and one writable user. It can
 * also listen on a test network address inside a network namespace ({@link Builder#bindAddress},
 * {@link Builder#inNamespace}; see {@code NetworkLab}).
 *
 * <pre>
 * assumeTrue(RealFtpServer.available(Kind.VSFTPD), RealFtpServer.unavailableReason(Kind.VSFTPD));
 * try (RealFtpServer ftp = RealFtpServer.builder().kind(Kind.VSFTPD).refusePassive().start()) {
 *     ... ftp.host(), ftp.port(), ftp.home(), ftp.username(), ftp.password() ...
 *     System.out.println(ftp.log());
 * }
 * </pre>
 *
 * <h2>Binaries</h2> The packages conflict with each other and their maintainer scripts start daemons, so they are not
 * installed: {@code .ci/fetch-ftp-servers.sh} downloads and unpacks them side by side under
 * {@code $AUTOFTP_FTP_SERVERS} (system property {@code autoftp.ftp-servers} wins), by default
 * {@code ~/.cache/autoftp/ftp-servers/{vsftpd,proftpd,pure-ftpd}}, and installs the libraries they need.
 *
 * <h2>The user</h2> The servers must run as root (they change to the user's uid after login). vsftpd and proftpd
 * authenticate against the system's users: the first server started creates a system user {@value #SYSTEM_USER} (no
 * login shell, home {@code /}) and sets its password to {@link #PASSWORD} with {@code chpasswd -e}. vsftpd asks PAM
 * with a service name that has no file in /etc/pam.d, so Debian's {@code other} stack (pam_unix) decides; proftpd
 * reads /etc/shadow itself. pure-ftpd uses a virtual user of the same name in a PureDB file made with
 * {@code pure-pw mkdb}, mapped to the system user's uid. Every server confines the user to {@link #home()} (vsftpd
 * {@code chroot_local_user}, proftpd {@code DefaultRoot}, pure-ftpd's {@code /./} home), so paths on the server start
 * at {@code /}. {@link #home()} belongs to the FTP user; files a test puts there as root are readable, but a
 * directory a test creates must be handed over with {@link #giveToServerUser} before the server can write in it.
 *
 * <h2>Refusing modes</h2>
 * <ul>
 * <li>vsftpd: {@code pasv_enable=NO} makes EPSV and PASV answer {@code 550 Permission denied.};
 * {@code port_enable=NO} does the same for EPRT and PORT.</li>
 * <li>proftpd: {@code <Limit EPSV PASV> DenyAll} answers {@code 501 EPSV: Operation not permitted} (PASV likewise);
 * {@code <Limit EPRT PORT> DenyAll} answers {@code 501 EPRT: Operation not permitted} (PORT likewise).</li>
 * <li>pure-ftpd: {@code -N} (NAT mode, active only) answers {@code 500 Unknown command} to EPSV and PASV. It has no
 * switch that refuses PORT/EPRT, so {@link Builder#refuseActive()} throws {@link UnsupportedOperationException}.</li>
 * </ul>
 *
 * <h2>FTPS</h2> {@link Builder#tls(boolean)} turns on TLS with the {@link TestCertificate} (CN=localhost,
 * subjectAltName IP:127.0.0.1 and DNS:localhost; clients trust it through {@link #trustStore()} or
 * {@link #trustManager()}). Each server keeps its own TLS defaults otherwise:
 * <ul>
 * <li>vsftpd (built with OpenSSL 3): {@code ssl_enable=YES}, {@code rsa_cert_file}, {@code rsa_private_key_file}.
 * Its defaults force TLS for logins and data ({@code force_local_logins_ssl}, {@code force_local_data_ssl}) and
 * require data connections to resume the control connection's TLS session ({@code require_ssl_reuse=YES}): a data
 * connection that does not gets {@code 522 SSL connection failed: session reuse required}, and vsftpd then ends the
 * whole session (the control connection closes too). {@code ssl_ciphers} is left alone: the man page names
 * DES-CBC3-SHA as its default, but this build negotiates ECDHE-RSA-AES256-GCM-SHA384 on TLS 1.2 and
 * TLS_AES_256_GCM_SHA384 on TLS 1.3. Implicit FTPS: {@code implicit_ssl=YES} (the handshake comes first on
 * {@link #port()}).</li>
 * <li>proftpd: {@code mod_tls} is not in proftpd-core but in Debian's proftpd-mod-crypto ({@code mod_tls.so},
 * unpacked beside it by {@code .ci/fetch-ftp-servers.sh}), loaded with {@code ModulePath}/{@code LoadModule}, then
 * {@code TLSEngine on}, {@code TLSRSACertificateFile}, {@code TLSRSACertificateKeyFile} and a {@code TLSLog}. Its
 * defaults accept but do not force TLS ({@code TLSRequired off}; clients send PBSZ 0/PROT P) and require session
 * reuse on protected data connections: one that does not resume gets {@code 425 Unable to build data connection:
 * Operation not permitted} (the control connection stays), and the TLSLog says "client did not reuse TLS session,
 * rejecting data connection (see the NoSessionReuseRequired TLSOptions parameter)". Implicit FTPS:
 * {@code TLSOptions UseImplicitSSL}.</li>
 * <li>pure-ftpd (built with TLS): {@code --tls 1} (AUTH TLS accepted, cleartext too; PROT P accepted, not forced)
 * and {@code --certfile cert,key}. It never requires session reuse: the check existed in 1.0.42 to 1.0.48 (off with
 * {@code -b}) and was removed in 1.0.49 (upstream commit "Remove ONLY_ACCEPT_REUSED_SSL_SESSIONS"); Debian ships
 * 1.0.50, so {@link #requiresSessionReuse()} is false for it whatever the builder says. No implicit FTPS: that needs
 * a build with {@code --with-implicittls} (Debian's greets in clear text), so {@code tls(true)} throws
 * {@link UnsupportedOperationException}.</li>
 * </ul>
 * {@link Builder#sessionReuseNotRequired()} turns the reuse requirement off: vsftpd {@code require_ssl_reuse=NO},
 * proftpd {@code TLSOptions NoSessionReuseRequired}.
 *
 * <h2>Logs</h2> {@link #log()} returns the server's own log followed by what the process printed: vsftpd's
 * {@code log_ftp_protocol} log (every command and reply; with TLS also {@code debug_ssl}: "SSL version: TLSv1.3, SSL
 * cipher: ..., reused" or "not reused" for each TLS connection), proftpd's system log plus an {@code ExtendedLog} of
 * every command with its final reply (and its {@code TLSLog} with TLS on), pure-ftpd's transfer log
 * ({@code -O clf:}) only: pure-ftpd logs everything else to syslog alone, which is switched off ({@code -f none}).
 */
public final class RealFtpServer implements AutoCloseable {

    /** The server program. */
    public enum Kind {
        VSFTPD("vsftpd", "usr/sbin/vsftpd"),
        PROFTPD("proftpd", "usr/sbin/proftpd"),
        PUREFTPD("pure-ftpd", "usr/sbin/pure-ftpd");

        private final String directory;
        private final String binary;

        Kind(String directory, String binary) {
            this.directory = directory;
            this.binary = binary;
        }

        /** Name of the unpacked package's directory under {@link #serversDirectory()}, e.g. "pure-ftpd". */
        public String directoryName() {
            return directory;
        }

        /** The server binary. */
        public Path binary() {
            return serversDirectory().resolve(directory).resolve(binary);
        }

        @Override
        public String toString() {
            return directory;
        }
    }

    /** System user (and pure-ftpd virtual user) that logs in. */
    public static final String SYSTEM_USER = "autoftp";
    /** Its password; a fixed one, so that test JVMs running side by side agree on it. */
    public static final String PASSWORD = "autoftp-Test-1";
    /** {@link #PASSWORD} as SHA-512 crypt ({@code openssl passwd -6 -salt autoftptest}), for /etc/shadow and PureDB. */
    static final String PASSWORD_HASH =
            "$6$autoftptest$y.6nVslwAhym6/TpBZvPJzPXyf3KSHwnDy0EeDM5HvQzL8ykkOLT6rNgX2hkepdTe9V1Rzc7V88K8j.0sxu4m.";

    /** Password of {@link #trustStore()}. */
    public static final String TRUSTSTORE_PASSWORD = TestCertificate.TRUSTSTORE_PASSWORD;

    /** proftpd's TLS module, from Debian's proftpd-mod-crypto, relative to the unpacked proftpd directory. */
    private static final String PROFTPD_MOD_TLS = "usr/lib/proftpd/mod_tls.so";
    private static final String DEFAULT_HOST = "127.0.0.1";
    /** Network namespace names this class runs a server in (see {@link Builder#inNamespace}). */
    private static final Pattern NAMESPACE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
    /** Addresses a PASV reply may name: loopback 127.0.0.x or the test networks' 10.200.x.x, never anything else. */
    private static final Pattern ALLOWED_PASV_ADDRESS =
            Pattern.compile("(127\\.0\\.0|10\\.200\\.(25[0-5]|2[0-4]\\d|1?\\d?\\d))\\.(25[0-5]|2[0-4]\\d|1?\\d?\\d)");
    /** Addresses a server may listen on: the same as {@link #ALLOWED_PASV_ADDRESS}. */
    private static final Pattern ALLOWED_BIND_ADDRESS = ALLOWED_PASV_ADDRESS;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);
    private static final int START_ATTEMPTS = 3;
    private static final Map<Kind, String> UNAVAILABLE = new EnumMap<>(Kind.class);
    private static volatile Account account;

    private final Kind kind;
    private final String host;
    private final String namespace;
    private final Path base;
    private final Path home;
    private final Path serverLog;
    private final Path extraLog;
    private final Path output;
    /** proftpd's TLSLog, or null. */
    private final Path tlsLog;
    /** null: plain FTP; false: explicit FTPS (AUTH TLS); true: implicit FTPS. */
    private final Boolean implicitTls;
    private final boolean requiresSessionReuse;
    private final int port;
    /** The server's command line, kept for {@link #restart}. */
    private final List<String> command;
    /** Replaced by {@link #restart}. */
    private volatile Process process;
    private final Thread shutdownHook;
    private volatile boolean closed;

    /** uid/gid of {@link #SYSTEM_USER}. */
    private record Account(int uid, int gid, UserPrincipal user, GroupPrincipal group) {
    }

    private RealFtpServer(Builder b, Path base, int port) throws IOException {
        this.kind = b.kind;
        this.host = b.bindAddress;
        this.namespace = b.namespace;
        this.base = base;
        this.port = port;
        this.home = base.resolve("home");
        this.serverLog = base.resolve(kind.directoryName() + ".log");
        this.extraLog = base.resolve(kind == Kind.PROFTPD ? "protocol.log" : "transfer.log");
        this.output = base.resolve("output.log");
        this.implicitTls = b.implicitTls;
        this.tlsLog = kind == Kind.PROFTPD && implicitTls != null ? base.resolve("tls.log") : null;
        this.requiresSessionReuse = implicitTls != null && kind != Kind.PUREFTPD && !b.sessionReuseNotRequired;
        Account user = account();
        Files.createDirectories(home);
        giveTo(home, user);

        List<String> command = new ArrayList<>();
        if (namespace != null) {
            // ip netns exec execs the server in place: the child process is the server itself
            command.addAll(List.of(ipCommand(), "netns", "exec", namespace));
        }
        command.addAll(switch (kind) {
            case VSFTPD -> vsftpd(b);
            case PROFTPD -> proftpd(b);
            case PUREFTPD -> pureFtpd(b, user);
        });
        this.command = List.copyOf(command);
        this.process = startProcess();
        this.shutdownHook = new Thread(() -> stop(process), kind + "-killer-" + port);
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        try {
            awaitGreeting();
        } catch (IOException | RuntimeException e) {
            closeAfterFailedStart();
            throw e;
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Whether the binaries are there and run, and this JVM is root; else tests should be skipped. */
    public static boolean available(Kind kind) {
        return unavailableReason(kind) == null;
    }

    /**
     * Why {@link #available} is false, with the fix ("run .ci/fetch-ftp-servers.sh"), or null when it is true. The
     * check starts each binary once per JVM (to catch missing libraries) and is cached.
     */
    public static synchronized String unavailableReason(Kind kind) {
        return UNAVAILABLE.computeIfAbsent(kind, RealFtpServer::checkAvailable).transform(s -> s.isEmpty() ? null : s);
    }

    /** Whether {@link Builder#tls} works for this server: {@link #available} and, for proftpd, its mod_tls is there. */
    public static boolean tlsAvailable(Kind kind) {
        return tlsUnavailableReason(kind) == null;
    }

    /** Why {@link #tlsAvailable} is false, with the fix, or null when it is true. */
    public static String tlsUnavailableReason(Kind kind) {
        String why = unavailableReason(kind);
        if (why != null) {
            return why;
        }
        if (kind == Kind.PROFTPD) {
            Path module = serversDirectory().resolve(kind.directoryName()).resolve(PROFTPD_MOD_TLS);
            if (!Files.isRegularFile(module)) {
                return "proftpd's mod_tls (Debian package proftpd-mod-crypto) not found at " + module
                       + "; run .ci/fetch-ftp-servers.sh (as root)";
            }
        }
        return null;
    }

    /** Where the unpacked packages are: {@code autoftp.ftp-servers}, {@code $AUTOFTP_FTP_SERVERS} or the default. */
    public static Path serversDirectory() {
        String dir = System.getProperty("autoftp.ftp-servers");
        if (dir == null || dir.isBlank()) {
            dir = System.getenv("AUTOFTP_FTP_SERVERS");
        }
        if (dir == null || dir.isBlank()) {
            return Path.of(System.getProperty("user.home"), ".cache", "autoftp", "ftp-servers");
        }
        return Path.of(dir);
    }

    public Kind kind() {
        return kind;
    }

    /** The address the server listens on: 127.0.0.1 unless {@link Builder#bindAddress} said otherwise. */
    public String host() {
        return host;
    }

    /** The network namespace the server runs in, or null for the test JVM's own. */
    public String namespace() {
        return namespace;
    }

    public int port() {
        return port;
    }

    /** "host:port" (e.g. "127.0.0.1:2121"), the key {@code ModeMemory} uses for this server. */
    public String address() {
        return host + ":" + port;
    }

    /** The user's directory, "/" on the server; owned by the FTP user and deleted on close. */
    public Path home() {
        return home;
    }

    public String username() {
        return SYSTEM_USER;
    }

    public String password() {
        return PASSWORD;
    }

    /** Whether the server speaks FTPS ({@link Builder#tls}). */
    public boolean isTls() {
        return implicitTls != null;
    }

    /** Whether the server speaks implicit FTPS (TLS from the first byte) rather than explicit (AUTH TLS). */
    public boolean isImplicitTls() {
        return Boolean.TRUE.equals(implicitTls);
    }

    /**
     * Whether the server rejects a TLS data connection that does not resume the control connection's TLS session:
     * vsftpd and proftpd with TLS unless {@link Builder#sessionReuseNotRequired()}; never pure-ftpd (see the class
     * comment).
     */
    public boolean requiresSessionReuse() {
        return requiresSessionReuse;
    }

    /**
     * A PKCS12 trust store holding only the servers' certificate ({@link TestCertificate}), password
     * {@link #TRUSTSTORE_PASSWORD}: camel-ftp's {@code ftpClient.trustStore.file}. Made on first use, once per JVM.
     */
    public static Path trustStore() {
        return TestCertificate.get().trustStore();
    }

    /** Trusts the servers' certificate and nothing else. */
    public static X509TrustManager trustManager() {
        return TestCertificate.get().trustManager();
    }

    /** The temporary directory with the configuration, logs and {@link #home()}. */
    public Path directory() {
        return base;
    }

    /** The server's process id (the listening parent; sessions run in child processes). */
    public long pid() {
        return process.pid();
    }

    /** Whether the server process is still running. */
    public boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Everything the server logged so far, see the class comment: its log file(s), then what the process printed,
     * each part headed by "==> name <==".
     */
    public String log() {
        StringBuilder text = new StringBuilder();
        for (Path file : logFiles()) {
            if (Files.exists(file)) {
                text.append("==> ").append(file.getFileName()).append(" <==\n").append(read(file));
                if (text.charAt(text.length() - 1) != '\n') {
                    text.append('\n');
                }
            }
        }
        return text.toString();
    }

    /** The log files {@link #log()} reads, whether they exist yet or not. */
    public List<Path> logFiles() {
        return tlsLog == null ? List.of(serverLog, extraLog, output) : List.of(serverLog, extraLog, tlsLog, output);
    }

    /**
     * Hands files or directories a test created (as root) under {@link #home()} to the FTP user, recursively, so the
     * server may write, rename and delete in them.
     */
    public void giveToServerUser(Path... paths) {
        Account user = account();
        for (Path path : paths) {
            try (Stream<Path> all = Files.walk(path)) {
                for (Path p : all.collect(Collectors.toList())) {
                    giveTo(p, user);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("could not hand " + path + " to " + SYSTEM_USER, e);
            }
        }
    }

    @Override
    public String toString() {
        return kind + (implicitTls == null ? "" : implicitTls ? " (implicit FTPS)" : " (explicit FTPS)") + " on "
               + address() + (namespace == null ? "" : " in network namespace " + namespace) + " (pid "
               + process.pid() + ", " + base + ")";
    }

    /**
     * Stops the server and every session it serves (clients see their control and data connections cut), waits
     * {@code downtime} (connections are refused meanwhile) and starts it again with the same port, configuration,
     * {@link #home()} and logs; returns once it greets again.
     */
    public synchronized void restart(Duration downtime) throws IOException {
        if (closed) {
            throw new IllegalStateException(this + " is closed");
        }
        stop(process);
        sleep(downtime.toMillis());
        process = startProcess();
        awaitGreeting();
    }

    /** Starts {@link #command}; what it prints is appended to {@code output.log}. */
    private Process startProcess() throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(base.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()));
        pb.environment().put("LC_ALL", "C");
        return pb.start();
    }

    /** Stops the server and its session processes, then deletes its directory. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        stop(process);
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook runs (harmlessly) anyway
        }
        deleteTree(base);
    }

    // ---------------------------------------------------------------------------------------------------------
    // configurations

    private List<String> vsftpd(Builder b) throws IOException {
        Path empty = Files.createDirectories(base.resolve("empty")); // secure_chroot_dir: root-owned, not writable
        StringBuilder conf = new StringBuilder()
                .append("listen=YES\n")
                .append("listen_ipv6=NO\n")
                .append("listen_address=").append(host).append('\n')
                .append("listen_port=").append(port).append('\n')
                .append("background=NO\n")
                // The sandboxes need CLONE_NEWPID/NEWIPC/NEWNET and a seccomp filter; both break in containers.
                .append("seccomp_sandbox=NO\n")
                .append("isolate=NO\n")
                .append("isolate_network=NO\n")
                .append("anonymous_enable=NO\n")
                .append("local_enable=YES\n")
                .append("write_enable=YES\n")
                .append("local_umask=022\n")
                .append("local_root=").append(home).append('\n')
                .append("chroot_local_user=YES\n")
                .append("allow_writeable_chroot=YES\n")
                .append("secure_chroot_dir=").append(empty).append('\n')
                // no such file in /etc/pam.d: PAM uses "other", which is common-auth (pam_unix) on Debian
                .append("pam_service_name=autoftp-test-vsftpd\n")
                .append("syslog_enable=NO\n")
                .append("xferlog_enable=YES\n")
                .append("xferlog_std_format=NO\n")
                .append("log_ftp_protocol=YES\n")
                .append("vsftpd_log_file=").append(serverLog).append('\n')
                .append("pasv_enable=").append(b.refusePassive ? "NO" : "YES").append('\n')
                .append("port_enable=").append(b.refuseActive ? "NO" : "YES").append('\n');
        if (b.allowForeignAddresses) {
            conf.append("port_promiscuous=YES\n").append("pasv_promiscuous=YES\n");
        }
        if (b.maxRate > 0) {
            conf.append("local_max_rate=").append(b.maxRate).append('\n');
        }
        if (b.passiveMinPort > 0) {
            conf.append("pasv_min_port=").append(b.passiveMinPort).append('\n')
                    .append("pasv_max_port=").append(b.passiveMaxPort).append('\n');
        }
        if (b.pasvAddress != null) {
            conf.append("pasv_addr_resolve=NO\n").append("pasv_address=").append(b.pasvAddress).append('\n');
        }
        if (implicitTls != null) {
            // everything else as shipped: force_local_logins_ssl=YES, force_local_data_ssl=YES,
            // require_ssl_reuse=YES, ssl_request_cert=YES (asks, does not require), no TLS version switch but
            // ssl_tlsv1 (OpenSSL 3 decides: TLS 1.2 and 1.3 here)
            TestCertificate certificate = TestCertificate.get();
            conf.append("ssl_enable=YES\n")
                    // logging only: each TLS connection's version, cipher and "reused"/"not reused"
                    .append("debug_ssl=YES\n")
                    .append("rsa_cert_file=").append(certificate.certificatePem()).append('\n')
                    .append("rsa_private_key_file=").append(certificate.privateKeyPem()).append('\n');
            if (implicitTls) {
                conf.append("implicit_ssl=YES\n");
            }
            if (b.sessionReuseNotRequired) {
                conf.append("require_ssl_reuse=NO\n");
            }
        }
        Path file = base.resolve("vsftpd.conf");
        Files.writeString(file, conf); // vsftpd insists on a config file owned by root (we are root)
        return List.of(kind.binary().toString(), file.toString());
    }

    private List<String> proftpd(Builder b) throws IOException {
        StringBuilder conf = new StringBuilder()
                .append("ServerType standalone\n")
                .append("ServerName \"autoftp test proftpd\"\n")
                .append("DefaultAddress ").append(host).append('\n')
                .append("SocketBindTight on\n")
                .append("Port ").append(port).append('\n')
                .append("UseIPv6 off\n")
                .append("User nobody\n")
                .append("Group nogroup\n")
                .append("PidFile ").append(base.resolve("proftpd.pid")).append('\n')
                .append("ScoreboardFile ").append(base.resolve("proftpd.scoreboard")).append('\n')
                .append("DelayTable none\n")
                .append("WtmpLog off\n")
                .append("UseReverseDNS off\n")
                .append("SystemLog ").append(serverLog).append('\n')
                .append("LogFormat protocol \"%{%Y-%m-%d %H:%M:%S}t [%P] %a \\\"%r\\\" %s %S\"\n")
                .append("ExtendedLog ").append(extraLog).append(" ALL protocol\n")
                .append("AuthOrder mod_auth_unix.c\n")
                .append("RequireValidShell off\n")
                .append("DefaultRoot ").append(home).append('\n')
                .append("Umask 022\n")
                .append("AllowOverwrite on\n")
                .append("MaxInstances 50\n")
                .append("TimeoutIdle 600\n");
        if (b.refusePassive) {
            conf.append("<Limit EPSV PASV>\n  DenyAll\n</Limit>\n");
        }
        if (b.refuseActive) {
            conf.append("<Limit EPRT PORT>\n  DenyAll\n</Limit>\n");
        }
        if (b.allowForeignAddresses) {
            conf.append("AllowForeignAddress on\n");
        }
        if (b.maxRate > 0) {
            conf.append("TransferRate RETR,STOR ").append(Math.max(1, b.maxRate / 1024)).append('\n');
        }
        if (b.passiveMinPort > 0) {
            conf.append("PassivePorts ").append(b.passiveMinPort).append(' ').append(b.passiveMaxPort).append('\n');
        }
        if (b.pasvAddress != null) {
            conf.append("MasqueradeAddress ").append(b.pasvAddress).append('\n');
        }
        if (implicitTls != null) {
            // everything else as shipped: TLSRequired off, TLSProtocol TLSv1 to TLSv1.3 (as OpenSSL allows),
            // OpenSSL's internal session cache, session reuse required on protected data connections
            TestCertificate certificate = TestCertificate.get();
            conf.append("ModulePath ").append(serversDirectory().resolve(Kind.PROFTPD.directoryName())
                            .resolve(PROFTPD_MOD_TLS).getParent()).append('\n')
                    .append("LoadModule mod_tls.c\n")
                    .append("TLSEngine on\n")
                    .append("TLSLog ").append(tlsLog).append('\n')
                    .append("TLSRSACertificateFile ").append(certificate.certificatePem()).append('\n')
                    .append("TLSRSACertificateKeyFile ").append(certificate.privateKeyPem()).append('\n')
                    // the CA it trusts where it is the TLS client: a data connection to another server after SSCN ON
                    .append("TLSCACertificateFile ").append(certificate.certificatePem()).append('\n');
            List<String> options = new ArrayList<>();
            if (implicitTls) {
                options.add("UseImplicitSSL");
            }
            if (b.sessionReuseNotRequired) {
                options.add("NoSessionReuseRequired");
            }
            if (!options.isEmpty()) {
                conf.append("TLSOptions ").append(String.join(" ", options)).append('\n');
            }
        }
        Path file = base.resolve("proftpd.conf");
        Files.writeString(file, conf);
        return List.of(kind.binary().toString(), "--nodaemon", "--config", file.toString());
    }

    private List<String> pureFtpd(Builder b, Account user) throws IOException {
        // A virtual user: "name:hash:uid:gid:gecos:home/./:..." (the "/./" chroots it), compiled by pure-pw mkdb.
        // The hash is written here because pure-pw itself hashes with argon2id at a cost that makes each login ~4 s.
        Path passwd = base.resolve("pureftpd.passwd");
        Path pdb = base.resolve("pureftpd.pdb");
        Files.writeString(passwd, SYSTEM_USER + ":" + PASSWORD_HASH + ":" + user.uid() + ":" + user.gid() + "::" + home
                                  + "/./::::::::::::\n");
        Files.setPosixFilePermissions(passwd, PosixFilePermissions.fromString("rw-------"));
        run(List.of(serversDirectory().resolve("pure-ftpd/usr/bin/pure-pw").toString(), "mkdb", pdb.toString(), "-f",
                passwd.toString()), "pure-pw mkdb");
        List<String> command = new ArrayList<>(List.of(kind.binary().toString(),
                "--bind", host + "," + port,
                "--login", "puredb:" + pdb,
                "--noanonymous",
                "--dontresolve",
                "--ipv4only",
                "--syslogfacility", "none",
                "--altlog", "clf:" + extraLog,
                "--pidfile", base.resolve("pure-ftpd.pid").toString(),
                "--umask", "133:022",
                "--maxidletime", "10"));
        if (b.refusePassive) {
            command.add("--natmode");
        }
        if (b.allowForeignAddresses) {
            command.add("--allowuserfxp");
        }
        if (b.maxRate > 0) {
            long kib = Math.max(1, b.maxRate / 1024);
            command.addAll(List.of("--userbandwidth", kib + ":" + kib));
        }
        if (b.passiveMinPort > 0) {
            command.addAll(List.of("--passiveportrange", b.passiveMinPort + ":" + b.passiveMaxPort));
        }
        if (b.pasvAddress != null) {
            command.addAll(List.of("--forcepassiveip", b.pasvAddress));
        }
        if (implicitTls != null) {
            // 1: AUTH TLS or clear text, PROT P accepted (3 would force private data connections); never requires
            // session reuse (see the class comment), so sessionReuseNotRequired changes nothing
            TestCertificate certificate = TestCertificate.get();
            command.addAll(List.of("--tls", "1",
                    "--certfile", certificate.certificatePem() + "," + certificate.privateKeyPem()));
        }
        return command;
    }

    // ---------------------------------------------------------------------------------------------------------
    // process handling

    /**
     * Waits until the server answers with its 220 greeting (then QUITs), or fails with its output. With implicit FTPS
     * the greeting comes after a TLS handshake trusting {@link TestCertificate}; inside a network namespace, where the
     * probe is a shell without TLS, an accepted TCP connection counts as ready then.
     */
    private void awaitGreeting() throws IOException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        IOException last = null;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new StartFailure(kind + " exited with " + process.exitValue() + " while starting on port "
                                       + port + ":\n" + log());
            }
            if (namespace != null) {
                // this JVM cannot open a socket in another namespace: a shell in there does it
                try {
                    String line = greetingInNamespace();
                    if (isImplicitTls() || line.startsWith("220 ")) {
                        return;
                    }
                    if (line.length() > 3 && line.charAt(3) == ' ') {
                        throw new IOException(kind + " greeted with \"" + line + "\" instead of 220:\n" + log());
                    }
                    last = new IOException(kind + " gave no greeting" + (line.isEmpty() ? "" : ": " + line));
                } catch (ProbeFailed e) {
                    last = e;
                }
                sleep(50);
                continue;
            }
            try (Socket plain = new Socket()) {
                plain.connect(new InetSocketAddress(host, port), 1_000);
                plain.setSoTimeout(5_000);
                Socket s = plain;
                if (isImplicitTls()) {
                    SSLSocket tls = (SSLSocket) TestCertificate.get().sslContext().getSocketFactory()
                            .createSocket(plain, host, port, true);
                    tls.startHandshake();
                    s = tls;
                }
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(),
                        StandardCharsets.ISO_8859_1));
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.startsWith("220 ")) {
                        OutputStream out = s.getOutputStream();
                        out.write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                        in.readLine();
                        return;
                    }
                    if (line.length() > 3 && line.charAt(3) == ' ') {
                        throw new IOException(kind + " greeted with \"" + line + "\" instead of 220:\n" + log());
                    }
                }
                last = new IOException(kind + " closed the connection without a greeting");
            } catch (IOException e) {
                last = e;
            }
            sleep(50);
        }
        throw new IOException(kind + " did not greet on " + address() + " within " + START_TIMEOUT + ":\n" + log(),
                last);
    }

    /** A connect that did not work yet (the server is still starting). */
    private static final class ProbeFailed extends IOException {
        private static final long serialVersionUID = 1L;

        ProbeFailed(String message) {
            super(message);
        }
    }

    /**
     * Connects to the server from inside its namespace with bash's /dev/tcp, reads the first reply line (skipping
     * the continuation lines of a multi-line greeting) and sends QUIT.
     */
    private String greetingInNamespace() throws IOException {
        String script = "exec 3<>/dev/tcp/" + host + "/" + port + " || exit 7\n"
                        + (isImplicitTls() ? "exec 3<&-; exit 0\n" : "") // no TLS in a shell: connected is all
                        + "while IFS= read -r -t 5 line <&3; do\n"
                        + "  line=${line%$'\\r'}\n"
                        + "  case \"$line\" in [0-9][0-9][0-9]' '*) printf '%s\\n' \"$line\"; break;; esac\n"
                        + "done\n"
                        + "printf 'QUIT\\r\\n' >&3; read -r -t 2 bye <&3; exec 3<&-\n";
        ProcessBuilder pb = new ProcessBuilder(ipCommand(), "netns", "exec", namespace, "bash", "-c", script)
                .redirectErrorStream(true);
        pb.environment().put("LC_ALL", "C");
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new ProbeFailed("greeting probe in " + namespace + " did not finish");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted while waiting for " + kind, e);
        }
        if (p.exitValue() != 0) {
            throw new ProbeFailed("cannot connect to " + address() + " in " + namespace + ": " + out);
        }
        return out;
    }

    /** The iproute2 binary, for {@code ip netns exec}. */
    private static String ipCommand() {
        for (String candidate : List.of("/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip")) {
            if (Files.isExecutable(Path.of(candidate))) {
                return candidate;
            }
        }
        return "ip";
    }

    private void closeAfterFailedStart() {
        closed = true;
        stop(process);
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // shutting down
        }
    }

    /** SIGTERM to the server and its sessions (collected first: they are re-parented once it is gone), then KILL. */
    private static void stop(Process process) {
        List<ProcessHandle> all = new ArrayList<>();
        all.add(process.toHandle());
        process.descendants().forEach(all::add);
        all.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        for (ProcessHandle p : all) {
            long left = deadline - System.nanoTime();
            try {
                p.onExit().get(Math.max(1, left), TimeUnit.NANOSECONDS);
            } catch (Exception e) {
                p.destroyForcibly();
            }
        }
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Runs a helper command to completion; its output goes into the exception when it fails. */
    private static String run(List<String> command, String what) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("LC_ALL", "C");
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(what + " did not finish within 60 s: " + command);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted while running " + what, e);
        }
        if (p.exitValue() != 0) {
            throw new IOException(what + " failed with exit code " + p.exitValue() + ": " + command + "\n" + out);
        }
        return out;
    }

    private static String runWithInput(List<String> command, String input, String what) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("LC_ALL", "C");
        Process p = pb.start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(input.getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IOException(what + " failed: " + command + "\n" + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + what, e);
        }
        return out;
    }

    // ---------------------------------------------------------------------------------------------------------
    // availability and the system user

    private static String checkAvailable(Kind kind) {
        String fix = "; run .ci/fetch-ftp-servers.sh (as root)";
        Path binary = kind.binary();
        if (!Files.isExecutable(binary)) {
            return kind + " not found at " + binary + fix;
        }
        if (!isRoot()) {
            return kind + " tests need root (the servers switch to the FTP user's uid after login)";
        }
        for (String tool : List.of("/usr/sbin/useradd", "/usr/sbin/chpasswd")) {
            if (!Files.isExecutable(Path.of(tool))) {
                return tool + " is missing (package passwd)";
            }
        }
        List<String> probe = switch (kind) {
            // vsftpd -v prints its version to fd 0 (sic) and exits 0
            case VSFTPD -> List.of(binary.toString(), "-v");
            case PROFTPD -> List.of(binary.toString(), "--version");
            case PUREFTPD -> List.of(serversDirectory().resolve("pure-ftpd/usr/bin/pure-pw").toString(), "--help");
        };
        try {
            String out = run(List.of("ldd", binary.toString()), "ldd");
            if (out.contains("not found")) {
                return binary + " misses libraries:\n" + out + fix;
            }
            if (kind == Kind.PUREFTPD) {
                // pure-pw prints its usage and exits 1 on --help; only check that it starts
                Process p = new ProcessBuilder(probe).redirectErrorStream(true).start();
                p.getOutputStream().close();
                p.getInputStream().readAllBytes();
                if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() > 1) {
                    return probe.get(0) + " does not run (exit " + p.exitValue() + ")" + fix;
                }
            } else {
                run(probe, kind + " version check");
            }
        } catch (IOException e) {
            return kind + " does not run: " + e.getMessage() + fix;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
        return "";
    }

    private static boolean isRoot() {
        try {
            // /proc/self belongs to the uid the process runs as
            return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    /** Creates the system user if needed and sets its password (both once per JVM). */
    private static Account account() {
        Account a = account;
        if (a != null) {
            return a;
        }
        synchronized (RealFtpServer.class) {
            if (account == null) {
                try {
                    account = createAccount();
                } catch (IOException e) {
                    throw new UncheckedIOException("could not set up the system user " + SYSTEM_USER, e);
                }
            }
            return account;
        }
    }

    private static Account createAccount() throws IOException {
        if (passwdEntry().isEmpty()) {
            try {
                run(List.of("/usr/sbin/useradd", "--system", "--user-group", "--no-create-home", "--home-dir", "/",
                        "--shell", "/usr/sbin/nologin", "--comment", "autoftp test FTP user", SYSTEM_USER), "useradd");
            } catch (IOException e) {
                if (passwdEntry().isEmpty()) { // not created meanwhile by a test JVM running beside this one
                    throw e;
                }
            }
        }
        String[] entry = passwdEntry().orElseThrow(() -> new IOException("no passwd entry for " + SYSTEM_USER))
                .split(":", -1);
        if (!Files.isDirectory(Path.of(entry[5]))) {
            // vsftpd changes to the home from /etc/passwd before local_root: it must exist
            retry(() -> run(List.of("/usr/sbin/usermod", "--home", "/", SYSTEM_USER), "usermod"));
        }
        if (!PASSWORD_HASH.equals(shadowHash().orElse(""))) {
            retry(() -> runWithInput(List.of("/usr/sbin/chpasswd", "-e"), SYSTEM_USER + ":" + PASSWORD_HASH + "\n",
                    "chpasswd"));
        }
        UserPrincipalLookupService lookup = FileSystems.getDefault().getUserPrincipalLookupService();
        return new Account(Integer.parseInt(entry[2]), Integer.parseInt(entry[3]),
                lookup.lookupPrincipalByName(SYSTEM_USER), lookup.lookupPrincipalByGroupName(groupName(entry[3])));
    }

    private static String groupName(String gid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/etc/group"))) {
            String[] f = line.split(":", -1);
            if (f.length > 2 && f[2].equals(gid)) {
                return f[0];
            }
        }
        return gid;
    }

    private static Optional<String> passwdEntry() throws IOException {
        return Files.readAllLines(Path.of("/etc/passwd")).stream().filter(l -> l.startsWith(SYSTEM_USER + ":"))
                .findFirst();
    }

    private static Optional<String> shadowHash() throws IOException {
        return Files.readAllLines(Path.of("/etc/shadow")).stream().filter(l -> l.startsWith(SYSTEM_USER + ":"))
                .map(l -> l.split(":", -1)[1]).findFirst();
    }

    @FunctionalInterface
    private interface IoAction {
        Object run() throws IOException;
    }

    /** The shadow tools fail when another process holds /etc/shadow's lock: try again a few times. */
    private static void retry(IoAction action) throws IOException {
        for (int attempt = 1;; attempt++) {
            try {
                action.run();
                return;
            } catch (IOException e) {
                if (attempt == 5) {
                    throw e;
                }
                sleep(200L * attempt);
            }
        }
    }

    private static void giveTo(Path path, Account user) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class,
                LinkOption.NOFOLLOW_LINKS);
        view.setOwner(user.user());
        view.setGroup(user.group());
        if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // helpers

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")\n";
        }
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete " + root, e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** The process died while starting: worth another try on another port (it may have been taken meanwhile). */
    private static final class StartFailure extends IOException {
        private static final long serialVersionUID = 1L;

        StartFailure(String message) {
            super(message);
        }
    }

    /** Fluent configuration; {@link #start()} writes the configuration and starts the server. */
    public static final class Builder {
        private Kind kind;
        private boolean refusePassive;
        private boolean refuseActive;
        private int passiveMinPort;
        private int passiveMaxPort;
        private String pasvAddress;
        private String bindAddress = DEFAULT_HOST;
        private String namespace;
        private Boolean implicitTls;
        private boolean sessionReuseNotRequired;
        private boolean allowForeignAddresses;
        private long maxRate;

        private Builder() {
        }

        /**
         * Server-to-server (FXP) transfers allowed: PORT may name another host than the client's, and passive data
         * connections may come from one (vsftpd {@code port_promiscuous} and {@code pasv_promiscuous}, proftpd
         * {@code AllowForeignAddress on}, pure-ftpd {@code --allowuserfxp}). All three refuse both by default.
         */
        public Builder allowForeignAddresses() {
            this.allowForeignAddresses = true;
            return this;
        }

        /**
         * Limits each transfer to about {@code bytesPerSecond} (vsftpd {@code local_max_rate}, proftpd
         * {@code TransferRate} and pure-ftpd {@code --userbandwidth}, the last two in KiB/s), e.g. to cut a transfer
         * in the middle.
         */
        public Builder maxRate(long bytesPerSecond) {
            if (bytesPerSecond < 1024) {
                throw new IllegalArgumentException("maxRate must be at least 1024 bytes per second: " + bytesPerSecond);
            }
            this.maxRate = bytesPerSecond;
            return this;
        }

        /**
         * FTPS with the {@link TestCertificate} and otherwise the server's own TLS defaults (see the class comment):
         * explicit (AUTH TLS on {@link RealFtpServer#port()}) when {@code implicit} is false, implicit (TLS from the
         * first byte on that port) when true. vsftpd and proftpd do both; pure-ftpd explicit only.
         *
         * @throws UnsupportedOperationException for implicit FTPS with pure-ftpd (here or in {@link #kind})
         */
        public Builder tls(boolean implicit) {
            this.implicitTls = implicit;
            checkSupported();
            return this;
        }

        /**
         * With {@link #tls}: TLS data connections need not resume the control connection's TLS session (vsftpd
         * {@code require_ssl_reuse=NO}, proftpd {@code TLSOptions NoSessionReuseRequired}; pure-ftpd never requires
         * it). Without it, vsftpd and proftpd require it, as they do by default.
         */
        public Builder sessionReuseNotRequired() {
            this.sessionReuseNotRequired = true;
            return this;
        }

        /**
         * The address to listen on instead of 127.0.0.1 (vsftpd {@code listen_address}, proftpd
         * {@code DefaultAddress} with {@code SocketBindTight}, pure-ftpd {@code --bind}). Only 127.0.0.x or 10.200.x.x
         * are accepted: the latter exist only inside the network namespaces of {@code NetworkLab}.
         */
        public Builder bindAddress(String address) {
            if (address == null || !ALLOWED_BIND_ADDRESS.matcher(address).matches()) {
                throw new IllegalArgumentException("bindAddress must be an IPv4 address in 127.0.0.x or 10.200.x.x, not "
                                                   + address);
            }
            this.bindAddress = address;
            return this;
        }

        /**
         * Runs the server inside this network namespace ({@code ip netns exec}), e.g. {@code NetworkLab}'s server
         * namespace; combine with {@link #bindAddress} naming an address of that namespace. The start-up check then
         * connects from inside the namespace too (the test JVM cannot reach into it). Files stay shared: {@link #home()}
         * and the logs are read and written from the test as usual.
         */
        public Builder inNamespace(String namespace) {
            if (namespace == null || !NAMESPACE_NAME.matcher(namespace).matches()) {
                throw new IllegalArgumentException("not a network namespace name: " + namespace);
            }
            this.namespace = namespace;
            return this;
        }

        /** Which server; required. */
        public Builder kind(Kind kind) {
            this.kind = Objects.requireNonNull(kind);
            checkSupported();
            return this;
        }

        /** EPSV and PASV are refused (vsftpd {@code pasv_enable=NO}, proftpd {@code <Limit>}, pure-ftpd {@code -N}). */
        public Builder refusePassive() {
            this.refusePassive = true;
            return this;
        }

        /**
         * EPRT and PORT are refused (vsftpd {@code port_enable=NO}, proftpd {@code <Limit>}).
         *
         * @throws UnsupportedOperationException for pure-ftpd (here or in {@link #kind}/{@link #start}), which has no
         *         such switch: block its active connections with a firewall instead
         */
        public Builder refuseActive() {
            this.refuseActive = true;
            checkSupported();
            return this;
        }

        /** The ports the server listens on for passive data connections. Default: any the OS gives. */
        public Builder passivePorts(int min, int max) {
            if (min < 1024 || max > 65535 || min > max) {
                throw new IllegalArgumentException("passive ports must be 1024 <= min <= max <= 65535: " + min + "-"
                                                   + max);
            }
            this.passiveMinPort = min;
            this.passiveMaxPort = max;
            return this;
        }

        /**
         * The address the server names in its 227 (PASV) replies instead of its own: vsftpd {@code pasv_address},
         * proftpd {@code MasqueradeAddress}, pure-ftpd {@code -P}. Only 127.0.0.x or 10.200.x.x are accepted; a
         * test must never connect to a fake one.
         */
        public Builder pasvAddress(String address) {
            if (address == null || !ALLOWED_PASV_ADDRESS.matcher(address).matches()) {
                throw new IllegalArgumentException("pasvAddress must be an IPv4 address in 127.0.0.x or 10.200.x.x, not "
                                                   + address);
            }
            this.pasvAddress = address;
            return this;
        }

        /** Writes the configuration, starts the server and waits for its greeting. */
        public RealFtpServer start() {
            if (kind == null) {
                throw new IllegalStateException("kind(...) is required");
            }
            checkSupported();
            if (sessionReuseNotRequired && implicitTls == null) {
                throw new IllegalStateException("sessionReuseNotRequired() needs tls(...)");
            }
            String why = implicitTls == null ? unavailableReason(kind) : tlsUnavailableReason(kind);
            if (why != null) {
                throw new IllegalStateException(why);
            }
            IOException last = null;
            for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
                Path base = null;
                try {
                    base = Files.createTempDirectory("autoftp-" + kind.directoryName() + "-");
                    // the server's helpers (proftpd's scoreboard check, vsftpd's chroot) want root-owned 0755 dirs
                    Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
                    // outside the passive range: a control port in it falls under the firewall rules meant for data
                    // connections (a "Connect timed out" cell)
                    return new RealFtpServer(this, base,
                            FreePorts.freeOutside(InetAddress.getLoopbackAddress(), passiveMinPort, passiveMaxPort));
                } catch (StartFailure e) {
                    last = e; // e.g. the port was taken between picking and binding it
                    if (base != null) {
                        deleteTree(base);
                    }
                } catch (IOException e) {
                    if (base != null) {
                        deleteTree(base);
                    }
                    throw new UncheckedIOException("could not start " + kind, e);
                }
            }
            throw new UncheckedIOException("could not start " + kind + " in " + START_ATTEMPTS + " attempts", last);
        }

        private void checkSupported() {
            if (kind == Kind.PUREFTPD && Boolean.TRUE.equals(implicitTls)) {
                throw new UnsupportedOperationException("pure-ftpd cannot do implicit FTPS: Debian's build lacks"
                                                        + " --with-implicittls (it greets in clear text and offers"
                                                        + " AUTH TLS); use tls(false)");
            }
            if (kind == Kind.PUREFTPD && refuseActive) {
                throw new UnsupportedOperationException("pure-ftpd cannot refuse active mode: it has -N (NAT mode) to"
                                                        + " refuse passive, but no switch that refuses PORT/EPRT; block"
                                                        + " its connections back to the client with a firewall instead");
            }
        }
    }
}
