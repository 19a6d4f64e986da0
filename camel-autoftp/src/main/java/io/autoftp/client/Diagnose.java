package io.autoftp.client;

import java.io.Console;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;

import org.apache.commons.net.ftp.FTPClient;
import org.apache.commons.net.util.TrustManagerUtils;

/**
 * The data channel diagnosis as a one-shot command, to run against one's own server from the service's jars (it needs
 * commons-net and this jar only):
 *
 * <pre>
 * AUTOFTP_PASSWORD=... java -cp "target/quarkus-app/lib/main/*" io.autoftp.client.Diagnose ftp://user@host:21
 * </pre>
 *
 * It logs in once per mode (EPSV, PASV, EPRT, PORT), lists the login directory and prints what works and the likely
 * cause of what does not. With {@code --to=ftp://user@other:21} it answers instead whether the two servers can move
 * files between them ({@code serverToServer}), in which direction, and why not (the second password from
 * {@code AUTOFTP_TO_PASSWORD}, else a prompt). The password comes from {@code AUTOFTP_PASSWORD}, else from a prompt; never from the command
 * line. Exit status: 0 when at least one mode works, 1 when none does, 2 when the server cannot be reached or refuses
 * the login, 64 for a usage error.
 *
 * <p>
 * {@link #diagnosis} makes the same probe for other callers (the Quarkus readiness check).
 */
public final class Diagnose {

    public static final int OK = 0;
    public static final int NO_MODE_WORKS = 1;
    public static final int UNREACHABLE_OR_LOGIN_FAILED = 2;
    public static final int USAGE = 64;

    static final String PASSWORD_VARIABLE = "AUTOFTP_PASSWORD";
    static final String TO_PASSWORD_VARIABLE = "AUTOFTP_TO_PASSWORD";
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private static final String USAGE_TEXT = """
            Usage: java -cp "target/quarkus-app/lib/main/*" io.autoftp.client.Diagnose [options] URL

              URL   ftp://user@host[:port]     plain FTP (port 21 by default)
                    ftps://user@host[:port]    explicit FTPS (AUTH TLS; port 21 by default)
                    ftps://user@host[:port] --implicit   implicit FTPS (port 990 by default)
                    Without a user, logs in as anonymous.

            The password is read from the environment variable AUTOFTP_PASSWORD, else asked for.

            Options:
              --implicit                     implicit TLS (ftps only)
              --data-connect-timeout=5s      how long each passive connect / active accept may take
              --timeout=10s                  connect and reply timeout of the control connection
              --pasv-address-policy=P        control-host (default), reply or reply-if-routable
              --active-port-range=MIN-MAX    local ports to listen on in active mode
              --active-external-address=A    the address to announce in PORT/EPRT (client behind NAT)
              --to=ftp://user@host[:port]    instead: can URL (the source) and this server (the target) move files
                                             between them (serverToServer)? In which direction, and why not? Each
                                             server lists its login directory to the other; nothing is written. The
                                             second password from AUTOFTP_TO_PASSWORD, else asked for.

            For an FTPS server whose certificate is not signed by a CA the JVM trusts, give a trust store:
              java -Djavax.net.ssl.trustStore=trust.p12 -Djavax.net.ssl.trustStorePassword=... -cp ... Diagnose ftps://...

            Exit status: 0 some mode works, 1 no mode works, 2 unreachable or login refused, 64 usage error.
            """;

    private Diagnose() {
    }

    public static void main(String[] args) {
        Console console = System.console();
        Function<String, char[]> prompt = console == null ? text -> null : text -> console.readPassword("%s", text);
        System.exit(run(args, System.getenv(), prompt, System.out, System.err));
    }

