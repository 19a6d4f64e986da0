package io.autoftp.faults;

import static io.autoftp.testing.FtpFaultProxy.command;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;

import io.autoftp.client.DataChannelMode;
import io.autoftp.client.DataChannelPolicy;
import io.autoftp.client.DataChannelSettings;
import io.autoftp.client.ModeAwareFtpClient;
import io.autoftp.client.ModeMemory;
import io.autoftp.client.PasvAddressPolicy;
import io.autoftp.testing.EmbeddedFtpServer;
import io.autoftp.testing.FtpFaultProxy;
import io.autoftp.testing.LogCapture;
import io.autoftp.testing.TestFiles;
import org.apache.camel.builder.RouteBuilder;
import org.apache.commons.net.ftp.FTP;
import org.junit.jupiter.api.Test;

/**
 * A hostile server that never answers EPSV, PASV, EPRT or PORT (its control connection stays open): autoftp waits for
 * that reply about as long as for a data connection, not for camel-ftp's {@code soTimeout} (300 s by default), counts
 * the mode as failed, replaces the control connection, now out of step, and carries on in the next mode.
 */
class UnansweredDataChannelCommandTest extends FaultTestSupport {

    @Test
    void aPasvThatIsNeverAnsweredFallsBackToActiveWithinSecondsAndSaysSo() throws Exception {
        EmbeddedFtpServer server = server(EmbeddedFtpServer.builder().refuseEpsvOnly());
        Path inbox = Files.createDirectories(server.home().resolve("inbox"));
        String sum = TestFiles.sha256(TestFiles.writeRandom(inbox, "a.bin", 64 * 1024, 7));
        FtpFaultProxy proxy = proxy(server).stallRepliesAfter(command("PASV", ""), 1);
        LogCapture logs = LogCapture.all();
        closeables.add(logs);
        Path target = dir("target");
        // camel-ftp's soTimeout stays at its default (300 s): only the data channel's own bound can end the wait
        String from = uri("autoftp", server, proxy.port(), "inbox",
                "initialDelay=0&delay=200&binary=true&move=.done&dataConnectTimeout=1000");
        startRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from(from).routeId("download").to("file:" + target);
            }
        });

        await(() -> Map.of("a.bin", sum).equals(TestFiles.sha256Tree(target)), Duration.ofSeconds(15),
                "a.bin downloaded over active mode", () -> "commands " + proxy.commands());

        String line = "Data channel to 127.0.0.1:" + proxy.port() + ": using active (EPRT); EPSV: refused by the server"
                      + " (502 Command not implemented.); PASV: the server did not answer PASV within 2000 ms (control"
                      + " connection dropped)";
        List<LogCapture.Line> info = logs.containing(line);
        assertEquals(1, info.size(), () -> "the INFO line, once: " + logs.containing("Data channel to"));
        assertEquals(Level.INFO, info.get(0).level());
        assertEquals(1, logs.containing("Re-opened the control connection to 127.0.0.1:" + proxy.port()
                                        + " after it stopped answering").size(), "and the reconnect, once");
        assertEquals(2, proxy.connectionCount(), "one new control connection replaced the deaf one");
        assertEquals(List.of("EPSV", "PASV", "EPRT"), server.dataChannelCommands().subList(0, 3));
    }

    @Test
    void anEprtThatIsNeverAnsweredFallsBackToPortOnANewControlConnection() throws Exception {
        EmbeddedFtpServer server = server(EmbeddedFtpServer.builder());
        Path inbox = Files.createDirectories(server.home().resolve("inbox"));
        Files.writeString(inbox.resolve("a.txt"), "hello, active");
        FtpFaultProxy proxy = proxy(server).stallRepliesAfter(command("EPRT", ""), 1);
        ModeMemory memory = new ModeMemory();
        DataChannelSettings settings = new DataChannelSettings(DataChannelPolicy.parse("EPRT,PORT", "dataChannel"),
                Duration.ofSeconds(1), PasvAddressPolicy.CONTROL_HOST, 0, 0, null, Duration.ofMinutes(1));
        ModeAwareFtpClient client = new ModeAwareFtpClient(settings, memory);
        closeables.add(0, () -> {
            if (client.isConnected()) {
                client.disconnect();
            }
        });
        client.setDefaultTimeout(30_000);
        client.connect(proxy.host(), proxy.port());
        assertTrue(client.login(server.username(), server.password()));
        assertTrue(client.setFileType(FTP.BINARY_FILE_TYPE));
        assertTrue(client.changeWorkingDirectory("inbox"));

        long start = System.nanoTime();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        assertTrue(client.retrieveFile("a.txt", bytes), client.getReplyString());
        long millis = (System.nanoTime() - start) / 1_000_000;

        assertEquals("hello, active", bytes.toString(), "served from inbox on the new control connection");
        assertTrue(millis < 10_000, "bounded by the data connect timeout, not soTimeout (30 s): " + millis + " ms");
        assertEquals(2, proxy.connectionCount(), "one reconnect");
        assertEquals(List.of("EPRT", "PORT"), server.dataChannelCommands());
        String key = "127.0.0.1:" + proxy.port();
        assertEquals(DataChannelMode.PORT, memory.recall(key, settings.memoryTtl()).get());
        assertEquals("EPRT: the server did not answer EPRT within 2000 ms (control connection dropped)",
                memory.snapshot().get(key).reason());
        assertTrue(client.sendNoOp(), "the control connection is in step");
    }
}
