package io.autoftp.client;

import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;

import jdk.net.ExtendedSocketOptions;
import org.apache.commons.net.MalformedServerReplyException;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;
import org.apache.commons.net.ftp.FTPReply;
import org.apache.commons.net.ftp.FTPSClient;

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

    @FunctionalInterface
    interface ReplyRead {
        int read() throws IOException;
    }

    /**
     * A reply read by the client. A control connection whose reply did not come in time, or came garbled, is given
     * up: the late or unparseable reply would otherwise be read as the answer to a later command. The next operation
     * connects again. Not while connecting: a bad greeting fails the connect by itself (and commons-net still uses
     * the socket then).
     */
    static int replyOrDrop(FTPClient client, boolean connecting, ReplyRead read) throws IOException {
        try {
            return read.read();
        } catch (SocketTimeoutException | MalformedServerReplyException e) {
            if (!connecting) {
                dropQuietly(client);
            }
            throw e;
        }
    }

    static void dropQuietly(FTPClient client) {
        try {
            client.disconnect();
        } catch (IOException e) {
            // the connection is being abandoned
        }
    }

    /**
     * Asks the kernel to acknowledge the coming reply at once. A server that holds back a reply's last segment until
     * the previous one is acknowledged (Nagle's algorithm; Apache FtpServer writes a reply in two) otherwise meets
     * Linux's delayed ACK: about 40 ms for every reply, i.e. for every small file. Linux does not keep the flag, so it
     * is set before each reply; where the option does not exist (other systems, a TLS control socket) nothing happens.
     */
    static void quickAck(Socket socket) {
        if (socket != null && socket.supportedOptions().contains(ExtendedSocketOptions.TCP_QUICKACK)) {
            try {
                socket.setOption(ExtendedSocketOptions.TCP_QUICKACK, true);
            } catch (IOException | UnsupportedOperationException e) {
                // only a latency hint
            }
        }
    }

    static void closeQuietly(Socket socket) {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException e) {
                // the socket is being abandoned
            }
        }
    }

    /** Connects and logs in again, then restores the session; false (and disconnected) when anything fails. */
    static boolean reconnect(FTPClient client, ControlSession session) {
        return reconnect(client, session, "after it stopped answering");
    }

    /** @param why for the INFO line, e.g. "after it stopped answering" */
    static boolean reconnect(FTPClient client, ControlSession session, String why) {
        if (session.host == null || session.username == null || !session.isDirectoryKnown()) {
            return false;
        }
        String server = session.serverKey();
        List<String> directorySteps = session.directorySteps();
        String type = session.type;
        String protectionBufferSize = session.protectionBufferSize;
        String protectionLevel = session.protectionLevel;
        String username = session.username;
        String password = session.password;
        String account = session.account;
        dropQuietly(client);
        try {
            client.connect(session.host, session.port);
            boolean ok = FTPReply.isPositiveCompletion(client.getReplyCode())
                         && (account == null ? client.login(username, password)
                                 : client.login(username, password, account))
                         && restoreProtection(client, protectionBufferSize, protectionLevel)
                         && (type == null || restoreType(client, type));
            for (String step : directorySteps) {
                ok = ok && ("..".equals(step) ? client.changeToParentDirectory() : client.changeWorkingDirectory(step));
            }
            if (ok) {
                LOG.log(System.Logger.Level.INFO, "Re-opened the control connection to " + server + " " + why);
                return true;
            }
            LOG.log(System.Logger.Level.WARNING, "Could not restore the control connection to " + server + ": "
                                                 + DataAddressCodec.bounded(String.valueOf(client.getReplyString())));
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "Could not re-open the control connection to " + server + ": " + e);
        }
        dropQuietly(client);
        return false;
    }

    /** PBSZ and PROT again, through FTPSClient so that it switches its data sockets to TLS. */
    private static boolean restoreProtection(FTPClient client, String bufferSize, String level) throws IOException {
        if (client instanceof FTPSClient tls) {
            if (bufferSize != null) {
                tls.execPBSZ(Long.parseLong(bufferSize.trim()));
            }
            if (level != null) {
                tls.execPROT(level.trim());
            }
        }
        return true;
    }

    /** TYPE again, through setFileType so that commons-net knows it (it converts line endings in ASCII mode). */
    static boolean restoreType(FTPClient client, String argument) throws IOException {
        String[] parts = argument.trim().toUpperCase(Locale.ROOT).split("\\s+");
        int type = switch (parts[0]) {
            case "A" -> FTP.ASCII_FILE_TYPE;
            case "E" -> FTP.EBCDIC_FILE_TYPE;
            case "L" -> FTP.LOCAL_FILE_TYPE;
            default -> FTP.BINARY_FILE_TYPE;
        };
        if (parts.length == 1) {
            return client.setFileType(type);
        }
        int format = switch (parts[1]) {
            case "T" -> FTP.TELNET_TEXT_FORMAT;
            case "C" -> FTP.CARRIAGE_CONTROL_TEXT_FORMAT;
            case "N" -> FTP.NON_PRINT_TEXT_FORMAT;
            default -> Integer.parseInt(parts[1]); // the byte size of TYPE L
        };
        return client.setFileType(type, format);
    }
}
