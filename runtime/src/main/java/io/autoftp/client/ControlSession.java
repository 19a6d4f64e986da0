package io.autoftp.client;

import java.net.InetAddress;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * What a control connection was told since it connected, so that one dropped after a deaf active attempt can be
 * re-opened where it was: login, transfer type, protection level and the working directory (as the list of CWD
 * steps since login, collapsed at each absolute path).
 */
final class ControlSession {

    /** Past this many relative steps the session no longer tries to replay them. */
    private static final int MAX_STEPS = 64;

    String host;
    int port;
    String username;
    String password;
    String account;
    int fileType = -1;
    int fileFormat = -1;
    long protectionBufferSize = -1;
    String protectionLevel;
    private final Deque<String> directorySteps = new ArrayDeque<>();
    private boolean directoryKnown = true;

    void connected(String hostname, InetAddress address, int remotePort) {
        host = hostname != null ? hostname : address.getHostAddress();
        port = remotePort;
    }

    /** {@code host:port} as the route named it, the key of {@link ModeMemory}. */
    String serverKey() {
        return (host != null && host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    void loggedIn(String user, String pass, String acct) {
        username = user;
        password = pass;
        account = acct;
        directorySteps.clear();
        directoryKnown = true;
    }

    void changedDirectory(String path) {
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
