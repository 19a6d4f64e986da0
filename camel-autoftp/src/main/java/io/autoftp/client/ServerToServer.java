package io.autoftp.client;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import io.autoftp.client.ServerPairMemory.Route;
import org.apache.commons.net.MalformedServerReplyException;
import org.apache.commons.net.ftp.FTPReply;

/**
 * The one place where a file that is on another server ({@link RemoteSource}) is stored: straight from server to
 * server (RFC 959 §2.3: PASV or EPSV on one server, PORT or EPRT with that address on the other, then RETR and STOR),
 * in either direction, or relayed through this service by streaming.
 * <p>
 * Safety: only the two servers of the route take part; the address given to the active server is always the passive
 * server's own control connection address, and a PASV reply naming another host (after {@link PasvAddressPolicy}) is
 * not handed on. Between two servers with TLS data connections (PROT P on both) the connecting one is made the TLS
 * client with {@code SSCN ON} (and back with {@code SSCN OFF}); with TLS on one side only, nothing is tried: the file
 * must not cross in clear text where TLS was asked.
 * <p>
 * A direction counts as refused, and the next one (then the relay) is tried, when a server refuses PASV/EPSV or
 * PORT/EPRT, or the data connection between the servers is not made within the data connect timeout (a 425/426 reply
 * or no reply); with TLS also when a server refuses SSCN, or the TLS handshake between them fails after both answered
 * 150 and nothing was stored. Once data may have moved, a failure is the transfer's: the target's file is deleted (except for an
 * append) and the exception goes to Camel's error handling.
 */
final class ServerToServer {

    private static final System.Logger LOG = System.getLogger(ServerToServer.class.getName());

