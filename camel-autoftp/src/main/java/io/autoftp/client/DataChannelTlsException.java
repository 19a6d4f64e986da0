package io.autoftp.client;

import java.io.IOException;
import java.util.Locale;
import java.util.Optional;

/**
 * The TLS handshake of a data connection failed: the TCP connection was made (so no other data channel mode is tried),
 * but the server would not speak TLS on it, most often because it requires the control connection's TLS session to be
 * resumed and did not accept this one. Says so in words, with the server's reply to the command.
 */
public final class DataChannelTlsException extends IOException {

    private final boolean repeatable;

    private DataChannelTlsException(String message, Throwable cause, boolean repeatable) {
        super(message, cause);
        this.repeatable = repeatable;
    }

    /**
     * The handshake failed.
     *
     * @param reply the server's reply to {@code command}, if it came
     */
    static DataChannelTlsException of(String server, String command, IOException handshake, Optional<String> reply) {
        String said = reply.map(r -> "; the server replied " + DataAddressCodec.bounded(r.trim())).orElse("");
        return new DataChannelTlsException("TLS on the data connection for " + command + " to " + server + " failed: "
                                           + why(reply.orElse("")) + " (" + handshake.getMessage() + said + ")",
                handshake, false);
    }

    /**
     * The handshake went through, then the server refused the transfer for its TLS ({@code reply}: 522, 425).
     *
     * @param cause      how the transfer ended on this side (a broken pipe, say), or null
     * @param repeatable whether the client now offers the server TLS 1.2 by session id on a new control connection,
     *                   where the transfer may be done again
     */
    static DataChannelTlsException refused(String server, String command, String reply, Throwable cause,
                                           boolean repeatable) {
        return new DataChannelTlsException("TLS on the data connection for " + command + " to " + server + " failed: "
                                           + why(reply) + " (the server replied " + DataAddressCodec.bounded(reply.trim())
                                           + ")", cause, repeatable);
    }

    /**
     * Whether the transfer may be done again on a new control connection: the client changed what it offers the
     * server (TLS 1.2 resumed by session id) after this refusal, and closed the control connection it was refused on.
     */
    public boolean isRepeatable() {
        return repeatable;
    }

    private static String why(String reply) {
        return reply.toLowerCase(Locale.ROOT).contains("reuse")
                ? "the server requires TLS session reuse on data connections and did not accept this one"
                : "the server did not accept TLS on the data connection (servers that require TLS session reuse refuse"
                  + " one that does not resume the control connection's session)";
    }
}
