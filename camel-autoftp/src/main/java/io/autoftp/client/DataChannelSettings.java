package io.autoftp.client;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * How data connections are opened for one endpoint.
 *
 * @param policy                which modes to try, in which order
 * @param connectTimeout        how long a passive connect or an active accept may take before the next mode is tried
 * @param pasvAddressPolicy     which host a 227 reply's data connection goes to
 * @param activeMinPort         lowest local port to listen on in active mode, 0 for any
 * @param activeMaxPort         highest local port to listen on in active mode, 0 for any
 * @param activeExternalAddress the address sent in PORT/EPRT instead of the local one (client behind NAT), or null
 * @param memoryTtl             how long a mode that worked is tried first for its server; zero turns memory off
 */
public record DataChannelSettings(DataChannelPolicy policy, Duration connectTimeout, PasvAddressPolicy pasvAddressPolicy,
        int activeMinPort, int activeMaxPort, InetAddress activeExternalAddress, Duration memoryTtl) {

    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_MEMORY_TTL = Duration.ofMinutes(10);

    public DataChannelSettings {
        if (policy == null || pasvAddressPolicy == null) {
            throw new IllegalArgumentException("policy and pasvAddressPolicy are required");
        }
        if (connectTimeout == null || connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw new IllegalArgumentException("Option dataConnectTimeout must be positive, not " + connectTimeout);
        }
        if (memoryTtl == null || memoryTtl.isNegative()) {
            throw new IllegalArgumentException("Option modeMemoryTtl must be zero or positive, not " + memoryTtl);
        }
        if (activeMinPort < 0 || activeMaxPort > 65535 || activeMinPort > activeMaxPort
            || (activeMinPort == 0) != (activeMaxPort == 0)) {
            throw new IllegalArgumentException("Option activePortRange must be min-max with 1 <= min <= max <= 65535,"
                                               + " not " + activeMinPort + "-" + activeMaxPort);
        }
    }

    /**
     * The settings from option values as users write them, each checked here and only here: the Camel endpoint
     * options, the Quarkus properties and the Diagnose command all come through this method, and only the names in
     * the messages differ.
     *
     * @param dataChannel           auto, passive, active or a list of modes
     * @param pasvAddressPolicy     control-host, reply or reply-if-routable
     * @param activePortRange       {@code min-max}, or null for any port
     * @param activeExternalAddress a host name or address, or null
     * @param names                 the user's name of each option, given its URI name ({@code dataChannel},
     *                              {@code dataConnectTimeout}, {@code pasvAddressPolicy}, {@code activePortRange},
     *                              {@code activeExternalAddress}, {@code modeMemoryTtl}), for the error messages
     * @throws IllegalArgumentException naming the option and the bad value
     */
    public static DataChannelSettings of(String dataChannel, Duration connectTimeout, String pasvAddressPolicy,
            String activePortRange, String activeExternalAddress, Duration memoryTtl, UnaryOperator<String> names) {
        if (connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw new IllegalArgumentException("Option " + names.apply("dataConnectTimeout") + " must be positive, not "
                                               + connectTimeout.toMillis() + " ms");
        }
        if (memoryTtl.isNegative()) {
            throw new IllegalArgumentException("Option " + names.apply("modeMemoryTtl")
                                               + " must be zero or positive, not " + memoryTtl.toMillis() + " ms");
        }
        int[] ports = portRange(activePortRange, names.apply("activePortRange"));
        return new DataChannelSettings(DataChannelPolicy.parse(dataChannel, names.apply("dataChannel")), connectTimeout,
                PasvAddressPolicy.parse(pasvAddressPolicy, names.apply("pasvAddressPolicy")), ports[0], ports[1],
                address(activeExternalAddress, names.apply("activeExternalAddress")), memoryTtl);
    }

    /** The option's name in properties and on command lines: {@code dataConnectTimeout} is {@code data-connect-timeout}. */
    public static String kebabCase(String option) {
        return option.replaceAll("([A-Z])", "-$1").toLowerCase(Locale.ROOT);
    }

    /** {@code min-max} as {min, max}; {0, 0} for none. */
    private static int[] portRange(String text, String name) {
        if (text == null || text.isBlank()) {
            return new int[] { 0, 0 };
        }
        String[] parts = text.split("-", -1);
        try {
            if (parts.length == 2) {
                int min = Integer.parseInt(parts[0].trim());
                int max = Integer.parseInt(parts[1].trim());
                if (min >= 1 && min <= max && max <= 65535) {
                    return new int[] { min, max };
                }
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("Option " + name + " must be min-max with 1 <= min <= max <= 65535, not "
                                           + text.trim());
    }

    private static InetAddress address(String text, String name) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return InetAddress.getByName(text.trim());
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("Option " + name + " has an invalid value '" + text
                                               + "': not an address or a known host name");
        }
    }

    public static DataChannelSettings defaults() {
        return new DataChannelSettings(DataChannelPolicy.auto(), DEFAULT_CONNECT_TIMEOUT, PasvAddressPolicy.CONTROL_HOST,
                0, 0, null, DEFAULT_MEMORY_TTL);
    }

    public DataChannelSettings withPolicy(DataChannelPolicy newPolicy) {
        return new DataChannelSettings(newPolicy, connectTimeout, pasvAddressPolicy, activeMinPort, activeMaxPort,
                activeExternalAddress, memoryTtl);
    }

    public DataChannelSettings withActivePortRange(int min, int max) {
        return new DataChannelSettings(policy, connectTimeout, pasvAddressPolicy, min, max, activeExternalAddress, memoryTtl);
    }

    public DataChannelSettings withActiveExternalAddress(InetAddress address) {
        return new DataChannelSettings(policy, connectTimeout, pasvAddressPolicy, activeMinPort, activeMaxPort, address,
                memoryTtl);
    }

    public boolean hasActivePortRange() {
        return activeMinPort > 0;
    }
}
