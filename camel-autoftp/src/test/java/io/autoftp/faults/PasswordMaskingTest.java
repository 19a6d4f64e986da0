package io.autoftp.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

import io.autoftp.testing.EmbeddedFtpServer;
import io.autoftp.testing.FreePorts;
import io.autoftp.testing.LogCapture;
import io.autoftp.testing.TestFiles;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * No password in any log line of autoftp's or any exception message, at any level down to TRACE, whatever happens: a
 * normal poll and upload, a wrong password, an unreachable server, an invalid option, and with the password given as a
 * query option ({@code RAW(...)} or URL-encoded) or in the URI's user info. Everything the JVM logs is captured (plain
 * java.util.logging, which also receives SLF4J here) with the root level at TRACE, and every line and stack trace is
 * searched for the password and its URL-encoded form.
 *
 * <p>The one exception is Camel's own: while it resolves an endpoint, Camel logs the URI as written at TRACE in its
 * engine's categories, password included. The plain component installs nothing global to change that (it must not);
 * the Quarkus extension masks those lines too (its {@code LogMaskingTest}), and the docs tell plain Camel users to keep
 * {@code org.apache.camel} above TRACE.
 */
class PasswordMaskingTest extends FaultTestSupport {

    /** Distinctive, with characters that URIs and regular expressions treat specially. */
    private static final String RAW_PASSWORD = "Zq7@x&K2+pw=9%";
    /** Camel splits a query at an encoded '&' too, so the encoded spelling gets a password without one. */
    private static final String ENCODABLE_PASSWORD = "Zq7@xK2#pw9";

    private String password;
    private String encoded;

    enum Spelling {
        RAW_OPTION, ENCODED_OPTION, USER_INFO
    }

    enum Scenario {
        POLL_AND_UPLOAD, WRONG_PASSWORD, UNREACHABLE_SERVER, INVALID_OPTION
    }

    private LogCapture logs;
    private EmbeddedFtpServer server;

    @BeforeEach
    void capture() {
        logs = LogCapture.all();
    }

    @AfterEach
    void release() {
        logs.close();
    }

    @ParameterizedTest
    @EnumSource(Scenario.class)
    void noPasswordInAnyLogLineOrExceptionWithTheRawOption(Scenario scenario) throws Exception {
        run(scenario, Spelling.RAW_OPTION);
    }

    @ParameterizedTest
    @EnumSource(Scenario.class)
    void noPasswordInAnyLogLineOrExceptionWithTheEncodedOption(Scenario scenario) throws Exception {
        run(scenario, Spelling.ENCODED_OPTION);
    }

    @ParameterizedTest
    @EnumSource(Scenario.class)
    void noPasswordInAnyLogLineOrExceptionInTheUserInfo(Scenario scenario) throws Exception {
        run(scenario, Spelling.USER_INFO);
    }

    private void run(Scenario scenario, Spelling spelling) throws Exception {
        password = spelling == Spelling.ENCODED_OPTION ? ENCODABLE_PASSWORD : RAW_PASSWORD;
        encoded = URLEncoder.encode(password, StandardCharsets.UTF_8);
        server = server(EmbeddedFtpServer.builder()
                .password(scenario == Scenario.WRONG_PASSWORD ? "the-right-one" : password));
        Path inbox = Files.createDirectories(server.home().resolve("inbox"));
        TestFiles.writeRandom(inbox, "a.bin", 1000, 1);
        int port = scenario == Scenario.UNREACHABLE_SERVER ? FreePorts.free() : server.port();
        String options = "initialDelay=0&delay=100&binary=true"
                         + (scenario == Scenario.INVALID_OPTION ? "&dataChannel=sideways" : "")
                         + (scenario == Scenario.UNREACHABLE_SERVER ? "&maximumReconnectAttempts=0" : "");
        String from = uri(spelling, port, "inbox", options + "&move=.done");
        String to = uri(spelling, port, "outbox", "binary=true");
        Path target = dir("target");
        List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();

        if (scenario == Scenario.INVALID_OPTION) {
            Exception e = assertThrows(Exception.class, () -> startRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from(from).to("file:" + target);
                }
            }));
            failures.add(e);
            assertTrue(messages(e).contains("Option dataChannel has an invalid value 'sideways'"), messages(e));
        } else {
            startRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    onException(Exception.class).handled(true).process(e -> failures.add(
                            e.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class)));
                    from(from).routeId("download").to("file:" + target);
                    from("direct:upload").routeId("upload").to(to);
                }
            });
            context.createProducerTemplate().sendBodyAndHeader("direct:upload", "payload", Exchange.FILE_NAME,
                    "up.txt");
            if (scenario == Scenario.POLL_AND_UPLOAD) {
                TestFiles.awaitFiles(target, 1, WAIT);
                assertEquals("payload", Files.readString(server.home().resolve("outbox/up.txt")));
            } else {
                await(() -> !failures.isEmpty(), WAIT, "the upload failed");
                Thread.sleep(500); // a few failing polls
            }
            context.stop();
        }
        List<String> leaks = logs.lines().stream()
                .filter(line -> !line.isCamelEngineTrace())
                .filter(line -> line.text().contains(password) || line.text().contains(encoded))
                .map(line -> line.level() + " " + line.logger() + ": " + line.text().lines().findFirst().orElse(""))
                .map(line -> line.length() > 160 ? line.substring(0, 160) + "..." : line)
                .collect(Collectors.toList());
        for (Throwable failure : failures) {
            String all = messages(failure);
            if (all.contains(password) || all.contains(encoded)) {
                leaks.add("exception: " + all.lines().filter(l -> l.contains(password) || l.contains(encoded))
                        .findFirst().orElse(""));
            }
        }
        assertTrue(logs.size() > 20, "logs were captured at TRACE: " + logs.size());
        assertTrue(logs.lines().stream().anyMatch(l -> l.level().intValue() < java.util.logging.Level.FINE.intValue()),
                "TRACE lines were captured");
        assertEquals(List.of(), leaks.stream().distinct().toList(), "lines showing the password");
        assertTrue(logs.lines().stream().anyMatch(l -> l.text().startsWith("Creating endpoint uri=[autoftp://")),
                "Camel's TRACE line about the endpoint is logged");
        assertFalse(scenario != Scenario.POLL_AND_UPLOAD && failures.isEmpty(), "the failure was seen");
    }

    private String uri(Spelling spelling, int port, String directory, String options) {
        String user = server.username();
        return switch (spelling) {
            case RAW_OPTION -> "autoftp://" + user + "@127.0.0.1:" + port + "/" + directory + "?password=RAW("
                               + password + ")&" + options;
            case ENCODED_OPTION -> "autoftp://" + user + "@127.0.0.1:" + port + "/" + directory + "?password=" + encoded
                                   + "&" + options;
            case USER_INFO -> "autoftp://" + user + ":" + encoded + "@127.0.0.1:" + port + "/" + directory + "?"
                              + options;
        };
    }

    /** Every message and stack trace line of {@code t} and its causes and suppressed exceptions. */
    static String messages(Throwable t) {
        java.io.StringWriter text = new java.io.StringWriter();
        t.printStackTrace(new java.io.PrintWriter(text));
        return text.toString();
    }
}
