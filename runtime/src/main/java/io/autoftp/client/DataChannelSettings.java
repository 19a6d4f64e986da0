package io.autoftp.client;

import java.net.InetAddress;
import java.time.Duration;

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
