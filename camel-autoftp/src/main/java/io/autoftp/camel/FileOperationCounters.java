package io.autoftp.camel;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What a component's endpoints counted of file operations that the server refused after a file was processed or
 * stored (for metrics): a {@code DELE} (delete=true, fileExist=Override) or a rename ({@code RNFR}/{@code RNTO}:
 * move, preMove, moveFailed, tempFileName) answered with an error.
 */
public final class FileOperationCounters {

    private final AtomicLong refusedDeletes = new AtomicLong();
    private final AtomicLong refusedRenames = new AtomicLong();

    public long getRefusedDeletes() {
        return refusedDeletes.get();
    }

    public long getRefusedRenames() {
        return refusedRenames.get();
    }

    void refusedDelete() {
        refusedDeletes.incrementAndGet();
    }

    void refusedRename() {
        refusedRenames.incrementAndGet();
    }
}
