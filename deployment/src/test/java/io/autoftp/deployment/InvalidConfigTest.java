package io.autoftp.deployment;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.quarkus.runtime.configuration.ConfigurationException;
import io.quarkus.test.QuarkusUnitTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A bad quarkus.autoftp value stops the application at startup and the message names the property. */
class InvalidConfigTest {

    @RegisterExtension
    static final QuarkusUnitTest APP = new QuarkusUnitTest()
            .overrideConfigKey("quarkus.autoftp.servers.partner.host", "ftp.example.com")
            .overrideConfigKey("quarkus.autoftp.servers.partner.password", "do-not-print-me")
            .overrideConfigKey("quarkus.autoftp.servers.partner.data-channel", "sideways")
            .assertException(failure -> {
                StringBuilder messages = new StringBuilder();
                boolean configuration = false;
                for (Throwable t = failure; t != null; t = t.getCause()) {
                    messages.append(t.getMessage()).append('\n');
                    configuration |= t instanceof ConfigurationException;
                }
                String all = messages.toString();
                assertTrue(configuration, "a ConfigurationException: " + all);
                assertTrue(all.contains("Option quarkus.autoftp.servers.partner.data-channel has an invalid value"
                                        + " 'sideways'"), all);
                assertTrue(!all.contains("do-not-print-me"), "password in the startup error: " + all);
            });

    @Test
    void startupFails() {
        fail("the application must not start");
    }
}
