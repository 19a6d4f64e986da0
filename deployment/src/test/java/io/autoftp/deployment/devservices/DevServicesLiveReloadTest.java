package io.autoftp.deployment.devservices;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.logging.LogRecord;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.test.QuarkusDevModeTest;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.spec.JavaArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Dev mode: a restart that does not touch a server's Dev Services settings keeps the running server (same port, same
 * files); a changed setting restarts only that server, on its old port; a server given a host loses its Dev Services
 * server and the port and login that came with it.
 */
public class DevServicesLiveReloadTest {

    private static final Path SEED = seed();
    private static final Pattern STARTED = Pattern.compile("started FTP server (\\w+) on 127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern REPORTED = Pattern.compile("CONFIG (\\w+) (.*)");

    private static final String PROPERTIES = String.join("\n",
            "quarkus.autoftp.servers.live.options.binary=true",
            "quarkus.autoftp.devservices.servers.steady.seed-directory=" + SEED,
            "");

    @RegisterExtension
    static final QuarkusDevModeTest DEV = new QuarkusDevModeTest()
            .setArchiveProducer(() -> ShrinkWrap.create(JavaArchive.class)
                    .addClass(ConfigReporter.class)
                    .addAsResource(new StringAsset(PROPERTIES), "application.properties"))
            .setLogRecordPredicate(r -> r.getLoggerName().startsWith("io.autoftp"));

    /** Logs, at every start of the application, what it got for each server. */
    @ApplicationScoped
    public static class ConfigReporter {
        void report(@Observes StartupEvent event) {
            Config config = ConfigProvider.getConfig();
            for (String server : List.of("live", "steady")) {
                String prefix = "quarkus.autoftp.servers." + server + ".";
                Logger.getLogger(ConfigReporter.class).infof("CONFIG %s host=%s port=%s username=%s", server,
                        config.getOptionalValue(prefix + "host", String.class).orElse("-"),
                        config.getOptionalValue(prefix + "port", String.class).orElse("-"),
                        config.getOptionalValue(prefix + "username", String.class).orElse("-"));
            }
        }
    }

    static Path seed() {
        try {
            Path seed = Files.createTempDirectory("autoftp-live-reload-seed-");
            Files.writeString(seed.resolve("hello.txt"), "hello");
            seed.toFile().deleteOnExit();
            seed.resolve("hello.txt").toFile().deleteOnExit();
            return seed;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void serversAreKeptOrReplacedAsTheirSettingsChange() throws Exception {
        Map<String, Integer> started = started();
        assertEquals(List.of("live", "steady"), List.copyOf(started.keySet()), "servers at first start");
        int live = started.get("live");
        int steady = started.get("steady");
        assertEquals(Map.of("live", "host=127.0.0.1 port=" + live + " username=dev",
                "steady", "host=127.0.0.1 port=" + steady + " username=dev"), reported());
        assertEquals(229, epsv(live), "live accepts passive mode");
        upload(steady, "kept.txt", "still here");

        // 1. a change that is not about Dev Services: a restart, but the same servers
        DEV.clearLogRecords();
        DEV.modifyResourceFile("application.properties", s -> s + "greeting=hello\n");
        restart();
        assertEquals(Map.of(), started(), "no server restarted");
        assertEquals("host=127.0.0.1 port=" + live + " username=dev", reported().get("live"));
        assertEquals("still here", download(steady, "kept.txt"), "the same server, with what was uploaded to it");
        assertEquals("hello", download(steady, "hello.txt"));

        // 2. live now refuses passive mode: only live is replaced, on its old port
        DEV.clearLogRecords();
        DEV.modifyResourceFile("application.properties",
                s -> s + "quarkus.autoftp.devservices.servers.live.refuse-passive=true\n");
        restart();
        assertEquals(Map.of("live", live), started(), "live restarted on its port, steady kept");
        assertTrue(messages().stream().anyMatch(m -> m.contains("stopping FTP server live")), messages().toString());
        assertEquals(502, epsv(live), "live refuses passive mode now");
        assertEquals("still here", download(steady, "kept.txt"));

        // 3. live gets a real host: its server stops, and the port and login it had are not kept
        DEV.clearLogRecords();
        DEV.modifyResourceFile("application.properties",
                s -> s + "quarkus.autoftp.servers.live.host=ftp.example.com\n");
        restart();
        assertEquals(Map.of(), started());
        assertEquals("host=ftp.example.com port=- username=-", reported().get("live"));
        assertEquals("host=127.0.0.1 port=" + steady + " username=dev", reported().get("steady"));
    }

    /** Dev mode restarts on an HTTP request or a key press; this application has neither, so scan as they would. */
    private static void restart() throws Exception {
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            ClassLoader loader = thread.getContextClassLoader();
            if (loader == null) {
                continue;
            }
            try {
                Class<?> processor = Class.forName("io.quarkus.deployment.dev.RuntimeUpdatesProcessor", false, loader);
                Object instance = processor.getField("INSTANCE").get(null);
                if (instance != null) {
                    Method doScan = processor.getMethod("doScan", boolean.class);
                    assertTrue((Boolean) doScan.invoke(instance, true), "the application restarted");
                    return;
                }
            } catch (ClassNotFoundException e) {
                // not a class loader of dev mode
            }
        }
        fail("no RuntimeUpdatesProcessor found");
    }

    private static List<String> messages() {
        return DEV.getLogRecords().stream().map(DevServicesLiveReloadTest::message).collect(Collectors.toList());
    }

    private static String message(LogRecord record) {
        Object[] parameters = record.getParameters();
        return parameters == null ? record.getMessage() : String.format(record.getMessage(), parameters);
    }

    /** The servers started since the log records were last cleared, by name. */
    private static Map<String, Integer> started() {
        Map<String, Integer> started = new TreeMap<>();
        for (String message : messages()) {
            Matcher m = STARTED.matcher(message);
            if (m.find()) {
                started.put(m.group(1), Integer.parseInt(m.group(2)));
            }
        }
        return started;
    }

    /** What the application reported at its last start. */
    private static Map<String, String> reported() {
        Map<String, String> reported = new TreeMap<>();
        for (String message : messages()) {
            Matcher m = REPORTED.matcher(message);
            if (m.find()) {
                reported.put(m.group(1), m.group(2));
            }
        }
        return reported;
    }

    private static FTPClient login(int port) throws IOException {
        FTPClient ftp = new FTPClient();
        ftp.setDefaultTimeout(10_000);
        ftp.connect("127.0.0.1", port);
        assertTrue(ftp.login("dev", "dev"), ftp.getReplyString());
        ftp.setFileType(FTP.BINARY_FILE_TYPE);
        ftp.enterLocalPassiveMode();
        return ftp;
    }

    private static int epsv(int port) throws IOException {
        FTPClient ftp = login(port);
        try {
            return ftp.epsv();
        } finally {
            ftp.disconnect();
        }
    }

    private static void upload(int port, String name, String content) throws IOException {
        FTPClient ftp = login(port);
        try {
            assertTrue(ftp.storeFile(name, new java.io.ByteArrayInputStream(content.getBytes(StandardCharsets.UTF_8))),
                    ftp.getReplyString());
        } finally {
            ftp.disconnect();
        }
    }

    private static String download(int port, String name) throws IOException {
        FTPClient ftp = login(port);
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            assertTrue(ftp.retrieveFile(name, out), ftp.getReplyString());
            assertNotNull(out);
            return out.toString(StandardCharsets.UTF_8);
        } finally {
            ftp.disconnect();
        }
    }
}
