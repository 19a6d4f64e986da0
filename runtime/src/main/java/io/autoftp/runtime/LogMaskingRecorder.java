package io.autoftp.runtime;

import io.quarkus.runtime.annotations.Recorder;

/**
 * Installs {@link LogMasking} at static init, before Camel logs its first endpoint URI. A recorder of its own: one that
 * takes runtime configuration in its constructor must not run at static init.
 */
@Recorder
public class LogMaskingRecorder {

    public void install() {
        LogMasking.install();
    }
}
