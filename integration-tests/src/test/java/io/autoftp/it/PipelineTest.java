package io.autoftp.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.autoftp.testing.EmbeddedFtpServer;
import io.autoftp.testing.TestFiles;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.apache.camel.CamelContext;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * The pipeline service's routes (routes/pipeline.yaml) against real FTP servers ({@link FtpServersResource}: the
 * partner refuses passive mode, the target active mode) and WireMock as the partner's HTTP API
 * ({@link PipelineResource}). Every file is checked by SHA-256 where it arrives, and no file is ever lost: it ends in
 * {@code .done} or in {@code .error}.
 */
@QuarkusTest
// Not restricted to this class: every @QuarkusTest of the module has the partner API, as the routes need its URL.
@QuarkusTestResource(PipelineResource.class)
class PipelineTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String HEADER = "order_id,customer,product,quantity,amount_eur";

    @FtpServers
    EmbeddedFtpServer partner;

    @FtpServers
    EmbeddedFtpServer target;

    @PartnerApi
    WireMockServer partnerApi;

    @Inject
    CamelContext camel;

    @Test
    void aValidCsvIsPostedToThePartnerApiAndMovedToDone() throws Exception {
        String name = unique("orders", ".csv");
        String csv = orders(40);
        Path dropped = dropIntoPartnerInbox(name, csv);

        Path done = inbox().resolve(".done").resolve(name);
        awaitFile(done);
        assertEquals(sha256(csv.getBytes(StandardCharsets.UTF_8)), TestFiles.sha256(done), "the file in .done");
        assertFalse(Files.exists(dropped), "the file left the inbox");

        List<LoggedRequest> requests = requestsFor(name);
        assertEquals(1, requests.size(), "one POST for " + name);
        LoggedRequest request = requests.get(0);
        assertEquals(sha256(csv.getBytes(StandardCharsets.UTF_8)), sha256(request.getBody()),
                "the request body is the file, byte for byte");
        assertTrue(request.getHeader("Content-Type").startsWith("text/csv"), request.getHeader("Content-Type"));
        assertEquals("40", request.getHeader("X-Record-Count"));
        assertFalse(request.containsHeader("CamelFileName"), "Camel's own headers stay inside");
    }

    @Test
    void http500IsRetriedThenTheFileGoesToErrorWithADeadLetterNote() throws Exception {
        String name = unique("rejected", ".csv");
        partnerApi.stubFor(post(urlPathEqualTo(PipelineResource.PATH)).atPriority(1)
                .withHeader("X-File-Name", equalTo(name))
                .willReturn(aResponse().withStatus(500).withBody("partner API is down")));
        String csv = orders(7);
        dropIntoPartnerInbox(name, csv);

        Path error = inbox().resolve(".error").resolve(name);
        awaitFile(error);
        assertEquals(sha256(csv.getBytes(StandardCharsets.UTF_8)), TestFiles.sha256(error),
                "the file is kept, whole, in .error");
        assertFalse(Files.exists(inbox().resolve(".done").resolve(name)), "never marked done");
        assertFalse(Files.exists(inbox().resolve(name)), "not left in the inbox to be sent again");

        // %test.pipeline.retry.max-redeliveries=2: the first attempt and two retries
        List<LoggedRequest> attempts = requestsFor(name);
        assertEquals(3, attempts.size(), "attempts at the partner API");
        for (LoggedRequest attempt : attempts) {
            assertEquals(sha256(csv.getBytes(StandardCharsets.UTF_8)), sha256(attempt.getBody()),
                    "every attempt sends the whole file");
        }

        String note = awaitDeadLetterNote(name);
        assertTrue(note.contains("\"file\":\"" + name + "\""), note);
        assertTrue(note.contains("\"route\":\"partner-inbox\""), note);
        assertTrue(note.contains("\"attempts\":3"), note);
        assertTrue(note.contains("\"httpStatus\":500"), note);
        assertTrue(note.contains("\"fileNow\":\"inbox/.error on the partner's server\""), note);
    }

    @Test
    void anInvalidCsvGoesToErrorWithoutCallingTheApi() throws Exception {
        String name = unique("short-line", ".csv");
        String csv = HEADER + "\n1,ACME,widget,2,9.98\n2,ACME,widget,2\n3,ACME,widget,2,9.98\n";
        dropIntoPartnerInbox(name, csv);

        Path error = inbox().resolve(".error").resolve(name);
        awaitFile(error);
        assertEquals(sha256(csv.getBytes(StandardCharsets.UTF_8)), TestFiles.sha256(error));
        String note = awaitDeadLetterNote(name);
        assertTrue(note.contains("\"error\":\"InvalidCsvException\""), note);
        assertTrue(note.contains("line 3: 4 columns, the header has 5"), note);
        assertTrue(note.contains("\"attempts\":1"), "no retry for an invalid file: " + note);
        assertEquals(0, requestsFor(name).size(), "the partner API was never called");

        String notCsv = unique("readme", ".txt");
        dropIntoPartnerInbox(notCsv, "hello\n");
        awaitFile(inbox().resolve(".error").resolve(notCsv));
        assertTrue(awaitDeadLetterNote(notCsv).contains("not a CSV file"));
        assertEquals(0, requestsFor(notCsv).size());
    }

    @Test
    void filesDroppedIntoTheOutboxArePushedToTheTarget() throws Exception {
        String name = unique("invoice", ".bin");
        Path outbox = Path.of(config("pipeline.outbox"));
        Path staging = Files.createDirectories(outbox.resolveSibling("staging"));
        Path written = TestFiles.writeRandom(staging, name, 2L * 1024 * 1024 + 3, 7);
        String sha = TestFiles.sha256(written);
        Files.createDirectories(outbox);
        Files.move(written, outbox.resolve(name), StandardCopyOption.ATOMIC_MOVE);

        Path arrived = target.home().resolve("outbox").resolve(name);
        awaitFile(arrived);
        assertEquals(sha, TestFiles.sha256(arrived), "what arrived at the target");
        awaitFile(outbox.resolve(".sent").resolve(name));
        List<String> modes = target.dataChannelReplies();
        assertTrue(modes.contains("EPSV 229"), "the target is written in passive mode: " + modes);
        assertFalse(modes.contains("EPRT 200") || modes.contains("PORT 200"), modes.toString());
    }

    @Test
    void filesPostedToTheOutboxEndpointArePushedToTheTarget() throws Exception {
        String name = unique("upload", ".csv");
        byte[] body = orders(3).getBytes(StandardCharsets.UTF_8);
        given().body(body).contentType("text/csv").when().post("/outbox/" + name)
                .then().statusCode(202);
        // outbox-push takes a file only once it stopped changing for 500 ms (readLock=changed): still waiting
        given().body(body).contentType("text/csv").when().post("/outbox/" + name)
                .then().statusCode(409);
        Path arrived = target.home().resolve("outbox").resolve(name);
        awaitFile(arrived);
        assertEquals(sha256(body), TestFiles.sha256(arrived));

        given().body(body).contentType("text/csv").when().post("/outbox/.hidden").then().statusCode(400);
        given().when().get("/outbox/" + name).then().statusCode(405);
    }

    @Test
    void routesAreAlsoLoadedFromADirectoryOutsideTheJar() {
        assertNotNull(camel.getRoute("external-ping"), "src/test/resources/external-routes/ping.yaml");
        given().when().get("/external/ping").then().statusCode(200)
                .body(org.hamcrest.Matchers.equalTo("pong from a route outside the jar"));
    }

    // ----------------------------------------------------------------------------------------------------------

    private Path inbox() throws IOException {
        return Files.createDirectories(partner.home().resolve("inbox"));
    }

    /** Written aside and moved in whole, so that the route never picks up half a file. */
    private Path dropIntoPartnerInbox(String name, String content) throws IOException {
        Path staging = Files.createDirectories(partner.home().resolve("staging-pipeline"));
        Path written = Files.writeString(staging.resolve(name), content, StandardCharsets.UTF_8);
        return Files.move(written, inbox().resolve(name), StandardCopyOption.ATOMIC_MOVE);
    }

    private List<LoggedRequest> requestsFor(String name) {
        return partnerApi.findAll(postRequestedFor(urlPathEqualTo(PipelineResource.PATH))
                .withHeader("X-File-Name", equalTo(name)));
    }

    private static String awaitDeadLetterNote(String name) throws IOException, InterruptedException {
        Path dir = Path.of(config("pipeline.dead-letter-dir"));
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.isDirectory(dir)) {
                try (Stream<Path> notes = Files.list(dir)) {
                    Optional<Path> note = notes.filter(p -> p.getFileName().toString().startsWith(name + "."))
                            .findFirst();
                    if (note.isPresent()) {
                        return Files.readString(note.get());
                    }
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no dead-letter note for " + name + " in " + dir);
    }

    static String orders(int count) {
        StringBuilder csv = new StringBuilder(HEADER).append('\n');
        for (int i = 1; i <= count; i++) {
            csv.append(i).append(",\"Customer ").append(i).append(", Ltd\",widget,").append(i % 7 + 1).append(',')
                    .append(i % 7 + 1).append(".99\n");
        }
        return csv.toString();
    }

    private static String unique(String prefix, String suffix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8) + suffix;
    }

    private static String config(String name) {
        return ConfigProvider.getConfig().getValue(name, String.class);
    }

    static void awaitFile(Path file) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!Files.exists(file)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(file + " did not appear within " + TIMEOUT);
            }
            Thread.sleep(100);
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
