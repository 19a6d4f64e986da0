package io.autoftp.client;

import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.autoftp.client.DataChannelException.FailureKind;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;
import org.apache.commons.net.ftp.FTPReply;

/**
 * Probes one server in every data channel mode, each on a connection of its own, and says in words what works and
 * the likely reason for what doesn't (a firewall in front of the client, a closed passive port range, a server behind
 * NAT advertising a private address). For health details, logs and troubleshooting.
 */
public final class DataChannelDiagnosis {

    /** How one mode fared: empty failure means it worked. */
    public record ModeResult(DataChannelMode mode, Optional<FailureKind> failureKind, String detail) {
        public boolean works() {
            return failureKind.isEmpty();
        }

        @Override
        public String toString() {
            return mode + ": " + (works() ? "works" : detail);
        }
    }

    /** The outcome of a probe. */
    public record Report(String server, List<ModeResult> results, List<String> findings) {

        /** The first working mode in the default order, if any. */
        public Optional<DataChannelMode> recommendedMode() {
            return results.stream().filter(ModeResult::works).map(ModeResult::mode).findFirst();
        }

        public boolean anyModeWorks() {
            return recommendedMode().isPresent();
        }

        /** A few lines for a person: each mode, then the findings. */
        public String toText() {
            return "Data channel diagnosis for " + server + ":\n"
                   + results.stream().map(r -> "  " + r).collect(Collectors.joining("\n")) + "\n"
                   + findings.stream().map(f -> "- " + f).collect(Collectors.joining("\n"));
        }
    }

    /** Makes an unconnected client for the given settings (plain or TLS, configured like the endpoint's). */
    private final Function<DataChannelSettings, FTPClient> clients;
    private final DataChannelSettings base;

    public DataChannelDiagnosis(Function<DataChannelSettings, FTPClient> clients, DataChannelSettings base) {
        this.clients = clients;
        this.base = base;
    }

    /** A diagnosis with plain FTP clients. */
    public static DataChannelDiagnosis plain(DataChannelSettings base) {
        return new DataChannelDiagnosis(settings -> new ModeAwareFtpClient(settings, new ModeMemory()), base);
    }

    /**
     * Logs in once per mode and lists the login directory. Whatever goes wrong in one mode is that mode's result; the
     * next mode is probed all the same, on a connection of its own.
     *
     * @throws IOException when the server cannot be reached or refuses the first login: not a data channel problem
     */
    public Report probe(String host, int port, String username, String password) throws IOException {
        String server = ServerKey.of(host, port);
        Map<DataChannelMode, ModeResult> results = new EnumMap<>(DataChannelMode.class);
        InetAddress[] addresses = new InetAddress[2]; // control host, PASV reply address
        for (DataChannelMode mode : DataChannelMode.values()) {
            FTPClient client = null;
            try {
                client = clients.apply(base.withPolicy(DataChannelPolicy.parse(mode.name(), "dataChannel")));
                login(client, host, port, username, password);
            } catch (IOException | RuntimeException e) {
                disconnectQuietly(client);
                if (results.isEmpty()) {
                    throw e;
                }
                results.put(mode, failed(mode, e));
                continue;
            }
            try {
                if (mode == DataChannelMode.PASV) {
                    addresses[0] = client.getRemoteAddress();
                    addresses[1] = pasvReplyAddress(client);
                }
                client.listNames();
                results.put(mode, new ModeResult(mode, Optional.empty(), "works"));
            } catch (IOException | RuntimeException e) {
                results.put(mode, failed(mode, e));
            } finally {
                disconnectQuietly(client);
            }
        }
        List<ModeResult> ordered = new ArrayList<>(results.values());
        return new Report(server, ordered, findings(server, results, addresses[0], addresses[1]));
    }

    /** How one mode failed: the negotiator's own words for a data channel failure, else the error itself. */
    private static ModeResult failed(DataChannelMode mode, Exception e) {
        if (e instanceof DataChannelException d) {
            if (d.getAttempts().isEmpty()) {
                return new ModeResult(mode, Optional.of(FailureKind.LOCAL), "not used over IPv6");
            }
            DataChannelException.Attempt attempt = d.getAttempts().get(0);
            return new ModeResult(mode, Optional.of(attempt.kind()), attempt.failure());
        }
        String message = e.getMessage() == null ? "" : ": " + e.getMessage().trim().replaceAll("\\s*\\R\\s*", " ");
        return new ModeResult(mode, Optional.of(FailureKind.ERROR),
                DataAddressCodec.bounded(e.getClass().getSimpleName() + message));
    }

    static void login(FTPClient client, String host, int port, String username, String password)
            throws IOException {
        client.connect(host, port);
        if (!FTPReply.isPositiveCompletion(client.getReplyCode())) {
            throw new IOException("Server " + host + ":" + port + " refused the connection: "
                                  + DataAddressCodec.bounded(client.getReplyString().trim()));
        }
        if (!client.login(username, password)) {
            throw new IOException("Login to " + host + ":" + port + " as " + username + " failed: "
                                  + DataAddressCodec.bounded(client.getReplyString().trim()));
        }
        client.setFileType(FTP.BINARY_FILE_TYPE);
    }

