package io.autoftp.faults;

import static io.autoftp.testing.FtpFaultProxy.command;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import io.autoftp.testing.EmbeddedFtpServer;
import io.autoftp.testing.FtpFaultProxy;
import io.autoftp.testing.TestFiles;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A directory listing of 100,000 entries consumed in a JVM limited to 96 MiB of heap (the listing is generated as it
 * is sent, by {@link FtpFaultProxy}, in front of a real server that holds the few files actually downloaded; every
 * RETR of a generated name is turned into one of a real file). Stock commons-net needs some 750 bytes an entry (a
 * Calendar and copies of owner and group each), about 90 MB at the peak of a poll: without autoftp's compact
 * listing both cases ran out of heap or thrashed at 91 of 96 MiB.
 */
class LargeListingMemoryTest extends FaultTestSupport {

    private static final int ENTRIES = 100_000;

    enum Consumption {
        /** Only three of the 100,000 names match {@code include}: the listing itself must fit. */
        FILTERED("include=keep-.*\\.bin", 3),
        /** Every name matches, {@code maxMessagesPerPoll=10}: two polls of ten downloads each. */
        ALL_MATCH_LIMITED("maxMessagesPerPoll=10", 20);

        final String options;
        final int deliveries;

        Consumption(String options, int deliveries) {
            this.options = options;
            this.deliveries = deliveries;
        }
    }

    @ParameterizedTest
    @EnumSource(Consumption.class)
    void aListingOf100000EntriesIsConsumedInA96MiBHeap(Consumption consumption) throws Exception {
        EmbeddedFtpServer server = server(EmbeddedFtpServer.builder());
        Path inbox = Files.createDirectories(server.home().resolve("inbox"));
        String sum = TestFiles.sha256(TestFiles.writeRandom(inbox, "keep-1.bin", 4096, 1));
        TestFiles.writeRandom(inbox, "keep-2.bin", 4096, 1);
        TestFiles.writeRandom(inbox, "keep-3.bin", 4096, 1);
        FtpFaultProxy proxy = proxy(server)
                .replaceListing(command("LIST", ""), () -> new GeneratedListing(ENTRIES))
                .rewriteCommands(line -> line.toUpperCase(Locale.ROOT).startsWith("RETR F") ? "RETR keep-1.bin" : line);
        Path target = dir("target");
        String from = uri("autoftp", server, proxy.port(), "inbox",
                "initialDelay=0&delay=100&binary=true&noop=true&" + consumption.options);

        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path log = temp.resolve("child.log");
        List<String> command = new ArrayList<>(List.of(java, "-Xmx96m", "-XX:+ExitOnOutOfMemoryError",
                "-Djava.util.logging.manager=org.jboss.logmanager.LogManager",
                "-Djava.io.tmpdir=" + dir("child-tmp"), "-cp", System.getProperty("java.class.path"),
                LargeListingMain.class.getName(), from, target.toString(), String.valueOf(consumption.deliveries)));
        Process child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!child.waitFor(3, TimeUnit.MINUTES)) {
            child.destroyForcibly();
        }
        String output = Files.readString(log);
        assertEquals(0, child.exitValue(), "child JVM failed:\n" + tail(output));
        System.out.println(consumption + ": " + output.lines().filter(l -> l.startsWith("delivered")).findFirst()
                .orElse(""));
        long files = TestFiles.sha256Tree(target).size();
        assertTrue(files >= Math.min(consumption.deliveries, 3), "files in the target: " + files);
        assertEquals(sum, TestFiles.sha256(target.resolve(consumption == Consumption.FILTERED ? "keep-1.bin"
                : "f000001.dat")), "bytes delivered");
        assertTrue(proxy.commands("LIST").size() >= (consumption == Consumption.FILTERED ? 1 : 2), "listed");
    }

    private static String tail(String text) {
        return text.length() > 4000 ? text.substring(text.length() - 4000) : text;
    }

    /**
     * A Unix listing of {@code entries} files f000001.dat..., then keep-1.bin to keep-3.bin, made as it is read. Half
     * the entries have a date of the last years (day precision, a few hundred distinct), half a recent time to the
     * minute (each one different), as real listings mix them.
     */
    static final class GeneratedListing extends InputStream {
        private static final String[] MONTHS = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
            "Nov", "Dec" };
        private final int entries;
        private int next = 1;
        private byte[] line = new byte[0];
        private int position;

        GeneratedListing(int entries) {
            this.entries = entries;
        }

        @Override
        public int read() {
            if (position == line.length && !advance()) {
                return -1;
            }
            return line[position++] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) {
            if (length == 0) {
                return 0;
            }
            if (position == line.length && !advance()) {
                return -1;
            }
            int n = Math.min(length, line.length - position);
            System.arraycopy(line, position, buffer, offset, n);
            position += n;
            return n;
        }

        private boolean advance() {
            String name;
            if (next <= entries) {
                name = String.format("f%06d.dat", next);
            } else if (next <= entries + 3) {
                name = "keep-" + (next - entries) + ".bin";
            } else {
                return false;
            }
            next++;
            int i = next - 1;
            String month = MONTHS[i % 12];
            int day = 1 + (i / 12) % 28;
            String time = i % 2 == 0 ? String.format("%s %02d  %d", month, day, 2020 + i % 3)
                    : String.format("%s %02d %02d:%02d", month, day, (i / 60) % 24, i % 60);
            line = ("-rw-r--r--   1 partner  partner      4096 " + time + " " + name + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
            position = 0;
            return true;
        }
    }
}
