package io.autoftp.deployment.devservices;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import io.quarkus.runtime.annotations.ConfigDocMapKey;
import io.quarkus.runtime.annotations.ConfigPhase;
import io.quarkus.runtime.annotations.ConfigRoot;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Dev Services for autoftp: in dev and test mode, every named server without a host
 * ({@code quarkus.autoftp.servers.<name>.*} with no {@code host}, or a server named only here) is an FTP server
 * started in process on 127.0.0.1, and its address and login are handed to the application.
 */
@ConfigMapping(prefix = "quarkus.autoftp.devservices")
@ConfigRoot(phase = ConfigPhase.BUILD_TIME)
public interface AutoFtpDevServicesConfig {

    /**
     * Whether Dev Services start an FTP server in dev and test mode for each named server that has no
     * {@code quarkus.autoftp.servers.<name>.host}. With {@code false} (or {@code quarkus.devservices.enabled=false}) such
     * a server stops the application at startup, as in production.
     */
    @WithDefault("true")
    boolean enabled();

    /**
     * The embedded FTP server for the named server {@code <name>}. Naming a server here is enough to declare it: routes
     * can then use {@code autoftp://<name>/<directory>}. Ignored for a server that has a host.
     */
    @ConfigDocMapKey("name")
    Map<String, DevServerConfig> servers();

    /** One embedded FTP server. */
    interface DevServerConfig {

        /**
         * Whether the server refuses active mode: {@code PORT} and {@code EPRT} are answered with {@code 501}, so
         * only a passive data channel works (a client behind a firewall that blocks incoming connections looks
         * the same to autoftp).
         */
        @WithDefault("false")
        boolean refuseActive();

        /**
         * Whether the server refuses passive mode: {@code PASV} and {@code EPSV} are answered with
         * {@code 502 Command not implemented.}, so only an active data channel works.
         */
        @WithDefault("false")
        boolean refusePassive();

        /**
         * A directory whose content (files and subdirectories) is copied into the server's home directory when the
         * server starts, e.g. sample files for a consumer to pick up. A relative path is resolved against the working
         * directory (the project's directory in dev mode, the module's directory in tests). The directory itself is
         * never changed.
         */
        Optional<Path> seedDirectory();

        /**
         * The user that may log in (with write permission in the home directory). When
         * {@code quarkus.autoftp.servers.<name>.username} is set, that one is used instead.
         */
        @WithDefault("dev")
        String username();

        /**
         * The password of that user. When {@code quarkus.autoftp.servers.<name>.password} is set, that one is used
         * instead. The server listens on 127.0.0.1 only.
         */
        @WithDefault("dev")
        String password();
    }
}
