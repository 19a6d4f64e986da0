package io.autoftp.network;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import io.autoftp.camel.ModeAwareComponent;
import io.autoftp.client.ModeMemory;
import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.spi.PollingConsumerPollStrategy;

/**
 * The client side of {@link FirewallMatrixTest}, run in a JVM of its own inside the lab's client namespace
 * ({@code ip netns exec <ns> java -cp <test classpath> io.autoftp.network.NetworkClientMain key=value...}).
 *
 * <p>
 * It runs two routes, one after the other: {@code download} ({@code from(download).to("file:"+target)}) until
 * {@code downloads} files arrived, then {@code upload} ({@code from("file:"+outbox).to(upload)}) until every file of the
 * outbox was sent; then, when {@code later} is given, it drops that file into {@code laterInbox} (the server's
 * directory: the same file system) and waits for the consumer to fetch it, and finally for {@code extraPolls} more polls.
 * A phase also ends when its route failed (stock camel-ftp: a failed poll, {@code emptyPolls} polls that found
 * nothing, a failed upload) or after {@code window} milliseconds. It works for {@code autoftp:} and stock {@code ftp:}
 * URIs alike and reports on stdout, one fact a line, each starting with {@value #TAG} and a time in milliseconds since
 * the download route was started:
 *
 * <pre>
 * @@AFTP 0 START
 * @@AFTP 2113 ATTEMPT_FAILED Data channel to 10.200.2.2:2121 for LIST: EPSV failed: ...   (autoftp's DEBUG lines)
 * @@AFTP 2120 LEARNED Data channel to 10.200.2.2:2121: using active (EPRT); ...            (autoftp's INFO lines)
 * @@AFTP 2250 DOWNLOADED small1.bin
 * @@AFTP 2260 POLL ok 4
 * @@AFTP 2400 POLL failed java.net.SocketTimeoutException: ...
 * @@AFTP 2600 UPLOADED up0.bin
 * @@AFTP 2600 UPLOAD_FAILED up0.bin org.apache.camel...: ...
 * @@AFTP 2700 RECONNECTED Re-opened the control connection to ...
 * @@AFTP 2800 TLS_FALLBACK TLS to 10.200.2.2:2121: ...; offering TLS 1.2 only from now on, ... (FTPS)
 * @@AFTP 9000 MEMORY 10.200.2.2:2121 EPRT 2120 passive data connections ...                 (autoftp only)
 * @@AFTP 9000 PHASE download|upload|later|polls done|timeout|failed
 * @@AFTP 9001 END
 * </pre>
 */
public final class NetworkClientMain {

    static final String TAG = "@@AFTP";

