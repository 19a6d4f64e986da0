package io.autoftp.client;

import io.autoftp.client.DataChannelException.FailureKind;

/**
 * Hears what happens on the data channel: connections opened, modes that failed, fallbacks, and the bytes each data
 * connection carried. Registered on a {@link ModeMemory} ({@link ModeMemory#addListener}), it hears every client
 * that shares that memory, i.e. every endpoint of a component. For metrics and the like: this package knows nothing
 * about any metrics library.
 *
 * <p>
 * Called on the thread doing the transfer, so keep it quick. An exception thrown by a listener is logged and
 * otherwise ignored: it never fails a transfer.
 *
 * <p>
 * {@code server} is always the {@link ModeMemory} key, {@code host:port} as the endpoint names it.
 */
public interface DataChannelListener {

    /** A data connection for {@code command} (RETR, STOR, LIST...) was opened in {@code mode}. */
    default void onOpened(String server, DataChannelMode mode, String command) {
    }

    /** {@code mode} could not open a data connection; the next allowed mode is tried, if there is one. */
    default void onModeFailed(String server, DataChannelMode mode, FailureKind kind) {
    }

    /**
     * A data connection was opened in {@code to} after {@code from}, the first mode tried for it (the remembered one,
     * or the first of the preferred order), had failed. Told once per data connection, after {@link #onOpened}.
     */
    default void onFallback(String server, DataChannelMode from, DataChannelMode to) {
    }

    /**
     * A data connection opened in {@code mode} for {@code command} was closed, having carried {@code bytesReceived}
     * from the server and {@code bytesSent} to it (as they crossed the socket: after ASCII conversion, before TLS).
     * Only told while some listener is registered when the connection opens.
     */
    default void onClosed(String server, DataChannelMode mode, String command, long bytesReceived, long bytesSent) {
    }

    /**
     * A file of {@code bytes} went from the {@code source} server to the {@code target} server for a producer, either
     * straight between the two servers ({@code serverToServer}) or relayed through this service (then its bytes also
     * crossed this service's data sockets twice, see {@link #onClosed}). Told once per file, after the target's 226.
     */
    default void onServerPairTransfer(String source, String target, boolean serverToServer, long bytes) {
    }
}
