package io.autoftp.it;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

import io.autoftp.testing.EmbeddedFtpServer;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

/**
 * A partner file four times larger than the service's heap goes through the packaged service (target/quarkus-app,
 * started with {@code quarkus.test.arg-line=-Xmx64m}, see application.properties) to the partner's HTTP API: autoftp
 * downloads it into a work file, the CSV check reads it as a stream and camel-http sends it from disk. The API here is
 * a {@link StreamingSink} that digests the body as it arrives, so neither side holds the file in memory.
 */
@QuarkusIntegrationTest
@TestProfile(LargeFileStreamingIT.StreamingPartnerApi.class)
class LargeFileStreamingIT {

    private static final long FILE_SIZE = 256L * 1024 * 1024;
    private static final long HEAP_LIMIT = 64L * 1024 * 1024;
    private static final Duration TIMEOUT = Duration.ofMinutes(3);

    /** The FTP servers of the other tests, and the streaming sink instead of WireMock as the partner API. */
    public static class StreamingPartnerApi implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(FtpServersResource.class),
                    new TestResourceEntry(StreamingSinkResource.class));
        }

        @Override
        public boolean disableGlobalTestResources() {
            return true;
        }
    }

    @FtpServers
    EmbeddedFtpServer partner;

    @PartnerApi
    StreamingSink partnerApi;

    @Test
    void aPartnerFileLargerThanTheHeapIsStreamedToThePartnerApi() throws Exception {
        long heap = maxHeap();
        assertTrue(heap > 0 && heap <= HEAP_LIMIT, "the service runs with -Xmx64m, its heap: " + heap);
        assertTrue(FILE_SIZE >= 4 * heap, "the file is at least four times the heap");

        String name = "orders-large.csv";
        Path staging = Files.createDirectories(partner.home().resolve("staging-large"));
        Path written = staging.resolve(name);
        String sha = writeCsv(written, FILE_SIZE);
        long size = Files.size(written);
        Path inbox = Files.createDirectories(partner.home().resolve("inbox"));
        Files.move(written, inbox.resolve(name), StandardCopyOption.ATOMIC_MOVE);

        Path done = inbox.resolve(".done").resolve(name);
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!Files.exists(done)) {
            assertTrue(!Files.exists(inbox.resolve(".error").resolve(name)), name + " went to .error, see the log");
            assertTrue(System.nanoTime() < deadline, name + " was not moved to .done within " + TIMEOUT);
            Thread.sleep(200);
        }

        StreamingSink.Received received = partnerApi.received(name);
        assertNotNull(received, "the partner API received " + name);
        assertEquals(size, received.bytes(), "bytes received");
        assertEquals(sha, received.sha256(), "the body is the file, byte for byte");
        assertEquals(Long.toString(size), received.contentLength(), "sent from a file: its length is known");
        assertNull(received.transferEncoding(), "not chunked");

        // and the service is still alive and well
        given().when().get("/q/health/live").then().statusCode(200);
        assertEquals(maxHeap(), heap);
    }

    /** The largest heap pool's max from /q/metrics (G1: the old generation, which can take the whole heap). */
    private static long maxHeap() {
        String scrape = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        long max = -1;
        for (String line : scrape.split("\n")) {
            if (line.startsWith("jvm_memory_max_bytes{") && line.contains("area=\"heap\"")) {
                max = Math.max(max, (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
            }
        }
        return max;
    }

    /** A valid orders CSV of at least {@code size} bytes, written as it is digested. */
    private static String writeCsv(Path file, long size) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (OutputStream out = new DigestOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 20),
                digest)) {
            out.write("order_id,customer,product,quantity,amount_eur\n".getBytes(StandardCharsets.US_ASCII));
            long written = 0;
            StringBuilder line = new StringBuilder(64);
            for (long id = 1; written < size; id++) {
                line.setLength(0);
                line.append(id).append(",\"Customer ").append(id % 1000).append(", Ltd\",widget,")
                        .append(id % 9 + 1).append(',').append(id % 100).append(".99\n");
                byte[] bytes = line.toString().getBytes(StandardCharsets.US_ASCII);
                out.write(bytes);
                written += bytes.length;
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
