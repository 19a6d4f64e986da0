package io.autoftp.camel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.autoftp.testing.EmbeddedFtpServer;
import io.autoftp.testing.TestFiles;
import org.junit.jupiter.api.Test;

/**
 * A 1 GiB file through an {@code autoftp:} route in a JVM limited to 128 MiB of heap: stock camel-ftp dies there with
 * "Java heap space"; autoftp's default (download to a local work file) must finish with the same bytes.
 */
class LargeFileMemoryTest extends CamelTestSupport {

    private static final long ONE_GIB = 1024L * 1024 * 1024;

    @Test
    void downloadsAFileEightTimesLargerThanTheHeap() throws Exception {
        EmbeddedFtpServer server = server(EmbeddedFtpServer.builder().refusePassive());
        Path inbox = Files.createDirectories(server.home().resolve("inbox"));
        String expected = TestFiles.sha256(TestFiles.writeRandom(inbox, "big.bin", ONE_GIB, 42));
        Path target = dir("target");

        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path log = temp.resolve("child.log");
        Process child = new ProcessBuilder(List.of(java, "-Xmx128m", "-XX:+ExitOnOutOfMemoryError",
                "-Djava.io.tmpdir=" + dir("child-tmp"), "-cp", System.getProperty("java.class.path"),
                LargeDownloadMain.class.getName(), uri("autoftp", server, "inbox", "binary=true&noop=true&delay=200"),
                target.toString()))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!child.waitFor(6, TimeUnit.MINUTES)) {
            child.destroyForcibly();
        }
        String output = Files.readString(log);
        assertEquals(0, child.exitValue(), "child JVM failed:\n" + tail(output));
        assertEquals(ONE_GIB, Files.size(target.resolve("big.bin")));
        assertEquals(expected, TestFiles.sha256(target.resolve("big.bin")), "bytes of the 1 GiB file");
        assertEquals(List.of(), List.of(new File(temp.resolve("child-tmp").toString()).list((d, n) -> n.endsWith(
                ".inprogress"))), "no work file left behind");
    }

    private static String tail(String text) {
        return text.length() > 4000 ? text.substring(text.length() - 4000) : text;
    }
}
