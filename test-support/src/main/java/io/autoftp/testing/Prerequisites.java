package io.autoftp.testing;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/** For tests that need something of the machine (root, namespaces, the FTP servers). */
public final class Prerequisites {

    private Prerequisites() {
    }

    /**
     * Skips the test with {@code unavailableReason} (which should say how to fix it), unless it is null; in CI
     * ({@code CI=true}, where .ci/run installs everything) a missing prerequisite fails the test instead.
     */
    public static void require(String unavailableReason) {
        if (unavailableReason == null) {
            return;
        }
        if (inCi()) {
            Assertions.fail("CI=true, but a prerequisite is missing: " + unavailableReason);
        }
        Assumptions.abort(unavailableReason);
    }

    /** Whether this runs in CI ({@code CI=true}). */
    public static boolean inCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }
}
