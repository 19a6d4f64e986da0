package io.autoftp.camel;

import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.component.file.remote.RemoteFileEndpoint;
import org.apache.camel.component.file.remote.RemoteFilePollingConsumerPollStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * camel-ftp skips a poll whose connect or login fails and tries again at the next one, for ever: with a wrong
 * password that is a login every {@code delay} (7,200 an hour at 500 ms), reported once. autoftp's consumers make a
 * failed connect or login a poll error instead, so that Camel's backoff applies (after 3 failed polls in a row, only
 * every 10th poll tries until one succeeds) and the consumer health check shows the error. A route that sets
 * {@code backoffErrorThreshold} or {@code backoffMultiplier} keeps camel-ftp's behaviour with its own settings.
 *
 * <p>Each failed poll is then one WARN line with the server's reply ({@link AutoFtpConsumer}): camel-ftp's recovery
 * (a forced disconnect before the next poll) is kept, its own WARN line about it goes to DEBUG.
 */
final class ConnectFailureBackoff {

    static final int ERROR_THRESHOLD = 3;
    static final int MULTIPLIER = 10;

    private ConnectFailureBackoff() {
    }

    static void apply(RemoteFileEndpoint<?> endpoint) {
        if (endpoint.getPollStrategy() != null
            && endpoint.getPollStrategy().getClass() == RemoteFilePollingConsumerPollStrategy.class) {
            endpoint.setPollStrategy(new QuietRecovery()); // not when the route set its own pollStrategy
        }
        if (endpoint.getBackoffErrorThreshold() > 0 || endpoint.getBackoffMultiplier() > 0) {
            return;
        }
        endpoint.getConfiguration().setThrowExceptionOnConnectFailed(true);
        endpoint.setBackoffErrorThreshold(ERROR_THRESHOLD);
        endpoint.setBackoffMultiplier(MULTIPLIER);
    }

    /** camel-ftp's poll strategy, telling of its forced disconnect at DEBUG instead of WARN. */
    static final class QuietRecovery extends RemoteFilePollingConsumerPollStrategy {

        private static final Logger LOG = LoggerFactory.getLogger(QuietRecovery.class);

        @Override
        public boolean rollback(Consumer consumer, Endpoint endpoint, int retryCounter, Exception e) throws Exception {
            if (consumer instanceof AutoFtpConsumer autoFtp && autoFtp.isRunAllowed()) {
                LOG.debug("Disconnecting from {} to connect again at the next poll", endpoint);
                try {
                    autoFtp.forceDisconnect();
                } catch (Exception t) {
                    LOG.debug("Disconnecting from {} failed; ignored", endpoint, t);
                }
            }
            return false; // as DefaultPollingConsumerPollStrategy: no immediate retry, the exception handler reports it
        }
    }
}
