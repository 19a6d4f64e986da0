package io.autoftp.deployment.devservices;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.quarkus.test.QuarkusUnitTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * With autoftp's Dev Services off, a named server without a host is a configuration error, as in production: the
 * application does not start and the message names the missing property.
 */
class DevServicesDisabledTest {

    @RegisterExtension
    static final QuarkusUnitTest APP = new QuarkusUnitTest()
            .overrideConfigKey("quarkus.autoftp.devservices.enabled", "false")
            .overrideConfigKey("quarkus.autoftp.devservices.servers.partner.refuse-passive", "true")
            .overrideConfigKey("quarkus.autoftp.servers.partner.username", "acme")
            .assertException(failure -> assertNamesTheHost(failure, "quarkus.autoftp.servers.partner.host"));

    static void assertNamesTheHost(Throwable failure, String property) {
        StringBuilder messages = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            messages.append(t.getMessage()).append('\n');
        }
        assertTrue(messages.toString().contains("Property " + property + " is required"), messages.toString());
    }

    @Test
    void startupFails() {
        fail("the application must not start");
    }
}
