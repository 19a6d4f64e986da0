package io.autoftp.client;

import java.io.IOException;
import java.util.List;
import java.util.stream.Collectors;

/**
 * No allowed mode could open a data connection. Stock commons-net returns {@code null} here, which camel-ftp turns into
 * an empty directory listing: this says instead which server, which command, each mode tried and why it failed.
 */
public class DataChannelException extends IOException {

    private static final long serialVersionUID = 1L;

    /** What went wrong with one mode, for decisions and diagnosis; the words are in {@link Attempt#failure()}. */
    public enum FailureKind {
        /** The server answered EPSV/PASV/EPRT/PORT with a negative reply. */
        REFUSED_BY_SERVER,
        /** The 227/229 reply could not be parsed or named an invalid address or port. */
        UNUSABLE_REPLY,
        /** The passive data connection was actively refused (RST or ICMP reject). */
        CONNECT_REFUSED,
        /** The passive data connection did not connect in time (packets dropped). */
        CONNECT_TIMED_OUT,
        /** The server could not connect back to us in active mode (425/426 or no connection in time). */
        NO_CONNECT_BACK,
        /** The server stopped answering on the control connection during an active attempt. */
        NO_ANSWER,
        /** The server did not answer EPSV, PASV, EPRT or PORT in time; its control connection was dropped. */
        UNANSWERED,
        /** Something on this side: no local port to listen on, no route. */
        LOCAL,
        /** Not tried, because the same path already failed in the other command (EPSV and PASV, EPRT and PORT). */
        SKIPPED,
        /**
         * Anything else that ended a {@link DataChannelDiagnosis} probe of one mode (a garbled reply, a closed control
         * connection, a failed TLS handshake, a bug); the words say what. Transfers get such errors as they are.
         */
        ERROR
    }

    /** One mode that was tried and how it failed, in words. */
    public record Attempt(DataChannelMode mode, FailureKind kind, String failure) {
        @Override
        public String toString() {
            return mode + ": " + failure;
        }
    }

    private final String server;
    private final transient List<Attempt> attempts;

    public DataChannelException(String server, String command, List<Attempt> attempts, String note) {
        super("No data connection to " + server + " for " + command + ": "
              + (attempts.isEmpty() ? "no data channel mode is allowed" : describe(attempts))
              + (note == null ? "" : "; " + note));
        this.server = server;
        this.attempts = List.copyOf(attempts);
    }

    public String getServer() {
        return server;
    }

    public List<Attempt> getAttempts() {
        return attempts;
    }

    static String describe(List<Attempt> attempts) {
        return attempts.stream().map(Attempt::toString).collect(Collectors.joining("; "));
    }
}
