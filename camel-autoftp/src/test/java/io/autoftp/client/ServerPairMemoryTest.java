package io.autoftp.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

import io.autoftp.client.ServerPairMemory.Route;
import io.autoftp.testing.LogCapture;
import org.junit.jupiter.api.Test;

/** What a component remembers per server pair, for how long, and what it logs. */
class ServerPairMemoryTest {

    private static final Duration TTL = Duration.ofMinutes(10);
    private static final String PARTNER = "partner:21";
    private static final String TARGET = "target:21";

    private Instant now = Instant.parse("2026-12-03T08:00:00Z");
    private final ModeMemory memory = new ModeMemory(new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    });

    @Test
    void rememberedForTheTtlForgottenOnFailureAndLoggedOncePerChange() {
        ServerPairMemory pairs = memory.serverPairs();
        try (LogCapture logs = LogCapture.all()) {
            pairs.remember(PARTNER, TARGET, Route.SOURCE_PASSIVE, "", TTL);
            pairs.remember(PARTNER, TARGET, Route.SOURCE_PASSIVE, "", TTL);
            assertEquals(Optional.of(Route.SOURCE_PASSIVE), pairs.recall(PARTNER, TARGET, TTL));
            assertEquals(Optional.empty(), pairs.recall(TARGET, PARTNER, TTL), "a pair has a direction");

            now = now.plus(TTL);
            assertEquals(Optional.empty(), pairs.recall(PARTNER, TARGET, TTL), "expired");

            pairs.forget(PARTNER, TARGET, Route.TARGET_PASSIVE);
            pairs.remember(PARTNER, TARGET, Route.RELAY, "target:21 refuses PORT to a foreign address (500 Illegal"
                                                         + " PORT command.)", TTL);
            pairs.forget(PARTNER, TARGET, Route.SOURCE_PASSIVE);
            assertEquals(Optional.of(Route.RELAY), pairs.recall(PARTNER, TARGET, TTL), "only the failed way goes");
            pairs.forget(PARTNER, TARGET, Route.RELAY);
            assertEquals(Optional.empty(), pairs.recall(PARTNER, TARGET, TTL));
            assertTrue(pairs.snapshot().isEmpty());
            assertEquals(Optional.empty(), pairs.recall(PARTNER, TARGET, Duration.ZERO));

            List<String> lines = logs.containing(PARTNER + " → " + TARGET).stream().map(LogCapture.Line::text)
                    .toList();
            assertEquals(List.of("partner:21 → target:21: server-to-server (partner:21 passive, target:21 active)",
                    "partner:21 → target:21: relayed through this service: target:21 refuses PORT to a foreign"
                                                                                             + " address (500"
                                                                                             + " Illegal PORT"
                                                                                             + " command.)"),
                    lines);
        }
    }

    @Test
    void theOptionsValuesAndABadOne() {
        assertEquals(ServerToServerPolicy.AUTO, ServerToServerPolicy.parse(" Auto ", "serverToServer"));
        assertEquals("never", ServerToServerPolicy.NEVER.toString());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> ServerToServerPolicy.parse("sometimes", "serverToServer"));
        assertEquals("Option serverToServer has an invalid value 'sometimes': use never, auto or always",
                bad.getMessage());
    }
}
