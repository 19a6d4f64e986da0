package io.autoftp.client;

import static io.autoftp.client.DataChannelMode.EPRT;
import static io.autoftp.client.DataChannelMode.EPSV;
import static io.autoftp.client.DataChannelMode.PASV;
import static io.autoftp.client.DataChannelMode.PORT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ModeMemoryTest {

    private static final String SERVER = "ftp.example.com:21";
    private static final String OTHER = "10.0.0.7:2121";
    private static final Duration TTL = Duration.ofMinutes(10);
    private static final Instant START = Instant.parse("2025-01-01T00:00:00Z");

    /** A clock the test moves by hand. */
    static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    /** Keeps the INFO (and higher) records of the ModeMemory logger. */
    static final class Capture extends Handler {
        final List<LogRecord> records = new CopyOnWriteArrayList<>();

        @Override
        public void publish(LogRecord record) {
            records.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }

        List<String> infoMessages() {
            return records.stream().filter(r -> r.getLevel().intValue() >= Level.INFO.intValue())
                    .map(LogRecord::getMessage).toList();
        }
    }

    private final MutableClock clock = new MutableClock(START);
    private final ModeMemory memory = new ModeMemory(clock);
    private Logger logger;
    private Level oldLevel;
    private final Capture capture = new Capture();

    @BeforeEach
    void captureLog() {
        logger = Logger.getLogger("io.autoftp.client.ModeMemory");
        oldLevel = logger.getLevel();
        logger.setLevel(Level.INFO);
        capture.setLevel(Level.ALL);
        logger.addHandler(capture);
    }

    @AfterEach
    void releaseLog() {
        logger.removeHandler(capture);
        logger.setLevel(oldLevel);
    }

    @Test
    void recallsNothingAtFirst() {
        assertEquals(Optional.empty(), memory.recall(SERVER, TTL));
        assertTrue(memory.snapshot().isEmpty());
    }

    @Test
    void recallsARememberedModeWithinTheTtl() {
        memory.remember(SERVER, PASV, "EPSV refused: 502", TTL);
        assertEquals(Optional.of(PASV), memory.recall(SERVER, TTL));
        clock.advance(TTL.minusMillis(1));
        assertEquals(Optional.of(PASV), memory.recall(SERVER, TTL));
        assertEquals(Optional.empty(), memory.recall(OTHER, TTL), "memory is per server");
    }

    @Test
    void forgetsAfterTheTtl() {
        memory.remember(SERVER, EPRT, "passive modes time out", TTL);
        clock.advance(TTL);
        assertEquals(Optional.empty(), memory.recall(SERVER, TTL), "expired exactly at learnedAt + ttl");
        clock.advance(Duration.ofHours(5));
        assertEquals(Optional.empty(), memory.recall(SERVER, TTL));
    }

    @Test
    void recallUsesTheTtlItIsGiven() {
        memory.remember(SERVER, PORT, "", TTL);
        clock.advance(Duration.ofMinutes(3));
        assertEquals(Optional.empty(), memory.recall(SERVER, Duration.ofMinutes(2)));
        assertEquals(Optional.of(PORT), memory.recall(SERVER, Duration.ofMinutes(4)));
    }

    @Test
    void zeroTtlNeverRecalls() {
        memory.remember(SERVER, PASV, "EPSV refused", Duration.ZERO);
        assertEquals(Optional.empty(), memory.recall(SERVER, Duration.ZERO));
        memory.remember(SERVER, PASV, "EPSV refused", TTL);
        assertEquals(Optional.of(PASV), memory.recall(SERVER, TTL));
        assertEquals(Optional.empty(), memory.recall(SERVER, Duration.ZERO), "zero turns memory off");
    }

    @Test
    void forgetDropsTheServerOnly() {
        memory.remember(SERVER, PASV, "EPSV refused", TTL);
        memory.remember(OTHER, EPRT, "passive refused", TTL);
        memory.forget(SERVER);
        assertEquals(Optional.empty(), memory.recall(SERVER, TTL));
        assertEquals(Optional.of(EPRT), memory.recall(OTHER, TTL));
        assertEquals(EPRT, memory.snapshot().get(OTHER).mode());
        assertEquals(1, memory.snapshot().size());
        memory.forget("never-seen:21"); // harmless
        assertEquals(1, memory.snapshot().size());
    }

    @Test
    void rememberingTheSameModeAgainDoesNotExtendTheTtl() {
        memory.remember(SERVER, PASV, "EPSV refused", TTL);
        clock.advance(Duration.ofMinutes(6));
        memory.remember(SERVER, PASV, "EPSV refused", TTL);
        assertEquals(START, memory.snapshot().get(SERVER).learnedAt());
        clock.advance(Duration.ofMinutes(4)); // 10 minutes after it was learned, 4 after it last worked
        assertEquals(Optional.empty(), memory.recall(SERVER, TTL),
                "a fallback mode must be re-probed TTL after it was learned, not after it last worked");
    }

    @Test
    void rememberingTheSameModeAfterExpiryStartsANewTtl() {
        memory.remember(SERVER, PASV, "EPSV refused", TTL);
        clock.advance(TTL.plusMinutes(1));
        memory.remember(SERVER, PASV, "EPSV refused again", TTL);
        Instant relearned = START.plus(TTL).plus(Duration.ofMinutes(1));
        assertEquals(relearned, memory.snapshot().get(SERVER).learnedAt());
        assertEquals("EPSV refused again", memory.snapshot().get(SERVER).reason());
        clock.advance(TTL.minusSeconds(1));
        assertEquals(Optional.of(PASV), memory.recall(SERVER, TTL));
    }

    @Test
    void aDifferentModeRestartsTheTtl() {
        memory.remember(SERVER, EPSV, "", TTL);
        clock.advance(Duration.ofMinutes(6));
        memory.remember(SERVER, PASV, "EPSV failed: 425", TTL);
        assertEquals(START.plus(Duration.ofMinutes(6)), memory.snapshot().get(SERVER).learnedAt());
        clock.advance(Duration.ofMinutes(6)); // 12 after the first, 6 after the change
        assertEquals(Optional.of(PASV), memory.recall(SERVER, TTL));
        clock.advance(Duration.ofMinutes(4));
        assertEquals(Optional.empty(), memory.recall(SERVER, TTL));
    }

    @Test
    void snapshotHoldsModeTimeAndReasonAndIsACopy() {
        memory.remember(SERVER, EPRT, "EPSV: 502; PASV: timeout", TTL);
        clock.advance(Duration.ofSeconds(30));
        memory.remember(OTHER, EPSV, "", TTL);
        Map<String, ModeMemory.Entry> snapshot = memory.snapshot();
        assertEquals(Map.of(SERVER, new ModeMemory.Entry(EPRT, START, "EPSV: 502; PASV: timeout"),
                OTHER, new ModeMemory.Entry(EPSV, START.plusSeconds(30), "")), snapshot);
        assertThrows(UnsupportedOperationException.class, () -> snapshot.remove(SERVER));
        memory.forget(SERVER);
        assertEquals(2, snapshot.size(), "a snapshot does not change with the memory");
        assertEquals(1, memory.snapshot().size());
    }

    @Test
    void logsOneInfoLinePerChangeOfModePerServer() {
        memory.remember(SERVER, EPSV, "", TTL);
        memory.remember(SERVER, EPSV, "", TTL);
        clock.advance(TTL.plusMinutes(1)); // expired, re-learned: same mode, still no new line
        memory.remember(SERVER, EPSV, "", TTL);
        assertEquals(1, capture.infoMessages().size(), () -> capture.infoMessages().toString());

        memory.remember(SERVER, PASV, "EPSV failed: 425 Can't open data connection", TTL);
        memory.remember(SERVER, PASV, "EPSV failed: 425 Can't open data connection", TTL);
        memory.remember(OTHER, PASV, "EPSV refused: 502", TTL);
        memory.remember(OTHER, PASV, "EPSV refused: 502", TTL);
        memory.remember(SERVER, EPSV, "", TTL);
        List<String> lines = capture.infoMessages();
        assertEquals(4, lines.size(), lines::toString);

        assertTrue(lines.get(0).contains(SERVER) && lines.get(0).contains("EPSV"), lines.get(0));
        String change = lines.get(1);
        assertTrue(change.contains(SERVER), change);
        assertTrue(change.contains("passive (PASV)"), change);
        assertTrue(change.contains("EPSV failed: 425 Can't open data connection"), change);
        String other = lines.get(2);
        assertTrue(other.contains(OTHER) && other.contains("PASV") && other.contains("EPSV refused: 502"), other);
        assertTrue(lines.get(3).contains(SERVER) && lines.get(3).contains("to passive (EPSV)"), lines.get(3));
    }

    @Test
    void logLineNamesServerNewModeAndReason() {
        memory.remember(SERVER, EPRT, "EPSV and PASV: connect timed out after 5s", TTL);
        List<String> lines = capture.infoMessages();
        assertEquals(1, lines.size(), lines::toString);
        assertEquals("Data channel to " + SERVER + ": using active (EPRT); EPSV and PASV: connect timed out after 5s",
                lines.get(0));
        assertEquals(Level.INFO, capture.records.get(0).getLevel());

        memory.remember(SERVER, PORT, "EPRT refused: 500", TTL);
        assertEquals("Data channel to " + SERVER + ": switched from active (EPRT) to active (PORT); EPRT refused: 500",
                capture.infoMessages().get(1));
    }

    @Test
    void noLogLineWhenTheFirstModeWorkedAgain() {
        memory.remember(SERVER, EPSV, "", TTL);
        capture.records.clear();
        for (int i = 0; i < 5; i++) {
            clock.advance(Duration.ofMinutes(1));
            memory.remember(SERVER, EPSV, "", TTL);
        }
        assertEquals(List.of(), capture.infoMessages());
    }
}
