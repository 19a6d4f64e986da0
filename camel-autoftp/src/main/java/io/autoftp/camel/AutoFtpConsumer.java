package io.autoftp.camel;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.RuntimeCamelException;
import org.apache.camel.component.file.FileComponent;
import org.apache.camel.component.file.GenericFile;
import org.apache.camel.component.file.GenericFileProcessStrategy;
import org.apache.camel.component.file.remote.FtpConsumer;
import org.apache.camel.component.file.remote.RemoteFileEndpoint;
import org.apache.camel.component.file.remote.RemoteFileOperations;
import org.apache.commons.net.ftp.FTPFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * camel-ftp's consumer, except that an {@link Error} in a poll (an {@code OutOfMemoryError} while listing or
 * downloading, a {@code StackOverflowError} in a filter...) does not end polling. Camel's scheduled consumer logs such
 * an error once and rethrows it, which cancels its scheduled task: the route still shows as started, its health check
 * stays up, and nothing is polled again. Here the error is logged at ERROR (endpoint named, password masked), the
 * files this poll had marked as in progress are released so that they are tried again, and the poll fails with an
 * exception instead: Camel counts it (the consumer's health check turns DOWN with the error, and
 * {@code backoffErrorThreshold} applies) and polls again after the usual delay.
 */
final class AutoFtpConsumer extends FtpConsumer {

    private static final Logger LOG = LoggerFactory.getLogger(AutoFtpConsumer.class);

    /** Why the last connect failed, so that each reason is warned about once, not at every poll. */
    private String lastConnectProblem;

    /** Files this poll marked as in progress and has not finished with yet: absolute path → file. */
    private final Map<String, Supplier<GenericFile<FTPFile>>> unfinished = new LinkedHashMap<>();

    AutoFtpConsumer(RemoteFileEndpoint<FTPFile> endpoint, Processor processor, RemoteFileOperations<FTPFile> operations,
                    GenericFileProcessStrategy<FTPFile> processStrategy) {
        super(endpoint, processor, operations, processStrategy);
    }

    @Override
    protected int poll(Exchange dynamic) throws Exception {
        unfinished.clear();
        try {
            return super.poll(dynamic);
        } catch (Error e) {
            int released = releaseUnfinished();
            LOG.error("Polling {} failed with {}: the poll is abandoned ({} file(s) released to be tried again) and"
                      + " polling goes on", getEndpoint(), e, released, e);
            throw new RuntimeCamelException("Polling " + getEndpoint() + " failed with " + e, e);
        } finally {
            unfinished.clear();
        }
    }

    /**
     * camel-ftp warns "Cannot connect/login to: ... Will skip this poll." once, keeping the reason at DEBUG: the
     * reason (refused, 530 Authentication failed...) is warned here, once for each new reason.
     */
    @Override
    protected void connectIfNecessary() {
        try {
            super.connectIfNecessary();
            lastConnectProblem = null;
        } catch (RuntimeException e) {
            String problem = String.valueOf(e.getMessage());
            if (!problem.equals(lastConnectProblem)) {
                lastConnectProblem = problem;
                LOG.warn("{}{} Will try again at the next poll.", problem, problem.endsWith(".") ? "" : ".");
            }
            throw e;
        }
    }

    @Override
    protected boolean isValidFile(Exchange dynamic, Supplier<GenericFile<FTPFile>> file, String name,
            String absoluteFilePath, Supplier<String> relativeFilePath, boolean isDirectory, FTPFile[] files) {
        boolean valid = super.isValidFile(dynamic, file, name, absoluteFilePath, relativeFilePath, isDirectory, files);
        if (valid && !isDirectory) {
            unfinished.put(absoluteFilePath, file);
        }
        return valid;
    }

    @Override
    protected boolean processExchange(Exchange exchange) {
        boolean started = super.processExchange(exchange);
        GenericFile<?> file = exchange.getProperty(FileComponent.FILE_EXCHANGE_FILE, GenericFile.class);
        if (file != null) {
            unfinished.remove(file.getAbsoluteFilePath()); // done, or handed to its on-completion
        }
        return started;
    }

    /** Undoes what camel-file did for files it listed but never finished: in-progress marks, eager idempotent keys. */
    private int releaseUnfinished() {
        for (Map.Entry<String, Supplier<GenericFile<FTPFile>>> entry : unfinished.entrySet()) {
            try {
                getEndpoint().getInProgressRepository().remove(entry.getKey());
                AutoFtpOperations.forgetIdempotentKey(getEndpoint(), entry.getValue().get());
            } catch (RuntimeException e) {
                LOG.debug("Could not release {}: {}", entry.getKey(), e.toString());
            }
        }
        return unfinished.size();
    }
}
