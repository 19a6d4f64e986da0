package io.autoftp.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.logging.Level;

import io.autoftp.camel.ModeAwareComponent;
import io.autoftp.testing.EmbeddedFtpServer;
import io.autoftp.testing.LogCapture;
import io.autoftp.testing.TestFiles;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.Test;

/**
 * A server that refuses to delete or rename a file after it was processed: camel-ftp retries a DELE three times and
 * then, when the file is still there, fails the commit; when the file is gone (another client took it) it says
 * nothing at all. autoftp says it once per file, with the server's reply, and counts it.
 */
class RefusedFileCommandTest extends FaultTestSupport {

    @Test
    void aRefusedDeleteIsLoggedOncePerFileWithTheRepliesAndCounted() throws Exception {
        EmbeddedFtpServer server = server(EmbeddedFtpServer.builder().refuse("DELE"));
        Path inbox = Files.createDirectories(server.home().resolve("inbox"));
        TestFiles.writeRandom(inbox, "a.bin", 1000, 1);
        LogCapture logs = LogCapture.all();
        closeables.add(logs);
        Path target = dir("target");
        String from = uri("autoftp", server, server.port(), "inbox", "initialDelay=0&delay=200&binary=true&delete=true");
        startRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from(from).routeId("download").to("file:" + target);
            }
        });
        String expected = "refused to delete inbox/a.bin: 502 Command not implemented";
        await(() -> !logs.containing(expected).isEmpty(), WAIT, "the refusal logged");
        ModeAwareComponent component = context.getComponent("autoftp", ModeAwareComponent.class);
        await(() -> component.getFileOperationCounters().getRefusedDeletes() >= 6, WAIT, "two polls' retries");

        List<LogCapture.Line> lines = logs.containing(expected);
        assertEquals(1, lines.size(), "once per file, whatever the retries and polls: " + lines);
        assertEquals(Level.WARNING, lines.get(0).level());
        assertTrue(lines.get(0).text().startsWith("autoftp://partner@127.0.0.1:" + server.port() + " refused"),
                lines.get(0).text());
        assertTrue(Files.exists(inbox.resolve("a.bin")), "the server kept it");
    }

    @Test
    void aRefusedRenameIsLoggedWithTheReplyAndCounted() throws Exception {
        EmbeddedFtpServer server = server(EmbeddedFtpServer.builder().refuse("RNFR"));
        Path inbox = Files.createDirectories(server.home().resolve("inbox"));
        TestFiles.writeRandom(inbox, "b.bin", 1000, 2);
        LogCapture logs = LogCapture.all();
        closeables.add(logs);
        Path target = dir("target");
        String from = uri("autoftp", server, server.port(), "inbox", "initialDelay=0&delay=200&binary=true&move=.done");
        startRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from(from).routeId("download").to("file:" + target);
            }
        });
        String expected = "refused to rename inbox/b.bin to inbox/.done/b.bin: 502 Command not implemented";
        await(() -> !logs.containing(expected).isEmpty(), WAIT, "the refusal logged");
        ModeAwareComponent component = context.getComponent("autoftp", ModeAwareComponent.class);
        assertTrue(component.getFileOperationCounters().getRefusedRenames() >= 1);
        assertEquals(0, component.getFileOperationCounters().getRefusedDeletes());
    }

    @Test
    void camelFilesDeleteOfAMoveTargetThatIsNotThereIsNoRefusal() throws Exception {
        EmbeddedFtpServer server = server(EmbeddedFtpServer.builder());
        Path inbox = Files.createDirectories(server.home().resolve("inbox"));
        Files.createDirectories(inbox.resolve(".done"));
        TestFiles.writeRandom(inbox, "c.bin", 1000, 3);
        TestFiles.writeRandom(inbox, "d.bin", 1000, 4);
        LogCapture logs = LogCapture.all();
        closeables.add(logs);
        Path target = dir("target");
        String from = uri("autoftp", server, server.port(), "inbox", "initialDelay=0&delay=200&binary=true&move=.done");
        startRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from(from).routeId("download").to("file:" + target);
            }
        });
        await(() -> Files.exists(inbox.resolve(".done/c.bin")) && Files.exists(inbox.resolve(".done/d.bin")), WAIT,
                "both moved");
        assertEquals(List.of(), logs.containing("refused"), "camel-file deletes a move's target first; 550 is no news");
        ModeAwareComponent component = context.getComponent("autoftp", ModeAwareComponent.class);
        assertEquals(0, component.getFileOperationCounters().getRefusedDeletes());
    }
}