    /** The address a 227 reply names, read on a connection that is closed right after. */
    private static InetAddress pasvReplyAddress(FTPClient client) throws IOException {
        if (client.pasv() != FTPReply.ENTERING_PASSIVE_MODE) {
            return null;
        }
        try {
            return DataAddressCodec.parsePasvReply(client.getReplyString()).address();
        } catch (IOException e) {
            return null;
        }
    }

    static List<String> findings(String server, Map<DataChannelMode, ModeResult> results, InetAddress control,
            InetAddress pasvAddress) {
        List<String> findings = new ArrayList<>();
        boolean passiveWorks = works(results, DataChannelMode.EPSV) || works(results, DataChannelMode.PASV);
        boolean activeWorks = works(results, DataChannelMode.EPRT) || works(results, DataChannelMode.PORT);
        Optional<ModeResult> tlsRefused = results.values().stream()
                .filter(r -> r.detail().startsWith(DataChannelTlsException.class.getSimpleName())).findFirst();
        if (tlsRefused.isPresent() && !passiveWorks && !activeWorks) {
            findings.add("The data connections open, but the server refuses their TLS ("
                         + tlsRefused.get().detail().substring(DataChannelTlsException.class.getSimpleName().length() + 2)
                         + "). No data channel mode can help: see the FTPS notes (securityProtocol, session reuse).");
            return findings;
        }
        if (pasvAddress != null && control != null && !pasvAddress.equals(control)
            && PasvAddressPolicy.isLocalOnly(pasvAddress) && !PasvAddressPolicy.isLocalOnly(control)) {
            findings.add("The server names the private address " + pasvAddress.getHostAddress() + " in its PASV"
                         + " replies: it is behind NAT. autoftp connects to " + control.getHostAddress()
                         + " instead (pasvAddressPolicy=control-host).");
        }
        if (!works(results, DataChannelMode.EPSV) && works(results, DataChannelMode.PASV)
            && kind(results, DataChannelMode.EPSV) == FailureKind.REFUSED_BY_SERVER) {
            findings.add("The server does not support EPSV (RFC 2428); PASV works.");
        }
        if (!passiveWorks) {
            findings.add(passiveFinding(server, results, activeWorks));
        }
        if (!activeWorks) {
            findings.add(activeFinding(results, passiveWorks));
        }
        for (ModeResult result : results.values()) {
            // an error in a mode whose kind (passive, active) works otherwise: no other finding explains it
            boolean kindWorks = result.mode().isPassive() ? passiveWorks : activeWorks;
            if (kindWorks && kind(results, result.mode()) == FailureKind.ERROR) {
                findings.add(result.mode() + " fails: " + result.detail() + ".");
            }
        }
        if (passiveWorks && activeWorks && findings.isEmpty()) {
            findings.add("Every mode works.");
        }
        if (!passiveWorks && !activeWorks) {
            findings.add("No data connection can be opened to " + server + ": transfers and listings will fail.");
        }
        return findings;
    }

    private static String passiveFinding(String server, Map<DataChannelMode, ModeResult> results, boolean activeWorks) {
        String then = activeWorks ? " Active mode works and autoftp will use it." : "";
        FailureKind kind = kind(results, DataChannelMode.PASV);
        if (kind == FailureKind.CONNECT_TIMED_OUT) {
            return "Passive data connections to " + server + " time out: a firewall in front of the server probably"
                   + " drops its passive port range." + then;
        }
        if (kind == FailureKind.CONNECT_REFUSED) {
            return "Passive data connections to " + server + " are refused: the server's passive ports are closed or"
                   + " rejected by a firewall." + then;
        }
        if (kind == FailureKind.REFUSED_BY_SERVER) {
            return "The server refuses passive mode (PASV/EPSV)." + then;
        }
        return "Passive mode fails: " + results.get(DataChannelMode.PASV).detail() + "." + then;
    }

    private static String activeFinding(Map<DataChannelMode, ModeResult> results, boolean passiveWorks) {
        String then = passiveWorks ? " Passive mode works and autoftp will use it." : "";
        FailureKind kind = kind(results, DataChannelMode.PORT);
        if (kind == FailureKind.NO_CONNECT_BACK || kind == FailureKind.NO_ANSWER) {
            return "The server cannot connect back to this client (" + results.get(DataChannelMode.PORT).detail()
                   + "): a firewall or NAT in front of this client blocks inbound connections." + then;
        }
        if (kind == FailureKind.REFUSED_BY_SERVER) {
            return "The server refuses active mode (PORT/EPRT)." + then;
        }
        return "Active mode fails: " + results.get(DataChannelMode.PORT).detail() + "." + then;
    }

    private static boolean works(Map<DataChannelMode, ModeResult> results, DataChannelMode mode) {
        ModeResult result = results.get(mode);
        return result != null && result.works();
    }

    private static FailureKind kind(Map<DataChannelMode, ModeResult> results, DataChannelMode mode) {
        ModeResult result = results.get(mode);
        return result == null ? null : result.failureKind().orElse(null);
    }

    private static void disconnectQuietly(FTPClient client) {
        try {
            if (client != null && client.isConnected()) {
                client.disconnect();
            }
        } catch (IOException e) {
            // probing is over either way
        }
    }
}
