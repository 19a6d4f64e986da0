package io.autoftp.camel;

import java.io.File;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.camel.Exchange;
import org.apache.camel.component.file.FileComponent;
import org.apache.camel.component.file.GenericFile;
import org.apache.camel.component.file.GenericFileOperationFailedException;
import org.apache.camel.component.file.remote.FtpConstants;
import org.apache.camel.component.file.remote.RemoteFile;
import org.apache.camel.component.file.remote.FtpEndpoint;
import org.apache.camel.support.DefaultExchange;
import org.apache.commons.net.ftp.FTPFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Several files of one poll in flight at once ({@code parallelDownloads}): one control connection serialises every
 * file, and with small files most of a file's time is round trips (EPSV, RETR, 150, 226) and the server's own work
 * per transfer. Helpers, each with a control connection of its own to the same server, download the poll's files
 * ahead of the route into the local work directory, in the poll's order; the consumer still routes them one by one,
 * in order, and takes a file a helper holds instead of downloading it, or downloads it itself when no helper has
 * started it. Everything else (commit, move, delete, rollback) stays on the consumer's own connection, as in
 * camel-ftp.
 *
 * <p>A helper's failed download is never reported: the consumer downloads that file itself and reports what happens
 * then. A helper whose server refuses another session (421, or any failed connect or login) is given up until the
 * route restarts, with one INFO line: the consumer goes on with fewer.
 */
final class ParallelDownloads {

    private static final Logger LOG = LoggerFactory.getLogger(ParallelDownloads.class);

    private final FtpEndpoint<FTPFile> endpoint;
    private final ExecutorService executor;
    /** Connections not in use by a batch; a helper takes one, gives it back, or drops it when it fails. */
    private final Queue<AutoFtpOperations> idle = new ConcurrentLinkedQueue<>();
    /** Helper connections that may still be opened: the pool minus those connected and those given up. */
    private final AtomicInteger unopened;
    private boolean stopped;

    ParallelDownloads(FtpEndpoint<FTPFile> endpoint, ExecutorService executor, int helpers) {
        this.endpoint = endpoint;
        this.executor = executor;
        this.unopened = new AtomicInteger(helpers);
    }

    /** Starts downloading {@code files}, in this order, on the helpers; the consumer asks {@link Batch#take}. */
    Batch start(List<GenericFile<FTPFile>> files) {
        Batch batch = new Batch(files);
        int helpers = Math.min(idle.size() + unopened.get(), files.size() - 1); // the consumer takes the first
        for (int i = 0; i < helpers; i++) {
            batch.running.incrementAndGet();
            try {
                executor.execute(batch::work);
            } catch (RejectedExecutionException e) { // the consumer is stopping: it downloads what it still routes
                batch.running.decrementAndGet();
            }
        }
        return batch;
    }

    /** Disconnects the helpers (the consumer stops); one still downloading is disconnected when it is done. */
    synchronized void close() {
        stopped = true;
        for (AutoFtpOperations helper; (helper = idle.poll()) != null;) {
            disconnect(helper);
        }
    }

    /** A helper's connection back from a batch: kept for the next one, unless the consumer stopped meanwhile. */
    private synchronized void release(AutoFtpOperations helper) {
        if (stopped) {
            disconnect(helper);
        } else {
            idle.add(helper);
        }
    }

    /** The files of one poll: each downloaded by one helper or by the consumer, never both. */
    final class Batch implements AutoCloseable {

        private final Map<String, Download> downloads = new LinkedHashMap<>();
        private final Queue<Download> queue;
        private final AtomicInteger running = new AtomicInteger();
        private final CountDownLatch helpersDone = new CountDownLatch(1);
        private volatile boolean closed;

        private Batch(List<GenericFile<FTPFile>> files) {
            for (GenericFile<FTPFile> file : files) {
                downloads.put(file.getAbsoluteFilePath(), new Download(file));
            }
            queue = new ConcurrentLinkedQueue<>(downloads.values());
        }

        /**
         * The local work file a helper downloaded {@code file} into, with the server's reply to it set on
         * {@code exchange} as camel-ftp sets it; false when the consumer must download the file itself (no helper
         * took it, or the helper's download failed).
         */
        boolean take(GenericFile<FTPFile> file, Exchange exchange) throws InterruptedException {
            Download download = downloads.get(file.getAbsoluteFilePath());
            if (download == null || download.claim(Download.CONSUMER)) {
                return false;
            }
            download.done.await();
            if (download.local == null) {
                return false;
            }
            download.taken = true;
            file.setBody(download.local);
            exchange.getIn().setHeader(FtpConstants.FILE_LOCAL_WORK_PATH, download.local.getPath());
            exchange.getIn().setHeader(FtpConstants.FTP_REPLY_CODE, download.replyCode);
            exchange.getIn().setHeader(FtpConstants.FTP_REPLY_STRING, download.replyString);
            return true;
        }

