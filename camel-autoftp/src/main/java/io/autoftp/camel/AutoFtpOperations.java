package io.autoftp.camel;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

import io.autoftp.client.DataChannelTlsException;
import io.autoftp.client.ModeAwareFtpsClient;
import org.apache.camel.Exchange;
import org.apache.camel.StreamCache;
import org.apache.camel.WrappedFile;
import org.apache.camel.component.file.FileComponent;
import org.apache.camel.component.file.GenericFile;
import org.apache.camel.component.file.GenericFileEndpoint;
import org.apache.camel.component.file.GenericFileHelper;
import org.apache.camel.component.file.GenericFileOperationFailedException;
import org.apache.camel.component.file.remote.FtpConstants;
import org.apache.camel.component.file.remote.FtpEndpoint;
import org.apache.camel.component.file.remote.FtpOperations;
import org.apache.camel.component.file.remote.FtpsConfiguration;
import org.apache.camel.component.file.remote.RemoteFileConfiguration;
import org.apache.camel.component.file.remote.RemoteFileOperations;
import org.apache.camel.util.FileUtil;
import org.apache.camel.util.ObjectHelper;
import org.apache.commons.net.ProtocolCommandEvent;
import org.apache.commons.net.ProtocolCommandListener;
import org.apache.commons.net.ftp.FTPClient;
import org.apache.commons.net.ftp.FTPClientConfig;
import org.apache.commons.net.ftp.FTPFile;
import org.apache.commons.net.ftp.FTPReply;
import org.apache.commons.net.ftp.FTPSClient;

/**
 * camel-ftp's operations, for both {@code autoftp} and {@code autoftps}, with repairs for downloads that fail
 * half-way:
 * <ul>
 * <li>In FTP's stream mode the end of a file is just the end of its data connection: a connection closed cleanly
 * half-way while the server believes it sent everything (and answers 226) leaves a short file that commons-net and
 * camel-ftp report as a success, so the route would get half a file and the original would be moved or deleted. In
 * binary mode a download that ends short of the size the listing gave is a failure here, and the file stays on the
 * server for the next poll.</li>
 * <li>With {@code stepwise=true} (the default) camel-ftp changes into the file's directory to download it and back
 * afterwards, but not when the download fails; every later file of the same poll is then looked for one directory too
 * deep ("550 No such directory") and fails too. The directory camel-ftp noted before the download is restored.</li>
 * <li>With {@code idempotent=true} (also implied by {@code noop=true}) camel-file adds a file's key to the idempotent
 * repository when it lists the file and removes it again only when the routed exchange fails, not when the download
 * itself fails: a file whose download was cut would never be tried again. Its key is removed here.</li>
 * <li>camel-ftp deletes its {@code .inprogress} work file after an I/O error, but not when the download fails in
 * another way (a lost connection while changing directory, a short file): the work files of a failed download are
 * deleted here.</li>
 * </ul>
 * And two more: a failure to connect names the server, and a directory listing is the server's word, while camel-ftp
 * uses each name in it as a relative path on this side (the local work file of a download, the {@code CamelFileName}
 * header). A name that is not a plain file name ({@code ..}, a '/' or '\', control characters such as NUL, CR or LF)
 * is left out of the listing here, with one WARN per name, so that a hostile or broken server cannot make the consumer
 * write outside its directories. A delete or rename that the server refuses is logged (once per file, with the
 * server's reply) and counted: camel-ftp's delete strategy takes a refused {@code DELE} of a file that is gone for a
 * success without a word, which hides two clients processing the same file.
 */
final class AutoFtpOperations extends FtpOperations {

    /** The working directory camel-ftp asked for at the start of the current download or upload (stepwise only). */
    private String directoryBeforeTransfer;

    /** Unsafe names already warned about, so that each poll does not log them again (bounded). */
    private final Set<String> warnedNames = new HashSet<>();

    /** The last command that changes files (DELE, RNFR, RNTO) and the server's reply to it. */
    private final LastFileCommand lastFileCommand = new LastFileCommand();

    /** The producer's connection to the server of a file left there by its consumer (download=false). */
    private final RemoteSources remoteSources = new RemoteSources();

    /** The file whose refusal was logged last, so that camel-file's retries of one delete log one line. */
    private String lastRefused;

