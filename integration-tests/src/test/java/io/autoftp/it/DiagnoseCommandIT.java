package io.autoftp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.autoftp.testing.EmbeddedFtpServer;
import org.junit.jupiter.api.Test;

/**
 * The one-shot diagnosis exactly as the README shows it: {@code java -cp "target/quarkus-app/lib/main/*"
 * io.autoftp.client.Diagnose ftp://user@host:port}, run from the packaged application's jars against real servers.
 */
class DiagnoseCommandIT {

    private static final Path LIB = Path.of("target", "quarkus-app", "lib", "main");

    record Result(int status, String output) {
    }

    private static Result diagnose(Map<String, String> env, String... args) throws IOException, InterruptedException {
        assertTrue(Files.isDirectory(LIB), LIB.toAbsolutePath() + " (built by quarkus:build before integration tests)");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(Arrays.stream(args).filter(a -> a.startsWith("-D")).toList());
        command.add("-cp");
        command.add(LIB + "/*");
        command.add("io.autoftp.client.Diagnose");
        command.addAll(Arrays.stream(args).filter(a -> !a.startsWith("-D")).toList());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().remove("AUTOFTP_PASSWORD");
        builder.environment().putAll(env);
        Process process = builder.start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), output);
        return new Result(process.exitValue(), output);
    }

    @Test
    void plainServerRefusingPassive() throws Exception {
        try (EmbeddedFtpServer server = EmbeddedFtpServer.builder().refusePassive().start()) {
            Result result = diagnose(Map.of("AUTOFTP_PASSWORD", server.password()),
                    "ftp://" + server.username() + "@" + server.host() + ":" + server.port());
            assertEquals(0, result.status(), result.output());
            assertTrue(result.output().contains("Data channel diagnosis for " + server.host() + ":" + server.port()),
                    result.output());
            assertTrue(result.output().contains("- The server refuses passive mode (PASV/EPSV). Active mode works and"
                                                + " autoftp will use it."), result.output());
        }
    }

    @Test
    void explicitFtpsWithATrustStore() throws Exception {
        try (EmbeddedFtpServer server = EmbeddedFtpServer.builder().tls(false).refuseActive().start()) {
            Result result = diagnose(Map.of("AUTOFTP_PASSWORD", server.password()),
                    "-Djavax.net.ssl.trustStore=" + EmbeddedFtpServer.truststore(),
                    "-Djavax.net.ssl.trustStorePassword=" + EmbeddedFtpServer.TLS_PASSWORD,
                    "ftps://" + server.username() + "@" + server.host() + ":" + server.port());
            assertEquals(0, result.status(), result.output());
            assertTrue(result.output().contains("Probing explicit FTPS server"), result.output());
            assertTrue(result.output().contains("- The server refuses active mode (PORT/EPRT). Passive mode works and"
                                                + " autoftp will use it."), result.output());
        }
    }

    @Test
    void wrongPasswordExitsWith2() throws Exception {
        try (EmbeddedFtpServer server = EmbeddedFtpServer.builder().start()) {
            Result result = diagnose(Map.of("AUTOFTP_PASSWORD", "wrong"),
                    "ftp://" + server.username() + "@" + server.host() + ":" + server.port());
            assertEquals(2, result.status(), result.output());
            assertTrue(result.output().contains("Login failed"), result.output());
        }
    }
}
