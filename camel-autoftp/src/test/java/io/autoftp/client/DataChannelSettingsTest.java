package io.autoftp.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DataChannelSettingsTest {

    private static DataChannelSettings settings(Duration connectTimeout, int min, int max, Duration ttl) {
        return new DataChannelSettings(DataChannelPolicy.auto(), connectTimeout, PasvAddressPolicy.CONTROL_HOST, min, max,
                null, ttl);
    }

    private static void assertContains(String message, String... fragments) {
        for (String fragment : fragments) {
            assertTrue(message.contains(fragment), () -> "message '" + message + "' should contain '" + fragment + "'");
        }
    }

    @Test
    void defaultsAreValid() {
        DataChannelSettings defaults = DataChannelSettings.defaults();
        assertEquals(Duration.ofSeconds(5), defaults.connectTimeout());
        assertEquals(Duration.ofMinutes(10), defaults.memoryTtl());
        assertEquals(PasvAddressPolicy.CONTROL_HOST, defaults.pasvAddressPolicy());
        assertEquals(DataChannelPolicy.auto().order(), defaults.policy().order());
        assertFalse(defaults.hasActivePortRange());
        assertNull(defaults.activeExternalAddress());
    }

    @ParameterizedTest
    @CsvSource({ "0, 0, false", "1, 65535, true", "5000, 5000, true", "2000, 2100, true", "65535, 65535, true" })
    void acceptsValidPortRanges(int min, int max, boolean hasRange) {
        DataChannelSettings s = settings(Duration.ofSeconds(1), min, max, Duration.ZERO);
        assertEquals(min, s.activeMinPort());
        assertEquals(max, s.activeMaxPort());
        assertEquals(hasRange, s.hasActivePortRange());
        assertEquals(hasRange, DataChannelSettings.defaults().withActivePortRange(min, max).hasActivePortRange());
    }

    @ParameterizedTest
    @CsvSource({ "-1, 10", "0, 10", "10, 0", "10, 5", "1, 65536", "70000, 70001", "-5, -1", "0, -1", "-1, 0",
            "65536, 65536", "2, 1" })
    void rejectsInvalidPortRangesNamingTheOption(int min, int max) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> settings(Duration.ofSeconds(1), min, max, Duration.ofMinutes(1)));
        assertContains(e.getMessage(), "activePortRange", min + "-" + max);
        IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class,
                () -> DataChannelSettings.defaults().withActivePortRange(min, max));
        assertContains(e2.getMessage(), "activePortRange");
    }

    @ParameterizedTest
    @ValueSource(longs = { 0, -1, -5000 })
    void rejectsNonPositiveConnectTimeoutNamingTheOption(long millis) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> settings(Duration.ofMillis(millis), 0, 0, Duration.ofMinutes(1)));
        assertContains(e.getMessage(), "dataConnectTimeout", Duration.ofMillis(millis).toString());
    }

    @Test
    void rejectsMissingConnectTimeout() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> settings(null, 0, 0, Duration.ofMinutes(1)));
        assertContains(e.getMessage(), "dataConnectTimeout");
    }

    @Test
    void acceptsTheSmallestPositiveConnectTimeout() {
        assertEquals(Duration.ofNanos(1), settings(Duration.ofNanos(1), 0, 0, Duration.ZERO).connectTimeout());
    }

    @ParameterizedTest
    @ValueSource(longs = { -1, -60_000 })
    void rejectsNegativeMemoryTtlNamingTheOption(long millis) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> settings(Duration.ofSeconds(5), 0, 0, Duration.ofMillis(millis)));
        assertContains(e.getMessage(), "modeMemoryTtl", Duration.ofMillis(millis).toString());
    }

    @Test
    void rejectsMissingMemoryTtlButAcceptsZero() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> settings(Duration.ofSeconds(5), 0, 0, null));
        assertContains(e.getMessage(), "modeMemoryTtl");
        assertEquals(Duration.ZERO, settings(Duration.ofSeconds(5), 0, 0, Duration.ZERO).memoryTtl());
    }

    @Test
    void rejectsMissingPolicies() {
        assertThrows(IllegalArgumentException.class, () -> new DataChannelSettings(null, Duration.ofSeconds(1),
                PasvAddressPolicy.REPLY, 0, 0, null, Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> new DataChannelSettings(DataChannelPolicy.auto(),
                Duration.ofSeconds(1), null, 0, 0, null, Duration.ZERO));
    }

    @Test
    void withersKeepTheOtherValues() throws Exception {
        InetAddress external = InetAddress.getByName("203.0.113.10");
        DataChannelPolicy active = DataChannelPolicy.parse("active", "dataChannel");
        DataChannelSettings s = DataChannelSettings.defaults().withActivePortRange(40000, 40100)
                .withActiveExternalAddress(external).withPolicy(active);
        assertEquals(40000, s.activeMinPort());
        assertEquals(40100, s.activeMaxPort());
        assertEquals(external, s.activeExternalAddress());
        assertEquals(active, s.policy());
        assertEquals(DataChannelSettings.DEFAULT_CONNECT_TIMEOUT, s.connectTimeout());
        assertEquals(DataChannelSettings.DEFAULT_MEMORY_TTL, s.memoryTtl());
    }
}
