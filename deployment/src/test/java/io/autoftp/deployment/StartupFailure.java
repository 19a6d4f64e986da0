package io.autoftp.deployment;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Consumer;

import io.quarkus.runtime.configuration.ConfigurationException;

/** Checks on the exception that stopped a test application at startup. */
final class StartupFailure {

    private StartupFailure() {
    }

    /**
     * A check that the application stopped with a {@link ConfigurationException} whose message (or a cause's) contains
     * {@code expected} and none shows {@code secret}.
     */
    static Consumer<Throwable> configurationError(String expected, String secret) {
        return failure -> {
            StringBuilder messages = new StringBuilder();
            boolean configuration = false;
            for (Throwable t = failure; t != null; t = t.getCause()) {
                messages.append(t.getMessage()).append('\n');
                // one thrown while Camel starts is of the application's class loader: compared by name
                configuration |= t.getClass().getName().equals(ConfigurationException.class.getName());
            }
            String all = messages.toString();
            assertTrue(configuration, "a ConfigurationException: " + all);
            assertTrue(all.contains(expected), all);
            assertFalse(secret != null && all.contains(secret), "a secret in the startup error: " + all);
        };
    }
}
