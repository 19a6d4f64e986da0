package io.autoftp.faults;

import static io.autoftp.testing.FtpFaultProxy.command;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import io.autoftp.testing.EmbeddedFtpServer;
import io.autoftp.testing.FtpFaultProxy;
import io.autoftp.testing.LogCapture;
import io.autoftp.testing.TestFiles;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A server whose directory listing names entries that are not plain file names: parent references, absolute paths,
 * separators, control characters. The listing is replaced on its way through {@link FtpFaultProxy}, and the "server"
 * accepts whatever it is asked for (the proxy turns every CWD into {@code CWD .} and every RETR of a hostile name into
 * one of a real file), as a hostile server would. The consumer must deliver the honest file, never write anywhere but
 * its target folder (and its work folder, left empty), and keep polling.
 */
class HostileListingTest extends FaultTestSupport {

    private static final String OK = "ok.txt";
    private static final String CONTENT = "honest content\n";

    /** One listing entry: its name, whether it is a directory, and extra endpoint options. */
    enum Hostile {
        PARENT_PREFIX("../../escape.txt"),
        PARENT_INSIDE("x/../../../escape.txt"),
        PARENT_DEEP("x/../../../../../../escape.txt"),
        SUBDIRECTORY_PATH("sub/escape.txt"),
        ABSOLUTE_INSIDE_TEST_FOLDER("{temp}/abs-escape.txt"),
        ABSOLUTE_ETC_PASSWD("/etc/passwd"),
        BACKSLASHES("..\\..\\escape.txt"),
        NUL("esc\0ape.txt"),
        CARRIAGE_RETURN("esc\rape.txt"),
        LINE_FEED("esc\nape.txt"),
        ESCAPE_SEQUENCE("esc\u001b[31mape.txt"),
        PARENT_DIRECTORY_ENTRY_RECURSIVE("..", true, "recursive=true"),
        DIRECTORY_WITH_PARENT_PATH_RECURSIVE("x/../../..", true, "recursive=true");

        final String name;
        final boolean directory;
        final String options;

        Hostile(String name) {
            this(name, false, "");
        }

        Hostile(String name, boolean directory, String options) {
            this.name = name;
            this.directory = directory;
            this.options = options;
        }
    }

    @ParameterizedTest
    @EnumSource(Hostile.class)
    void hostileNamesInAListingAreNeverWrittenOutsideTheTargetAndPollingGoesOn(Hostile hostile) throws Exception {
        String name = hostile.name.replace("{temp}", temp.toString());
        Path etcPasswd = Path.of("/etc/passwd");
        String passwdBefore = Files.isReadable(etcPasswd) ? TestFiles.sha256(etcPasswd) : "";
        EmbeddedFtpServer server = server(EmbeddedFtpServer.builder());
        Path inbox = Files.createDirectories(server.home().resolve("inbox"));
        Files.writeString(inbox.resolve(OK), CONTENT);
        String listing = entry(OK, false) + entry(name, hostile.directory);
        FtpFaultProxy proxy = proxy(server)
                .replaceListing(command("LIST", ""), () -> new ByteArrayInputStream(listing.getBytes(StandardCharsets.UTF_8)))
                .rewriteCommands(line -> {
                    String upper = line.toUpperCase(Locale.ROOT);
                    if (upper.startsWith("CWD ") && !line.equals("CWD /") && !line.equals("CWD inbox")) {
                        return "CWD ."; // a hostile server goes wherever it is asked
                    }
                    if (upper.startsWith("RETR ") && line.contains("ape")) {
                        return "RETR " + OK; // ... and serves something for any name
                    }
                    return line;
                });
        LogCapture logs = LogCapture.all();
        closeables.add(logs);
        Path target = dir("target");
        List<String> delivered = new CopyOnWriteArrayList<>();
        String from = uri("autoftp", server, proxy.port(), "inbox",
                "initialDelay=0&binary=true&delay=100&noop=true" + (hostile.options.isEmpty() ? "" : "&" + hostile.options));
        startRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from(from).routeId("download")
                        .process(e -> delivered.add(e.getIn().getHeader(Exchange.FILE_NAME, String.class)))
                        .to("file:" + target);
            }
        });
        await(() -> delivered.contains(OK), WAIT, "the honest file", () -> "delivered " + delivered);
        int lists = proxy.commands("LIST").size();
        await(() -> proxy.commands("LIST").size() >= lists + 3, WAIT, "three more polls");

        assertEquals(List.of(OK), delivered, "only the honest file was delivered");
        assertEquals(Map.of(OK, TestFiles.sha256(inbox.resolve(OK))), TestFiles.sha256Tree(target), "target folder");
        assertEquals(List.of("target/" + OK), filesUnder(temp), "no file written anywhere else in the test folder");
        assertEquals(passwdBefore, Files.isReadable(etcPasswd) ? TestFiles.sha256(etcPasswd) : "", "/etc/passwd");
        assertEquals(List.of(), logs.atLeast(java.util.logging.Level.SEVERE), "nothing logged at ERROR");
        if (!hostile.name.equals("..") && hostile.name.indexOf('\r') < 0 && hostile.name.indexOf('\n') < 0) {
            // CR and LF end a listing line, so those names never reach the consumer whole
            List<LogCapture.Line> warned = logs.containing("Ignoring the entry");
            assertEquals(1, warned.size(), "one WARN for the hostile entry, not one per poll: " + warned);
            assertTrue(warned.get(0).text().chars().noneMatch(c -> c < 0x20), "no control character in the log line");
        }
    }

    /** A Unix listing line, as Apache FtpServer and most servers write them. */
    private static String entry(String name, boolean directory) {
        return (directory ? "drwxr-xr-x" : "-rw-r--r--") + "   1 partner  partner  " + CONTENT.length()
               + " Jan 01  2024 " + name + "\r\n";
    }

    /** Regular files below {@code root}, relative, '/' separated, except the work folder's (must be empty). */
    private static List<String> filesUnder(Path root) throws Exception {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).map(p -> root.relativize(p).toString().replace('\\', '/'))
                    .sorted().toList();
        }
    }
}
