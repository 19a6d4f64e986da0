package io.autoftp.camel;

import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import org.apache.camel.component.file.remote.RemoteFileEndpoint;
import org.apache.camel.util.ObjectHelper;

/**
 * camel-ftp downloads a file into a byte array by default (a 1 GiB file needs over 3 GB of heap), and even
 * {@code streamDownload=true} ends up in memory through stream caching. autoftp's consumers download into a local work
 * directory instead, where camel-ftp writes the file as it arrives and hands the route a {@code File} body, deleted
 * once the exchange is done. {@code localWorkDirectory} or {@code streamDownload} set by the user win.
 */
final class MemorySafeDownload {

    private MemorySafeDownload() {
    }

    static void apply(RemoteFileEndpoint<?> endpoint, DataChannelOptions options) {
        if (!options.isMemorySafeDownload() || ObjectHelper.isNotEmpty(endpoint.getLocalWorkDirectory())
            || endpoint.getConfiguration().isStreamDownload()) {
            return;
        }
        endpoint.setLocalWorkDirectory(workDirectory(endpoint.getEndpointBaseUri()).toString());
    }

    /** One directory per endpoint, so that two consumers never share in-progress names. */
    static Path workDirectory(String endpointBaseUri) {
        return Path.of(System.getProperty("java.io.tmpdir"), "autoftp-work", shortHash(endpointBaseUri));
    }

    private static String shortHash(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }
}
