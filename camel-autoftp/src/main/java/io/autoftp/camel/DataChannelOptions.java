package io.autoftp.camel;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

import io.autoftp.client.DataChannelPolicy;
import io.autoftp.client.DataChannelSettings;
import io.autoftp.client.PasvAddressPolicy;
import io.autoftp.client.ServerToServerPolicy;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriParams;

/**
 * The options autoftp adds to camel-ftp's, shared by the {@code autoftp} and {@code autoftps} endpoints. A component
 * holds one set as defaults for its endpoints; each endpoint starts from a copy and its URI overrides it.
 */
@UriParams
public class DataChannelOptions {

    @UriParam(label = "dataChannel", defaultValue = "auto",
              description = "Which data channel modes to try: auto (EPSV, PASV, EPRT, PORT with fallback and memory of"
                            + " what worked per server), passive, active, or an explicit order such as EPRT,PORT")
    private String dataChannel = "auto";

    @UriParam(label = "dataChannel", defaultValue = "5s", javaType = "java.time.Duration",
              description = "How long a passive data connect or an active accept may take before the next mode is"
                            + " tried; separate from the control connection's timeouts")
    private long dataConnectTimeout = DataChannelSettings.DEFAULT_CONNECT_TIMEOUT.toMillis();

    @UriParam(label = "dataChannel", defaultValue = "control-host", enums = "control-host,reply,reply-if-routable",
              description = "Which host a PASV (227) data connection goes to: control-host (the control connection's"
                            + " host, safe behind NAT), reply (the address in the reply, even a third host), or"
                            + " reply-if-routable (the reply's address unless it is private while the server is not)")
    private String pasvAddressPolicy = PasvAddressPolicy.CONTROL_HOST.configValue();

    @UriParam(label = "dataChannel",
              description = "The address to announce in PORT/EPRT instead of the local one, for a client behind NAT")
    private String activeExternalAddress;

    @UriParam(label = "dataChannel", defaultValue = "10m", javaType = "java.time.Duration",
              description = "How long the mode that worked for a server is tried first before the preferred order is"
                            + " probed again; 0 turns the memory off")
    private long modeMemoryTtl = DataChannelSettings.DEFAULT_MEMORY_TTL.toMillis();

    @UriParam(label = "consumer", defaultValue = "true",
              description = "Download each file to a local work directory (under java.io.tmpdir) instead of into"
                            + " memory, unless localWorkDirectory or streamDownload is set; keeps memory bounded"
                            + " whatever the file size")
    private boolean memorySafeDownload = true;

    @UriParam(label = "consumer", defaultValue = "3",
              description = "How many files of one poll are downloaded at the same time, each on a control connection"
                            + " of its own (the consumer's and up to N-1 more, opened when a poll finds several files"
                            + " and kept between polls); the route still gets them one by one, in order. Only with"
                            + " memory-safe downloads (or localWorkDirectory), readLock=none, no preMove, no"
                            + " resumeDownload and no ftpClient of the route's own; 1 turns it off. A server that"
                            + " refuses more sessions (421) gets fewer")
    private int parallelDownloads = 3;

    @UriParam(label = "producer", defaultValue = "never", enums = "never,auto,always",
              description = "For a file that is still on another autoftp server (its consumer has download=false):"
                            + " never relays it through this service (streaming), auto has the two servers move it"
                            + " between them (FXP: PASV on one, PORT on the other, in either direction) when they allow"
                            + " it and relays otherwise, always fails when they do not. Between FTPS servers over TLS (SSCN)")
    private String serverToServer = ServerToServerPolicy.NEVER.toString();

    /** The duration options, whose text {@link #checkDurations} checks. */
    private static final List<String> DURATIONS = List.of("dataConnectTimeout", "modeMemoryTtl");

    /**
     * What Camel's duration conversion reads: milliseconds (a negative number is left to the range checks), an ISO-8601
     * duration such as PT10S (Java's parser rejects a bad one), or a duration such as 500ms, 5s, 10m, 1h30m, 2d.
     */
    private static final Pattern DURATION =
            Pattern.compile("-?\\d+|-?[pP]\\S+|(?=\\d)(\\d+d)?(\\d+h)?(\\d+m)?(\\d+s)?(\\d+ms)?");

