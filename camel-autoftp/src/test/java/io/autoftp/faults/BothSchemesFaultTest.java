package io.autoftp.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import io.autoftp.client.DataChannelSettings;
import io.autoftp.client.ModeAwareFtpClient;
import io.autoftp.client.ModeAwareFtpsClient;
import io.autoftp.client.ModeMemory;
import io.autoftp.testing.EmbeddedFtpServer;
import io.autoftp.testing.LogCapture;
import io.autoftp.testing.TestFiles;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.file.GenericFile;
import org.apache.camel.component.file.GenericFileFilter;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;
import org.apache.commons.net.util.TrustManagerUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The repairs that do not need {@link io.autoftp.testing.FtpFaultProxy} (which cannot read a TLS control connection),
 * on {@code autoftp} and {@code autoftps} alike: a transfer failing mid-way leaves the control connection in step, a
 * download shorter than listed is not delivered, unsafe names are left out of a listing, an Error does not end
 * polling, a failed login names the server, and a bad duration names the option.
 */
class BothSchemesFaultTest extends FaultTestSupport {

    private EmbeddedFtpServer server(String scheme) {
        return server(scheme.equals("autoftps") ? EmbeddedFtpServer.builder().tls(false) : EmbeddedFtpServer.builder());
    }

    private static String uri(String scheme, EmbeddedFtpServer server, String directory, String options) {
        String tls = "&ftpClient.trustStore.file=" + EmbeddedFtpServer.truststore() + "&ftpClient.trustStore.password="
                     + EmbeddedFtpServer.TLS_PASSWORD;
        return uri(scheme, server, server.port(), directory, options + (scheme.equals("autoftps") ? tls : ""));
    }

