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
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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

    /**
     * Endpoints sharing the memory learn modes for one server at the same time: each round, four threads remember four
     * different modes at once. Whichever wins, the INFO lines tell one story in the order they were logged (each
     * "switched from" names the mode the line before switched to), and the last one names the mode remembered.
     */
    @Test
    void concurrentRemembersLogEachChangeOnceInTheOrderTheyHappened() throws Exception {
        DataChannelMode[] modes = DataChannelMode.values();
        int rounds = 2_000;
        List<String> problems = new CopyOnWriteArrayList<>();
        CyclicBarrier barrier = new CyclicBarrier(modes.length, () -> {
            // runs once every thread has remembered, before the next round: nobody is inside the memory now
            List<String> lines = capture.infoMessages();
            DataChannelMode remembered = memory.snapshot().get(SERVER).mode();
            if (!lines.get(lines.size() - 1).contains(" to " + remembered.describe())
                && !lines.get(lines.size() - 1).contains("using " + remembered.describe())) {
                problems.add("remembered " + remembered + ", last logged: " + lines.get(lines.size() - 1));
            }
        });
        List<Thread> threads = new java.util.ArrayList<>();
        for (int t = 0; t < modes.length; t++) {
            int offset = t;
            threads.add(started("endpoint-" + t, () -> {
                try {
                    for (int round = 0; round < rounds; round++) {
                        memory.remember(SERVER, modes[(round + offset) % modes.length], "round " + round, TTL);
                        barrier.await(30, TimeUnit.SECONDS);
                    }
                } catch (Exception e) {
                    problems.add("thread failed: " + e);
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join(60_000);
            assertTrue(!thread.isAlive(), thread.getName() + " finished");
        }
        List<String> lines = capture.infoMessages();
        Matcher first = LINE.matcher(lines.get(0));
        assertTrue(first.matches() && first.group(1) == null, lines.get(0));
        String previous = first.group(2);
        for (String line : lines.subList(1, lines.size())) {
            Matcher m = LINE.matcher(line);
            if (!m.matches() || !previous.equals(m.group(1))) {
                problems.add("after a switch to " + previous + ": " + line);
            }
            previous = m.matches() ? m.group(2) : previous;
        }
        assertEquals(List.of(), problems.subList(0, Math.min(5, problems.size())), problems.size() + " problems");
    }

    /** "using passive (EPSV)" or "switched from passive (EPSV) to active (EPRT)": group 1 the old mode, 2 the new. */
    private static final Pattern LINE = Pattern.compile("Data channel to " + Pattern.quote(SERVER)
                                                        + ": (?:using|switched from \\w+ \\((\\w+)\\) to)"
                                                        + " \\w+ \\((\\w+)\\).*");

    /**
     * One endpoint's remembered mode fails while another endpoint learns a new mode for the same server: the failure
     * may only drop the mode that failed, never the one just learned.
     */
    @Test
    void forgettingAFailedModeNeverDropsAModeAnotherThreadJustLearned() throws Exception {
        int rounds = 2_000;
        List<String> lost = new CopyOnWriteArrayList<>();
        memory.remember(SERVER, EPSV, "", TTL);
        CyclicBarrier barrier = new CyclicBarrier(2, () -> {
            Optional<DataChannelMode> kept = memory.recall(SERVER, TTL);
            if (!kept.equals(Optional.of(PASV))) {
                lost.add(kept.toString());
            }
            memory.remember(SERVER, EPSV, "", TTL); // the next round starts with EPSV remembered again
        });
        Thread failing = started("failing-endpoint", () -> {
            try {
                for (int round = 0; round < rounds; round++) {
                    memory.forget(SERVER, EPSV);
                    barrier.await(30, TimeUnit.SECONDS);
                }
            } catch (Exception e) {
                lost.add("thread failed: " + e);
            }
        });
        Thread learning = started("learning-endpoint", () -> {
            try {
                for (int round = 0; round < rounds; round++) {
                    memory.remember(SERVER, PASV, "EPSV failed", TTL);
                    barrier.await(30, TimeUnit.SECONDS);
                }
            } catch (Exception e) {
                lost.add("thread failed: " + e);
            }
        });
        failing.join(60_000);
        learning.join(60_000);
        assertTrue(!failing.isAlive() && !learning.isAlive(), "both finished");
        assertEquals(List.of(), lost, "rounds where the newly learned PASV was dropped");
    }

    @Test
    void forgetDropsOnlyTheModeThatFailed() {
        memory.remember(SERVER, PASV, "EPSV refused", TTL);
        memory.forget(SERVER, EPSV);
        assertEquals(Optional.of(PASV), memory.recall(SERVER, TTL), "another mode is remembered now: kept");
        memory.forget(SERVER, PASV);
        assertEquals(Optional.empty(), memory.recall(SERVER, TTL));
        assertTrue(memory.snapshot().isEmpty());
        memory.remember(SERVER, PASV, "EPSV refused", TTL);
        assertEquals(1, capture.infoMessages().size(), "re-learning the mode last logged logs nothing new");
    }

    private static Thread started(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.start();
        return thread;
    }
}
