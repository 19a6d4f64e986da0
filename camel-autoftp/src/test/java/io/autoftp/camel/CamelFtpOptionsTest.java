package io.autoftp.camel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import io.autoftp.testing.Await;
import io.autoftp.testing.EmbeddedFtpServer;
import io.autoftp.testing.TestFiles;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.file.GenericFileOperationFailedException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * camel-ftp's consumer and producer options keep their meaning under {@code autoftp:}, here against a server that
 * refuses passive mode so that every transfer goes through the fallback.
 */
class CamelFtpOptionsTest extends CamelTestSupport {

    EmbeddedFtpServer server;
    Path inbox;
    Path downloaded;

    @BeforeEach
    void serverRefusingPassive() throws Exception {
        server = server(EmbeddedFtpServer.builder().refusePassive());
        inbox = Files.createDirectories(server.home().resolve("inbox"));
        downloaded = dir("downloaded");
    }

    private void download(String options) throws Exception {
        String from = uri("autoftp", server, "inbox", "binary=true&delay=100&" + options);
        startRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from(from).to("file:" + downloaded);
            }
        });
    }

    @Test
    void noopLeavesFilesAndTakesEachOnce() throws Exception {
        Map<String, String> sums = writeFileSet(inbox, "n", 1);
        AtomicInteger exchanges = new AtomicInteger();
        String from = uri("autoftp", server, "inbox", "binary=true&delay=100&noop=true");
        startRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from(from).process(e -> exchanges.incrementAndGet()).to("file:" + downloaded);
            }
        });
        TestFiles.awaitFiles(downloaded, sums.size(), WAIT);
        long listings = listings();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (listings() < listings + 10 && System.nanoTime() < deadline) { // ten more polls
            Thread.sleep(20);
        }
        assertTrue(listings() >= listings + 10, "ten more polls");
        assertEquals(sums, topLevelSums(downloaded));
        assertEquals(sums, topLevelSums(inbox), "still on the server");
        assertEquals(sums.size(), exchanges.get(), "each file exactly once");
    }

    @Test
    void deleteRemovesDownloadedFiles() throws Exception {
        Map<String, String> sums = writeFileSet(inbox, "d", 2);
        download("delete=true");
        TestFiles.awaitFiles(downloaded, sums.size(), WAIT);
        assertEquals(sums, topLevelSums(downloaded));
        awaitGone(inbox, sums.keySet());
    }

    @Test
    void moveAndIncludeTakeOnlyMatchingFiles() throws Exception {
        Files.writeString(inbox.resolve("a.csv"), "id;name\n1;x\n");
        Files.writeString(inbox.resolve("b.csv"), "id;name\n2;y\n");
        Files.writeString(inbox.resolve("skip.txt"), "not for us");
        download("include=.*\\.csv&move=.done");
        TestFiles.awaitFiles(downloaded, 2, WAIT);
        Thread.sleep(500);
        assertEquals(Set.of("a.csv", "b.csv"), topLevelSums(downloaded).keySet());
        assertTrue(Files.exists(inbox.resolve(".done/a.csv")) && Files.exists(inbox.resolve(".done/b.csv")));
        assertTrue(Files.exists(inbox.resolve("skip.txt")), "not included, left alone");
    }

    @Test
    void recursiveKeepsSubfolders() throws Exception {
        Path deep = Files.createDirectories(inbox.resolve("2026/11"));
        String top = TestFiles.sha256(TestFiles.writeRandom(inbox, "top.bin", 5000, 1));
        String nested = TestFiles.sha256(TestFiles.writeRandom(deep, "nested.bin", 7000, 2));
        download("recursive=true&noop=true");
        TestFiles.awaitFiles(downloaded, 2, WAIT);
        assertEquals(Map.of("top.bin", top, "2026/11/nested.bin", nested), TestFiles.sha256Tree(downloaded));
    }

    @Test
    void streamDownloadStreamsTheBody() throws Exception {
        Map<String, String> sums = writeFileSet(inbox, "s", 3);
        download("streamDownload=true&stepwise=false&noop=true");
        TestFiles.awaitFiles(downloaded, sums.size(), WAIT);
        assertEquals(sums, topLevelSums(downloaded));
    }

    @Test
    void resumeDownloadContinuesAPartialFileWithRest() throws Exception {
        Path file = TestFiles.writeRandom(inbox, "resume.bin", 3_000_000, 9);
        Path work = dir("work");
        byte[] all = Files.readAllBytes(file);
        // what an interrupted earlier download left in the work directory
        Files.write(work.resolve("resume.bin.inprogress"), Arrays.copyOf(all, 1_000_000));
        download("resumeDownload=true&noop=true&localWorkDirectory=" + work);
        TestFiles.awaitFiles(downloaded, 1, WAIT);
        assertArrayEquals(all, Files.readAllBytes(downloaded.resolve("resume.bin")));
        assertTrue(server.commands().contains("REST 1000000"), "REST sent: " + server.commands());
        assertEquals("EPRT 200", server.dataChannelReplies().get(2), "REST came after the fallback to EPRT");
    }

    @Test
    void localWorkDirectoryReplacesWhatAnEarlierRunLeftThereAndCleansUp() throws Exception {
        String top = TestFiles.sha256(TestFiles.writeRandom(inbox, "left.bin", 300_000, 5));
        Path deep = Files.createDirectories(inbox.resolve("sub"));
        String nested = TestFiles.sha256(TestFiles.writeRandom(deep, "nested.bin", 20_000, 6));
        Path work = dir("work");
        // a process killed mid-file leaves its work files; the next download replaces both, whatever their size
        Files.write(work.resolve("left.bin"), new byte[1_000_000]);
        Files.write(work.resolve("left.bin.inprogress"), new byte[500_000]);
        download("recursive=true&noop=true&localWorkDirectory=" + work);
        TestFiles.awaitFiles(downloaded, 2, WAIT);
        assertEquals(Map.of("left.bin", top, "sub/nested.bin", nested), TestFiles.sha256Tree(downloaded));
        Await.until(() -> TestFiles.sha256Tree(work).isEmpty(), WAIT, "each work file gone once its exchange is done",
                () -> "left: " + TestFiles.sha256Tree(work).keySet());
    }

    @Test
    void producerWritesUnderATempNameThenRenames() throws Exception {
        startRoutes(new RouteBuilder() {
            @Override
            public void configure() {
            }
        });
        ProducerTemplate producer = context.createProducerTemplate();
        byte[] body = "id;amount\n1;10\n".getBytes(StandardCharsets.UTF_8);
        producer.sendBodyAndHeader(uri("autoftp", server, "out", "binary=true&tempFileName=${file:name}.part"), body,
                Exchange.FILE_NAME, "report.csv");
        assertArrayEquals(body, Files.readAllBytes(server.home().resolve("out/report.csv")));
        assertFalse(Files.exists(server.home().resolve("out/report.csv.part")));
        assertTrue(server.commands().contains("STOR report.csv.part"), server.commands().toString());
        assertTrue(server.commands().contains("RNTO report.csv") || server.commands().contains("RNTO out/report.csv"),
                server.commands().toString());
    }

    @Test
    void fileExistOverrideAppendAndFail() throws Exception {
        startRoutes(new RouteBuilder() {
            @Override
            public void configure() {
            }
        });
        ProducerTemplate producer = context.createProducerTemplate();
        Path target = Files.createDirectories(server.home().resolve("out")).resolve("x.csv");
        Files.writeString(target, "old\n");

        producer.sendBodyAndHeader(uri("autoftp", server, "out", "fileExist=Override"), "new\n", Exchange.FILE_NAME,
                "x.csv");
        assertEquals("new\n", Files.readString(target));

        producer.sendBodyAndHeader(uri("autoftp", server, "out", "fileExist=Append"), "more\n", Exchange.FILE_NAME,
                "x.csv");
        assertEquals("new\nmore\n", Files.readString(target));

        CamelExecutionException failure = assertThrows(CamelExecutionException.class,
                () -> producer.sendBodyAndHeader(uri("autoftp", server, "out", "fileExist=Fail"), "lost?\n",
                        Exchange.FILE_NAME, "x.csv"));
        assertTrue(failure.getCause() instanceof GenericFileOperationFailedException, failure.toString());
        assertTrue(failure.getCause().getMessage().contains("already exist"), failure.getCause().getMessage());
        assertEquals("new\nmore\n", Files.readString(target), "existing file untouched");
    }

    /** LIST/NLST/MLSD commands the server has seen: one per poll. */
    private long listings() {
        return server.commands().stream()
                .filter(c -> c.startsWith("LIST") || c.startsWith("NLST") || c.startsWith("MLSD")).count();
    }

    private static void awaitGone(Path dir, Set<String> names) throws InterruptedException {
        long deadline = System.currentTimeMillis() + WAIT.toMillis();
        while (names.stream().anyMatch(n -> Files.exists(dir.resolve(n))) && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(names.stream().noneMatch(n -> Files.exists(dir.resolve(n))), "deleted on the server: " + names);
    }
}