    private static final PrintStream OUT = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out),
            true, StandardCharsets.UTF_8);
    private static volatile long t0 = System.nanoTime();

    private static final AtomicInteger DOWNLOADED = new AtomicInteger();
    private static final AtomicInteger UPLOADED = new AtomicInteger();
    private static final AtomicInteger UPLOAD_FAILED = new AtomicInteger();
    private static final AtomicInteger POLLS_OK = new AtomicInteger();
    private static final AtomicInteger POLLS_EMPTY = new AtomicInteger();
    private static final AtomicInteger POLLS_FAILED = new AtomicInteger();

    private NetworkClientMain() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = new LinkedHashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            opt.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        String download = opt.get("download");
        String upload = opt.get("upload");
        Path target = Path.of(opt.get("target"));
        Path outbox = opt.containsKey("outbox") ? Path.of(opt.get("outbox")) : null;
        int downloads = Integer.parseInt(opt.getOrDefault("downloads", "0"));
        long window = Long.parseLong(opt.getOrDefault("window", "60000"));
        int emptyPolls = Integer.parseInt(opt.getOrDefault("emptyPolls", "0")); // 0: never stop on empty polls
        int extraPolls = Integer.parseInt(opt.getOrDefault("extraPolls", "0"));
        boolean stopOnFailure = Boolean.parseBoolean(opt.getOrDefault("stopOnFailure", "false"));
        boolean together = Boolean.parseBoolean(opt.getOrDefault("together", "false"));
        long uploads = upload == null ? 0 : countFiles(outbox);

        captureLogs();
        int status = 0;
        try {
            // never closed: stopping would wait for a stock client hanging in a socket read; the JVM halts instead
            DefaultCamelContext context = new DefaultCamelContext();
            context.getRegistry().bind("pollReport", new PollReport());
            context.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from(download).routeId("download").autoStartup(false)
                            .to("file:" + target)
                            .process(e -> {
                                report("DOWNLOADED " + name(e));
                                DOWNLOADED.incrementAndGet();
                            });
                    if (upload == null) {
                        return;
                    }
                    from("file:" + outbox + "?delay=200&initialDelay=0").routeId("upload").autoStartup(false)
                            .doTry()
                                .to(upload)
                                .process(e -> {
                                    report("UPLOADED " + name(e));
                                    UPLOADED.incrementAndGet();
                                })
                            .doCatch(Exception.class)
                                .process(e -> {
                                    report("UPLOAD_FAILED " + name(e) + " "
                                           + oneLine(e.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class)));
                                    UPLOAD_FAILED.incrementAndGet();
                                })
                            .end();
                }
            });
            context.start();
            t0 = System.nanoTime();
            report("START");
            context.getRouteController().startRoute("download");
            BooleanSupplier downloadDone = () -> DOWNLOADED.get() >= downloads;
            BooleanSupplier downloadFailed = () -> (stopOnFailure && POLLS_FAILED.get() > 0)
                                                   || (emptyPolls > 0 && POLLS_EMPTY.get() >= emptyPolls);
            BooleanSupplier uploadDone = () -> UPLOADED.get() + UPLOAD_FAILED.get() >= uploads;
            BooleanSupplier uploadFailed = () -> stopOnFailure && UPLOAD_FAILED.get() > 0;
            String outcome;
            if (together) {
                // both routes at once (a stock client that is expected to fail: saves the time of two failures)
                if (upload != null) {
                    context.getRouteController().startRoute("upload");
                }
                outcome = waitFor(window, () -> (downloadDone.getAsBoolean() || downloadFailed.getAsBoolean())
                                                && (upload == null || uploadDone.getAsBoolean()
                                                    || uploadFailed.getAsBoolean()), () -> false);
                report("PHASE download " + (downloadDone.getAsBoolean() ? "done"
                        : downloadFailed.getAsBoolean() ? "failed" : "timeout"));
                if (upload != null) {
                    report("PHASE upload " + (UPLOADED.get() >= uploads ? "done"
                            : uploadFailed.getAsBoolean() || uploadDone.getAsBoolean() ? "failed" : "timeout"));
                }
            } else {
                outcome = waitFor(window, downloadDone, downloadFailed);
                report("PHASE download " + outcome);
                if (upload != null) {
                    context.getRouteController().startRoute("upload");
                    outcome = waitFor(window, uploadDone, uploadFailed);
                    report("PHASE upload " + (outcome.equals("done") && UPLOAD_FAILED.get() > 0 ? "failed" : outcome));
                }
            }

            if (opt.containsKey("later")) {
                Path later = Path.of(opt.get("later"));
                Path inbox = Path.of(opt.get("laterInbox"));
                // written beside the inbox, then renamed in: the consumer never sees half a file
                Path staging = inbox.resolveSibling(later.getFileName() + ".staging");
                Files.copy(later, staging, StandardCopyOption.REPLACE_EXISTING);
                int before = DOWNLOADED.get();
                Files.move(staging, inbox.resolve(later.getFileName()), StandardCopyOption.ATOMIC_MOVE);
                report("LATER_PLACED " + later.getFileName());
                outcome = waitFor(window, () -> DOWNLOADED.get() > before, () -> false);
                report("PHASE later " + outcome);
            }
            if (extraPolls > 0) {
                int polls = POLLS_OK.get() + POLLS_FAILED.get();
                outcome = waitFor(window, () -> POLLS_OK.get() + POLLS_FAILED.get() >= polls + extraPolls,
                        () -> false);
                report("PHASE polls " + outcome);
            }

            for (String scheme : ModeAwareComponent.SCHEMES) {
                if (!(context.hasComponent(scheme) instanceof ModeAwareComponent component)) {
                    continue;
                }
                ModeMemory memory = component.getModeMemory();
                long nowMillis = System.currentTimeMillis();
                long nowNanos = System.nanoTime();
                memory.snapshot().forEach((server, entry) -> {
                    long learnedMs = entry.learnedAt().toEpochMilli() - nowMillis
                                     + TimeUnit.NANOSECONDS.toMillis(nowNanos - t0);
                    report("MEMORY " + server + " " + entry.mode() + " " + learnedMs + " "
                           + (entry.reason().isEmpty() ? "-" : entry.reason().replace('\n', ' ')));
                });
            }
        } catch (Exception e) {
            report("ERROR " + oneLine(e));
            status = 1;
        }
        report("END");
        OUT.flush();
        // a stock client may still hang in a socket read: do not wait for it
        Runtime.getRuntime().halt(status);
    }

    private static long countFiles(Path dir) throws java.io.IOException {
        try (var files = Files.list(dir)) {
            return files.filter(Files::isRegularFile).count();
        }
    }

    private static String waitFor(long window, BooleanSupplier done, BooleanSupplier failed)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(window);
        while (System.nanoTime() < deadline) {
            if (done.getAsBoolean()) {
                return "done";
            }
            if (failed.getAsBoolean()) {
                return "failed";
            }
            Thread.sleep(20);
        }
        return done.getAsBoolean() ? "done" : "timeout";
    }

    private static String name(Exchange exchange) {
        return exchange.getIn().getHeader(Exchange.FILE_NAME_ONLY, String.class);
    }

    static String oneLine(Throwable e) {
        if (e == null) {
            return "(no exception)";
        }
        StringBuilder text = new StringBuilder(e.toString());
        for (Throwable cause = e.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            text.append(" <- ").append(cause);
        }
        return text.toString().replaceAll("\\s*\\R\\s*", " ");
    }

    /** Prints one report line. */
    static void report(String fact) {
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        synchronized (OUT) {
            OUT.println(TAG + " " + ms + " " + fact);
        }
    }

    /**
     * autoftp logs each failed mode at DEBUG (DataChannelNegotiator), each mode learned at INFO (ModeMemory) and each
     * re-opened control connection at INFO (ClientSupport), through System.Logger: the JVM runs with JBoss LogManager
     * as java.util.logging's manager, whose System.LoggerFinder hands out the same loggers.
     */
    private static void captureLogs() {
        Map<String, String> loggers = Map.of(
                "io.autoftp.client.DataChannelNegotiator", "ATTEMPT_FAILED",
                "io.autoftp.client.ModeMemory", "LEARNED",
                "io.autoftp.client.ClientSupport", "RECONNECTED");
        loggers.forEach((name, fact) -> {
            Logger logger = Logger.getLogger(name);
            logger.setLevel(Level.FINE);
            logger.addHandler(new Handler() {
                @Override
                public void publish(LogRecord record) {
                    String message = record.getMessage();
                    if (message == null) {
                        return;
                    }
                    if (fact.equals("ATTEMPT_FAILED") && !message.contains(" failed: ")) {
                        return;
                    }
                    if (fact.equals("RECONNECTED") && !message.startsWith("Re-opened")) {
                        report("CONTROL " + message.replace('\n', ' '));
                        return;
                    }
                    if (message.startsWith("TLS to ") || message.endsWith("to offer TLS 1.2 by session id")) {
                        // the FTPS fallback to TLS 1.2 by session id (ModeMemory, ClientSupport), not a mode
                        report("TLS_FALLBACK " + message.replace('\n', ' '));
                        return;
                    }
                    report(fact + " " + message.replace('\n', ' '));
                }

                @Override
                public void flush() {
                }

                @Override
                public void close() {
                }
            });
        });
        report("LOGGER " + Logger.getLogger("io.autoftp.client.DataChannelNegotiator").getClass().getName() + " "
               + System.getLogger("io.autoftp.client.DataChannelNegotiator").isLoggable(System.Logger.Level.DEBUG));
    }

    /** Reports every poll of the download route: how many files it found, or why it failed. */
    static final class PollReport implements PollingConsumerPollStrategy {
        @Override
        public boolean begin(Consumer consumer, Endpoint endpoint) {
            return true;
        }

        @Override
        public void commit(Consumer consumer, Endpoint endpoint, int polledMessages) {
            POLLS_OK.incrementAndGet();
            if (polledMessages == 0) {
                POLLS_EMPTY.incrementAndGet();
            }
            report("POLL ok " + polledMessages);
        }

        @Override
        public boolean rollback(Consumer consumer, Endpoint endpoint, int retryCounter, Exception cause) {
            POLLS_FAILED.incrementAndGet();
            report("POLL failed " + oneLine(cause));
            return false;
        }
    }
}
