package io.autoftp.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;

import io.autoftp.testing.EmbeddedFtpServer;
import io.autoftp.testing.FreePorts;
import io.autoftp.testing.LogCapture;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.support.ScheduledPollConsumer;
import org.apache.camel.support.ScheduledPollConsumerHealthCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A wrong password, an unreachable server and a server that closes or never answers the control connection: a
 * clear error naming the server (never the password), no hang, polling goes on, and no storm of login attempts.
 */
class ConnectAndLoginFaultTest extends FaultTestSupport {

    private static final Duration WINDOW = Duration.ofSeconds(3);

    /**
     * Wrong password with Camel's defaults ({@code delay=500}): how many logins the server sees in 3 s. camel-ftp
     * treats a failed login as "skip this poll", not as a poll error, so it tries again at every poll, for ever (about
     * 7,200 logins an hour), and warns once "Cannot connect/login to: ..." without the reason. autoftp makes it a poll
     * error with Camel's backoff ({@link io.autoftp.camel.ConnectFailureBackoff}): three tries, then one every ten
     * polls, and the warning says why: "Cannot connect to autoftp://partner@host:port: 530 Authentication failed.".
     */
    @ParameterizedTest
    @ValueSource(strings = { "ftp", "autoftp" })
    void aWrongPasswordIsAClearErrorAndAutoftpBacksOff(String scheme) throws Exception {
        EmbeddedFtpServer server = server(EmbeddedFtpServer.builder().password("the-right-one"));
        LogCapture logs = LogCapture.all();
        closeables.add(logs);
        String from = scheme + "://partner@127.0.0.1:" + server.port() + "/inbox?password=RAW(wrong-one)&initialDelay=0";
        startRoutes(routeFrom(from));
        Thread.sleep(WINDOW.toMillis());
        long logins = passCommands(server);
        context.stop();
        List<LogCapture.Line> warnings = logs.atLeast(Level.WARNING).stream()
                .filter(l -> l.logger().startsWith("org.apache.camel") || l.logger().startsWith("io.autoftp"))
                .toList();
        if (scheme.equals("ftp")) {
            // one login per 500 ms poll: about 6 in 3 s, i.e. 7,200 an hour
            assertTrue(logins >= 5 && logins <= 9, "stock logins in " + WINDOW + ": " + logins);
            assertTrue(warnings.stream().anyMatch(l -> l.text().startsWith("Cannot connect/login to: ftp://partner@"
                                                                          + "127.0.0.1:" + server.port())),
                    warnings.toString());
        } else {
            // three failed polls, then Camel's backoff skips the next ten (nothing connects while the consumer starts)
            assertTrue(logins >= 3 && logins <= 4, "autoftp logins in " + WINDOW + ": " + logins);
            // one line per failed poll, with the server's reply, and no stack trace
            assertEquals(logins, warnings.size(), "warnings: " + warnings);
            assertTrue(warnings.stream().allMatch(l -> l.text().startsWith("Failed polling endpoint: autoftp://partner@")
                                                       && l.text().endsWith(": Cannot connect to autoftp://partner@"
                                                                            + "127.0.0.1:" + server.port()
                                                                            + ": 530 Authentication failed.")
                                                       && l.text().lines().count() == 1),
                    "one line per failed poll: " + warnings);
        }
        assertTrue(warnings.stream().anyMatch(l -> l.text().contains("530 Authentication failed")),
                "the server's reason in a warning: " + warnings);
        // stock: one warning, for ever
        assertTrue(scheme.equals("autoftp") || warnings.size() <= 3, "warnings: " + warnings);
        assertTrue(logs.leaking("wrong-one").isEmpty(), "no password in the logs");
    }

    /**
     * Camel's backoff options apply to autoftp's consumer: with {@code throwExceptionOnConnectFailed=true} a failed
     * login is a poll error, {@code backoffErrorThreshold=1&backoffMultiplier=10} skips the next ten polls, and the
     * consumer's health check shows the server's reason.
     */
    @Test
    void aWrongPasswordWithCamelsBackoffIsTriedRarelyAndShowsInHealth() throws Exception {
        EmbeddedFtpServer server = server(EmbeddedFtpServer.builder().password("the-right-one"));
        String from = "autoftp://partner@127.0.0.1:" + server.port() + "/inbox?password=RAW(wrong-one)&initialDelay=0"
                      + "&delay=200&throwExceptionOnConnectFailed=true&backoffErrorThreshold=1&backoffMultiplier=10";
        startRoutes(routeFrom(from));
        Thread.sleep(WINDOW.toMillis());
        long logins = passCommands(server);
        // the first poll, and the first poll after ten skipped ones (vs 15 without)
        assertTrue(logins >= 1 && logins <= 3, "logins in " + WINDOW + " with backoff: " + logins);
        ScheduledPollConsumer consumer = (ScheduledPollConsumer) context.getRoute("download").getConsumer();
        HealthCheck.Result health = new ScheduledPollConsumerHealthCheck(consumer, "consumer:download")
                .call(Map.of(HealthCheck.CHECK_KIND, HealthCheck.Kind.LIVENESS));
        assertEquals(HealthCheck.State.DOWN, health.getState());
        String error = health.getError().map(PasswordMaskingTest::messages).orElse("");
        assertTrue(error.contains("530"), error);
        assertFalse(error.contains("wrong-one"), error);
    }

    enum Unreachable {
        CLOSED_PORT, OTHER_LOOPBACK_ADDRESS
    }

