package io.autoftp.client;

import java.io.IOException;
import java.net.UnknownHostException;

import org.apache.commons.net.ftp.FTPClient;
import org.apache.commons.net.ftp.FTPReply;

/** What the plain and the TLS client share beyond the negotiator. */
final class ClientSupport {

    private static final System.Logger LOG = System.getLogger(ClientSupport.class.getName());

    private ClientSupport() {
    }

    /**
     * commons-net's {@code _connectAction_} resets the active port range and external address; put them back so that
     * the client's getters keep telling the truth (the negotiator has its own copy and never loses them).
     */
    static void reapplyActiveSettings(FTPClient client, DataChannelSettings settings) throws UnknownHostException {
        if (settings.hasActivePortRange()) {
            client.setActivePortRange(settings.activeMinPort(), settings.activeMaxPort());
        }
        if (settings.activeExternalAddress() != null) {
            client.setActiveExternalIPAddress(settings.activeExternalAddress().getHostAddress());
        }
    }

    static void dropQuietly(FTPClient client) {
        try {
            client.disconnect();
        } catch (IOException e) {
            // the connection is being abandoned
        }
    }

    /** What the TLS client adds after login when reconnecting. */
    @FunctionalInterface
    interface AfterLogin {
        boolean restore() throws IOException;
    }

    /** Connects and logs in again, then restores the session; false (and disconnected) when anything fails. */
    static boolean reconnect(FTPClient client, ControlSession session, AfterLogin afterLogin) {
        if (session.host == null || session.username == null || !session.isDirectoryKnown()) {
            return false;
        }
        String server = session.serverKey();
        var directorySteps = session.directorySteps();
        int fileType = session.fileType;
        int fileFormat = session.fileFormat;
        String username = session.username;
        String password = session.password;
        String account = session.account;
        dropQuietly(client);
        try {
            client.connect(session.host, session.port);
            boolean ok = FTPReply.isPositiveCompletion(client.getReplyCode())
                         && (account == null ? client.login(username, password)
                                 : client.login(username, password, account))
                         && (afterLogin == null || afterLogin.restore())
                         && (fileType < 0 || (fileFormat < 0 ? client.setFileType(fileType)
                                 : client.setFileType(fileType, fileFormat)));
            for (String step : directorySteps) {
                ok = ok && ("..".equals(step) ? client.changeToParentDirectory() : client.changeWorkingDirectory(step));
            }
            if (ok) {
                LOG.log(System.Logger.Level.INFO, "Re-opened the control connection to " + server
                                                  + " after it stopped answering");
                return true;
            }
            LOG.log(System.Logger.Level.WARNING, "Could not restore the control connection to " + server + ": "
                                                 + client.getReplyString());
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "Could not re-open the control connection to " + server + ": " + e);
        }
        dropQuietly(client);
        return false;
    }
}