    /**
     * The command without {@code System.exit}: parses {@code args}, probes, prints the report to {@code out}.
     *
     * @param prompt asks for the password when the environment has none; returns null when it cannot ask
     * @return the exit status
     */
    public static int run(String[] args, Map<String, String> environment, Function<String, char[]> prompt,
            PrintStream out, PrintStream err) {
        Command command;
        try {
            command = Command.parse(args);
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            err.println();
            err.print(USAGE_TEXT);
            return USAGE;
        }
        if (command == null) {
            out.print(USAGE_TEXT);
            return OK;
        }
        String password = environment.get(PASSWORD_VARIABLE);
        if (password == null && command.username != null) {
            char[] typed = prompt.apply("Password for " + command.username + "@" + command.host + ": ");
            if (typed == null) {
                err.println("No password: set " + PASSWORD_VARIABLE + " (there is no console to ask on)");
                return USAGE;
            }
            password = new String(typed);
        }
        String username = command.username == null ? "anonymous" : command.username;
        if (password == null) {
            password = "anonymous@";
        }
        if (command.to != null) {
            return serverToServer(command, username, password, environment, prompt, out, err);
        }
        DataChannelDiagnosis diagnosis = diagnosis(command.settings, command.timeout,
                command.tls ? new Tls(command.implicit, "TLS", null) : null);
        out.println("Probing " + (command.tls ? (command.implicit ? "implicit FTPS" : "explicit FTPS") : "FTP") + " server "
                    + ServerKey.of(command.host, command.port) + " as " + username + " (each mode on a connection of its own)...");
        DataChannelDiagnosis.Report report;
        try {
            report = diagnosis.probe(command.host, command.port, username, password);
        } catch (IOException e) {
            out.println(describeProbeFailure(e));
            return UNREACHABLE_OR_LOGIN_FAILED;
        }
        out.println(report.toText());
        out.println(report.recommendedMode()
                .map(mode -> "Recommended: dataChannel=auto finds " + mode.describe() + " by itself; to pin it, "
                             + "dataChannel=" + mode.name())
                .orElse("No data channel mode works."));
        return report.anyModeWorks() ? OK : NO_MODE_WORKS;
    }

    /** {@code --to}: the server-to-server probe of the pair (the URL's server as the source). */
    private static int serverToServer(Command command, String username, String password,
            Map<String, String> environment, Function<String, char[]> prompt, PrintStream out, PrintStream err) {
        Command to = command.to;
        String source = ServerKey.of(command.host, command.port);
        String target = ServerKey.of(to.host, to.port);
        if (command.tls || to.tls) {
            out.println(source + " → " + target + ": --to probes plain FTP pairs only; between two FTPS servers"
                        + " serverToServer=auto tries SSCN and relays when the servers cannot (see the log line for"
                        + " the pair).");
            return USAGE;
        }
        String toPassword = environment.get(TO_PASSWORD_VARIABLE);
        if (toPassword == null && to.username != null) {
            char[] typed = prompt.apply("Password for " + to.username + "@" + to.host + ": ");
            if (typed == null) {
                err.println("No password for " + target + ": set " + TO_PASSWORD_VARIABLE
                            + " (there is no console to ask on)");
                return USAGE;
            }
            toPassword = new String(typed);
        }
        ModeAwareFtpClient sourceClient = probeClient(command);
        ModeAwareFtpClient targetClient = probeClient(to);
        try {
            out.println("Probing server-to-server transfers from " + source + " to " + target
                        + " (each server lists its login directory to the other; nothing is written)...");
            DataChannelDiagnosis.login(sourceClient, command.host, command.port, username, password);
            DataChannelDiagnosis.login(targetClient, to.host, to.port, to.username == null ? "anonymous" : to.username,
                    toPassword == null ? "anonymous@" : toPassword);
            ServerToServer.PairProbe probe = ServerToServer.probe(sourceClient, targetClient,
                    command.settings.connectTimeout());
            probe.attempts().forEach(line -> out.println("  " + line));
            out.println(probe.works().isEmpty()
                    ? "No server-to-server transfer between these servers: serverToServer=auto relays each file through"
                      + " the service (streaming); serverToServer=always would fail."
                    : "serverToServer=auto moves files " + probe.works().get(0).describe(source, target) + ".");
            return probe.works().isEmpty() ? NO_MODE_WORKS : OK;
        } catch (IOException e) {
            out.println(describeProbeFailure(e));
            return UNREACHABLE_OR_LOGIN_FAILED;
        } finally {
            ClientSupport.dropQuietly(sourceClient);
            ClientSupport.dropQuietly(targetClient);
        }
    }

