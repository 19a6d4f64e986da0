package io.autoftp.client;

import java.io.IOException;
import java.io.InputStream;

import org.apache.commons.net.ftp.FTPClient;

/**
 * A file that is still on another FTP server, given to a {@link ModeAwareFtpClient} or {@link ModeAwareFtpsClient} as
 * the stream to upload ({@code storeFile}, {@code appendFile}). The target client then has the two servers move it
 * between them when {@link #policy()} allows and the servers agree (see {@link ServerToServer}); otherwise it reads
 * this stream, which downloads the file from the source server while it is uploaded: a relay through this service
 * that never holds more than a buffer of it.
 *
 * <p>
 * The source client is connected and logged in, and used by nothing else meanwhile.
 */
public final class RemoteSource extends InputStream {

    private final FTPClient client;
    private final DataChannelClient channel;
    private final String path;
    private final long size;
    private final boolean binary;
    private final ServerToServerPolicy policy;
    private InputStream download;
    /** Whether the relay's download was opened (stays true once it ended). */
    private boolean started;
    private long relayed;

    /**
     * @param client an autoftp client ({@link ModeAwareFtpClient} or {@link ModeAwareFtpsClient}) logged in to the
     *               source server
     * @param path   the file on the source server, as its {@code RETR} takes it
     * @param size   its size from the listing, or -1 when unknown
     * @param binary whether the transfer type is binary: a file whose size differs then failed
     */
    public RemoteSource(FTPClient client, String path, long size, boolean binary, ServerToServerPolicy policy) {
        if (!(client instanceof DataChannelClient dataChannelClient)) {
            throw new IllegalArgumentException("The source client must be an autoftp client, not "
                                               + client.getClass().getName());
        }
        this.client = client;
        this.channel = dataChannelClient;
        this.path = path;
        this.size = size;
        this.binary = binary;
        this.policy = policy;
    }

    public String path() {
        return path;
    }

    public long size() {
        return size;
    }

    public boolean isBinary() {
        return binary;
    }

    public ServerToServerPolicy policy() {
        return policy;
    }

    /** {@code host:port} of the source server. */
    public String server() {
        return channel.serverKey();
    }

    FTPClient client() {
        return client;
    }

    DataChannelClient channel() {
        return channel;
    }

    /** Whether the relay's download has started (the target accepted the upload and asked for the first bytes). */
    boolean relayStarted() {
        return started;
    }

    private InputStream download() throws IOException {
        if (download == null) {
            InputStream stream = client.retrieveFileStream(path);
            if (stream == null) {
                throw new IOException(server() + " did not send " + path + ": "
                                      + DataAddressCodec.bounded(String.valueOf(client.getReplyString()).trim()));
            }
            download = stream;
            started = true;
        }
        return download;
    }

    @Override
    public int read() throws IOException {
        int b = download().read();
        if (b >= 0) {
            relayed++;
        }
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = download().read(buffer, offset, length);
        if (n > 0) {
            relayed += n;
        }
        return n;
    }

    /**
     * Ends the relay's download once the upload is complete: the source server must confirm it (226) and, in binary
     * mode, every byte of the listed size must have come.
     *
     * @return the bytes relayed
     */
    long finishRelay() throws IOException {
        download().close();
        download = null;
        if (!client.completePendingCommand()) {
            throw new IOException("The download of " + path + " from " + server() + " failed: "
                                  + DataAddressCodec.bounded(String.valueOf(client.getReplyString()).trim()));
        }
        if (binary && size >= 0 && relayed != size) {
            throw new IOException("The download of " + path + " from " + server() + " ended after " + relayed
                                  + " of the " + size + " bytes the server listed");
        }
        return relayed;
    }

    /**
     * Gives up a relay that failed half-way: its download's final reply would be read by the source's next command,
     * so the source's control connection is dropped (the next transfer connects again).
     */
    void abandonRelay() {
        if (download != null) {
            try {
                download.close();
            } catch (IOException e) {
                // being abandoned
            }
            download = null;
            channel.dropControlConnection();
        }
    }

    /** Abandons a relay still under way; nothing when it finished or never started. */
    @Override
    public void close() {
        abandonRelay();
    }

    @Override
    public String toString() {
        return path + " on " + server();
    }
}
