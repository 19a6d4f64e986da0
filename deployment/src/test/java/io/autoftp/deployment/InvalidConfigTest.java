package io.autoftp.deployment;

import static org.junit.jupiter.api.Assertions.fail;

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
            .assertException(StartupFailure.configurationError("Option"
                    + " quarkus.autoftp.servers.partner.data-channel has an invalid value 'sideways'", "do-not-print-me"));

    @Test
    void startupFails() {
        fail("the application must not start");
    }
}
