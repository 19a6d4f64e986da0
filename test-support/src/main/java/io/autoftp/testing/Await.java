package io.autoftp.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Bounded waits on a condition, for tests: no fixed sleeps. */
public final class Await {

    private Await() {
    }

    /** Waits until {@code condition} holds, failing with {@code what} after {@code timeout}. */
    public static void until(BooleanSupplier condition, Duration timeout, String what) throws InterruptedException {
        until(condition, timeout, what, () -> "");
    }

    /** As {@link #until(BooleanSupplier, Duration, String)}, describing the state found in the failure. */
    public static void until(BooleanSupplier condition, Duration timeout, String what, Supplier<String> state)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what + "; " + state.get());
            }
            Thread.sleep(25);
        }
    }
}
