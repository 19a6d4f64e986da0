package io.autoftp.deployment.devservices;

import static org.junit.jupiter.api.Assertions.fail;

import io.quarkus.test.QuarkusUnitTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code quarkus.devservices.enabled=false} turns autoftp's Dev Services off too. */
class GlobalDevServicesDisabledTest {

    @RegisterExtension
    static final QuarkusUnitTest APP = new QuarkusUnitTest()
            .overrideConfigKey("quarkus.devservices.enabled", "false")
            .overrideConfigKey("quarkus.autoftp.servers.partner.options.binary", "true")
            .assertException(failure -> DevServicesDisabledTest.assertNamesTheHost(failure,
                    "quarkus.autoftp.servers.partner.host"));

    @Test
    void startupFails() {
        fail("the application must not start");
    }
}
