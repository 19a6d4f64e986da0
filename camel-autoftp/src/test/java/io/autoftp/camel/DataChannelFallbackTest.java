package io.autoftp.camel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import io.autoftp.client.DataChannelMode;
import io.autoftp.client.ModeMemory;
import io.autoftp.testing.EmbeddedFtpServer;
import io.autoftp.testing.ReplyRewritingProxy;
import io.autoftp.testing.TestFiles;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Downloads and uploads a file set (one of 50 MiB) through {@code autoftp:} against servers that each break one mode,
 * and checks the bytes, the mode chosen, and that the next poll goes straight to the remembered mode.
 */
class DataChannelFallbackTest extends CamelTestSupport {

    /** A server set-up, the mode autoftp must end up with, and the server replies that show it. */
    enum Setup {
        BOTH_MODES(UnaryOperator.identity(), false, DataChannelMode.EPSV, List.of("EPSV 229")),
        ACTIVE_REFUSED(EmbeddedFtpServer.Builder::refuseActive, false, DataChannelMode.EPSV, List.of("EPSV 229")),
        PASSIVE_REFUSED(EmbeddedFtpServer.Builder::refusePassive, false, DataChannelMode.EPRT,
                List.of("EPSV 502", "PASV 502", "EPRT 200")),
        EPSV_REFUSED(EmbeddedFtpServer.Builder::refuseEpsvOnly, false, DataChannelMode.PASV,
                List.of("EPSV 502", "PASV 227")),
        PASSIVE_PORT_REFUSED(UnaryOperator.identity(), true, DataChannelMode.EPRT,
                List.of("EPSV 229", "PASV 227", "EPRT 200"));

        final UnaryOperator<EmbeddedFtpServer.Builder> server;
        final boolean passivePortClosedByProxy;
        final DataChannelMode expected;
        final List<String> firstTransferReplies;

        Setup(UnaryOperator<EmbeddedFtpServer.Builder> server, boolean passivePortClosedByProxy,
              DataChannelMode expected, List<String> firstTransferReplies) {
            this.server = server;
            this.passivePortClosedByProxy = passivePortClosedByProxy;
            this.expected = expected;
            this.firstTransferReplies = firstTransferReplies;
        }
    }

    @ParameterizedTest
    @EnumSource(Setup.class)
    void findsTheWorkingModeAndKeepsUsingIt(Setup setup) throws Exception {
        EmbeddedFtpServer server = server(setup.server.apply(EmbeddedFtpServer.builder()));
        int port = server.port();
        if (setup.passivePortClosedByProxy) {
            ReplyRewritingProxy proxy = ReplyRewritingProxy.to(server).mode(ReplyRewritingProxy.Mode.PASSIVE_PORT_CLOSED);
            closeables.add(0, proxy);
            port = proxy.port();
        }
        Path inbox = Files.createDirectories(server.home().resolve("inbox"));
        Map<String, String> remoteFiles = writeFileSet(inbox, "down", 1);
        Path outbox = dir("outbox");
        Map<String, String> localFiles = writeFileSet(outbox, "up", 100);
        Path downloaded = dir("downloaded");
        String common = "binary=true&dataConnectTimeout=2s";
        String download = uri("autoftp", server, port, "inbox", "delay=200&move=.done&" + common);
        String upload = uri("autoftp", server, port, "upload", common);

        // first the download alone, so the first data connection (and its failed tries) is the consumer's
        startRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from(download).routeId("download").to("file:" + downloaded);
                from("file:" + outbox + "?delay=200").routeId("upload").autoStartup(false).to(upload);
            }
        });
        TestFiles.awaitFiles(downloaded, remoteFiles.size(), WAIT);
        assertEquals(remoteFiles, topLevelSums(downloaded), "downloaded bytes");
        assertEquals(remoteFiles, TestFiles.sha256Tree(inbox.resolve(".done")), "moved to .done on the server");
        assertEquals(setup.firstTransferReplies,
                server.dataChannelReplies().subList(0, setup.firstTransferReplies.size()),
                "modes tried for the first data connection");
        ModeMemory memory = context.getComponent("autoftp", AutoFtpComponent.class).getModeMemory();
        assertEquals(setup.expected, memory.snapshot().get("127.0.0.1:" + port).mode(), "remembered mode");

        // the producer shares the component's memory: no failed try from here on
        server.clearLog();
        context.getRouteController().startRoute("upload");
        Path uploaded = server.home().resolve("upload");
        TestFiles.awaitFiles(uploaded, localFiles.size(), WAIT);
        assertEquals(localFiles, TestFiles.sha256Tree(uploaded), "uploaded bytes");
        Map<String, String> more = writeFileSet(inbox, "later", 7);
        TestFiles.awaitFiles(downloaded, remoteFiles.size() + more.size(), WAIT);
        assertEquals(more.get("later2.bin"), TestFiles.sha256(downloaded.resolve("later2.bin")));
        List<String> replies = server.dataChannelReplies();
        assertTrue(!replies.isEmpty() && replies.stream().allMatch(r -> r.startsWith(setup.expected.name() + " 2")),
                "later polls and uploads use only " + setup.expected + ": " + replies);
    }
}
