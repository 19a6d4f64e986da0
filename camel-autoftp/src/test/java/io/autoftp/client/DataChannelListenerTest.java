package io.autoftp.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;

import io.autoftp.client.DataChannelException.FailureKind;
import io.autoftp.testing.EmbeddedFtpServer;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;
import org.junit.jupiter.api.Test;

/** What a {@link DataChannelListener} on the shared {@link ModeMemory} hears from real transfers. */
class DataChannelListenerTest {

    private static final DataChannelSettings FAST = new DataChannelSettings(DataChannelPolicy.auto(),
            Duration.ofSeconds(2), PasvAddressPolicy.CONTROL_HOST, 0, 0, null, Duration.ofMinutes(10));

    /** Every event as a line. */
    static final class Recorder implements DataChannelListener {
        final List<String> events = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void onOpened(String server, DataChannelMode mode, String command) {
            events.add(server + " opened " + mode + " " + command);
        }

        @Override
        public void onModeFailed(String server, DataChannelMode mode, FailureKind kind) {
            events.add(server + " failed " + mode + " " + kind);
        }

        @Override
        public void onFallback(String server, DataChannelMode from, DataChannelMode to) {
            events.add(server + " fallback " + from + " -> " + to);
        }

        @Override
        public void onClosed(String server, DataChannelMode mode, String command, long received, long sent) {
            events.add(server + " closed " + mode + " " + command + " received " + received + " sent " + sent);
        }

        List<String> without(String server) {
            return events.stream().map(e -> e.replace(server + " ", "")).collect(Collectors.toList());
        }
    }

    private static byte[] randomBytes(int size) {
        byte[] data = new byte[size];
        new Random(7).nextBytes(data);
        return data;
    }

    private static void transfer(FTPClient client, EmbeddedFtpServer server, byte[] data) throws IOException {
        assertTrue(client.login(server.username(), server.password()), client.getReplyString());
        client.setFileType(FTP.BINARY_FILE_TYPE);
        assertTrue(client.storeFile("up.bin", new ByteArrayInputStream(data)), client.getReplyString());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(client.retrieveFile("up.bin", out), client.getReplyString());
        assertArrayEquals(data, out.toByteArray());
        try (InputStream in = client.retrieveFileStream("up.bin")) {
            assertEquals(data.length, in.readAllBytes().length);
        }
        assertTrue(client.completePendingCommand(), client.getReplyString());
        // a missing file: the data channel works but RETR is refused, so no connection is told
        assertEquals(false, client.retrieveFile("missing.bin", new ByteArrayOutputStream()));
        client.logout();
    }

    @Test
    void fallbackThenRememberedModeWithBytesCountedOnTheSocket() throws Exception {
        try (EmbeddedFtpServer server = EmbeddedFtpServer.builder().refusePassive().start()) {
            ModeMemory memory = new ModeMemory();
            Recorder recorder = new Recorder();
            memory.addListener(recorder);
            byte[] data = randomBytes(300_000);
            ModeAwareFtpClient client = new ModeAwareFtpClient(FAST, memory);
            client.connect(server.host(), server.port());
            try {
                transfer(client, server, data);
            } finally {
                client.disconnect();
            }
            assertEquals(List.of(
                    "failed EPSV REFUSED_BY_SERVER",
                    "failed PASV REFUSED_BY_SERVER",
                    "opened EPRT STOR",
                    "fallback EPSV -> EPRT",
                    "closed EPRT STOR received 0 sent 300000",
                    "opened EPRT RETR",
                    "closed EPRT RETR received 300000 sent 0",
                    "opened EPRT RETR",
                    "closed EPRT RETR received 300000 sent 0"),
                    recorder.without(server.host() + ":" + server.port()));
        }
    }

    @Test
    void tlsDataConnectionsAreCountedInPlainBytes() throws Exception {
        try (EmbeddedFtpServer server = EmbeddedFtpServer.builder().tls(false).refuseActive().start()) {
            ModeMemory memory = new ModeMemory();
            Recorder recorder = new Recorder();
            memory.addListener(recorder);
            byte[] data = randomBytes(120_000);
            ModeAwareFtpsClient client = new ModeAwareFtpsClient(false,
                    ModeAwareFtpsClient.sslContext("TLS", null, EmbeddedFtpServer.trustManager()), FAST, memory);
            client.connect(server.host(), server.port());
            try {
                assertTrue(client.login(server.username(), server.password()));
                client.execPBSZ(0);
                client.execPROT("P");
                client.setFileType(FTP.BINARY_FILE_TYPE);
                assertTrue(client.storeFile("tls.bin", new ByteArrayInputStream(data)), client.getReplyString());
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                assertTrue(client.retrieveFile("tls.bin", out), client.getReplyString());
                assertArrayEquals(data, out.toByteArray());
            } finally {
                client.disconnect();
            }
            assertEquals(List.of(
                    "opened EPSV STOR",
                    "closed EPSV STOR received 0 sent 120000",
                    "opened EPSV RETR",
                    "closed EPSV RETR received 120000 sent 0"),
                    recorder.without(server.host() + ":" + server.port()));
        }
    }

    @Test
    void aFailingListenerNeverFailsATransferAndARemovedOneHearsNothing() throws Exception {
        try (EmbeddedFtpServer server = EmbeddedFtpServer.builder().start()) {
            ModeMemory memory = new ModeMemory();
            Recorder removed = new Recorder();
            Recorder kept = new Recorder();
            memory.addListener(new DataChannelListener() {
                @Override
                public void onOpened(String s, DataChannelMode mode, String command) {
                    throw new IllegalStateException("listener bug");
                }

                @Override
                public void onClosed(String s, DataChannelMode mode, String command, long received, long sent) {
                    throw new IllegalStateException("listener bug");
                }
            });
            memory.addListener(removed);
            memory.addListener(kept);
            memory.removeListener(removed);
            ModeAwareFtpClient client = new ModeAwareFtpClient(FAST, memory);
            client.connect(server.host(), server.port());
            try {
                transfer(client, server, randomBytes(1000));
            } finally {
                client.disconnect();
            }
            assertEquals(List.of(), removed.events);
            assertEquals(6, kept.events.size(), kept.events.toString());
        }
    }
}
