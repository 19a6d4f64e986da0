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

    /** One mode that was tried and how it failed, in words. */
    public record Attempt(DataChannelMode mode, String failure) {
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
