package io.autoftp.it.springboot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import org.junit.jupiter.api.Test;

/** The application runs with camel-autoftp and without anything of Quarkus, SmallRye or JBoss LogManager. */
class NoQuarkusOnTheClasspathTest {

    private static final List<String> BANNED = List.of("quarkus", "smallrye", "jboss-logmanager");

    @Test
    void noQuarkusClassLoads() {
        for (String name : List.of("io.quarkus.runtime.Quarkus", "io.smallrye.config.SmallRyeConfig",
                "org.jboss.logmanager.LogManager")) {
            assertThrows(ClassNotFoundException.class, () -> Class.forName(name), name + " is on the classpath");
        }
    }

    @Test
    void noQuarkusJarOnTheClassPath() {
        List<String> entries = Arrays.asList(System.getProperty("java.class.path").split(File.pathSeparator));
        // the check means something only if the property holds the real class path (not a surefire booter jar)
        assertTrue(entries.stream().anyMatch(e -> e.contains("camel-autoftp")),
                () -> "camel-autoftp is not on java.class.path: " + entries);
        assertTrue(entries.stream().anyMatch(e -> e.contains("spring-boot")),
                () -> "spring-boot is not on java.class.path: " + entries);
        List<String> offending = entries.stream()
                .filter(e -> BANNED.stream().anyMatch(e.toLowerCase(Locale.ROOT)::contains))
                .toList();
        assertEquals(List.of(), offending, () -> "Quarkus, SmallRye or JBoss LogManager on the class path:\n  "
                                                 + String.join("\n  ", offending));
    }

    @Test
    void javaUtilLoggingIsTheJdkOne() {
        assertEquals("java.util.logging.LogManager", java.util.logging.LogManager.getLogManager().getClass().getName());
    }
}
