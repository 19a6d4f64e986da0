package io.autoftp.it.springboot;

import io.autoftp.testing.PlainCamelClasspath;
import org.junit.jupiter.api.Test;

/** The application runs with camel-autoftp and without anything of Quarkus, SmallRye or JBoss LogManager. */
class NoQuarkusOnTheClasspathTest {

    @Test
    void nothingOfQuarkusOnTheClasspath() {
        PlainCamelClasspath.assertNoQuarkus("spring-boot");
    }
}
