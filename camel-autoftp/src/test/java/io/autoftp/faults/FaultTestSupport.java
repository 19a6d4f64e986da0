package io.autoftp.faults;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Stream;

import io.autoftp.testing.Await;
import io.autoftp.testing.EmbeddedFtpServer;
import io.autoftp.testing.FtpFaultProxy;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** A plain Camel context per test, with local folders, embedded servers and proxies closed afterwards. */
abstract class FaultTestSupport {

    static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path temp;

    CamelContext context;
    final List<AutoCloseable> closeables = new ArrayList<>();
    private String tmpdir;

    /**
     * autoftp's consumers download into {@code java.io.tmpdir/autoftp-work/<hash of the endpoint URI>}: each test gets
     * a tmpdir of its own, so that a work file left behind is this test's (ports, and so URIs, are reused). It lies
     * a few folders deep in the test's folder, so that even a path escaping the work folder by several ".." stays in
     * the test's folder (where the test can see it) instead of landing elsewhere on the machine.
     */
    @BeforeEach
    void ownTmpdir() throws Exception {
        tmpdir = System.getProperty("java.io.tmpdir");
        System.setProperty("java.io.tmpdir", Files.createDirectories(temp.resolve(TMP)).toString());
    }

    static final String TMP = "w1/w2/w3/w4/w5/tmp";

    @AfterEach
    void stopEverything() throws Exception {
        try {
            if (context != null) {
                context.stop();
            }
            for (AutoCloseable closeable : closeables) {
                closeable.close();
            }
        } finally {
            System.setProperty("java.io.tmpdir", tmpdir);
        }
    }

    /** The local work files autoftp's consumers left in this test's tmpdir (none once everything is done). */
    List<String> workFilesLeft() throws Exception {
        Path work = temp.resolve(TMP).resolve("autoftp-work");
        if (!Files.isDirectory(work)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(work)) {
            return files.filter(Files::isRegularFile).map(p -> work.relativize(p).toString()).sorted().toList();
        }
    }

    EmbeddedFtpServer server(EmbeddedFtpServer.Builder builder) {
        EmbeddedFtpServer server = builder.start();
        closeables.add(server);
        return server;
    }

    /** A fault proxy in front of {@code server}, closed before the server. */
    FtpFaultProxy proxy(EmbeddedFtpServer server) {
        FtpFaultProxy proxy = FtpFaultProxy.to(server);
        closeables.add(0, proxy);
        return proxy;
    }

    static String uri(String scheme, EmbeddedFtpServer server, int port, String directory, String options) {
        return scheme + "://" + server.username() + "@" + server.host() + ":" + port + "/" + directory
               + "?password=RAW(" + server.password() + ")" + (options.isEmpty() ? "" : "&" + options);
    }

    void startRoutes(RouteBuilder routes) throws Exception {
        context = new DefaultCamelContext();
        context.addRoutes(routes);
        context.start();
    }

    Path dir(String name) throws Exception {
        return Files.createDirectories(temp.resolve(name));
    }

    /** Waits until {@code condition} holds, failing with {@code what} after {@code timeout}. */
    static void await(BooleanSupplier condition, Duration timeout, String what) throws InterruptedException {
        await(condition, timeout, what, () -> "");
    }

    /** As {@link #await(BooleanSupplier, Duration, String)}, describing the state found in the failure. */
    static void await(BooleanSupplier condition, Duration timeout, String what, Supplier<String> state)
            throws InterruptedException {
        Await.until(condition, timeout, what, state);
    }

    static <T extends Throwable> T cause(Throwable failure, Class<T> type) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        throw new AssertionError("no " + type.getSimpleName() + " in the causes of " + failure, failure);
    }
}
