package io.autoftp.deployment;

import static org.junit.jupiter.api.Assertions.fail;

import io.quarkus.test.QuarkusUnitTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A malformed {@code active-port-range} stops the application at startup with a {@link ConfigurationException} naming
 * the property (it used to reach the readiness check as "Index 1 out of bounds").
 */
class InvalidPortRangeTest {

    @RegisterExtension
    static final QuarkusUnitTest APP = new QuarkusUnitTest()
            .overrideConfigKey("quarkus.autoftp.servers.partner.host", "ftp.example.com")
            .overrideConfigKey("quarkus.autoftp.servers.partner.active-port-range", "40000")
            .assertException(StartupFailure.configurationError("Option"
                    + " quarkus.autoftp.servers.partner.active-port-range must be min-max with 1 <= min <= max <= 65535,"
                    + " not 40000", null));

    @Test
    void startupFails() {
        fail("the application must not start");
    }
}
