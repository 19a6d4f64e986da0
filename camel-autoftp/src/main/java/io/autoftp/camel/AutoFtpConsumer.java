package io.autoftp.camel;

import java.net.SocketException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ExecutorService;
import java.util.function.Supplier;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.RuntimeCamelException;
import org.apache.camel.component.file.FileComponent;
import org.apache.camel.component.file.GenericFile;
import org.apache.camel.component.file.GenericFileOperationFailedException;
import org.apache.camel.component.file.GenericFileProcessStrategy;
import org.apache.camel.component.file.remote.FtpConsumer;
import org.apache.camel.component.file.remote.FtpEndpoint;
import org.apache.camel.component.file.strategy.GenericFileProcessStrategySupport;
import org.apache.camel.component.file.remote.RemoteFileEndpoint;
import org.apache.camel.component.file.remote.RemoteFileOperations;
import org.apache.camel.spi.ExceptionHandler;
import org.apache.camel.util.ObjectHelper;
import org.apache.commons.net.ftp.FTPConnectionClosedException;
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
 * {@code backoffErrorThreshold} applies) and polls again after the usual delay. And several files of a poll are
 * downloaded at once ({@link ParallelDownloads}).
 */
final class AutoFtpConsumer extends FtpConsumer {

    private static final Logger LOG = LoggerFactory.getLogger(AutoFtpConsumer.class);

    /** Why the last connect failed, so that each reason is warned about once, not at every poll. */
    private String lastConnectProblem;

    /** The thread starting this consumer, while it does. */
    private volatile Thread startingThread;

    /** Files this poll marked as in progress and has not finished with yet: absolute path → file. */
    private final Map<String, Supplier<GenericFile<FTPFile>>> unfinished = new LinkedHashMap<>();

    /**
     * Whether a file of this poll could not begin because the control connection was gone: the poll's other files
     * are then left for the next poll (which connects again), instead of each failing with a WARN of its own.
     */
    private boolean connectionLost;
    private int leftForNextPoll;

    /** Helpers that download a poll's files ahead of the route; null where {@code parallelDownloads} does not apply. */
    private ParallelDownloads parallelDownloads;
    private ExecutorService parallelDownloadThreads;

    AutoFtpConsumer(RemoteFileEndpoint<FTPFile> endpoint, Processor processor, RemoteFileOperations<FTPFile> operations,
                    GenericFileProcessStrategy<FTPFile> processStrategy) {
        super(endpoint, processor, operations, processStrategy);
        // a route's exceptionHandler or bridgeErrorHandler replaces it when the endpoint configures the consumer
        setExceptionHandler(new PollFailureLog(getExceptionHandler(), this::controlConnectionLost));
    }

    @Override
    protected int poll(Exchange dynamic) throws Exception {
        unfinished.clear();
        connectionLost = false;
        leftForNextPoll = 0;
        try {
            return super.poll(dynamic);
        } catch (Error e) {
            int released = releaseUnfinished();
            forceDisconnect(); // the control connection's state (directory, a reply not read) is unknown now
            LOG.error("Polling {} failed with {}: the poll is abandoned ({} file(s) released to be tried again) and"
                      + " polling goes on", getEndpoint(), e, released, e);
            throw new RuntimeCamelException("Polling " + getEndpoint() + " failed with " + e, e);
        } finally {
            unfinished.clear();
            if (leftForNextPoll > 0) {
                LOG.warn("Lost the control connection to {}: {} more file(s) of this poll are left for the next poll",
                        getEndpoint(), leftForNextPoll);
            }
        }
    }

    /**
     * A failed connect is reported once per poll by the exception handler when it fails the poll (autoftp's default,
     * see {@link ConnectFailureBackoff}). When the route chose camel-ftp's way (skip the poll, warn "Cannot
     * connect/login to: ... Will skip this poll." once, the reason at DEBUG), the reason (refused, 530 Authentication
     * failed...) is warned here, once for each new reason.
     */
    @Override
    protected void connectIfNecessary() {
        try {
            super.connectIfNecessary();
            lastConnectProblem = null;
        } catch (RuntimeException e) {
            String problem = String.valueOf(e.getMessage());
            if (!getEndpoint().getConfiguration().isThrowExceptionOnConnectFailed()
                && !problem.equals(lastConnectProblem)) {
                lastConnectProblem = problem;
                LOG.warn("{}{} Will try again at the next poll.", problem, problem.endsWith(".") ? "" : ".");
            }
            throw e;
        }
    }

    /**
     * Without a starting directory while the consumer starts, so that camel-ftp does not connect then to create it:
     * a failure there is a WARN with a stack trace that says "This exception is ignored". The first poll connects and
     * creates the directory ({@code autoCreate}) anyway, and reports a failure as any failed poll.
     */
    @Override
    protected void doStart() throws Exception {
        startingThread = Thread.currentThread();
        try {
            super.doStart();
        } finally {
            startingThread = null;
        }
        int parallel = parallelDownloads();
        if (parallel > 1) {
            parallelDownloadThreads = getEndpoint().getCamelContext().getExecutorServiceManager()
                    .newFixedThreadPool(this, "AutoFtpParallelDownload", parallel - 1);
            parallelDownloads = new ParallelDownloads((FtpEndpoint<FTPFile>) getEndpoint(), parallelDownloadThreads,
                    parallel - 1);
        }
    }

    @Override
    protected void doStop() throws Exception {
        super.doStop();
        if (parallelDownloadThreads != null) {
            getEndpoint().getCamelContext().getExecutorServiceManager().shutdownNow(parallelDownloadThreads);
            parallelDownloadThreads = null;
        }
        if (parallelDownloads != null) {
            parallelDownloads.close();
            parallelDownloads = null;
        }
    }