    /** The consumer's poll whose files helpers download ahead of the route ({@link ParallelDownloads}), or null. */
    private ParallelDownloads.Batch parallelBatch;
    /** Whether these operations are a parallel download helper's, whose failures the consumer reports, not they. */
    private boolean parallelHelper;
    /** The directory a helper logged into (null until asked), and the path under it that it is in. */
    private String helperHome;
    private String helperPath;
    /** Whether {@link #helperPath} is where the helper is: false after a connect or a failed download. */
    private boolean helperPlaceKnown;

    /** The path of the file whose commit or rollback is under way (camel-file's delete or move). */
    private String processedFile;
    /** Whether the server confirmed the delete or move of {@link #processedFile}. */
    private boolean processedFileRemoved;

    private AutoFtpOperations(FTPClient client, FTPClientConfig clientConfig) {
        super(client, clientConfig);
        client.addProtocolCommandListener(lastFileCommand);
    }

    /**
     * These operations in place of the ones camel-ftp's endpoint made ({@code FtpOperations} or
     * {@code FtpsOperations}), on the same client and configuration.
     */
    static AutoFtpOperations replacing(RemoteFileOperations<FTPFile> configured, FtpEndpoint<FTPFile> endpoint) {
        AutoFtpOperations operations = new AutoFtpOperations(((FtpOperations) configured).getClient(),
                endpoint.getFtpClientConfig());
        operations.setEndpoint(endpoint);
        return operations;
    }

    /** Operations for a parallel download helper: the endpoint's, whose failed downloads leave no trace of their own. */
    static AutoFtpOperations forParallelDownloads(FtpEndpoint<FTPFile> endpoint) throws Exception {
        AutoFtpOperations operations = (AutoFtpOperations) endpoint.createRemoteFileOperations();
        operations.parallelHelper = true;
        return operations;
    }

    /** The consumer's current poll, whose files may already be downloaded by helpers; null after it. */
    void useParallelBatch(ParallelDownloads.Batch batch) {
        this.parallelBatch = batch;
    }

    /**
     * camel-ftp's failure to connect or log in says "File operation failed: null Connection refused. Code: 0" or
     * "File operation failed: 530 Authentication failed.. Code: 530", naming no server: this one says which (never
     * with the password) and why; camel-ftp's exception is the cause.
     */
    @Override
    public boolean connect(RemoteFileConfiguration configuration, Exchange exchange)
            throws GenericFileOperationFailedException {
        helperPlaceKnown = false; // a new login starts in the home directory
        helperHome = null;
        try {
            boolean connected = super.connect(configuration, exchange);
            if (connected && configuration instanceof FtpsConfiguration tls) {
                protectDataChannel(tls);
            }
            return connected;
        } catch (GenericFileOperationFailedException e) {
            String reason = e.getCause() != null && e.getCause().getMessage() != null ? e.getCause().getMessage()
                    : e.getReason() != null ? e.getReason().trim() : e.getMessage();
            throw new GenericFileOperationFailedException(
                    "Cannot connect to " + configuration.remoteServerInformation() + ": " + reason, e);
        }
    }

    /**
     * What camel-ftp's {@code FtpsOperations} adds to a connect (these operations extend {@code FtpOperations} for
     * both schemes): PBSZ and PROT after login, by default 0 and P unless {@code disableSecureDataChannelDefaults}.
     */
    private void protectDataChannel(FtpsConfiguration config) {
        String prot = config.getExecProt();
        Long pbsz = config.getExecPbsz();
        if (!config.isDisableSecureDataChannelDefaults()) {
            prot = ObjectHelper.isEmpty(prot) ? "P" : prot;
            pbsz = ObjectHelper.isEmpty(pbsz) ? Long.valueOf(0) : pbsz;
        }
        try {
            if (pbsz != null) {
                ((FTPSClient) client).execPBSZ(pbsz);
            }
            if (prot != null) {
                ((FTPSClient) client).execPROT(prot);
            }
        } catch (IOException e) {
            throw new GenericFileOperationFailedException(client.getReplyCode(), client.getReplyString(),
                    e.getMessage(), e);
        }
    }

    /**
     * A file still on another autoftp server ({@code download=false}) is given to the client as a
     * {@link io.autoftp.client.RemoteSource}: server-to-server or relayed, per {@code serverToServer}. camel-ftp's
     * stepwise directories, {@code fileExist} and the producer's temporary names and done files stay as they are.
     */
    @Override
    public boolean storeFile(String name, Exchange exchange, long size) throws GenericFileOperationFailedException {
        io.autoftp.client.RemoteSource source = remoteSources.attach((ModeAwareEndpoint) endpoint, exchange);
        directoryBeforeTransfer = null;
        try {
            return super.storeFile(name, exchange, size);
        } catch (GenericFileOperationFailedException e) {
            if (source != null || !storesAgain(e, exchange)) {
                throw e;
            }
            return super.storeFile(name, exchange, size);
        } finally {
            if (source != null) {
                remoteSources.detach(exchange, source);
            }
        }
    }

