package io.autoftp.runtime;

import io.quarkus.runtime.annotations.ConfigPhase;
import io.quarkus.runtime.annotations.ConfigRoot;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** What autoftp adds to the application at build time. */
@ConfigMapping(prefix = "quarkus.autoftp")
@ConfigRoot(phase = ConfigPhase.BUILD_TIME)
public interface AutoFtpBuildTimeConfig {

    /** The readiness check. */
    Health health();

    /** The Micrometer metrics. */
    Metrics metrics();

    interface Health {
        /**
         * Whether the readiness check {@code autoftp} (a login and a data channel probe of every named server) is
         * registered when the application has {@code quarkus-smallrye-health}.
         */
        @WithDefault("true")
        boolean enabled();
    }

    interface Metrics {
        /**
         * Whether autoftp's meters ({@code autoftp.data.connections}, {@code autoftp.fallbacks}, {@code autoftp.mode},
         * {@code autoftp.transfers}, {@code autoftp.data.bytes}) are registered when the application has
         * {@code quarkus-micrometer}.
         */
        @WithDefault("true")
        boolean enabled();
    }
}
