package io.autoftp.runtime.health;

import java.time.Duration;

import io.quarkus.runtime.annotations.ConfigPhase;
import io.quarkus.runtime.annotations.ConfigRoot;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** How the readiness check probes the named servers. */
@ConfigMapping(prefix = "quarkus.autoftp.health")
@ConfigRoot(phase = ConfigPhase.RUN_TIME)
public interface AutoFtpHealthConfig {

    /**
     * How long a server's probe result is used. An older one is refreshed in the background while the check keeps
     * answering with it, so a readiness probe never waits for a slow server (only the very first check waits).
     */
    @WithDefault("60s")
    Duration cacheTtl();

    /** Connect and reply timeout of the probe's control connections. */
    @WithDefault("10s")
    Duration timeout();
}