    /**
     * Whether an upload the server refused for its TLS is stored once more: when the client learned to offer the server
     * TLS 1.2 by session id (see {@link ModeAwareFtpsClient}), the body can be read again, and a new control connection
     * is back in the directory the upload started from.
     */
    private boolean storesAgain(GenericFileOperationFailedException failure, Exchange exchange) {
        Throwable cause = failure;
        while (cause != null && !(cause instanceof DataChannelTlsException)) {
            cause = cause.getCause();
        }
        Object body = exchange.getIn().getBody();
        boolean readAgain = body == null || body instanceof WrappedFile<?> || body instanceof File || body instanceof Path
                            || body instanceof byte[] || body instanceof String || body instanceof StreamCache;
        if (!(cause instanceof DataChannelTlsException refused) || !refused.isRepeatable() || !readAgain
            || !(client instanceof ModeAwareFtpsClient tls) || !tls.reconnectBySessionId()) {
            return false;
        }
        restoreDirectory(failure); // stepwise: the directory the upload changed from, as for a download
        if (body instanceof StreamCache cache) {
            cache.reset();
        }
        return true;
    }

    @Override
    public void disconnect() throws GenericFileOperationFailedException {
        remoteSources.close();
        super.disconnect();
    }

    @Override
    public void forceDisconnect() throws GenericFileOperationFailedException {
        remoteSources.close();
        super.forceDisconnect();
    }

    /**
     * camel-file releases the processed file's stream first thing in its commit and rollback: what is deleted next is
     * either that file or, before a move, the move's target (which is seldom there).
     */
    @Override
    public void releaseRetrievedFileResources(Exchange exchange) throws GenericFileOperationFailedException {
        GenericFile<?> file = exchange.getProperty(FileComponent.FILE_EXCHANGE_FILE, GenericFile.class);
        processedFile = file != null ? file.getAbsoluteFilePath() : null;
        processedFileRemoved = false;
        super.releaseRetrievedFileResources(exchange);
    }

    /**
     * A refused DELE of the processed file is logged and counted even when the file is gone (another client took it);
     * camel-file's DELE of a move target that does not exist is not a refusal.
     */
    @Override
    public boolean deleteFile(String name) throws GenericFileOperationFailedException {
        boolean deleted = super.deleteFile(name);
        processedFileRemoved |= deleted && name.equals(processedFile);
        if (!deleted && (name.equals(processedFile) || existsAfterRefusal(name))) {
            refused("delete " + name, name);
            counters().refusedDelete();
        } else if (!deleted) {
            log.debug("Nothing to delete at {}: {}", name, lastFileCommand.reply());
        }
        return deleted;
    }

    private boolean existsAfterRefusal(String name) {
        try {
            return fileExists(name);
        } catch (IOException e) {
            throw new GenericFileOperationFailedException(client.getReplyCode(), client.getReplyString(),
                    e.getMessage(), e);
        }
    }

    /** Whether the server confirmed the delete or move (rename) of this processed file in its commit. */
    boolean removedInCommit(String path) {
        return processedFileRemoved && path.equals(processedFile);
    }

    /**
     * Whether the file is on the server, in one round trip whatever the directory's size: MDTM answers 213 when it is
     * and 550 when it is not; a server without MDTM gets camel-ftp's listing check.
     */
    boolean fileExists(String path) throws IOException {
        int reply = client.sendCommand("MDTM", path);
        if (FTPReply.isPositiveCompletion(reply)) {
            return true;
        }
        if (reply == FTPReply.FILE_UNAVAILABLE) {
            return false;
        }
        return existsFile(path);
    }

    @Override
    public boolean renameFile(String from, String to) throws GenericFileOperationFailedException {
        boolean renamed = super.renameFile(from, to);
        processedFileRemoved |= renamed && from.equals(processedFile);
        if (!renamed) {
            refused("rename " + from + " to " + to, from);
            counters().refusedRename();
        }
        return renamed;
    }

