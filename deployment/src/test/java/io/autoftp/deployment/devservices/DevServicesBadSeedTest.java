package io.autoftp.deployment.devservices;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.quarkus.test.QuarkusUnitTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A seed directory that does not exist fails the build, naming the server's Dev Services properties. */
class DevServicesBadSeedTest {

    @RegisterExtension
    static final QuarkusUnitTest APP = new QuarkusUnitTest()
            .overrideConfigKey("quarkus.autoftp.devservices.servers.samples.seed-directory", "no/such/directory")
            .assertException(failure -> {
                StringBuilder messages = new StringBuilder();
                for (Throwable t = failure; t != null; t = t.getCause()) {
                    messages.append(t.getMessage()).append('\n');
                }
                String all = messages.toString();
                assertTrue(all.contains("could not start the FTP server for quarkus.autoftp.servers.samples"), all);
                assertTrue(all.contains("quarkus.autoftp.devservices.servers.samples.*"), all);
                assertTrue(all.contains("no/such/directory is not a directory"), all);
            });

    @Test
    void buildFails() {
        fail("the application must not start");
    }
}