    /** The local I/O fails a quarter of the way (a full disk): the server's reply for the RETR must still be read. */
    @ParameterizedTest
    @ValueSource(strings = { "autoftp", "autoftps" })
    void aTransferThatFailsMidWayLeavesTheControlConnectionInStep(String scheme) throws Exception {
        EmbeddedFtpServer server = server(scheme);
        TestFiles.writeRandom(server.home(), "big.bin", 4 * 1024 * 1024, 1);
        FTPClient client;
        if (scheme.equals("autoftps")) {
            client = new ModeAwareFtpsClient(false,
                    ModeAwareFtpsClient.sslContext("TLSv1.2", null, TrustManagerUtils.getAcceptAllTrustManager()),
                    DataChannelSettings.defaults(), new ModeMemory());
        } else {
            client = new ModeAwareFtpClient(DataChannelSettings.defaults(), new ModeMemory());
        }
        client.setDefaultTimeout(10_000);
        client.connect(server.host(), server.port());
        closeables.add(0, client::disconnect);
        assertTrue(client.login(server.username(), server.password()));
        if (client instanceof ModeAwareFtpsClient tls) {
            tls.execPBSZ(0);
            tls.execPROT("P");
        }
        assertTrue(client.setFileType(FTP.BINARY_FILE_TYPE));
        OutputStream fullDisk = new OutputStream() {
            private long written;

            @Override
            public void write(int b) throws IOException {
                write(new byte[] { (byte) b }, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                written += len;
                if (written > 1024 * 1024) {
                    throw new IOException("No space left on device (simulated)");
                }
            }
        };
        assertThrows(IOException.class, () -> client.retrieveFile("big.bin", fullDisk));
        assertEquals("/", client.printWorkingDirectory(), "PWD answered by its own reply: " + client.getReplyString());
        assertTrue(client.sendNoOp(), client.getReplyString());
        assertEquals(1, server.log().stream().filter(c -> c.verb().equals("USER")).count(), "the same connection");
    }

    /** The file shrinks between the listing and the download: the short download is not delivered, the next one is. */
    @ParameterizedTest
    @ValueSource(strings = { "autoftp", "autoftps" })
    void aDownloadShorterThanListedIsNotDeliveredAndTheFileIsFetchedAgain(String scheme) throws Exception {
        EmbeddedFtpServer server = server(scheme);
        Path inbox = Files.createDirectories(server.home().resolve("inbox"));
        Path file = TestFiles.writeRandom(inbox, "a.bin", 300_000, 1);
        AtomicBoolean truncated = new AtomicBoolean();
        GenericFileFilter<Object> truncateOnce = (GenericFile<Object> listed) -> {
            if (truncated.compareAndSet(false, true)) {
                try (var channel = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
                    channel.truncate(100_000); // listed as 300,000 bytes, served as 100,000
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }
            return true;
        };
        LogCapture logs = LogCapture.all();
        closeables.add(logs);
        List<Long> delivered = new CopyOnWriteArrayList<>();
        Path target = dir("target");
        String from = uri(scheme, server, "inbox", "initialDelay=0&delay=200&binary=true&move=.done&filter=#truncateOnce");
        startRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                getContext().getRegistry().bind("truncateOnce", truncateOnce);
                from(from).process(e -> delivered.add((long) e.getIn().getBody(byte[].class).length)).to("file:" + target);
            }
        });
        TestFiles.awaitFiles(target, 1, WAIT);
        assertEquals(List.of(100_000L), delivered, "only the whole file (as it is now) was delivered");
        assertEquals(TestFiles.sha256Tree(inbox.resolve(".done")), TestFiles.sha256Tree(target));
        assertEquals(1, logs.containing("ended after 100000 of the 300000 bytes the server listed").size(),
                logs.containing("a.bin").toString());
        assertEquals(List.of(), workFilesLeft(), "no work file left behind");
    }

    @ParameterizedTest
    @ValueSource(strings = { "autoftp", "autoftps" })
    void aNameWithAControlCharacterIsLeftOutOfTheListingWithOneWarning(String scheme) throws Exception {
        EmbeddedFtpServer server = server(scheme);
        Path inbox = Files.createDirectories(server.home().resolve("inbox"));
        Files.writeString(inbox.resolve("ok.txt"), "ok");
        Files.writeString(inbox.resolve("esc\u001b[31mape.txt"), "hostile");
        LogCapture logs = LogCapture.all();
        closeables.add(logs);
        Path target = dir("target");
        String from = uri(scheme, server, "inbox", "initialDelay=0&delay=100&noop=true");
        startRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from(from).to("file:" + target);
            }
        });
        TestFiles.awaitFiles(target, 1, WAIT);
        long lists = server.log().stream().filter(c -> c.verb().equals("LIST")).count();
        await(() -> server.log().stream().filter(c -> c.verb().equals("LIST")).count() >= lists + 3, WAIT,
                "three more polls");
        assertEquals(Map.of("ok.txt", TestFiles.sha256(inbox.resolve("ok.txt"))), TestFiles.sha256Tree(target));
        List<LogCapture.Line> warned = logs.containing("Ignoring the entry");
        assertEquals(1, warned.size(), "one WARN, not one per poll: " + warned);
        assertTrue(warned.get(0).text().contains("esc\\u001b[31mape.txt"), warned.get(0).text());
    }

    /** ConsumerErrorTest's case on autoftps: polling goes on after an Error. */
    @Test
    void anErrorInAPollDoesNotEndPollingOnAutoftps() throws Exception {
        EmbeddedFtpServer server = server("autoftps");
        Path inbox = Files.createDirectories(server.home().resolve("inbox"));
        TestFiles.writeRandom(inbox, "a.bin", 1000, 1);
        ConsumerErrorTest.ErrorOnce filter = new ConsumerErrorTest.ErrorOnce();
        LogCapture logs = LogCapture.all();
        closeables.add(logs);
        Path target = dir("target");
        String from = uri("autoftps", server, "inbox", "initialDelay=0&delay=100&binary=true&filter=#errorOnce");
        startRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                getContext().getRegistry().bind("errorOnce", filter);
                from(from).to("file:" + target);
            }
        });
        TestFiles.awaitFiles(target, 1, WAIT);
        assertTrue(filter.calls.get() >= 2, "polled again after the error");
        String error = logs.containing("simulated: Java heap space").get(0).text();
        assertTrue(error.startsWith("Polling autoftps://partner@127.0.0.1:" + server.port() + "/inbox?"), error);
        assertFalse(error.contains(server.password()), error);
    }

    @Test
    void aFailedLoginOnAutoftpsNamesTheServerButNotThePassword() throws Exception {
        EmbeddedFtpServer server = server(EmbeddedFtpServer.builder().tls(false).password("the-right-one"));
        startRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:upload").to(uri("autoftps", server, "outbox", "maximumReconnectAttempts=0")
                        .replace("RAW(the-right-one)", "RAW(wrong-one)"));
            }
        });
        CamelExecutionException failure = assertThrows(CamelExecutionException.class,
                () -> context.createProducerTemplate().sendBodyAndHeader("direct:upload", "x", Exchange.FILE_NAME, "x"));
        String messages = PasswordMaskingTest.messages(failure);
        assertTrue(messages.contains("Cannot connect to autoftps://partner@127.0.0.1:" + server.port()
                                     + ": 530 Authentication failed."), messages);
        assertFalse(messages.contains("wrong-one"), messages);
    }

    @ParameterizedTest
    @ValueSource(strings = { "dataConnectTimeout=5x", "modeMemoryTtl=forever" })
    void aBadDurationOnAutoftpsNamesTheOption(String option) throws Exception {
        EmbeddedFtpServer server = server("autoftps");
        Exception failure = assertThrows(Exception.class, () -> startRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from(uri("autoftps", server, "inbox", option)).to("file:" + temp.resolve("target"));
            }
        }));
        String messages = PasswordMaskingTest.messages(failure);
        String name = option.substring(0, option.indexOf('='));
        String value = option.substring(option.indexOf('=') + 1);
        assertTrue(messages.contains("Option " + name + " has an invalid value '" + value + "'"), messages);
    }
}
