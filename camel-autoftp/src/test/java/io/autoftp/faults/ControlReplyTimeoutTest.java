package io.autoftp.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;

import io.autoftp.client.DataChannelSettings;
import io.autoftp.client.ModeAwareFtpClient;
import io.autoftp.client.ModeMemory;
import org.apache.commons.net.MalformedServerReplyException;
import org.junit.jupiter.api.Test;

/**
 * A reply that comes after {@code soTimeout}, on a raw control connection: the client gives the connection up at the
 * timeout, so that the late reply is never read as the answer to the next command (a PWD answered by the NOOP's
 * "200"); and a greeting that is not an FTP reply fails the connect with that reason.
 */
class ControlReplyTimeoutTest extends FaultTestSupport {

    /** Whether the server has sent (or tried to send: the client may have gone) its late reply to the NOOP. */
    private final AtomicBoolean lateReplySent = new AtomicBoolean();

    @Test
    void aReplyThatComesTooLateIsNeverReadAsTheAnswerToTheNextCommand() throws Exception {
        int port = serve("220 hello\r\n");
        ModeAwareFtpClient client = new ModeAwareFtpClient(DataChannelSettings.defaults(), new ModeMemory());
        client.connect("127.0.0.1", port);
        client.setSoTimeout(300);
        assertThrows(SocketTimeoutException.class, client::sendNoOp);
        assertFalse(client.isConnected(), "the control connection was given up at the timeout");
        await(lateReplySent::get, WAIT, "the server's late \"200\" to the NOOP");
        IOException next = assertThrows(IOException.class, client::printWorkingDirectory);
        assertEquals("Connection is not open", next.getMessage());
    }

    @Test
    void aGreetingThatIsNotAnFtpReplyFailsTheConnectWithThatReason() throws Exception {
        int port = serve("SSH-2.0-OpenSSH_9.6\r\n");
        ModeAwareFtpClient client = new ModeAwareFtpClient(DataChannelSettings.defaults(), new ModeMemory());
        client.setConnectTimeout(2_000);
        MalformedServerReplyException failure = assertThrows(MalformedServerReplyException.class,
                () -> client.connect("127.0.0.1", port));
        assertEquals("Could not parse response code.\nServer Reply: SSH-2.0-OpenSSH_9.6", failure.getMessage());
        client.disconnect();
    }

    /** A one-connection server that greets, answers NOOP after 800 ms and anything else at once. */
    private int serve(String greeting) throws IOException {
        ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        closeables.add(0, listener);
        Thread server = new Thread(() -> {
            try (Socket socket = listener.accept()) {
                BufferedReader in = new BufferedReader(
                        new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
                OutputStream out = socket.getOutputStream();
                out.write(greeting.getBytes(StandardCharsets.US_ASCII));
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    boolean late = line.startsWith("NOOP");
                    if (late) {
                        Thread.sleep(800);
                    }
                    String reply = line.startsWith("PWD") ? "257 \"/\" is the current directory" : "200 OK";
                    try {
                        out.write((reply + "\r\n").getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                    } finally {
                        lateReplySent.compareAndSet(false, late);
                    }
                }
            } catch (IOException | InterruptedException e) {
                // the client went away
            }
        }, "late-reply-server");
        server.setDaemon(true);
        server.start();
        return listener.getLocalPort();
    }
}
