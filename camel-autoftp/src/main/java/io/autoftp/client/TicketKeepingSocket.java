package io.autoftp.client;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;

import javax.net.ssl.SSLSocket;

/**
 * A TLS 1.3 upload connection that, when closed, ends its TLS gracefully and reads what the server sent until it
 * closes too. A TLS 1.3 server hands out the session ticket for the next resumption after the handshake, on this
 * connection; an upload never reads its data connection, so without this the ticket would be lost and the next data
 * connection could not resume the session (a server requiring reuse then refuses it). Bounded by the data connect
 * timeout; downloads and listings read their connections anyway.
 */
final class TicketKeepingSocket extends DelegatingSocket {

    /** The transfer commands that only write to their data connection. */
    static final Set<String> UPLOADS = Set.of("STOR", "APPE", "STOU");

    private final SSLSocket tls;
    private final Duration bound;
    private boolean closed;

    private TicketKeepingSocket(SSLSocket tls, Duration bound) {
        super(tls);
        this.tls = tls;
        this.bound = bound;
    }

    /** {@code tls} as it is, or kept for its session ticket when it is a TLS 1.3 upload. */
    static Socket forCommand(SSLSocket tls, String command, Duration bound) {
        boolean upload = command != null && UPLOADS.contains(command.toUpperCase(Locale.ROOT));
        return upload && "TLSv1.3".equals(tls.getSession().getProtocol()) ? new TicketKeepingSocket(tls, bound) : tls;
    }

    @Override
    public OutputStream getOutputStream() throws IOException {
        // closing the stream closes the socket (as an SSLSocket's does), gracefully
        return new FilterOutputStream(tls.getOutputStream()) {
            @Override
            public void write(byte[] buffer, int offset, int length) throws IOException {
                out.write(buffer, offset, length);
            }

            @Override
            public void close() throws IOException {
                TicketKeepingSocket.this.close();
            }
        };
    }

    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            tls.getOutputStream().flush();
            tls.shutdownOutput(); // close_notify: the server ends the file and closes its side
            tls.setSoTimeout((int) Math.max(1, bound.toMillis()));
            InputStream in = tls.getInputStream();
            byte[] sink = new byte[512];
            while (in.read(sink) >= 0) {
                // reading processes the server's session ticket; an upload carries no data this way
            }
        } catch (SocketTimeoutException e) {
            // the server did not close in time: the ticket, if it came, is taken all the same
        } catch (IOException e) {
            // the connection ended otherwise: nothing more to read
        } finally {
            tls.close();
        }
    }
}