    private static ModeAwareFtpClient probeClient(Command command) {
        ModeAwareFtpClient client = new ModeAwareFtpClient(command.settings, new ModeMemory());
        int millis = (int) Math.min(Integer.MAX_VALUE, command.timeout.toMillis());
        client.setConnectTimeout(millis);
        client.setDefaultTimeout(millis);
        return client;
    }

    /** Why a probe could not even start, in words: the server is unreachable, or it refused the login. */
    public static String describeProbeFailure(IOException e) {
        if (e instanceof ConnectException || e instanceof NoRouteToHostException || e instanceof UnknownHostException
            || e instanceof SocketTimeoutException) {
            return "Unreachable: " + e.getClass().getSimpleName() + ": " + e.getMessage();
        }
        if (e instanceof DataChannelException) {
            return "No data channel mode works: " + e.getMessage();
        }
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return message.startsWith("Login to ") ? "Login failed: " + message : "Cannot probe: " + message;
    }

    /**
     * TLS for a probe.
     *
     * @param implicit TLS from the first byte instead of AUTH TLS
     * @param protocol the SSLContext protocol, e.g. {@code TLS} or {@code TLSv1.3}
     * @param trust    whom to trust; null for the JVM's trusted CAs, with a check that the certificate names the host
     */
    public record Tls(boolean implicit, String protocol, TrustManager trust) {
    }

    /**
     * A diagnosis whose clients have bounded timeouts and, with {@code tls}, speak FTPS as {@code autoftps} does by
     * default (PBSZ 0 and PROT P after the login, so data connections are TLS too).
     *
     * @param controlTimeout connect timeout and reply timeout of the control connection
     */
    public static DataChannelDiagnosis diagnosis(DataChannelSettings settings, Duration controlTimeout, Tls tls) {
        Objects.requireNonNull(controlTimeout, "controlTimeout");
        return new DataChannelDiagnosis(modeSettings -> {
            FTPClient client = tls == null ? new ModeAwareFtpClient(modeSettings, new ModeMemory())
                    : tlsClient(modeSettings, tls);
            int millis = (int) Math.min(Integer.MAX_VALUE, controlTimeout.toMillis());
            client.setConnectTimeout(millis);
            client.setDefaultTimeout(millis);
            client.setDataTimeout(controlTimeout);
            return client;
        }, settings);
    }

    private static FTPClient tlsClient(DataChannelSettings settings, Tls tls) {
        ResumingTlsContext.Factory contexts = () -> ModeAwareFtpsClient.sslContext(tls.protocol(), null,
                tls.trust() != null ? tls.trust() : TrustManagerUtils.getDefaultTrustManager(null));
        SSLContext context;
        try {
            context = contexts.create();
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("No TLS context for " + tls.protocol() + ": " + e.getMessage(), e);
        }
        ModeAwareFtpsClient client = new ModeAwareFtpsClient(tls.implicit(), context, contexts, settings,
                new ModeMemory()) {
            @Override
            public boolean login(String username, String password) throws IOException {
                if (!super.login(username, password)) {
                    return false;
                }
                execPBSZ(0);
                execPROT("P");
                return true;
            }
        };
        // the JVM's trusted CAs: and the certificate must name the host, as for HTTPS
        client.setEndpointCheckingEnabled(tls.trust() == null);
        return client;
    }

    /** The parsed command line. */
    private static final class Command {
        String host;
        int port;
        String username;
        boolean tls;
        boolean implicit;
        Duration timeout = DEFAULT_TIMEOUT;
        Duration dataConnectTimeout = DataChannelSettings.DEFAULT_CONNECT_TIMEOUT;
        String pasvAddressPolicy = PasvAddressPolicy.CONTROL_HOST.configValue();
        String activePortRange;
        String activeExternalAddress;
        DataChannelSettings settings;
        /** {@code --to}: the target of a server-to-server probe, or null. */
        Command to;

