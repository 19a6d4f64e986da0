package io.autoftp.camel;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.camel.Exchange;
import org.apache.camel.LoggingLevel;
import org.apache.camel.component.file.GenericFile;
import org.apache.camel.component.file.GenericFileEndpoint;
import org.apache.camel.component.file.GenericFileExclusiveReadLockStrategy;
import org.apache.camel.component.file.GenericFileHelper;
import org.apache.camel.component.file.GenericFileOperations;
import org.apache.camel.component.file.GenericFileProcessStrategy;
import org.apache.camel.component.file.remote.FtpEndpoint;
import org.apache.camel.component.file.remote.RemoteFileConfiguration;
import org.apache.camel.component.file.remote.RemoteFileEndpoint;
import org.apache.camel.component.file.remote.strategy.FtpProcessStrategyFactory;
import org.apache.camel.component.file.strategy.GenericFileProcessStrategySupport;
import org.apache.camel.spi.CamelLogger;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.service.ServiceHelper;
import org.apache.commons.net.ftp.FTPFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code readLock=idempotent}, {@code idempotent-changed} and {@code idempotent-rename} on FTP, as camel-file has them
 * for local files (camel-ftp's process strategies silently take no read lock for them): a file is claimed in an
 * {@link IdempotentRepository} shared by every replica before it is downloaded; then, for the {@code -changed} and
 * {@code -rename} variants, camel-ftp's own {@code changed} or {@code rename} lock is taken too. The claim is
 * released when processing fails (another replica or a later poll takes the file) and confirmed when it succeeds (no
 * replica takes it again), or removed once the file is gone ({@code delete}, {@code move}).
 *
 * <p>The key is {@code user@host:port:} followed by the file's path as camel-ftp names it (relative to the login
 * directory unless the endpoint's directory is absolute), so that one repository serves several servers; an
 * {@code idempotentKey} expression replaces it.
 */
final class ClaimReadLock implements GenericFileExclusiveReadLockStrategy<FTPFile> {

    private static final Logger LOG = LoggerFactory.getLogger(ClaimReadLock.class);

    static final String IDEMPOTENT = "idempotent";
    /** What camel-ftp's {@code readLock} may be on autoftp endpoints. */
    static final List<String> READ_LOCKS =
            List.of("none", "false", "changed", "rename", IDEMPOTENT, "idempotent-changed", "idempotent-rename");

    /** camel-file options of the idempotent read locks that this one does not offer. */
    private static final List<String> UNSUPPORTED =
            List.of("readLockIdempotentReleaseDelay", "readLockIdempotentReleaseAsync",
                    "readLockIdempotentReleaseAsyncPoolSize", "readLockIdempotentReleaseExecutorService");

    private final IdempotentRepository claims;
    /** camel-ftp's changed or rename lock, taken after the claim; null for plain {@code idempotent}. */
    private final GenericFileExclusiveReadLockStrategy<FTPFile> then;
    private final boolean removeOnCommit;
    private final boolean removeOnRollback;
    /** Whether a committed file leaves the directory ({@code delete}, {@code move}). */
    private final boolean removesFile;
    private LoggingLevel loggingLevel = LoggingLevel.DEBUG;
    private GenericFileEndpoint<FTPFile> endpoint;
    /**
     * The keys this consumer claimed and has not released: camel-file aborts a file whose lock it did not get, and
     * releasing that claim would release another replica's (a generic repository does not know owners).
     */
    private final Set<String> held = ConcurrentHashMap.newKeySet();
    /** Whether the last claim failed on the repository itself, so that an outage is warned about once. */
    private volatile boolean storeFailing;

    private ClaimReadLock(IdempotentRepository claims, GenericFileExclusiveReadLockStrategy<FTPFile> then,
                          boolean removeOnCommit, boolean removeOnRollback, boolean removesFile) {
        this.claims = claims;
        this.then = then;
        this.removeOnCommit = removeOnCommit;
        this.removeOnRollback = removeOnRollback;
        this.removesFile = removesFile;
    }

    /**
     * camel-ftp's process strategy for the endpoint, with a claim read lock when its {@code readLock} is one of the
     * idempotent ones, or when the component has a claim repository and the endpoint chose no read lock.
     *
     * @param params the endpoint's {@code getParamsAsMap()}, which camel-ftp's strategy factory reads
     * @param explicit the option names the endpoint's URI (or its named server) set
     */
    static GenericFileProcessStrategy<FTPFile> processStrategy(FtpEndpoint<FTPFile> endpoint,
            Map<String, Object> params, IdempotentRepository componentClaims, Set<String> explicit) {
        String readLock = readLock(endpoint, componentClaims, explicit);
        if (!readLock.startsWith(IDEMPOTENT) || params.get("exclusiveReadLockStrategy") != null) {
            return new FtpProcessStrategyFactory().createGenericFileProcessStrategy(endpoint.getCamelContext(), params);
        }
        for (String option : UNSUPPORTED) {
            if (explicit.stream().anyMatch(option::equalsIgnoreCase)) {
                throw new IllegalArgumentException("Option " + option + " is not supported on FTP endpoints: claims"
                                                   + " are released as soon as the file is done");
            }
        }
        IdempotentRepository claims = endpoint.getIdempotentRepository() != null
                ? endpoint.getIdempotentRepository() : componentClaims;
        if (claims == null) {
            throw new IllegalArgumentException("readLock=" + readLock + " needs a repository shared by the replicas:"
                                               + " set idempotentRepository=#<bean> (for example a"
                                               + " JdbcClaimRepository on PostgreSQL)");
        }
        if (Boolean.TRUE.equals(endpoint.isIdempotent()) && claims == endpoint.getIdempotentRepository()
            && explicit.stream().anyMatch("idempotent"::equalsIgnoreCase)) {
            throw new IllegalArgumentException("idempotent=true and readLock=" + readLock + " would use the same"
                                               + " idempotentRepository, and every file would be skipped: remove"
                                               + " idempotent=true (a confirmed claim is never taken again)");
        }
        boolean removesFile = endpoint.isDelete() || (endpoint.getMove() != null && !endpoint.isNoop());
        // a file that is deleted or moved away needs no "done" mark: removing the claim lets a new file of the same
        // name (a partner's daily orders.csv) through; camel-file's default (confirm) when the URI says so
        boolean removeOnCommit = explicit.stream().anyMatch("readLockRemoveOnCommit"::equalsIgnoreCase)
                ? endpoint.isReadLockRemoveOnCommit() : removesFile;
        ClaimReadLock lock = new ClaimReadLock(claims, camelFtpLock(endpoint, params, readLock), removeOnCommit,
                endpoint.isReadLockRemoveOnRollback(), removesFile);
        lock.loggingLevel = endpoint.getReadLockLoggingLevel();
        params.put("exclusiveReadLockStrategy", lock);
        return new FtpProcessStrategyFactory().createGenericFileProcessStrategy(endpoint.getCamelContext(), params);
    }

    /**
     * With a claim read lock, {@code noop=true} needs no idempotent consumer: a confirmed claim is never taken again,
     * and camel-ftp's (which it turns on for noop) would add the same key first when it shares the repository.
     */
    static void beforeConsumer(FtpEndpoint<FTPFile> endpoint, IdempotentRepository componentClaims,
            Set<String> explicit) {
        if (endpoint.isNoop() && endpoint.getIdempotent() == null
            && readLock(endpoint, componentClaims, explicit).startsWith(IDEMPOTENT)) {
            endpoint.setIdempotent(false);
        }
    }

    /** The endpoint's read lock, checked: camel-ftp takes an unknown one as "none" without a word. */
    static String readLock(FtpEndpoint<FTPFile> endpoint, IdempotentRepository componentClaims, Set<String> explicit) {
        boolean chosen = explicit.stream().anyMatch("readLock"::equalsIgnoreCase);
        if (!chosen) {
            return componentClaims != null ? IDEMPOTENT : "none";
        }
        String readLock = String.valueOf(endpoint.getReadLock()).trim();
        if (!READ_LOCKS.contains(readLock)) {
            throw new IllegalArgumentException("Option readLock has an invalid value '" + readLock + "': on FTP use"
                                               + " one of " + String.join(", ", READ_LOCKS));
        }
        return readLock;
    }

    /** camel-ftp's own changed or rename lock, set up from the endpoint's options by camel-ftp's factory. */
    @SuppressWarnings("unchecked")
    private static GenericFileExclusiveReadLockStrategy<FTPFile> camelFtpLock(FtpEndpoint<FTPFile> endpoint,
            Map<String, Object> params, String readLock) {
        String variant = readLock.substring(IDEMPOTENT.length());
        if (variant.isEmpty()) {
            return null;
        }
        Map<String, Object> plain = new HashMap<>(params);
        plain.put("readLock", variant.substring(1));
        plain.remove("exclusiveReadLockStrategy");
        GenericFileProcessStrategy<FTPFile> strategy =
                new FtpProcessStrategyFactory().createGenericFileProcessStrategy(endpoint.getCamelContext(), plain);
        return ((GenericFileProcessStrategySupport<FTPFile>) strategy).getExclusiveReadLockStrategy();
    }

    @Override
    public void prepareOnStartup(GenericFileOperations<FTPFile> operations, GenericFileEndpoint<FTPFile> endpoint)
            throws Exception {
        this.endpoint = endpoint;
        ServiceHelper.startService(claims); // a component's repository is started by its first consumer
        if (then != null) {
            then.prepareOnStartup(operations, endpoint);
        }
        LOG.debug("Claiming files of {} in {}", endpoint, claims);
    }

    @Override
    public boolean acquireExclusiveReadLock(GenericFileOperations<FTPFile> operations, GenericFile<FTPFile> file,
            Exchange exchange) throws Exception {
        String key = key(exchange, file);
        if (!claim(exchange, key, file)) {
            return false;
        }
        held.add(key);
        boolean acquired = false;
        try {
            // another replica may have finished the file (and dropped its claim) since this poll listed it
            if (!((AutoFtpOperations) operations).fileExists(file.getAbsoluteFilePath())) {
                CamelLogger.log(LOG, loggingLevel, "Claimed " + file + " but it is gone: another replica took it");
                return false;
            }
            acquired = then == null || then.acquireExclusiveReadLock(operations, file, exchange);
            return acquired;
        } finally {
            if (!acquired) {
                release(exchange, key);
            }
        }
    }

    private boolean claim(Exchange exchange, String key, GenericFile<FTPFile> file) {
        try {
            boolean claimed = claims.add(exchange, key);
            if (storeFailing) {
                storeFailing = false;
                LOG.info("Claims for {} can be taken again", endpoint);
            }
            if (!claimed) {
                CamelLogger.log(LOG, loggingLevel, "Another replica holds the claim on " + file + ": skipped");
            }
            return claimed;
        } catch (RuntimeException e) {
            if (!storeFailing) {
                storeFailing = true;
                LOG.warn("Cannot claim files of {}: {}. No file is taken until claims can be taken again.", endpoint,
                        e.getMessage());
            }
            return false;
        }
    }

    @Override
    public void releaseExclusiveReadLockOnAbort(GenericFileOperations<FTPFile> operations, GenericFile<FTPFile> file,
            Exchange exchange) throws Exception {
        try {
            if (then != null) {
                then.releaseExclusiveReadLockOnAbort(operations, file, exchange);
            }
        } finally {
            release(exchange, key(exchange, file));
        }
    }

    @Override
    public void releaseExclusiveReadLockOnRollback(GenericFileOperations<FTPFile> operations,
            GenericFile<FTPFile> file, Exchange exchange) throws Exception {
        try {
            if (then != null) {
                then.releaseExclusiveReadLockOnRollback(operations, file, exchange);
            }
        } finally {
            end(exchange, key(exchange, file), removeOnRollback, false);
        }
    }

    @Override
    public void releaseExclusiveReadLockOnCommit(GenericFileOperations<FTPFile> operations, GenericFile<FTPFile> file,
            Exchange exchange) throws Exception {
        try {
            if (then != null) {
                then.releaseExclusiveReadLockOnCommit(operations, file, exchange);
            }
        } finally {
            String key = key(exchange, file);
            if (held.contains(key)) {
                end(exchange, key, removeOnCommit && !leftBehind(operations, file), true);
            }
        }
    }

    /**
     * Whether a file that its delete or move should have taken away is still on the server (the server refused it, or
     * went away in the middle): its claim then stays, confirmed, for otherwise the next poll of any replica would
     * process the file again. When the server cannot say, the file counts as still there.
     */
    private boolean leftBehind(GenericFileOperations<FTPFile> operations, GenericFile<FTPFile> file) {
        if (!removesFile) {
            return false;
        }
        boolean there;
        try {
            there = ((AutoFtpOperations) operations).fileExists(file.getAbsoluteFilePath());
        } catch (RuntimeException | IOException e) {
            LOG.debug("Cannot tell whether {} is still there: {}", file, e.toString());
            there = true;
        }
        if (there) {
            LOG.warn("{} was processed but its delete or move failed, so it may still be on the server: its claim stays"
                     + " (confirmed) so that no replica processes it again. Move or delete the file by hand; a new file"
                     + " of that name is taken once that claim is deleted from the repository.", file);
        }
        return there;
    }

    private void end(Exchange exchange, String key, boolean remove, boolean success) {
        if (!held.remove(key)) {
            return;
        }
        if (!remove) {
            claims.confirm(exchange, key);
        } else if (success && claims instanceof JdbcClaimRepository jdbc) {
            jdbc.finish(key); // counted as done, not as released
        } else {
            claims.remove(exchange, key);
        }
    }

    private void release(Exchange exchange, String key) {
        if (held.remove(key)) {
            claims.remove(exchange, key);
        }
    }

    /** Drops the claim on a file whose processing never ended (the poll failed with an Error). */
    void forget(GenericFile<FTPFile> file) {
        try {
            release(null, key(null, file));
        } catch (RuntimeException e) {
            LOG.debug("Could not release the claim on {}: {}", file, e.toString());
        }
    }

    String key(Exchange exchange, GenericFile<FTPFile> file) {
        if (endpoint.getIdempotentKey() != null) {
            Exchange dummy = GenericFileHelper.createDummy(endpoint, exchange, () -> file);
            return endpoint.getIdempotentKey().evaluate(dummy, String.class);
        }
        RemoteFileConfiguration config = ((RemoteFileEndpoint<FTPFile>) endpoint).getConfiguration();
        return Objects.toString(config.getUsername(), "anonymous") + "@" + config.getHost() + ":" + config.getPort() + ":"
               + file.getAbsoluteFilePath();
    }

    @Override
    public void setTimeout(long timeout) {
        if (then != null) {
            then.setTimeout(timeout);
        }
    }

    @Override
    public void setCheckInterval(long checkInterval) {
        if (then != null) {
            then.setCheckInterval(checkInterval);
        }
    }

    @Override
    public void setReadLockLoggingLevel(LoggingLevel readLockLoggingLevel) {
        this.loggingLevel = readLockLoggingLevel;
        if (then != null) {
            then.setReadLockLoggingLevel(readLockLoggingLevel);
        }
    }

    @Override
    public void setMarkerFiler(boolean markerFile) {
        // no marker files on FTP
    }

    @Override
    public void setDeleteOrphanLockFiles(boolean deleteOrphanLockFiles) {
        // no marker files on FTP
    }
}
