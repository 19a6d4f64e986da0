package io.autoftp.camel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;

import io.autoftp.client.DataChannelException;
import io.autoftp.testing.EmbeddedFtpServer;
import io.autoftp.testing.ReplyRewritingProxy;
import io.autoftp.testing.TestFiles;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.file.GenericFileOperationFailedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What a wrong static mode does: stock camel-ftp sees an empty directory and fails uploads; autoftp pinned to a mode
 * the server refuses says exactly what it tried instead of pretending the directory is empty.
 */
class WrongModeTest extends CamelTestSupport {

    /** Set-ups where stock camel-ftp's static mode is the wrong one. */
    enum WrongStaticMode {
        ACTIVE_REFUSED_STOCK_ACTIVE(EmbeddedFtpServer.Builder::refuseActive, false, "passiveMode=false", true),
        PASSIVE_REFUSED_STOCK_PASSIVE(EmbeddedFtpServer.Builder::refusePassive, false, "passiveMode=true", true),
        // a refused data connect is an exception in commons-net: loud, but the files still never arrive
        PASSIVE_PORT_REFUSED_STOCK_PASSIVE(UnaryOperator.identity(), true, "passiveMode=true", false);

        final UnaryOperator<EmbeddedFtpServer.Builder> server;
        final boolean passivePortClosedByProxy;
        final String stockOption;
        final boolean silent;

        WrongStaticMode(UnaryOperator<EmbeddedFtpServer.Builder> server, boolean passivePortClosedByProxy,
                        String stockOption, boolean silent) {
            this.server = server;
            this.passivePortClosedByProxy = passivePortClosedByProxy;
            this.stockOption = stockOption;
            this.silent = silent;
        }
    }

    @ParameterizedTest
    @EnumSource(WrongStaticMode.class)
    void stockCamelFtpWithTheWrongModeSeesAnEmptyDirectoryAndCannotUpload(WrongStaticMode setup) throws Exception {
        EmbeddedFtpServer server = server(setup.server.apply(EmbeddedFtpServer.builder()));
        int port = server.port();
        if (setup.passivePortClosedByProxy) {
            ReplyRewritingProxy proxy = ReplyRewritingProxy.to(server).mode(ReplyRewritingProxy.Mode.PASSIVE_PORT_CLOSED);
            closeables.add(0, proxy);
            port = proxy.port();
        }
        Path inbox = Files.createDirectories(server.home().resolve("inbox"));
        TestFiles.writeRandom(inbox, "waiting.csv", 1000, 1);
        Path downloaded = dir("downloaded");
        List<Exchange> polls = new CopyOnWriteArrayList<>();
        String options = "binary=true&delay=100&sendEmptyMessageWhenIdle=true&" + setup.stockOption;
        String stock = uri("ftp", server, port, "inbox", options);
        startRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from(stock).process(polls::add).filter(body().isNotNull()).to("file:" + downloaded);
            }
        });
        long deadline = System.currentTimeMillis() + (setup.silent ? 20_000 : 3_000);
        while (polls.size() < 5 && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        if (setup.silent) {
            // several polls complete "successfully" with nothing in them: the silent failure autoftp exists for
            assertTrue(polls.size() >= 5, "stock camel-ftp polled " + polls.size() + " times");
        }
        assertTrue(polls.stream().allMatch(e -> e.getIn().getBody() == null), "stock camel-ftp saw no file");
        assertTrue(Files.exists(inbox.resolve("waiting.csv")), "the file is still waiting on the server");
        assertEquals(0, TestFiles.sha256Tree(downloaded).size(), "nothing downloaded");

        String stockUpload = uri("ftp", server, port, "upload", "binary=true&" + setup.stockOption);
        CamelExecutionException failure = assertThrows(CamelExecutionException.class,
                () -> context.createProducerTemplate().sendBodyAndHeader(stockUpload, "a,b\n", Exchange.FILE_NAME,
                        "x.csv"));
        rootCause(failure, GenericFileOperationFailedException.class);
    }

    @Test
    void autoftpPinnedToARefusedModeFailsLoudlyNamingEveryModeTried() throws Exception {
        EmbeddedFtpServer server = server(EmbeddedFtpServer.builder().refusePassive());
        Path inbox = Files.createDirectories(server.home().resolve("inbox"));
        TestFiles.writeRandom(inbox, "waiting.csv", 1000, 1);
        List<Exception> pollFailures = new CopyOnWriteArrayList<>();
        String pinned = uri("autoftp", server, "inbox", "dataChannel=passive&delay=100&bridgeErrorHandler=true");
        Path never = dir("never");
        startRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                onException(Exception.class).handled(true)
                        .process(e -> pollFailures.add(e.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class)));
                from(pinned).to("file:" + never);
            }
        });
        long deadline = System.currentTimeMillis() + 20_000;
        while (pollFailures.isEmpty() && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(!pollFailures.isEmpty(), "the poll failed visibly");
        DataChannelException cause = rootCause(pollFailures.get(0), DataChannelException.class);
        String server1 = "127.0.0.1:" + server.port();
        assertEquals(server1, cause.getServer());
        assertEquals("No data connection to " + server1 + " for LIST: EPSV: refused by the server (502 Command not"
                     + " implemented.); PASV: refused by the server (502 Command not implemented.); allowed modes:"
                     + " [EPSV, PASV]", cause.getMessage().replaceAll("LIST \\S+", "LIST"));
        assertTrue(Files.exists(inbox.resolve("waiting.csv")));

        String pinnedUpload = uri("autoftp", server, "upload", "dataChannel=passive");
        CamelExecutionException upload = assertThrows(CamelExecutionException.class,
                () -> context.createProducerTemplate().sendBodyAndHeader(pinnedUpload, "a,b\n", Exchange.FILE_NAME,
                        "x.csv"));
        DataChannelException uploadCause = rootCause(upload, DataChannelException.class);
        assertTrue(uploadCause.getMessage().startsWith("No data connection to " + server1 + " for STOR x.csv: EPSV"),
                uploadCause.getMessage());
    }

    static <T extends Throwable> T rootCause(Throwable failure, Class<T> type) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        throw new AssertionError("no " + type.getSimpleName() + " in the causes of " + failure, failure);
    }

}
