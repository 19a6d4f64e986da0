package io.autoftp.camel;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.autoftp.testing.EmbeddedFtpServer;
import io.autoftp.testing.TestFiles;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/** A plain Camel context per test, with local folders and embedded servers closed afterwards. */
abstract class CamelTestSupport {

    static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path temp;

    CamelContext context;
    final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void stopEverything() throws Exception {
        if (context != null) {
            context.stop();
        }
        for (AutoCloseable closeable : closeables) {
            closeable.close();
        }
    }

    EmbeddedFtpServer server(EmbeddedFtpServer.Builder builder) {
        EmbeddedFtpServer server = builder.start();
        closeables.add(server);
        return server;
    }

    static String uri(String scheme, EmbeddedFtpServer server, int port, String directory, String options) {
        return scheme + "://" + server.username() + "@" + server.host() + ":" + port + "/" + directory
               + "?password=RAW(" + server.password() + ")" + (options.isEmpty() ? "" : "&" + options);
    }

    static String uri(String scheme, EmbeddedFtpServer server, String directory, String options) {
        return uri(scheme, server, server.port(), directory, options);
    }

    void startRoutes(RouteBuilder routes) throws Exception {
        context = new DefaultCamelContext();
        context.addRoutes(routes);
        context.start();
    }

    Path dir(String name) throws Exception {
        return Files.createDirectories(temp.resolve(name));
    }

    /** A small, a medium and a large (50 MiB + 1) file, each different; returns name → SHA-256. */
    static Map<String, String> writeFileSet(Path dir, String prefix, long seed) {
        Map<String, String> sums = new TreeMap<>();
        long[] sizes = { 10 * 1024, 300 * 1024 + 7, 50L * 1024 * 1024 + 1 };
        for (int i = 0; i < sizes.length; i++) {
            Path file = TestFiles.writeRandom(dir, prefix + i + ".bin", sizes[i], seed + i);
            sums.put(prefix + i + ".bin", TestFiles.sha256(file));
        }
        return sums;
    }

    /** SHA-256 of the regular files directly in {@code dir} (not in sub-folders such as .done). */
    static Map<String, String> topLevelSums(Path dir) {
        Map<String, String> sums = new TreeMap<>();
        TestFiles.sha256Tree(dir).forEach((name, sum) -> {
            if (!name.contains("/")) {
                sums.put(name, sum);
            }
        });
        return sums;
    }
}
