package io.autoftp.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import io.autoftp.testing.EmbeddedFtpServer;
import io.autoftp.testing.FreePorts;
import org.junit.jupiter.api.Test;

/** The one-shot diagnosis command, run in process against real servers. */
class DiagnoseTest {

    /** What one run printed and returned. */
    record Run(int status, String out, String err, List<String> prompts) {
    }

    private static Run run(Map<String, String> env, Function<String, char[]> prompt, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> prompts = new ArrayList<>();
        int status = Diagnose.run(args, env, text -> {
            prompts.add(text);
            return prompt.apply(text);
        }, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8), prompts);
    }

    private static Function<String, char[]> noConsole() {
        return text -> null;
    }

    @Test
    void serverRefusingPassiveWithThePasswordFromTheEnvironment() {
        try (EmbeddedFtpServer server = EmbeddedFtpServer.builder().refusePassive().start()) {
            Run run = run(Map.of("AUTOFTP_PASSWORD", server.password()), noConsole(), "--data-connect-timeout=2s",
                    "ftp://" + server.username() + "@" + server.host() + ":" + server.port());
            assertEquals(Diagnose.OK, run.status(), run.out() + run.err());
            String server0 = server.host() + ":" + server.port();
            assertTrue(run.out().contains("Data channel diagnosis for " + server0 + ":\n"), run.out());
            assertTrue(run.out().contains("  EPSV: refused by the server (502"), run.out());
            assertTrue(run.out().contains("  EPRT: works"), run.out());
            assertTrue(run.out().contains("- The server refuses passive mode (PASV/EPSV). Active mode works and autoftp"
                                          + " will use it."), run.out());
            assertTrue(run.out().contains("Recommended: dataChannel=auto finds active (EPRT) by itself"), run.out());
            assertEquals(List.of(), run.prompts(), "no prompt when AUTOFTP_PASSWORD is set");
            assertFalse(run.out().contains(server.password()), "the password is never printed");
        }
    }

    @Test
    void asksForThePasswordWhenTheEnvironmentHasNone() {
        try (EmbeddedFtpServer server = EmbeddedFtpServer.builder().refuseActive().start()) {
            Run run = run(Map.of(), text -> server.password().toCharArray(),
                    "ftp://" + server.username() + "@" + server.host() + ":" + server.port());
            assertEquals(Diagnose.OK, run.status(), run.out() + run.err());
            assertEquals(List.of("Password for " + server.username() + "@" + server.host() + ": "), run.prompts());
            assertTrue(run.out().contains("The server refuses active mode (PORT/EPRT). Passive mode works and autoftp"
                                          + " will use it."), run.out());
        }
    }

    @Test
    void wrongPasswordIsALoginFailure() {
        try (EmbeddedFtpServer server = EmbeddedFtpServer.builder().start()) {
            Run run = run(Map.of("AUTOFTP_PASSWORD", "not-the-password"), noConsole(),
                    "ftp://" + server.username() + "@" + server.host() + ":" + server.port());
            assertEquals(Diagnose.UNREACHABLE_OR_LOGIN_FAILED, run.status(), run.out() + run.err());
            assertTrue(run.out().contains("Login failed: Login to " + server.host() + ":" + server.port() + " as "
                                          + server.username() + " failed: 530"), run.out());
            assertFalse(run.out().contains("not-the-password"), run.out());
        }
    }

    @Test
    void nothingListeningIsUnreachable() {
        int port = FreePorts.free();
        Run run = run(Map.of("AUTOFTP_PASSWORD", "x"), noConsole(), "ftp://someone@127.0.0.1:" + port);
        assertEquals(Diagnose.UNREACHABLE_OR_LOGIN_FAILED, run.status(), run.out() + run.err());
        assertTrue(run.out().contains("Unreachable: ConnectException"), run.out());
    }

    @Test
    void usageErrors() {
        assertEquals(Diagnose.USAGE, run(Map.of(), noConsole()).status());
        Run passwordInUrl = run(Map.of(), noConsole(), "ftp://user:secret@127.0.0.1:21");
        assertEquals(Diagnose.USAGE, passwordInUrl.status());
        assertTrue(passwordInUrl.err().contains("Keep the password out of the URL"), passwordInUrl.err());
        assertEquals(Diagnose.USAGE, run(Map.of(), noConsole(), "http://127.0.0.1").status());
        assertEquals(Diagnose.USAGE, run(Map.of(), noConsole(), "--implicit", "ftp://127.0.0.1").status());
        assertEquals(Diagnose.USAGE, run(Map.of(), noConsole(), "--bogus=1", "ftp://127.0.0.1").status());
        Run noPassword = run(Map.of(), noConsole(), "ftp://user@127.0.0.1:21");
        assertEquals(Diagnose.USAGE, noPassword.status());
        assertTrue(noPassword.err().contains("No password: set AUTOFTP_PASSWORD"), noPassword.err());
        Run help = run(Map.of(), noConsole(), "--help");
        assertEquals(Diagnose.OK, help.status());
        assertTrue(help.out().startsWith("Usage: java -cp \"target/quarkus-app/lib/main/*\" io.autoftp.client.Diagnose"),
                help.out());
    }

    /** The data channel options go through the endpoints' own checks, and the error names the command-line option. */
    @Test
    void badDataChannelValuesAreUsageErrorsNamingTheOption() {
        Map<String, String> cases = Map.of(
                "--active-port-range=40000", "Option --active-port-range must be min-max with 1 <= min <= max <= 65535,"
                                             + " not 40000",
                "--active-port-range=9000-8000", "Option --active-port-range must be min-max",
                "--pasv-address-policy=anywhere", "Option --pasv-address-policy has an invalid value 'anywhere'",
                "--active-external-address=no.such.host.invalid", "Option --active-external-address has an invalid value");
        cases.forEach((option, message) -> {
            Run run = run(Map.of("AUTOFTP_PASSWORD", "x"), noConsole(), option, "ftp://someone@127.0.0.1:21");
            assertEquals(Diagnose.USAGE, run.status(), option + ": " + run.err());
            assertTrue(run.err().startsWith(message), option + ": " + run.err());
        });
    }
}