    private void refused(String operation, String file) {
        if (file.equals(lastRefused)) {
            return;
        }
        lastRefused = file;
        log.warn("{} refused to {}: {}", endpoint.getConfiguration().remoteServerInformation(), operation,
                lastFileCommand.reply());
    }

    private FileOperationCounters counters() {
        return ((ModeAwareComponent) endpoint.getComponent()).getFileOperationCounters();
    }

    /** Remembers the reply to the last DELE, RNFR or RNTO (camel-ftp changes back directories after a DELE). */
    private static final class LastFileCommand implements ProtocolCommandListener {

        private volatile boolean watching;
        private volatile String reply = "no reply";

        @Override
        public void protocolCommandSent(ProtocolCommandEvent event) {
            String command = event.getCommand();
            watching = "DELE".equalsIgnoreCase(command) || "RNFR".equalsIgnoreCase(command)
                       || "RNTO".equalsIgnoreCase(command);
        }

        @Override
        public void protocolReplyReceived(ProtocolCommandEvent event) {
            if (watching) {
                reply = event.getMessage().strip();
                watching = false;
            }
        }

        String reply() {
            return reply;
        }
    }

    @Override
    public String getCurrentDirectory() throws GenericFileOperationFailedException {
        String directory = super.getCurrentDirectory();
        directoryBeforeTransfer = directory; // camel-ftp asks for it first thing in a stepwise download or upload
        return directory;
    }

    @Override
    public FTPFile[] listFiles() throws GenericFileOperationFailedException {
        return withoutUnsafeNames(super.listFiles());
    }

    @Override
    public FTPFile[] listFiles(String path) throws GenericFileOperationFailedException {
        return withoutUnsafeNames(super.listFiles(path));
    }

    private FTPFile[] withoutUnsafeNames(FTPFile[] files) {
        if (files == null) {
            return null;
        }
        boolean pathsAllowed = endpoint.getConfiguration().isHandleDirectoryParserAbsoluteResult();
        List<FTPFile> safe = new ArrayList<>(files.length);
        for (FTPFile file : files) {
            String problem = file == null ? null : unsafeName(file.getName(), pathsAllowed);
            if (problem == null) {
                safe.add(file);
            } else if (!".".equals(file.getName()) && !"..".equals(file.getName())) {
                warnOnce(file.getName(), problem); // "." and ".." are what some servers list for every directory
            }
        }
        return safe.size() == files.length ? files : safe.toArray(new FTPFile[0]);
    }