    @ParameterizedTest
    @EnumSource(Unreachable.class)
    void anUnreachableServerIsAClearErrorWithoutAHang(Unreachable how) throws Exception {
        String host = how == Unreachable.CLOSED_PORT ? "127.0.0.1" : "127.0.0.9";
        int port = FreePorts.free();
        LogCapture logs = LogCapture.all();
        closeables.add(logs);
        String options = "?password=RAW(s3cret-pw)&connectTimeout=2000&reconnectDelay=200";
        String from = "autoftp://partner@" + host + ":" + port + "/inbox" + options + "&initialDelay=0&delay=200";
        long started = System.nanoTime();
        startRoutes(routeFrom(from));
        await(() -> !logs.containing("Connection refused").isEmpty(), WAIT, "the reason logged");
        await(() -> !logs.containing("Cannot connect/login to: autoftp://partner@" + host + ":" + port).isEmpty(),
                WAIT, "the consumer's warning");
        List<LogCapture.Line> warnings = logs.atLeast(Level.WARNING);
        assertTrue(warnings.stream().anyMatch(l -> l.text().contains("Connection refused")), warnings.toString());

        String to = "autoftp://partner@" + host + ":" + port + "/outbox" + options + "&maximumReconnectAttempts=0";
        CamelExecutionException failure = assertThrows(CamelExecutionException.class,
                () -> context.createProducerTemplate().sendBodyAndHeader(to, "x", Exchange.FILE_NAME, "x.txt"));
        String message = PasswordMaskingTest.messages(failure);
        assertTrue(message.contains("Cannot connect to autoftp://partner@" + host + ":" + port), message);
        assertTrue(message.contains("Connection refused"), message);
        assertTrue(Duration.ofNanos(System.nanoTime() - started).toSeconds() < 15, "no hang");
        assertTrue(logs.leaking("s3cret-pw").isEmpty() && !message.contains("s3cret-pw"), "no password");
    }

    /** A raw TCP "server" on 127.0.0.1 that misbehaves on the control connection in one way. */
    enum BrokenServer {
        /** Accepts and closes at once, without a greeting. */
        CLOSES_AT_ONCE(""),
        /** Greets with 421 (service not available) and closes. */
        SAYS_421_AND_CLOSES("421 Service not available, closing control connection.\r\n"),
        /** Greets, then closes right after the password. */
        CLOSES_AFTER_LOGIN("220 hello\r\n"),
        /** Greets with a line that is not an FTP reply and closes. */
        GREETS_WITH_GARBAGE("SSH-2.0-OpenSSH_9.6\r\n"),
        /** Greets, then never answers anything: only soTimeout gets the consumer out. */
        SILENT_AFTER_GREETING("220 hello\r\n");

        final String greeting;

        BrokenServer(String greeting) {
            this.greeting = greeting;
        }
    }

    @ParameterizedTest
    @EnumSource(BrokenServer.class)
    void aServerThatClosesOrStallsTheControlConnectionIsReportedAndPollingGoesOn(BrokenServer broken)
            throws Exception {
        AtomicInteger connections = new AtomicInteger();
        ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        closeables.add(0, listener);
        Thread serve = new Thread(() -> {
            while (!listener.isClosed()) {
                try {
                    Socket socket = listener.accept();
                    connections.incrementAndGet();
                    closeables.add(0, socket);
                    OutputStream out = socket.getOutputStream();
                    out.write(broken.greeting.getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    if (broken == BrokenServer.CLOSES_AFTER_LOGIN) {
                        var in = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream()));
                        in.readLine();
                        out.write("331 password please\r\n".getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                        in.readLine();
                    }
                    if (broken != BrokenServer.SILENT_AFTER_GREETING) {
                        socket.close();
                    }
                } catch (IOException e) {
                    return;
                }
            }
        }, "broken-ftp-server");
        serve.setDaemon(true);
        serve.start();
        LogCapture logs = LogCapture.all();
        closeables.add(logs);
        String from = "autoftp://partner@127.0.0.1:" + listener.getLocalPort() + "/inbox?password=RAW(s3cret-pw)"
                      + "&initialDelay=0&delay=100&soTimeout=1000&maximumReconnectAttempts=0";
        startRoutes(routeFrom(from));
        await(() -> connections.get() >= 3, WAIT, "the consumer keeps trying: " + connections.get());
        List<LogCapture.Line> warnings = logs.atLeast(Level.WARNING).stream()
                .filter(l -> l.logger().equals("io.autoftp.camel.AutoFtpConsumer")
                             && l.text().contains("autoftp://partner@127.0.0.1:" + listener.getLocalPort()))
                .toList();
        assertFalse(warnings.isEmpty(), "reported");
        assertTrue(warnings.size() <= 3, "not once per poll: " + warnings);
        assertEquals(List.of(), logs.atLeast(Level.SEVERE), "nothing at ERROR");
        assertTrue(logs.leaking("s3cret-pw").isEmpty(), "no password: " + logs.leaking("s3cret-pw"));
    }

    // ---- helpers ----

    private RouteBuilder routeFrom(String from) throws Exception {
        Path target = dir("target");
        return new RouteBuilder() {
            @Override
            public void configure() {
                from(from).routeId("download").to("file:" + target);
            }
        };
    }

    private static long passCommands(EmbeddedFtpServer server) {
        return server.log().stream().filter(c -> c.verb().equals("PASS")).count();
    }
}