        /** @return null for --help */
        static Command parse(String[] args) {
            Command command = new Command();
            String url = null;
            for (String arg : args) {
                if (arg.equals("--help") || arg.equals("-h")) {
                    return null;
                } else if (arg.equals("--implicit")) {
                    command.implicit = true;
                } else if (arg.startsWith("--")) {
                    command.option(arg);
                } else if (url == null) {
                    url = arg;
                } else {
                    throw new IllegalArgumentException("Only one URL, please: " + url + " and " + arg);
                }
            }
            if (url == null) {
                throw new IllegalArgumentException("Which server? Give its URL, e.g. ftp://user@ftp.example.com:21");
            }
            command.url(url);
            command.settings = command.dataChannelSettings();
            if (command.to != null) {
                command.to.timeout = command.timeout;
                command.to.settings = command.settings;
            }
            return command;
        }

        private void url(String text) {
            URI uri;
            try {
                uri = new URI(text);
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("Not a URL: " + text + " (" + e.getReason() + ")");
            }
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("ftp") && !scheme.equals("ftps")) {
                throw new IllegalArgumentException("The URL must start with ftp:// or ftps://, not: " + text);
            }
            tls = scheme.equals("ftps");
            if (implicit && !tls) {
                throw new IllegalArgumentException("--implicit is for ftps:// URLs only");
            }
            host = uri.getHost();
            if (host == null || host.isBlank()) {
                throw new IllegalArgumentException("No host in " + text);
            }
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            port = uri.getPort() > 0 ? uri.getPort() : (implicit ? 990 : 21);
            String userInfo = uri.getRawUserInfo();
            if (userInfo != null) {
                if (userInfo.contains(":")) {
                    throw new IllegalArgumentException("Keep the password out of the URL (it ends up in the shell's"
                                                       + " history): set " + PASSWORD_VARIABLE + " or type it when asked");
                }
                username = URLDecoder.decode(userInfo, StandardCharsets.UTF_8);
            }
        }

        private void option(String arg) {
            int equals = arg.indexOf('=');
            if (equals < 0) {
                throw new IllegalArgumentException("Unknown option " + arg + " (options take a value: --name=value)");
            }
            String name = arg.substring(2, equals);
            String value = arg.substring(equals + 1).trim();
            switch (name) {
                case "timeout" -> timeout = duration(value, arg);
                case "data-connect-timeout" -> dataConnectTimeout = duration(value, arg);
                case "pasv-address-policy" -> pasvAddressPolicy = value;
                case "active-port-range" -> activePortRange = value;
                case "active-external-address" -> activeExternalAddress = value;
                case "to" -> {
                    to = new Command();
                    to.url(value);
                }
                default -> throw new IllegalArgumentException("Unknown option " + arg);
            }
        }

        /** The data channel options, checked as the endpoints' are, named as on this command line. */
        private DataChannelSettings dataChannelSettings() {
            return DataChannelSettings.of("auto", dataConnectTimeout, pasvAddressPolicy, activePortRange,
                    activeExternalAddress, DataChannelSettings.DEFAULT_MEMORY_TTL,
                    option -> "--" + DataChannelSettings.kebabCase(option));
        }

        /** 5s, 500ms, 2m, or plain milliseconds. */
        private static Duration duration(String value, String arg) {
            try {
                String v = value.toLowerCase(Locale.ROOT);
                Duration d;
                if (v.endsWith("ms")) {
                    d = Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
                } else if (v.endsWith("s")) {
                    d = Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)));
                } else if (v.endsWith("m")) {
                    d = Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1)));
                } else {
                    d = Duration.ofMillis(Long.parseLong(v));
                }
                if (d.isZero() || d.isNegative()) {
                    throw new IllegalArgumentException(arg + ": must be positive");
                }
                return d;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(arg + ": not a duration (e.g. 5s, 500ms, 2m)");
            }
        }
    }
}
