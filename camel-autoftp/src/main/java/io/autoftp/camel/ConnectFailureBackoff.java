package io.autoftp.camel;

import org.apache.camel.component.file.remote.RemoteFileEndpoint;

/**
 * camel-ftp skips a poll whose connect or login fails and tries again at the next one, for ever: with a wrong
 * password that is a login every {@code delay} (7,200 an hour at 500 ms), reported once. autoftp's consumers make a
 * failed connect or login a poll error instead, so that Camel's backoff applies (after 3 failed polls in a row, only
 * every 10th poll tries until one succeeds) and the consumer health check shows the error. A route that sets
 * {@code backoffErrorThreshold} or {@code backoffMultiplier} keeps camel-ftp's behaviour with its own settings.
 */
final class ConnectFailureBackoff {

    static final int ERROR_THRESHOLD = 3;
    static final int MULTIPLIER = 10;

    private ConnectFailureBackoff() {
    }

    static void apply(RemoteFileEndpoint<?> endpoint) {
        if (endpoint.getBackoffErrorThreshold() > 0 || endpoint.getBackoffMultiplier() > 0) {
            return;
        }
        endpoint.getConfiguration().setThrowExceptionOnConnectFailed(true);
        endpoint.setBackoffErrorThreshold(ERROR_THRESHOLD);
        endpoint.setBackoffMultiplier(MULTIPLIER);
    }
}
