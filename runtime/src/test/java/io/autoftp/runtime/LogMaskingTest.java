package io.autoftp.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import io.autoftp.testing.EmbeddedFtpServer;
import io.autoftp.testing.LogCapture;
import io.autoftp.testing.TestFiles;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * With the extension's log masking installed (as its recorder does at static init), not even Camel's own TRACE lines,
 * which show each endpoint URI as written, contain the password: JBoss LogManager (as in Quarkus) at TRACE, a poll and
 * an upload, the password as a {@code RAW(...)} option, URL-encoded, or in the user info. The plain component's
 * {@code PasswordMaskingTest} covers autoftp's own lines and exceptions in every failure.
 */
class LogMaskingTest {

    private static final String PASSWORD = "Zq7@xK2#pw9";

    enum Spelling {
        RAW_OPTION, ENCODED_OPTION, USER_INFO
    }

    @TempDir
    Path temp;

    @BeforeAll
    static void install() {
        LogMasking.install();
    }

    @ParameterizedTest
    @EnumSource(Spelling.class)
    void camelsTraceLinesShowNoPassword(Spelling spelling) throws Exception {
        String encoded = URLEncoder.encode(PASSWORD, StandardCharsets.UTF_8);
        Path target = Files.createDirectories(temp.resolve("target"));
        try (EmbeddedFtpServer server = EmbeddedFtpServer.builder().password(PASSWORD).start();
             LogCapture logs = LogCapture.all();
             DefaultCamelContext context = new DefaultCamelContext()) {
            TestFiles.writeRandom(Files.createDirectories(server.home().resolve("inbox")), "a.bin", 1000, 1);
            String base = "autoftp://" + server.username()
                          + (spelling == Spelling.USER_INFO ? ":" + encoded : "") + "@" + server.host() + ":"
                          + server.port() + "/";
            String login = switch (spelling) {
                case RAW_OPTION -> "password=RAW(" + PASSWORD + ")&";
                case ENCODED_OPTION -> "password=" + encoded + "&";
                case USER_INFO -> "";
            };
            context.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from(base + "inbox?" + login + "initialDelay=0&delay=100&binary=true&move=.done")
                            .to("file:" + target);
                    from("direct:upload").to(base + "outbox?" + login + "binary=true");
                }
            });
            context.start();
            context.createProducerTemplate().sendBodyAndHeader("direct:upload", "payload", Exchange.FILE_NAME, "up.txt");
            TestFiles.awaitFiles(target, 1, Duration.ofSeconds(30));
            context.stop();

            List<String> leaks = logs.lines().stream()
                    .filter(line -> line.text().contains(PASSWORD) || line.text().contains(encoded))
                    .map(line -> line.level() + " " + line.logger()).distinct().toList();
            assertEquals(List.of(), leaks, "lines showing the password");
            assertTrue(logs.lines().stream().anyMatch(l -> l.text().startsWith("Creating endpoint uri=[autoftp://")
                                                           && l.text().contains("xxxxxx")),
                    "Camel's TRACE line about the endpoint is logged, masked (not lost to a formatting error)");
            assertEquals("payload", Files.readString(server.home().resolve("outbox/up.txt")));
        }
    }
}
