package io.autoftp.camel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.autoftp.client.DataChannelException.FailureKind;
import io.autoftp.client.DataChannelListener;
import io.autoftp.client.DataChannelMode;
import io.autoftp.testing.EmbeddedFtpServer;
import io.autoftp.testing.Prerequisites;
import io.autoftp.testing.RealPostgres;
import io.autoftp.testing.TestFiles;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Replicas share the data channel memory through PostgreSQL: the second replica's first poll of a server that refuses
 * passive mode goes straight to active mode, without a failed attempt.
 */
class SharedModeMemoryTest extends CamelTestSupport {

    private static RealPostgres db;
    private static PGSimpleDataSource dataSource;

    @BeforeAll
    static void startDatabase() throws Exception {
        Prerequisites.require(RealPostgres.unavailableReason());
        db = RealPostgres.start();
        dataSource = JdbcClaimRepositoryTest.dataSource(db);
    }

    @AfterAll
    static void stopDatabase() {
        if (db != null) {
            db.close();
        }
    }

    @Test
    void aReplicaStartingLaterUsesWhatTheFirstOneLearned() throws Exception {
        EmbeddedFtpServer server = server(EmbeddedFtpServer.builder().refusePassive());
        Path inbox = Files.createDirectories(server.home().resolve("inbox"));
        TestFiles.writeRandom(inbox, "one.bin", 5_000, 1);

        List<String> firstFailures = new CopyOnWriteArrayList<>();
        CamelContext first = replica(server, firstFailures, temp.resolve("first"));
        TestFiles.awaitFiles(temp.resolve("first"), 1, WAIT);
        assertTrue(firstFailures.contains("EPSV"), "the first replica learned it the hard way: " + firstFailures);
        assertEquals("EPRT", db.sql("SELECT mode FROM autoftp_mode_memory"));
        first.stop();

        server.clearLog();
        TestFiles.writeRandom(inbox, "two.bin", 6_000, 2);
        List<String> secondFailures = new CopyOnWriteArrayList<>();
        replica(server, secondFailures, temp.resolve("second"));
        TestFiles.awaitFiles(temp.resolve("second"), 1, WAIT);
        assertEquals(List.of(), secondFailures, "no failed attempt in the second replica");
        assertTrue(server.dataChannelCommands().stream().noneMatch(c -> c.startsWith("EPSV") || c.startsWith("PASV")),
                "not even tried: " + server.dataChannelCommands());
        assertEquals(TestFiles.sha256(inbox.resolve(".done/two.bin")), TestFiles.sha256(temp.resolve("second/two.bin")));
    }

    /** A replica: its own context, component and memory, sharing the store. */
    private CamelContext replica(EmbeddedFtpServer server, List<String> failures, Path target) throws Exception {
        CamelContext context = new DefaultCamelContext();
        AutoFtpComponent component = context.getComponent("autoftp", AutoFtpComponent.class);
        component.getModeMemory().setSharedStore(new JdbcModeMemoryStore(dataSource));
        component.getModeMemory().addListener(new DataChannelListener() {
            @Override
            public void onModeFailed(String s, DataChannelMode mode, FailureKind kind) {
                failures.add(mode.name());
            }
        });
        String from = uri("autoftp", server, "inbox", "binary=true&delay=100&move=.done");
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from(from).to("file:" + target);
            }
        });
        context.start();
        closeables.add(context::stop);
        return context;
    }
}