        /** One helper: takes the next file nobody started, until none is left or the batch is closed. */
        private void work() {
            AutoFtpOperations helper = null;
            try {
                helper = connect();
                for (Download next; helper != null && !closed && (next = queue.poll()) != null;) {
                    if (next.claim(Download.HELPER)) {
                        if (!next.download(helper)) {
                            disconnect(helper); // a connection in an unknown state is not reused
                            helper = connect();
                        }
                    }
                }
            } finally {
                if (helper != null) {
                    release(helper);
                }
                if (running.decrementAndGet() == 0) {
                    helpersDone.countDown();
                }
            }
        }

        /**
         * Ends the batch: files no helper started are left alone, the helpers finish the downloads they are in, and
         * the work files the consumer did not take (the route stopped, the batch was cut short) are deleted.
         */
        @Override
        public void close() throws InterruptedException {
            closed = true;
            queue.clear();
            if (running.get() > 0) {
                helpersDone.await();
            }
            for (Download download : downloads.values()) {
                if (download.local != null && !download.taken) {
                    download.local.delete();
                }
            }
        }
    }

    /** An idle helper connection, or a new one while the pool allows; null when the server gave none. */
    private AutoFtpOperations connect() {
        AutoFtpOperations helper = idle.poll();
        if (helper != null) {
            if (isAlive(helper)) {
                return helper;
            }
            disconnect(helper); // closed by the server meanwhile: its socket goes before a new one is opened
        }
        if (helper == null && unopened.getAndDecrement() <= 0) {
            unopened.incrementAndGet();
            return null;
        }
        try {
            helper = helper != null ? helper : AutoFtpOperations.forParallelDownloads(endpoint);
            helper.connect(endpoint.getConfiguration(), null);
            return helper;
        } catch (Exception e) {
            // counted out of the pool: the server said how many sessions it takes
            LOG.info("{}: one parallel download connection fewer until the route restarts, the server did not"
                     + " accept another: {}", endpoint.getConfiguration().remoteServerInformation(), e.getMessage());
            if (helper != null) {
                disconnect(helper);
            }
            return null;
        }
    }

    /** A NOOP on a connection kept since the last batch: the server may have closed it (idle timeout) meanwhile. */
    private static boolean isAlive(AutoFtpOperations helper) {
        try {
            return helper.isConnected() && helper.sendNoop();
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static void disconnect(AutoFtpOperations helper) {
        try {
            helper.disconnect();
        } catch (RuntimeException e) {
            LOG.debug("Disconnecting a parallel download connection: {}", e.toString());
        }
    }

    /** One file of a batch. */
    private final class Download {
        static final int NEW = 0;
        static final int HELPER = 1;
        static final int CONSUMER = 2;

        private final GenericFile<FTPFile> file;
        private final AtomicInteger owner = new AtomicInteger(NEW);
        private final CountDownLatch done = new CountDownLatch(1);
        private volatile File local;
        private volatile int replyCode;
        private volatile String replyString;
        private volatile boolean taken;

        Download(GenericFile<FTPFile> file) {
            this.file = file;
        }

        boolean claim(int who) {
            return owner.compareAndSet(NEW, who);
        }

        /**
         * Downloads on {@code helper} as camel-ftp would on the consumer's connection; false when it failed and the
         * connection is not to be trusted any more.
         */
        boolean download(AutoFtpOperations helper) {
            try {
                RemoteFile<FTPFile> copy = new RemoteFile<>();
                copy.copyFrom(file, copy);
                Exchange exchange = new DefaultExchange(endpoint.getCamelContext());
                exchange.setProperty(FileComponent.FILE_EXCHANGE_FILE, copy);
                if (helper.retrieveFile(file.getAbsoluteFilePath(), exchange, file.getFileLength())) {
                    replyCode = exchange.getIn().getHeader(FtpConstants.FTP_REPLY_CODE, 0, Integer.class);
                    replyString = exchange.getIn().getHeader(FtpConstants.FTP_REPLY_STRING, String.class);
                    local = new File(exchange.getIn().getHeader(FtpConstants.FILE_LOCAL_WORK_PATH, String.class));
                    return true;
                }
                return true; // the server refused this file (its connection is fine): the consumer tries and reports
            } catch (GenericFileOperationFailedException | IllegalArgumentException e) {
                LOG.debug("Parallel download of {} failed, the consumer downloads it: {}", file, e.toString());
                return false;
            } finally {
                done.countDown();
            }
        }
    }
}
