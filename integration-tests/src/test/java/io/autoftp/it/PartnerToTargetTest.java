package io.autoftp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import io.autoftp.testing.EmbeddedFtpServer;
import io.autoftp.testing.TestFiles;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/**
 * The YAML route {@code partner-to-target} moves files from a partner that refuses passive mode (its {@code relay/}
 * directory) to a target that refuses active mode (its {@code from-partner/} directory) with {@code download=false}
 * and {@code serverToServer=auto}: the two servers move each file between them, the only way they can (the target
 * listens, the partner connects to it), and every byte has to arrive.
 */
@QuarkusTest
// Not restricted to this class: every test of the module runs against the same two servers and one application.
@QuarkusTestResource(FtpServersResource.class)
class PartnerToTargetTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @FtpServers
    EmbeddedFtpServer partner;

    @FtpServers
    EmbeddedFtpServer target;

    @Test
    void movesEveryFileServerToServerWithTheTargetListeningAndThePartnerConnecting() throws IOException {
        Map<String, Long> sizes = new LinkedHashMap<>();
        sizes.put("empty.bin", 0L);
        sizes.put("small.csv", 1_234L);
        sizes.put("medium.bin", 3L * 1024 * 1024 + 17);
        sizes.put("large.bin", 50L * 1024 * 1024 + 5);

        // Written aside and moved in whole, so that the route never picks up a half-written file.
        Path staging = Files.createDirectories(partner.home().resolve("staging"));
        Path inbox = Files.createDirectories(partner.home().resolve("relay"));
        Map<String, String> expected = new LinkedHashMap<>();
        long seed = 42;
        for (Map.Entry<String, Long> file : sizes.entrySet()) {
            Path written = TestFiles.writeRandom(staging, file.getKey(), file.getValue(), seed++);
            expected.put(file.getKey(), TestFiles.sha256(written));
        }
        for (String name : sizes.keySet()) {
            Files.move(staging.resolve(name), inbox.resolve(name), StandardCopyOption.ATOMIC_MOVE);
        }

        Path outbox = target.home().resolve("from-partner");
        TestFiles.awaitFiles(outbox, sizes.size(), TIMEOUT);
        assertEquals(expected, TestFiles.sha256Tree(outbox), "what arrived at the target");

        Path done = inbox.resolve(".done");
        TestFiles.awaitFiles(done, sizes.size(), TIMEOUT);
        assertEquals(expected, TestFiles.sha256Tree(done), "what was moved to .done at the partner");
        try (var left = Files.list(inbox)) {
            assertEquals(List.of(".done"), left.map(p -> p.getFileName().toString()).collect(Collectors.toList()),
                    "the partner's relay directory after the transfer");
        }

        // server-to-server: the partner refused to listen (PASV 502), so the target listened (PASV 227) and the
        // partner was told to connect to it (PORT 200); the target was never asked to connect anywhere
        List<String> partnerModes = partner.dataChannelReplies();
        assertTrue(partnerModes.contains("PASV 502"), "the partner refused passive mode: " + partnerModes);
        assertTrue(partnerModes.contains("PORT 200"), "the partner connected to the target: " + partnerModes);
        assertFalse(partnerModes.stream().anyMatch(m -> m.equals("EPSV 229") || m.equals("PASV 227")),
                "the partner never accepted passive mode: " + partnerModes);

        List<String> targetModes = target.dataChannelReplies();
        assertTrue(targetModes.contains("PASV 227"), "the target listened for the partner: " + targetModes);
        assertFalse(targetModes.stream().anyMatch(m -> m.equals("EPRT 200") || m.equals("PORT 200")),
                "the target never accepted active mode: " + targetModes);
    }
}