    /**
     * Rejects, naming the option, a duration option of an endpoint URI that Camel would read as something else.
     * Camel's conversion (in the generated configurers) reads text it does not understand ("forever", "5x", "-5s",
     * "10M") as 0, which for {@code modeMemoryTtl} silently means "memory off".
     */
    static void checkDurations(Map<String, Object> parameters) {
        parameters.forEach((name, value) -> {
            String option = DURATIONS.stream().filter(name::equalsIgnoreCase).findFirst().orElse(null);
            if (option != null && value instanceof String text && !DURATION.matcher(text.trim()).matches()) {
                throw new IllegalArgumentException("Option " + option + " has an invalid value '" + text
                                                   + "': use milliseconds or a duration such as 500ms, 5s, 10m, 1h");
            }
        });
    }

    public DataChannelOptions copy() {
        DataChannelOptions copy = new DataChannelOptions();
        copy.dataChannel = dataChannel;
        copy.dataConnectTimeout = dataConnectTimeout;
        copy.pasvAddressPolicy = pasvAddressPolicy;
        copy.activeExternalAddress = activeExternalAddress;
        copy.modeMemoryTtl = modeMemoryTtl;
        copy.memorySafeDownload = memorySafeDownload;
        copy.parallelDownloads = parallelDownloads;
        copy.serverToServer = serverToServer;
        return copy;
    }

    /**
     * The client settings these options stand for, failing with the option's URI name on a bad value.
     *
     * @param passivePreference camel-ftp's {@code passiveMode} when the URI set it, else null
     * @param activePortRange   camel-ftp's {@code activePortRange}, or null
     */
    public DataChannelSettings toSettings(Boolean passivePreference, String activePortRange) {
        return toSettings(passivePreference, activePortRange, UnaryOperator.identity());
    }

    /** As {@link #toSettings(Boolean, String)}, naming each option by {@code names} (e.g. Quarkus property names). */
    public DataChannelSettings toSettings(Boolean passivePreference, String activePortRange,
            UnaryOperator<String> names) {
        serverToServerPolicy(names);
        if (parallelDownloads < 1) {
            throw new IllegalArgumentException("Option " + names.apply("parallelDownloads") + " must be 1 or more"
                                               + " (1 downloads one file at a time), not " + parallelDownloads);
        }
        DataChannelSettings settings = DataChannelSettings.of(dataChannel, Duration.ofMillis(dataConnectTimeout),
                pasvAddressPolicy, activePortRange, activeExternalAddress, Duration.ofMillis(modeMemoryTtl), names);
        if ("auto".equals(settings.policy().toString()) && Boolean.FALSE.equals(passivePreference)) {
            return settings.withPolicy(DataChannelPolicy.autoActiveFirst());
        }
        return settings;
    }

    /** {@code serverToServer}, failing with the option's name (by {@code names}) on a bad value. */
    public ServerToServerPolicy serverToServerPolicy(UnaryOperator<String> names) {
        return ServerToServerPolicy.parse(serverToServer, names.apply("serverToServer"));
    }

    public int getParallelDownloads() {
        return parallelDownloads;
    }

    public void setParallelDownloads(int parallelDownloads) {
        this.parallelDownloads = parallelDownloads;
    }

    public String getServerToServer() {
        return serverToServer;
    }

    public void setServerToServer(String serverToServer) {
        this.serverToServer = serverToServer;
    }

    public String getDataChannel() {
        return dataChannel;
    }

    public void setDataChannel(String dataChannel) {
        this.dataChannel = dataChannel;
    }

    public long getDataConnectTimeout() {
        return dataConnectTimeout;
    }

    public void setDataConnectTimeout(long dataConnectTimeout) {
        this.dataConnectTimeout = dataConnectTimeout;
    }

    public String getPasvAddressPolicy() {
        return pasvAddressPolicy;
    }

    public void setPasvAddressPolicy(String pasvAddressPolicy) {
        this.pasvAddressPolicy = pasvAddressPolicy;
    }

    public String getActiveExternalAddress() {
        return activeExternalAddress;
    }

    public void setActiveExternalAddress(String activeExternalAddress) {
        this.activeExternalAddress = activeExternalAddress;
    }

    public long getModeMemoryTtl() {
        return modeMemoryTtl;
    }

    public void setModeMemoryTtl(long modeMemoryTtl) {
        this.modeMemoryTtl = modeMemoryTtl;
    }

    public boolean isMemorySafeDownload() {
        return memorySafeDownload;
    }

    public void setMemorySafeDownload(boolean memorySafeDownload) {
        this.memorySafeDownload = memorySafeDownload;
    }
}
