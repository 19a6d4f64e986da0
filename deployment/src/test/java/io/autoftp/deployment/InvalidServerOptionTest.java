package io.autoftp.deployment;

import static org.junit.jupiter.api.Assertions.fail;

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
            .assertException(StartupFailure.configurationError("Named server partner"
                    + " (quarkus.autoftp.servers.partner.*) cannot be used by routes: Option dataConnectTimeout has an"
                    + " invalid value 'forever'", "do-not-print-me"));

    @Test
    void startupFails() {
        fail("the application must not start");
    }
}