    /** Sends the passive server's transfer command, whose first reply waits for the active server's connection. */
    private static final ExecutorService PASSIVE_SIDE = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "autoftp-server-to-server");
        thread.setDaemon(true);
        return thread;
    });

    private ServerToServer() {
    }

    /** The target client's own upload of the {@link RemoteSource} as a stream: the relay. */
    @FunctionalInterface
    interface Upload {
        boolean run() throws IOException;
    }

    /** A direction that did not work before any data could move; both control connections are in step again. */
    private static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;
        /** Whether the transfer commands had been sent (the target may have created the file). */
        private final boolean commandsSent;

        Refused(String message) {
            this(message, false);
        }

        Refused(String message, boolean commandsSent) {
            super(message, null, false, false);
            this.commandsSent = commandsSent;
        }
    }

    /**
     * Stores {@code source} on {@code target} under {@code remote} with {@code command} (STOR or APPE).
     *
     * @return false when the target refused the upload (its reply is in the client), as commons-net's storeFile
     */
    static boolean store(DataChannelClient target, String command, String remote, RemoteSource source, Upload relay)
            throws IOException {
        ServerToServerPolicy policy = source.policy();
        List<String> attempts = new ArrayList<>();
        if (policy != ServerToServerPolicy.NEVER) {
            if (tryServerToServer(target, command, remote, source, attempts)) {
                return true;
            }
            if (policy == ServerToServerPolicy.ALWAYS) {
                throw new IOException("No server-to-server transfer of " + source.path() + " from " + source.server()
                                      + " to " + target.serverKey() + " (serverToServer=always): "
                                      + String.join("; ", attempts));
            }
        }
        return relay(target, command, remote, source, relay, attempts);
    }

    /**
     * Tries the two directions, the pair's remembered one first; none when the pair cannot (TLS) or, with
     * {@code auto}, is remembered as relayed.
     *
     * @param attempts gets one line per direction refused, or why none was tried
     * @return true when the file went server-to-server
     */
    private static boolean tryServerToServer(DataChannelClient target, String command, String remote,
            RemoteSource source, List<String> attempts) throws IOException {
        String from = source.server();
        String to = target.serverKey();
        ModeMemory memory = target.getNegotiator().getMemory();
        ServerPairMemory pairs = memory.serverPairs();
        Duration ttl = target.getNegotiator().getSettings().memoryTtl();
        String unfit = unfit(source.channel(), target);
        if (unfit != null) {
            attempts.add(unfit);
            return false;
        }
        Optional<Route> known = source.policy() == ServerToServerPolicy.AUTO ? pairs.recall(from, to, ttl)
                : Optional.empty();
        if (known.equals(Optional.of(Route.RELAY))) {
            return false;
        }
        List<Route> order = new ArrayList<>(List.of(Route.SOURCE_PASSIVE, Route.TARGET_PASSIVE));
        known.ifPresent(route -> {
            order.remove(route);
            order.add(0, route);
        });
        for (Route route : order) {
            try {
                long bytes = serverToServer(route, target, command, remote, source);
                pairs.remember(from, to, route, String.join("; ", attempts), ttl);
                memory.events().onServerPairTransfer(from, to, true, bytes);
                return true;
            } catch (IOException failed) {
                pairs.forget(from, to, route); // the next file tries the preferred order again
                throw failed;
            } catch (Refused refused) {
                String passive = route == Route.SOURCE_PASSIVE ? from : to;
                attempts.add(passive + " passive: " + refused.getMessage());
                usable(source.channel());
                usable(target);
                pairs.forget(from, to, route);
                LOG.log(System.Logger.Level.DEBUG, () -> ServerPairMemory.pair(from, to) + ": "
                                                         + route.describe(from, to) + " refused: "
                                                         + refused.getMessage());
            }
        }
        return false;
    }

    /** The relay: the target client's own upload, reading the source's download as it comes. */
    private static boolean relay(DataChannelClient target, String command, String remote, RemoteSource source,
            Upload upload, List<String> attempts) throws IOException {
        String from = source.server();
        String to = target.serverKey();
        ModeMemory memory = target.getNegotiator().getMemory();
        long bytes;
        try {
            if (!upload.run()) {
                if (source.relayStarted()) {
                    source.abandonRelay();
                    deleteQuietly(target, command, remote);
                }
                return false;
            }
            bytes = source.finishRelay();
        } catch (IOException | RuntimeException e) {
            memory.serverPairs().forget(from, to, Route.RELAY);
            boolean started = source.relayStarted();
            source.abandonRelay();
            if (started) {
                deleteQuietly(target, command, remote);
            }
            if (e instanceof IOException && started) {
                throw new IOException("Relay of " + source.path() + " from " + from + " to " + to + " failed: "
                                      + e.getMessage(), e);
            }
            throw e;
        }
        if (source.policy() != ServerToServerPolicy.NEVER) {
            memory.serverPairs().remember(from, to, Route.RELAY, String.join("; ", attempts),
                    target.getNegotiator().getSettings().memoryTtl());
        }
        memory.events().onServerPairTransfer(from, to, false, bytes);
        return true;
    }

    /**
     * What {@link #probe} found for a pair: the directions that work, and why the others do not, in words.
     *
     * @param works    the directions whose data connection the two servers made, in the order tried
     * @param attempts one line per direction (or one saying why none was tried)
     */
    record PairProbe(List<Route> works, List<String> attempts) {
    }

    /**
     * Whether {@code source} and {@code target} can move files between them, in which direction, and why not: each
     * direction is tried as a transfer would be, but with LIST on both servers (each sends its listing of the login
     * directory to the other, which discards it), so that nothing is written.
     */
    static PairProbe probe(DataChannelClient source, DataChannelClient target, Duration connectTimeout)
            throws IOException {
        String unfit = unfit(source, target);
        if (unfit != null) {
            return new PairProbe(List.of(), List.of(unfit));
        }
        List<Route> works = new ArrayList<>();
        List<String> attempts = new ArrayList<>();
        for (Route route : List.of(Route.SOURCE_PASSIVE, Route.TARGET_PASSIVE)) {
            String line = route.describe(source.serverKey(), target.serverKey());
            DataChannelClient passive = route == Route.SOURCE_PASSIVE ? source : target;
            DataChannelClient active = route == Route.SOURCE_PASSIVE ? target : source;
            boolean tls = target.protectsData();
            boolean sscnOn = false;
            try {
                if (tls) {
                    sscn(active);
                    sscnOn = true;
                }
                connectServers(passive, active, "LIST", null, "LIST", null, connectTimeout);
                Integer passiveFinal = finalReply(passive, null);
                String passiveText = passiveFinal == null ? "no reply" : reply(passive);
                boolean passiveDone = passiveFinal != null && FTPReply.isPositiveCompletion(passiveFinal);
                Integer activeFinal = finalReply(active, passiveDone ? null : connectTimeout.multipliedBy(2));
                String activeText = activeFinal == null ? "no reply" : reply(active);
                if (passiveFinal != null && activeFinal != null && FTPReply.isPositiveCompletion(passiveFinal)
                    && FTPReply.isPositiveCompletion(activeFinal)) {
                    works.add(route);
                    attempts.add(line + ": works" + (tls ? " (TLS, SSCN)" : ""));
                } else {
                    attempts.add(line + ": the data connection between the servers failed (" + passive.serverKey()
                                 + " answered LIST with " + passiveText + ", " + active.serverKey() + " with "
                                 + activeText + ")");
                }
            } catch (Refused refused) {
                attempts.add(line + ": " + refused.getMessage());
            } finally {
                if (sscnOn) {
                    sscnOff(active);
                }
            }
            usable(passive);
            usable(active);
        }
        return new PairProbe(works, attempts);
    }

    /**
     * Why these two clients cannot try server-to-server at all, or null. Both with TLS data connections (PROT P) go
     * through SSCN; one with and one without cannot (the file would cross in clear text where TLS was asked).
     */
    private static String unfit(DataChannelClient source, DataChannelClient target) {
        if (source.protectsData() != target.protectsData()) {
            return "TLS data connections (PROT P) on " + (source.protectsData() ? source : target).serverKey()
                   + " only: relayed so that the file stays encrypted where TLS was asked";
        }
        if ((source.getRemoteAddress() instanceof Inet6Address) != (target.getRemoteAddress() instanceof Inet6Address)) {
            return "one server is reached over IPv6, the other over IPv4";
        }
        return null;
    }

    /** Where one side's transfer command stands, to bring its control connection back in step after a failure. */
    private enum Side {
        FINAL, PENDING, LOST
    }

    /**
     * One server-to-server attempt.
     *
     * @return the bytes moved
     * @throws Refused     when the direction did not work and nothing moved
     * @throws IOException when the transfer failed once data could have moved (the target's file is then deleted)
     */
    private static long serverToServer(Route route, DataChannelClient target, String command, String remote,
            RemoteSource source) throws IOException, Refused {
        DataChannelClient sourceClient = source.channel();
        boolean sourcePassive = route == Route.SOURCE_PASSIVE;
        DataChannelClient passive = sourcePassive ? sourceClient : target;
        DataChannelClient active = sourcePassive ? target : sourceClient;
        String passiveCommand = sourcePassive ? "RETR" : command;
        String passiveArgument = sourcePassive ? source.path() : remote;
        String activeCommand = sourcePassive ? command : "RETR";
        String activeArgument = sourcePassive ? remote : source.path();
        Duration connectTimeout = target.getNegotiator().getSettings().connectTimeout();
        boolean tls = target.protectsData();
        boolean sscnOn = false;
        try {
            if (tls) {
                sscn(active);
                sscnOn = true;
            }
            try {
                connectServers(passive, active, passiveCommand, passiveArgument, activeCommand, activeArgument,
                        connectTimeout);
            } catch (Refused refused) {
                if (refused.commandsSent) {
                    deleteQuietly(target, command, remote);
                }
                throw refused;
            } catch (IOException e) {
                deleteQuietly(target, command, remote);
                throw new IOException("Server-to-server transfer of " + source.path() + " from " + source.server()
                                      + " to " + target.serverKey() + " failed: " + e.getMessage(), e);
            }

            // both transfer: wait for their final replies (within each control connection's soTimeout; once one
            // failed, the other's comes soon or not at all)
            Integer passiveFinal = finalReply(passive, null);
            String passiveText = passiveFinal == null ? "no reply (control connection lost)" : reply(passive);
            boolean passiveDone = passiveFinal != null && FTPReply.isPositiveCompletion(passiveFinal);
            Integer activeFinal = finalReply(active, passiveDone ? null : connectTimeout.multipliedBy(2));
            String activeText = activeFinal == null ? "no reply (control connection lost)" : reply(active);
            if (passiveFinal == null || activeFinal == null || !FTPReply.isPositiveCompletion(passiveFinal)
                || !FTPReply.isPositiveCompletion(activeFinal)) {
                String problem = passive.serverKey() + " answered " + passiveCommand + " with " + passiveText + ", "
                                 + active.serverKey() + " " + activeCommand + " with " + activeText;
                // with TLS, a handshake between the servers that fails comes after both 150s: nothing was stored
                boolean nothingMoved = tls && source.size() > 0 && storedSize(target, remote) <= 0;
                deleteQuietly(target, command, remote);
                if (nothingMoved) {
                    throw new Refused("no TLS data connection between the servers (" + problem + ")");
                }
                throw new IOException("Server-to-server transfer of " + source.path() + " from " + source.server()
                                      + " to " + target.serverKey() + " failed: " + problem);
            }
        } finally {
            if (sscnOn) {
                sscnOff(active);
            }
        }
        return checkedSize(target, command, remote, source);
    }

    /**
     * Has the passive server listen, gives the active one its address, and sends both their transfer commands; returns
     * once both answered 1xx (the data connection between them is made and the transfer under way).
     *
     * @throws Refused     when the direction did not work and nothing moved (both control connections back in step)
     * @throws IOException when a server refused its transfer command itself (a file error), after resync
     */
    private static void connectServers(DataChannelClient passive, DataChannelClient active, String passiveCommand,
            String passiveArgument, String activeCommand, String activeArgument, Duration connectTimeout)
            throws IOException, Refused {
        InetAddress passiveHost = passive.getRemoteAddress();
        boolean extended = passiveHost instanceof Inet6Address;
        int port = listen(passive, passiveHost, extended);
        String portCommand = extended ? "EPRT" : "PORT";
        String address = extended ? DataAddressCodec.formatEprt(passiveHost, port)
                : DataAddressCodec.formatPort(passiveHost, port);
        if (!FTPReply.isPositiveCompletion(active.sendCommand(portCommand, address))) {
            throw new Refused(active.serverKey() + " refuses " + portCommand + " to a foreign address ("
                              + reply(active) + ")");
        }

        // the passive server's reply comes only once the active server has connected to it: not awaited here
        CompletableFuture<Integer> passiveReply = CompletableFuture.supplyAsync(
                () -> firstReply(passive, passiveCommand, passiveArgument, connectTimeout.multipliedBy(2)),
                PASSIVE_SIDE);
        Integer activeCode = firstReply(active, activeCommand, activeArgument, connectTimeout);
        Integer passiveCode;
        try {
            passiveCode = passiveReply.join();
        } catch (CompletionException e) {
            passiveCode = null;
        }
        Side activeSide = side(activeCode);
        Side passiveSide = side(passiveCode);
        if (activeSide == Side.PENDING && passiveSide == Side.PENDING) {
            return;
        }
        String problem = problem(passive, passiveCommand, passiveCode, connectTimeout.multipliedBy(2)) + "; "
                         + problem(active, activeCommand, activeCode, connectTimeout);
        resync(passive, passiveSide, connectTimeout);
        resync(active, activeSide, connectTimeout);
        if (isModeFailure(activeCode) && isModeFailure(passiveCode)) {
            throw new Refused("no data connection between the servers within " + connectTimeout.toMillis() + " ms ("
                              + problem + ")", true);
        }
        throw new IOException(problem);
    }

    /**
     * {@code SSCN ON} (Secured Site-to-site Connection Negotiation): the server that connects becomes the TLS client
     * of the data connection, the listening one stays its TLS server.
     */
    private static void sscn(DataChannelClient active) throws IOException, Refused {
        if (active.sendCommand("SSCN", "ON") != FTPReply.COMMAND_OK) {
            throw new Refused(active.serverKey() + " cannot be the TLS client of a data connection (SSCN ON: "
                              + reply(active) + ")");
        }
    }

    /** Back to {@code SSCN OFF}, so that the client's own data connections find the server in its usual role. */
    private static void sscnOff(DataChannelClient active) {
        if (active.isConnected()) {
            try {
                active.sendCommand("SSCN", "OFF");
            } catch (IOException e) {
                // a control connection that broke now is re-opened by the next operation, with SSCN off
            }
        }
    }

    /**
     * Makes sure the control connection still answers (a server may have ended the session after a failed attempt,
     * which the client notices only on its next command), else connects and logs in again.
     */
    private static void usable(DataChannelClient client) throws IOException {
        try {
            if (client.isConnected() && FTPReply.isPositiveCompletion(client.sendCommand("NOOP", null))) {
                return;
            }
        } catch (IOException e) {
            // gone: connect again
        }
        reconnect(client);
    }

    private static void reconnect(DataChannelClient client) throws IOException {
        client.dropControlConnection();
        if (!client.reconnectControl()) {
            throw new IOException("Lost the control connection to " + client.serverKey()
                                  + " during a server-to-server attempt and could not connect again");
        }
    }

    /** The size of {@code remote} on the target, -1 when unknown (no such file, no SIZE, no connection). */
    private static long storedSize(DataChannelClient target, String remote) {
        try {
            usable(target);
            if (target.sendCommand("SIZE", remote) == FTPReply.FILE_STATUS) {
                return Long.parseLong(target.getReplyString().substring(3).trim());
            }
        } catch (IOException | RuntimeException e) {
            // unknown
        }
        return -1;
    }

    /** PASV (or EPSV on IPv6) on the passive server: the port it listens on, on its own control address. */
    private static int listen(DataChannelClient passive, InetAddress passiveHost, boolean extended)
            throws IOException, Refused {
        String mode = extended ? "EPSV" : "PASV";
        int code = extended ? passive.epsv() : passive.pasv();
        if (code != (extended ? FTPReply.ENTERING_EPSV_MODE : FTPReply.ENTERING_PASSIVE_MODE)) {
            throw new Refused(passive.serverKey() + " refuses " + mode + " (" + reply(passive) + ")");
        }
        try {
            if (extended) {
                return DataAddressCodec.parseEpsvReply(passive.getReplyString()).port();
            }
            DataEndpoint offered = DataAddressCodec.parsePasvReply(passive.getReplyString());
            PasvAddressPolicy policy = passive.getNegotiator().getSettings().pasvAddressPolicy();
            InetAddress chosen = policy.choose(offered.address(), passiveHost);
            if (!chosen.equals(passiveHost)) {
                // never hand another server a third host to connect to
                throw new Refused(passive.serverKey() + "'s PASV reply names " + offered.address().getHostAddress()
                                  + ", not the server itself (pasvAddressPolicy=" + policy + "): not handed on");
            }
            return offered.port();
        } catch (MalformedServerReplyException e) {
            throw new Refused(passive.serverKey() + " gave an unusable " + mode + " reply: " + e.getMessage());
        }
    }

    /** Sends a transfer command and reads its first reply within {@code bound}; null when none came in time. */
    private static Integer firstReply(DataChannelClient client, String command, String argument, Duration bound) {
        try {
            int previous = client.getSoTimeout();
            client.setSoTimeout((int) bound.toMillis());
            try {
                return client.sendCommand(command, argument);
            } finally {
                if (client.isConnected()) {
                    client.setSoTimeout(previous);
                }
            }
        } catch (IOException e) {
            return null; // a reply that did not come in time drops the control connection (ClientSupport)
        }
    }

    private static Side side(Integer code) {
        if (code == null) {
            return Side.LOST;
        }
        return FTPReply.isPositivePreliminary(code) ? Side.PENDING : Side.FINAL;
    }

    /** 425 Can't open data connection, 426 Connection closed, or no reply in time: the servers did not connect. */
    private static boolean isModeFailure(Integer code) {
        return code == null || code == FTPReply.CANNOT_OPEN_DATA_CONNECTION || code == FTPReply.TRANSFER_ABORTED
               || FTPReply.isPositivePreliminary(code);
    }

    private static String problem(DataChannelClient client, String command, Integer code, Duration bound) {
        if (code == null) {
            return client.serverKey() + " did not answer " + command + " within " + bound.toMillis() + " ms";
        }
        return client.serverKey() + " answered " + command + " with " + (FTPReply.isPositivePreliminary(code)
                ? code + " (waiting for the other server)"
                : reply(client));
    }

    /** Brings a control connection back in step after a failed attempt: reads a pending reply or connects again. */
    private static void resync(DataChannelClient client, Side side, Duration bound) throws IOException {
        if (side == Side.PENDING) {
            try {
                int previous = client.getSoTimeout();
                client.setSoTimeout((int) bound.toMillis());
                client.getReply();
                client.setSoTimeout(previous);
                return;
            } catch (IOException e) {
                // no reply in time: the connection was dropped
            }
        }
        if (side == Side.PENDING || side == Side.LOST || !client.isConnected()) {
            reconnect(client);
        }
    }

    /**
     * The final reply of a transfer, within {@code bound} (null: the control connection's soTimeout); null when none
     * came or the control connection broke (it is dropped then).
     */
    private static Integer finalReply(DataChannelClient client, Duration bound) {
        try {
            int previous = client.getSoTimeout();
            if (bound != null) {
                client.setSoTimeout((int) bound.toMillis()); // the connection is dropped if it does not come
            }
            int reply = client.getReply();
            client.setSoTimeout(previous);
            return reply;
        } catch (IOException e) {
            client.dropControlConnection();
            return null;
        }
    }

    /** The stored file's size, checked against the source's listing in binary mode (an append is not checked). */
    private static long checkedSize(DataChannelClient target, String command, String remote, RemoteSource source)
            throws IOException {
        if (!source.isBinary() || source.size() < 0 || !"STOR".equalsIgnoreCase(command)) {
            return Math.max(0, source.size());
        }
        long stored = storedSize(target, remote);
        if (stored >= 0 && stored != source.size()) {
            deleteQuietly(target, command, remote);
            throw new IOException("Server-to-server transfer of " + source.path() + " from " + source.server() + " to "
                                  + target.serverKey() + " ended after " + stored + " of the " + source.size()
                                  + " bytes the source listed");
        }
        return source.size();
    }

    /**
     * Deletes what a failed transfer left under {@code remote} on the target, so that nothing incomplete stays under a
     * name (the final one when no temporary name is used). Not after an append: that would delete what was there.
     */
    private static void deleteQuietly(DataChannelClient target, String command, String remote) {
        if (!"STOR".equalsIgnoreCase(command)) {
            return;
        }
        try {
            usable(target);
            target.sendCommand("DELE", remote);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "Could not delete " + remote + " on " + target.serverKey()
                                                     + " after a failed transfer: " + e);
        }
    }

    private static String reply(DataChannelClient client) {
        String text = client.getReplyString();
        return text == null ? "no reply" : DataAddressCodec.bounded(text.trim().replaceAll("\\s*\\R\\s*", " "));
    }
}