    /** Why {@code name} is not a plain file name, or null when it is one. */
    static String unsafeName(String name, boolean pathsAllowed) {
        if (name == null || name.isEmpty()) {
            return "it is empty";
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return "it contains a control character";
            }
        }
        if (name.indexOf('\\') >= 0) {
            return "it contains '\\'";
        }
        for (String segment : name.split("/", -1)) {
            if (segment.equals("..") || segment.equals(".")) {
                return "it is or contains '" + segment + "'";
            }
        }
        if (!pathsAllowed && name.indexOf('/') >= 0) {
            return "it contains '/'";
        }
        return null;
    }

    private void warnOnce(String name, String problem) {
        synchronized (warnedNames) {
            if (warnedNames.size() >= 1000) {
                warnedNames.clear();
            }
            if (!warnedNames.add(name)) {
                return;
            }
        }
        log.warn("Ignoring the entry \"{}\" in a directory listing from {}: {}, not a plain file name",
                printable(name), endpoint.getConfiguration().remoteServerInformation(), problem);
    }

    /** The name with control characters and quotes escaped, so that it cannot forge log lines. */
    static String printable(String name) {
        StringBuilder out = new StringBuilder(name.length() + 8);
        for (int i = 0; i < name.length() && i < 512; i++) {
            char c = name.charAt(i);
            if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return name.length() > 512 ? out.append("...").toString() : out.toString();
    }

    @Override
    public boolean retrieveFile(String name, Exchange exchange, long size) throws GenericFileOperationFailedException {
        if (parallelBatch != null && takeFromHelper(exchange)) {
            return true;
        }
        directoryBeforeTransfer = null;
        boolean delivered = false;
        try {
            boolean retrieved;
            try {
                retrieved = ObjectHelper.isNotEmpty(endpoint.getLocalWorkDirectory()) && !endpoint.isResumeDownload()
                        ? retrieveToWorkFile(name, exchange, size) : super.retrieveFile(name, exchange, size);
            } catch (GenericFileOperationFailedException | IllegalArgumentException e) {
                restoreDirectory(e);
                throw e;
            }
            if (retrieved) {
                checkComplete(name, exchange, size);
            }
            delivered = retrieved;
            return retrieved;
        } finally {
            if (!delivered) {
                helperPlaceKnown = false;
                if (!parallelHelper) { // the consumer downloads the file again, and decides
                    forgetIdempotentKey(exchange);
                }
                deleteWorkFiles(exchange);
            }
        }
    }

    /**
     * A helper changes into a file's directory (stepwise, as camel-ftp does) and stays there for the next file, where
     * camel-ftp changes into the directory and back, asking for the directory first, for every file: three commands
     * (PWD, CWD, CWD) a file that the helper's private connection does not need. The consumer's own connection still
     * goes back, as camel-ftp expects.
     */
    private void enterAsHelper(String path) {
        if (helperPlaceKnown && Objects.equals(helperPath, path)) {
            return;
        }
        if (helperHome == null) {
            helperHome = getCurrentDirectory(); // right after the login: where relative paths start
        } else {
            changeCurrentDirectory(helperHome);
        }
        helperPlaceKnown = false;
        if (path != null) {
            changeCurrentDirectory(path);
        }
        helperPath = path;
        helperPlaceKnown = true;
    }

    /**
     * camel-ftp's download into the local work directory (same files, names, headers and activity events), without
     * the directory it makes and removes again for every file: it calls {@code mkdirs} on the local file's own path,
     * then deletes that directory because the path exists. On a journaling file system those two metadata writes cost
     * more than the download of a small file (about 1 ms together on the benchmark machine's ext4).
     */
    @SuppressWarnings("unchecked")
    private boolean retrieveToWorkFile(String name, Exchange exchange, long size) {
        String server = endpoint.getConfiguration().remoteServerInformation();
        clientActivityListener.setDownload(true);
        clientActivityListener.setRemoteFileName(name);
        clientActivityListener.setRemoteFileSize(size);
        clientActivityListener.onBeginDownloading(server, name);
        GenericFile<FTPFile> target = exchange.getProperty(FileComponent.FILE_EXCHANGE_FILE, GenericFile.class);
        ObjectHelper.notNull(target, "Exchange should have the " + FileComponent.FILE_EXCHANGE_FILE + " set");
        Path local = Path.of(FileUtil.normalizePath(endpoint.getLocalWorkDirectory()), target.getRelativeFilePath());
        Path inProgress = local.resolveSibling(local.getFileName() + ".inprogress");
        OutputStream out;
        try {
            if (!Files.isDirectory(local.getParent())) {
                Files.createDirectories(local.getParent());
            }
            Files.deleteIfExists(local); // a leftover of an earlier run
            out = Files.newOutputStream(inProgress); // replaces a leftover in-progress file
        } catch (IOException e) {
            throw activityError(new GenericFileOperationFailedException("Cannot create new local work file: " + local,
                    e));
        }
        exchange.getIn().setHeader(FtpConstants.FILE_LOCAL_WORK_PATH, local.toString());
        target.setBody(local.toFile());
        boolean retrieved;
        try (out) {
            String remoteName = name;
            String directory = null;
            if (endpoint.getConfiguration().isStepwise()) {
                String path = FileUtil.onlyPath(name);
                if (parallelHelper) {
                    enterAsHelper(path);
                } else {
                    directory = getCurrentDirectory();
                    if (path != null) {
                        changeCurrentDirectory(path);
                    }
                }
                remoteName = FileUtil.stripPath(name);
            }
            retrieved = client.retrieveFile(remoteName, out);
            exchange.getIn().setHeader(FtpConstants.FTP_REPLY_CODE, client.getReplyCode());
            exchange.getIn().setHeader(FtpConstants.FTP_REPLY_STRING, client.getReplyString());
            if (directory != null) {
                changeCurrentDirectory(directory);
            }
        } catch (IOException e) { // retrieveFile deletes the work files of a failed download
            throw activityError(new GenericFileOperationFailedException(client.getReplyCode(), client.getReplyString(),
                    e.getMessage(), e));
        } catch (GenericFileOperationFailedException e) {
            throw activityError(e);
        }
        if (retrieved) {
            try {
                Files.move(inProgress, local, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw activityError(new GenericFileOperationFailedException(
                        "Cannot rename local work file from: " + inProgress + " to: " + local, e));
            }
            clientActivityListener.onDownloadComplete(server, name);
        }
        return retrieved;
    }

    private GenericFileOperationFailedException activityError(GenericFileOperationFailedException e) {
        clientActivityListener.onGeneralError(endpoint.getConfiguration().remoteServerInformation(), e.getMessage());
        return e;
    }

    @SuppressWarnings("unchecked")
    private boolean takeFromHelper(Exchange exchange) {
        GenericFile<FTPFile> target = exchange.getProperty(FileComponent.FILE_EXCHANGE_FILE, GenericFile.class);
        try {
            return target != null && parallelBatch.take(target, exchange);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GenericFileOperationFailedException("Interrupted while waiting for the parallel download of "
                                                          + target.getAbsoluteFilePath(), e);
        }
    }

    /** Throws when a binary download ended short of the size the listing gave. */
    private void checkComplete(String name, Exchange exchange, long size) {
        if (size <= 0 || !endpoint.getConfiguration().isBinary() || endpoint.getConfiguration().isStreamDownload()) {
            return;
        }
        long received = receivedBytes(exchange);
        if (received < 0 || received >= size) {
            return;
        }
        GenericFile<?> target = exchange.getProperty(FileComponent.FILE_EXCHANGE_FILE, GenericFile.class);
        if (target != null) {
            target.setBody(null); // the partial bytes are not to be routed
        }
        String server = endpoint.getConfiguration().remoteServerInformation();
        throw new GenericFileOperationFailedException(client.getReplyCode(), client.getReplyString(),
                "Download of " + name + " from " + server + " ended after " + received + " of the " + size
                                                                      + " bytes the server listed: the data connection"
                                                                      + " was closed early; the file is left on the"
                                                                      + " server for the next poll");
    }

    /** Bytes in the local work file or the in-memory body, or -1 when unknown. */
    private static long receivedBytes(Exchange exchange) {
        String workPath = exchange.getIn().getHeader(FtpConstants.FILE_LOCAL_WORK_PATH, String.class);
        if (workPath != null) {
            File work = new File(workPath);
            return work.isFile() ? work.length() : -1;
        }
        GenericFile<?> target = exchange.getProperty(FileComponent.FILE_EXCHANGE_FILE, GenericFile.class);
        return target != null && target.getBody() instanceof byte[] bytes ? bytes.length : -1;
    }

    private void restoreDirectory(Exception failure) {
        String directory = directoryBeforeTransfer;
        directoryBeforeTransfer = null;
        if (directory == null || !endpoint.getConfiguration().isStepwise() || !client.isConnected()) {
            return;
        }
        try {
            changeCurrentDirectory(directory);
        } catch (RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    /** The local work file and its in-progress twin of a failed download (unless resuming, which needs them). */
    private void deleteWorkFiles(Exchange exchange) {
        String workPath = exchange.getIn().getHeader(FtpConstants.FILE_LOCAL_WORK_PATH, String.class);
        if (workPath == null || endpoint.isResumeDownload()) {
            return;
        }
        for (String path : new String[] { workPath + ".inprogress", workPath }) {
            try {
                Files.deleteIfExists(new File(path).toPath());
            } catch (IOException e) {
                log.warn("Cannot delete the local work file {}: {}", path, e.getMessage());
            }
        }
    }

    /** Removes the key camel-file added when it listed the file, computed as camel-file computes it. */
    @SuppressWarnings("unchecked")
    private void forgetIdempotentKey(Exchange exchange) {
        GenericFile<FTPFile> file = exchange.getProperty(FileComponent.FILE_EXCHANGE_FILE, GenericFile.class);
        if (file != null) {
            forgetIdempotentKey(endpoint, file);
        }
    }

    /**
     * Removes the key that camel-file's eager idempotent check added for {@code file} when it listed it, computed as
     * camel-file computes it, so that a file that was never delivered is tried again.
     */
    static void forgetIdempotentKey(GenericFileEndpoint<FTPFile> endpoint, GenericFile<FTPFile> file) {
        if (!Boolean.TRUE.equals(endpoint.isIdempotent()) || !endpoint.isIdempotentEager()
            || endpoint.getIdempotentRepository() == null) {
            return;
        }
        String key = file.getAbsoluteFilePath();
        if (endpoint.getIdempotentKey() != null) {
            Exchange dummy = GenericFileHelper.createDummy(endpoint, null, () -> file);
            key = endpoint.getIdempotentKey().evaluate(dummy, String.class);
        }
        if (key != null) {
            endpoint.getIdempotentRepository().remove(key);
        }
    }
}
