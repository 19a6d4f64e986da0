package io.autoftp.client;

import java.net.InetAddress;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Locale;

import org.apache.commons.net.ProtocolCommandEvent;
import org.apache.commons.net.ProtocolCommandListener;

/**
 * What a control connection was told since it connected, so that one dropped after a deaf active attempt can be
 * re-opened where it was: login, transfer type, protection level and the working directory (as the list of CWD
 * steps since login, collapsed at each absolute path). It listens to the client's commands and replies, so it sees
 * whatever camel-ftp or a user sends, by whichever method.
 */
final class ControlSession implements ProtocolCommandListener {

    /** Past this many relative steps the session no longer tries to replay them. */
    private static final int MAX_STEPS = 64;

    String host;
    int port;
    String username;
    String password;
    String account;
    /** The argument of the last accepted TYPE command, e.g. "I" or "A N". */
    String type;
    String protectionBufferSize;
    String protectionLevel;
    private final Deque<String> directorySteps = new ArrayDeque<>();
    private boolean directoryKnown = true;

    private String pendingCommand;
    private String pendingArgument;
    private String offeredUser;
    private String offeredPassword;

    void connected(String hostname, InetAddress address, int remotePort) {
        host = hostname != null ? hostname : address.getHostAddress();
        port = remotePort;
    }

    /** {@code host:port} as the route named it, the key of {@link ModeMemory}. */
    String serverKey() {
        return ServerKey.of(host, port);
    }

    @Override
    public void protocolCommandSent(ProtocolCommandEvent event) {
        String line = event.getMessage().strip();
        int space = line.indexOf(' ');
        pendingCommand = event.getCommand().toUpperCase(Locale.ROOT);
        pendingArgument = space < 0 ? null : line.substring(space + 1);
    }

    @Override
    public void protocolReplyReceived(ProtocolCommandEvent event) {
        String command = pendingCommand;
        String argument = pendingArgument;
        pendingCommand = null; // later replies (226 after 150) belong to no new command
        if (command == null) {
            return;
        }
        int code = event.getReplyCode();
        boolean loggedIn = code == 230 || code == 202;
        boolean accepted = code >= 200 && code < 400;
        switch (command) {
            case "USER" -> {
                offeredUser = argument;
                if (loggedIn) {
                    loggedIn(argument, null, null);
                }
            }
            case "PASS" -> {
                offeredPassword = argument;
                if (loggedIn) {
                    loggedIn(offeredUser, argument, null);
                }
            }
            case "ACCT" -> {
                if (loggedIn) {
                    loggedIn(offeredUser, offeredPassword, argument);
                }
            }
            case "TYPE" -> type = accepted ? argument : type;
            case "PBSZ" -> protectionBufferSize = accepted ? argument : protectionBufferSize;
            case "PROT" -> protectionLevel = accepted ? argument : protectionLevel;
            case "CWD" -> {
                if (accepted && argument != null) {
                    changedDirectory(argument);
                }
            }
            case "CDUP" -> {
                if (accepted) {
                    changedDirectory("..");
                }
            }
            default -> {
                // nothing else shapes the session
            }
        }
    }

    private void loggedIn(String user, String pass, String acct) {
        username = user;
        password = pass;
        account = acct;
        type = null;
        directorySteps.clear();
        directoryKnown = true;
    }

    private void changedDirectory(String path) {
        if (path.startsWith("/")) {
            directorySteps.clear();
            directoryKnown = true;
        } else if ("..".equals(path) && !directorySteps.isEmpty() && !"..".equals(directorySteps.peekLast())) {
            directorySteps.removeLast();
            return;
        }
        directorySteps.addLast(path);
        if (directorySteps.size() > MAX_STEPS) {
            directorySteps.clear();
            directoryKnown = false;
        }
    }

    boolean isDirectoryKnown() {
        return directoryKnown;
    }

    List<String> directorySteps() {
        return List.copyOf(directorySteps);
    }
}