    /**
     * {@code parallelDownloads}, or 1 where files downloaded ahead would change what camel-ftp does: in memory (no
     * work directory), with a read lock or a pre-move (both act before the download), resumed downloads, or none; and
     * with the route's own {@code ftpClient}, which every connection of the endpoint would share.
     */
    @SuppressWarnings("unchecked")
    private int parallelDownloads() {
        FtpEndpoint<FTPFile> endpoint = (FtpEndpoint<FTPFile>) getEndpoint();
        boolean readLock = processStrategy instanceof GenericFileProcessStrategySupport<FTPFile> support
                           && support.getExclusiveReadLockStrategy() != null;
        if (ObjectHelper.isEmpty(endpoint.getLocalWorkDirectory()) || !endpoint.isDownload() || readLock
            || endpoint.getPreMove() != null || endpoint.isResumeDownload() || endpoint.getFtpClient() != null) {
            return 1;
        }
        return ((ModeAwareEndpoint) endpoint).getDataChannelOptions().getParallelDownloads();
    }

    /** With {@link ParallelDownloads}, helpers download this poll's files ahead of the route. */
    @Override
    @SuppressWarnings("unchecked")
    public int processBatch(Queue<Object> exchanges) {
        if (parallelDownloads == null || exchanges.size() < 2) {
            return super.processBatch(exchanges);
        }
        int total = getMaxMessagesPerPoll() > 0 ? Math.min(exchanges.size(), getMaxMessagesPerPoll())
                : exchanges.size();
        List<GenericFile<FTPFile>> files = new ArrayList<>(total);
        for (Object exchange : exchanges) {
            if (files.size() == total) {
                break;
            }
            files.add(((Exchange) exchange).getProperty(FileComponent.FILE_EXCHANGE_FILE, GenericFile.class));
        }
        AutoFtpOperations operations = (AutoFtpOperations) getOperations();
        ParallelDownloads.Batch batch = parallelDownloads.start(files);
        operations.useParallelBatch(batch);
        try {
            return super.processBatch(exchanges);
        } finally {
            operations.useParallelBatch(null);
            try {
                batch.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    protected boolean hasStartingDirectory() {
        // only on the thread running doStart: a first poll may already run on the scheduler's thread
        return startingThread != Thread.currentThread() && super.hasStartingDirectory();
    }

    /** camel-ftp's forced disconnect, for {@link ConnectFailureBackoff.QuietRecovery}. */
    @Override
    protected void forceDisconnect() {
        super.forceDisconnect();
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
        GenericFile<?> file = exchange.getProperty(FileComponent.FILE_EXCHANGE_FILE, GenericFile.class);
        if (connectionLost && file != null && unfinished.containsKey(file.getAbsoluteFilePath())) {
            release(file.getAbsoluteFilePath(), unfinished.remove(file.getAbsoluteFilePath()));
            leftForNextPoll++;
            return false;
        }
        boolean started = super.processExchange(exchange);
        if (file != null) {
            unfinished.remove(file.getAbsoluteFilePath()); // done, or handed to its on-completion
        }
        return started;
    }

    private void controlConnectionLost() {
        connectionLost = true;
    }

    /**
     * Undoes what camel-file did for files it listed but never finished: in-progress marks, eager idempotent keys,
     * claims.
     */
    private int releaseUnfinished() {
        unfinished.forEach(this::release);
        return unfinished.size();
    }

    private void release(String absolutePath, Supplier<GenericFile<FTPFile>> file) {
        try {
            getEndpoint().getInProgressRepository().remove(absolutePath);
            AutoFtpOperations.forgetIdempotentKey(getEndpoint(), file.get());
            if (processStrategy instanceof GenericFileProcessStrategySupport<FTPFile> support
                && support.getExclusiveReadLockStrategy() instanceof ClaimReadLock claims) {
                claims.forget(file.get());
            }
        } catch (RuntimeException e) {
            LOG.debug("Could not release {}: {}", absolutePath, e.toString());
        }
    }

    /**
     * Reports a poll that failed on an FTP operation (connect, login, listing...) in one WARN line with the server's
     * reply ("Failed polling endpoint: autoftp://partner@host:21/inbox?password=xxxxxx. Will try again at next poll:
     * Cannot connect to autoftp://partner@host:21: 530 Authentication failed."), its stack trace at DEBUG; anything else
     * as Camel does, stack trace and all.
     */
    static final class PollFailureLog implements ExceptionHandler {

        private final ExceptionHandler camels;
        private final Runnable onConnectionLost;

        PollFailureLog(ExceptionHandler camels, Runnable onConnectionLost) {
            this.camels = camels;
            this.onConnectionLost = onConnectionLost;
        }

        @Override
        public void handleException(Throwable exception) {
            handleException(null, null, exception);
        }

        @Override
        public void handleException(String message, Throwable exception) {
            handleException(message, null, exception);
        }

        @Override
        public void handleException(String message, Exchange exchange, Throwable exception) {
            if (exchange != null || !(exception instanceof GenericFileOperationFailedException)) {
                if (exchange != null && isConnectionLoss(exception)) { // a file that could not begin
                    onConnectionLost.run();
                }
                camels.handleException(message, exchange, exception);
                return;
            }
            String text = message == null ? "Polling failed" : message;
            LOG.warn("{}: {}", text, exception.getMessage());
            LOG.debug("{}", text, exception);
        }

        private static boolean isConnectionLoss(Throwable exception) {
            for (Throwable cause = exception; cause != null; cause = cause.getCause()) {
                if (cause instanceof FTPConnectionClosedException || cause instanceof SocketException) {
                    return true;
                }
            }
            return false;
        }
    }
}
