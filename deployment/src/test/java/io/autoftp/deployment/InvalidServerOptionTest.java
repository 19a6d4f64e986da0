package io.autoftp.deployment;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.quarkus.runtime.configuration.ConfigurationException;
import io.quarkus.test.QuarkusUnitTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A bad endpoint option among a named server's {@code options.*} stops the application at startup, naming the server
 * and the option, not at the first poll of a route: the startup creates the endpoint a route naming the server gets.
 */
class InvalidServerOptionTest {

    @RegisterExtension
    static final QuarkusUnitTest APP = new QuarkusUnitTest()
            .overrideConfigKey("quarkus.autoftp.servers.partner.host", "ftp.example.com")
            .overrideConfigKey("quarkus.autoftp.servers.partner.password", "do-not-print-me")
            .overrideConfigKey("quarkus.autoftp.servers.partner.options.dataConnectTimeout", "forever")
            .assertException(failure -> {
                StringBuilder messages = new StringBuilder();
                boolean configuration = false;
                for (Throwable t = failure; t != null; t = t.getCause()) {
                    messages.append(t.getMessage()).append('\n');
                    // thrown while Camel starts: of the application's class loader, so compared by name
                    configuration |= t.getClass().getName().equals(ConfigurationException.class.getName());
                }
                String all = messages.toString();
                assertTrue(configuration, "a ConfigurationException: " + all);
                assertTrue(all.contains("Named server partner (quarkus.autoftp.servers.partner.*) cannot be used by"
                                        + " routes: Option dataConnectTimeout has an invalid value 'forever'"), all);
                assertTrue(!all.contains("do-not-print-me"), "password in the startup error: " + all);
            });

    @Test
    void startupFails() {
        fail("the application must not start");
    }
}
