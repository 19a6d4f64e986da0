package io.autoftp.runtime;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import io.autoftp.client.PasvAddressPolicy;
import io.autoftp.client.ServerToServerPolicy;
import io.quarkus.runtime.annotations.ConfigDocMapKey;
import io.quarkus.runtime.annotations.ConfigPhase;
import io.quarkus.runtime.annotations.ConfigRoot;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithParentName;

/**
 * autoftp's configuration: data channel defaults for every {@code autoftp}/{@code autoftps} endpoint, and named
 * servers that routes use as {@code autoftp://<name>/<directory>}.
 */
@ConfigMapping(prefix = "quarkus.autoftp")
@ConfigRoot(phase = ConfigPhase.RUN_TIME)
public interface AutoFtpRuntimeConfig {

    /** Data channel settings applied to every endpoint; a route's URI options win over them. */
    @WithParentName
    DataChannelConfig dataChannel();

    /** Named servers: host, login and endpoint options kept in configuration instead of route URIs. */
    @ConfigDocMapKey("server-name")
    Map<String, ServerConfig> servers();

    /** Several replicas polling the same directories. */
    ClusterConfig cluster();

    /** Claims: each file taken by one replica only (see the docs page "Running several replicas"). */
    interface ClusterConfig {

        /**
         * Where the replicas claim files before downloading them: {@code jdbc} (a table in the default datasource,
         * PostgreSQL), {@code none} (no claims: one replica), or {@code auto}: {@code jdbc} when
         * {@code quarkus.datasource.jdbc.url} is set, else {@code none}. With claims, every consumer route that sets
         * no {@code readLock} claims its files ({@code readLock=idempotent}).
         */
        @WithDefault("auto")
        ClaimRepository repository();

        /**
         * How long a claim lives without its replica's heartbeat (sent every third of it) before another replica may
         * take the file over: a replica killed mid-file holds its files this long. At least 3s.
         */
        @WithDefault("30s")
        Duration claimTimeout();

        /** The service's name in the claim table: services sharing one database use different names. */
        @WithDefault("autoftp")
        String name();

        /**
         * Whether the replicas share the data channel mode memory in the same database (table
         * {@code autoftp_mode_memory}), so that a replica starting after another one learned a server's mode does not
         * pay the failed attempts again. Only with claims in a database.
         */
        @WithDefault("true")
        boolean shareModeMemory();

        enum ClaimRepository {
            AUTO,
            JDBC,
            NONE
        }
    }

    /** How data connections are opened. */
    interface DataChannelConfig {

        /**
         * Which modes to try: {@code auto} (EPSV, PASV, EPRT, PORT with fallback and memory of what worked),
         * {@code passive}, {@code active}, or an explicit order such as {@code PASV,PORT}.
         */
        Optional<String> dataChannel();

        /** How long a passive data connect or an active accept may take before the next mode is tried. */
        Optional<Duration> dataConnectTimeout();

        /** Where a PASV (227) data connection goes: {@code control-host}, {@code reply} or {@code reply-if-routable}. */
        Optional<PasvAddressPolicy> pasvAddressPolicy();

        /** The address announced in PORT/EPRT instead of the local one, for a client behind NAT. */
        Optional<String> activeExternalAddress();

        /** How long the mode that worked for a server is tried first; {@code 0} turns the memory off. */
        Optional<Duration> modeMemoryTtl();

        /** Whether consumers download into a local work file instead of into memory. */
        Optional<Boolean> memorySafeDownload();

        /**
         * How many files of one poll consumers download at once, each on a control connection of its own; {@code 1}
         * downloads one at a time on the consumer's connection.
         */
        Optional<Integer> parallelDownloads();

        /**
         * What producers do with a file still on another autoftp server (its consumer has {@code download=false}):
         * {@code never} relays it through the service, {@code auto} has the two servers move it between them (FXP) when
         * they allow it and relays otherwise, {@code always} fails instead of relaying.
         */
        Optional<ServerToServerPolicy> serverToServer();

        /** The settings that are set, as endpoint options: URI names to values as a route would write them. */
        default Map<String, String> asOptions() {
            Map<String, String> options = new LinkedHashMap<>();
            dataChannel().ifPresent(value -> options.put("dataChannel", value));
            dataConnectTimeout().ifPresent(value -> options.put("dataConnectTimeout", Long.toString(value.toMillis())));
            pasvAddressPolicy().ifPresent(value -> options.put("pasvAddressPolicy", value.configValue()));
            activeExternalAddress().ifPresent(value -> options.put("activeExternalAddress", value));
            modeMemoryTtl().ifPresent(value -> options.put("modeMemoryTtl", Long.toString(value.toMillis())));
            memorySafeDownload().ifPresent(value -> options.put("memorySafeDownload", value.toString()));
            parallelDownloads().ifPresent(value -> options.put("parallelDownloads", value.toString()));
            serverToServer().ifPresent(value -> options.put("serverToServer", value.toString()));
            return options;
        }

        /** Whether the setting of endpoint option {@code option} (its URI name) is set here. */
        default boolean isSet(String option) {
            return asOptions().containsKey(option);
        }
    }

    /** One named server. */
    interface ServerConfig {

        /**
         * Host name or address of the server. Required in production; in dev and test mode a server without a host
         * is started in process by Dev Services.
         */
        Optional<String> host();

        /** Control port; 21 when not set (as camel-ftp, also for implicit FTPS: set 990 there). */
        OptionalInt port();

        /** User name; anonymous login when not set. */
        Optional<String> username();

        /** Password; keep it in a secret or environment variable, not in the application's files. */
        Optional<String> password();

        /** Whether the server speaks FTPS; routes must then use {@code autoftps://<name>}. */
        @WithDefault("false")
        boolean secure();

        /** The scheme of the component routes use this server with: {@code autoftps} or {@code autoftp}. */
        default String scheme() {
            return secure() ? "autoftps" : "autoftp";
        }

        /** Data channel settings for this server, overriding the global ones. */
        @WithParentName
        DataChannelConfig dataChannel();

        /** Local port range for active mode, {@code min-max}. */
        Optional<String> activePortRange();

        /**
         * Any other camel-ftp or autoftp endpoint option for routes using this server, by its URI name, e.g.
         * {@code quarkus.autoftp.servers.partner.options.binary=true}.
         */
        @ConfigDocMapKey("option")
        Map<String, String> options();
    }
}
