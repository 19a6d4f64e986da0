package io.autoftp.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Checks, for the plain Camel test applications, that camel-autoftp runs without anything of Quarkus, SmallRye or
 * JBoss LogManager: no such class loads, no such jar is on the class path, java.util.logging is the JDK's own.
 */
public final class PlainCamelClasspath {

    private static final List<String> BANNED_JARS = List.of("quarkus", "smallrye", "jboss-logmanager");
    private static final List<String> BANNED_CLASSES = List.of("io.quarkus.runtime.Quarkus",
            "io.smallrye.config.SmallRyeConfig", "org.jboss.logmanager.LogManager");

    private PlainCamelClasspath() {
    }

    /**
     * @param runtimeJar part of the name of a jar the application's runtime must have on the class path (e.g.
     *                   {@code camel-main}): the check means something only if {@code java.class.path} is the real one
     *                   (not a surefire booter jar)
     */
    public static void assertNoQuarkus(String runtimeJar) {
        for (String name : BANNED_CLASSES) {
            assertThrows(ClassNotFoundException.class, () -> Class.forName(name), name + " is on the classpath");
        }
        List<String> entries = Arrays.asList(System.getProperty("java.class.path").split(File.pathSeparator));
        for (String expected : List.of("camel-autoftp", runtimeJar)) {
            assertTrue(entries.stream().anyMatch(e -> e.contains(expected)),
                    () -> expected + " is not on java.class.path: " + entries);
        }
        List<String> offending = entries.stream()
                .filter(e -> BANNED_JARS.stream().anyMatch(e.toLowerCase(Locale.ROOT)::contains))
                .toList();
        assertEquals(List.of(), offending, () -> "Quarkus, SmallRye or JBoss LogManager on the class path:\n  "
                                                 + String.join("\n  ", offending));
        assertEquals("java.util.logging.LogManager", java.util.logging.LogManager.getLogManager().getClass().getName());
    }
}
