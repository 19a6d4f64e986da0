package io.autoftp.camel;

import java.util.function.UnaryOperator;

import io.autoftp.client.RemoteSource;
import io.autoftp.client.ServerToServerPolicy;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePropertyKey;
import org.apache.camel.component.file.GenericFile;
import org.apache.camel.component.file.GenericFileOperationFailedException;
import org.apache.camel.component.file.remote.RemoteFile;
import org.apache.camel.component.file.remote.RemoteFileEndpoint;
import org.apache.camel.component.file.remote.RemoteFileOperations;
import org.apache.commons.net.ftp.FTPClient;
import org.apache.commons.net.ftp.FTPFile;

/**
 * A producer's side of server-to-server transfers: recognizes an exchange whose file is still on the server of an
 * {@code autoftp}/{@code autoftps} consumer with {@code download=false} (camel-ftp's meaning: the body is null, the
 * file stays there), and hands the target client a {@link RemoteSource} for it as the body to upload. The target
 * client then has the servers move it, or relays it (see {@code ServerToServer}). The producer keeps one control
 * connection to the source server for this, opened with the consumer's own endpoint configuration, and closes it with
 * its own.
 */
final class RemoteSources {

    private RemoteFileEndpoint<FTPFile> sourceEndpoint;
    private RemoteFileOperations<FTPFile> sourceOperations;

    /**
     * Puts a {@link RemoteSource} in the exchange's body when the exchange holds a file left on another autoftp server.
     *
     * @return it, or null when the exchange holds something else (then nothing changed)
     */
    @SuppressWarnings("unchecked")
    RemoteSource attach(ModeAwareEndpoint target, Exchange exchange) {
        if (exchange.getIn().getBody() != null
            || !(exchange.getFromEndpoint() instanceof ModeAwareEndpoint from)
            || !(from instanceof RemoteFileEndpoint<?> remote) || remote.isDownload()
            || !(exchange.getProperty(ExchangePropertyKey.FILE_EXCHANGE_FILE, GenericFile.class)
                    instanceof RemoteFile<?> file)) {
            return null;
        }
        ServerToServerPolicy policy = target.getDataChannelOptions().serverToServerPolicy(UnaryOperator.identity());
        if (((RemoteFileEndpoint<?>) target).getCharset() != null) {
            throw new GenericFileOperationFailedException("Cannot upload " + file.getAbsoluteFilePath()
                                                          + ", still on " + from.getConfiguration()
                                                                  .remoteServerInformation()
                                                          + " (download=false), with the option charset: charset"
                                                          + " re-encodes the file in memory");
        }
        FTPClient client = connectedClient((RemoteFileEndpoint<FTPFile>) remote, exchange);
        RemoteSource source = new RemoteSource(client, file.getAbsoluteFilePath(), file.getFileLength(),
                from.getConfiguration().isBinary(), policy);
        exchange.getIn().setBody(source);
        return source;
    }

    /** Takes the {@link RemoteSource} out of the exchange's body again (camel-ftp's null body of download=false). */
    void detach(Exchange exchange, RemoteSource source) {
        source.close();
        if (exchange.getIn().getBody() == source) {
            exchange.getIn().setBody(null);
        }
    }

    /** The client of the open connection to the source server, opened (again) when needed. */
    private FTPClient connectedClient(RemoteFileEndpoint<FTPFile> endpoint, Exchange exchange) {
        if (sourceOperations != null && (sourceEndpoint != endpoint || !alive(sourceOperations))) {
            close();
        }
        if (sourceOperations == null) {
            try {
                RemoteFileOperations<FTPFile> operations = endpoint.createRemoteFileOperations();
                operations.connect(endpoint.getConfiguration(), exchange);
                sourceOperations = operations;
                sourceEndpoint = endpoint;
            } catch (GenericFileOperationFailedException e) {
                throw e;
            } catch (Exception e) {
                throw new GenericFileOperationFailedException("Cannot connect to "
                                                              + endpoint.getConfiguration().remoteServerInformation()
                                                              + ": " + e.getMessage(), e);
            }
        }
        return ((AutoFtpOperations) sourceOperations).getClient();
    }

    private static boolean alive(RemoteFileOperations<FTPFile> operations) {
        try {
            return operations.isConnected() && operations.sendNoop();
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Closes the connection to the source server, if one is open. */
    void close() {
        RemoteFileOperations<FTPFile> operations = sourceOperations;
        sourceOperations = null;
        sourceEndpoint = null;
        if (operations != null) {
            try {
                operations.disconnect();
            } catch (RuntimeException e) {
                // being closed
            }
        }
    }
}
