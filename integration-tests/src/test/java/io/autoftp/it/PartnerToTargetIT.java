package io.autoftp.it;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/**
 * The same transfer against the packaged application (target/quarkus-app in JVM mode, the native executable with
 * {@code -Dnative}): the runtime jar is a real jar there, so this also checks that Camel Quarkus discovers the
 * component from the packaged extension.
 */
@QuarkusIntegrationTest
class PartnerToTargetIT extends PartnerToTargetTest {
}
