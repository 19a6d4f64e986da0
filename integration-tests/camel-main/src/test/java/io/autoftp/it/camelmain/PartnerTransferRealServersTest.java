package io.autoftp.it.camelmain;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.autoftp.camel.AutoFtpComponent;
import io.autoftp.camel.AutoFtpEndpoint;
import io.autoftp.client.DataChannelException.FailureKind;
import io.autoftp.client.DataChannelListener;
import io.autoftp.client.DataChannelMode;
import io.autoftp.client.ModeMemory;
import io.autoftp.testing.RealFtpServer;
import io.autoftp.testing.RealFtpServer.Kind;
import io.autoftp.testing.RequiresRoot;
import io.autoftp.testing.TestFiles;
import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.spi.CamelEvent.ExchangeFailedEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link PartnerTransferApplication}, a plain Camel Main application, against two real servers: partner A is a vsftpd
 * that refuses passive mode, partner B a proftpd that refuses active mode. Five binary files go down from each partner
 * and five go up to each, every one checked by SHA-256; the data connections must have used active mode with A and
 * passive mode with B, although the routes name no mode.
 *
 * <p>
 * Needs the unpacked Debian servers and root (see {@link RealFtpServer}); skipped without them, except with
 * {@code CI=true}, where a missing server fails the test.
 */
@RequiresRoot
class PartnerTransferRealServersTest {

    private static final int FILES = 5;
    private static final Duration WAIT = Duration.ofSeconds(30);

    /** Every data connection the application opened, as its component's {@link ModeMemory} told it. */
    private record Opened(String server, DataChannelMode mode, String command) {
    }

    private record Failed(String server, DataChannelMode mode, FailureKind kind) {
    }

    private static void assumeAvailable(Kind kind) {
        if ("true".equals(System.getenv("CI"))) {
            assertTrue(RealFtpServer.available(kind), () -> RealFtpServer.unavailableReason(kind));
        }
        assumeTrue(RealFtpServer.available(kind), () -> RealFtpServer.unavailableReason(kind));
    }

    @Test
    void exchangesFilesWithAPassiveRefusingAndAnActiveRefusingServer(@TempDir Path local) throws Exception {
        assumeAvailable(Kind.VSFTPD);
        assumeAvailable(Kind.PROFTPD);
        try (RealFtpServer vsftpd = RealFtpServer.builder().kind(Kind.VSFTPD).refusePassive().start();
                RealFtpServer proftpd = RealFtpServer.builder().kind(Kind.PROFTPD).refuseActive().start()) {
            Map<String, RealFtpServer> partners = new LinkedHashMap<>();
            partners.put("partner-a", vsftpd);
            partners.put("partner-b", proftpd);
            Path inbox = local.resolve("inbox");
            Path outbox = local.resolve("outbox");

            // what each partner offers in its outbox, and what we have for it in ours: a few hundred KB each
            Map<String, Map<String, String>> offered = new LinkedHashMap<>();
            Map<String, Map<String, String>> toSend = new LinkedHashMap<>();
            long seed = 1;
            for (Map.Entry<String, RealFtpServer> partner : partners.entrySet()) {
                Path serverOutbox = Files.createDirectories(partner.getValue().home().resolve("outbox"));
                for (int i = 1; i <= FILES; i++) {
                    TestFiles.writeRandom(serverOutbox, partner.getKey() + "-report-" + i + ".bin",
                            200_000 + 61_333L * i, seed++);
                    TestFiles.writeRandom(outbox.resolve(partner.getKey()), "order-" + i + ".bin",
                            180_000 + 47_111L * i, seed++);
                }
                partner.getValue().giveToServerUser(serverOutbox); // the route deletes what it downloaded
                offered.put(partner.getKey(), TestFiles.sha256Tree(serverOutbox));
                toSend.put(partner.getKey(), TestFiles.sha256Tree(outbox.resolve(partner.getKey())));
            }

            List<Opened> opened = new CopyOnWriteArrayList<>();
            List<Failed> failed = new CopyOnWriteArrayList<>();
            List<String> failedExchanges = new CopyOnWriteArrayList<>();
            AutoFtpComponent[] component = new AutoFtpComponent[1];

            Main main = PartnerTransferApplication.create();
            partners.forEach((name, server) -> {
                main.addOverrideProperty(name + ".host", server.host());
                main.addOverrideProperty(name + ".port", Integer.toString(server.port()));
                main.addOverrideProperty(name + ".username", server.username());
                main.addOverrideProperty(name + ".password", server.password());
            });
            main.addOverrideProperty("transfer.inbox", inbox.toString());
            main.addOverrideProperty("transfer.outbox", outbox.toString());
            main.addOverrideProperty("transfer.poll-delay", "200");
            main.addMainListener(new MainListenerSupport() {
                // afterConfigure: Main.start() (unlike Main.run()) does not call beforeStart; this comes after the
                // properties are applied and before the CamelContext starts
                @Override
                public void afterConfigure(BaseMainSupport m) {
                    CamelContext context = m.getCamelContext();
                    assertFalse(context.isStarted(), "listen before the routes start");
                    // the component the application found on the classpath and configured from its properties
                    component[0] = context.getComponent("autoftp", AutoFtpComponent.class);
                    component[0].getModeMemory().addListener(new DataChannelListener() {
                        @Override
                        public void onOpened(String server, DataChannelMode mode, String command) {
                            opened.add(new Opened(server, mode, command));
                        }

                        @Override
                        public void onModeFailed(String server, DataChannelMode mode, FailureKind kind) {
                            failed.add(new Failed(server, mode, kind));
                        }
                    });
                    context.getManagementStrategy().addEventNotifier(new EventNotifierSupport() {
                        @Override
                        public void notify(CamelEvent event) {
                            if (event instanceof ExchangeFailedEvent e) {
                                failedExchanges.add(e.getExchange().getFromRouteId() + ": " + e.getExchange().getException());
                            }
                        }
                    });
                }
            });

            long start = System.nanoTime();
            main.start();
            try {
                for (Map.Entry<String, RealFtpServer> partner : partners.entrySet()) {
                    TestFiles.awaitFiles(inbox.resolve(partner.getKey()), FILES, WAIT);
                    TestFiles.awaitFiles(partner.getValue().home().resolve("inbox"), FILES, WAIT);
                    // downloaded files are deleted on the server, uploaded ones moved to .sent locally
                    awaitEmpty(partner.getValue().home().resolve("outbox"), partner.getValue());
                    awaitEmpty(outbox.resolve(partner.getKey()), partner.getValue());
                }
                System.out.printf("10 files down and 10 up through Camel Main in %d ms%n",
                        (System.nanoTime() - start) / 1_000_000);

                CamelContext context = main.getCamelContext();
                assertAll(
                        () -> assertEquals(3000, component[0].getDataChannelDefaults().getDataConnectTimeout(),
                                "camel.component.autoftp.data-connect-timeout from application.properties"),
                        () -> assertEquals(4, context.getRoutes().size(), "routes found by the package scan"),
                        () -> {
                            List<Endpoint> ftp = context.getEndpoints().stream()
                                    .filter(e -> e.getEndpointUri().startsWith("autoftp:")).toList();
                            assertEquals(4, ftp.size(), ftp::toString);
                            ftp.forEach(e -> assertInstanceOf(AutoFtpEndpoint.class, e));
                        },
                        () -> assertEquals(List.of(), failedExchanges, "failed exchanges"));

                for (Map.Entry<String, RealFtpServer> partner : partners.entrySet()) {
                    String name = partner.getKey();
                    RealFtpServer server = partner.getValue();
                    assertAll(name + " (" + server.kind() + ")",
                            () -> assertEquals(offered.get(name), TestFiles.sha256Tree(inbox.resolve(name)),
                                    "downloaded from " + name),
                            () -> assertEquals(toSend.get(name), TestFiles.sha256Tree(server.home().resolve("inbox")),
                                    () -> "uploaded to " + name + "\n" + server.log()),
                            () -> assertEquals(toSend.get(name),
                                    TestFiles.sha256Tree(outbox.resolve(name).resolve(".sent")), "sent files kept"));
                }
            } finally {
                main.stop();
            }

            // the data channel: active with the server that refuses passive, passive with the one that refuses active
            assertModes(vsftpd, opened, failed, component[0].getModeMemory(), false);
            assertModes(proftpd, opened, failed, component[0].getModeMemory(), true);
        }
    }

    private static void assertModes(RealFtpServer server, List<Opened> opened, List<Failed> failed, ModeMemory memory,
            boolean passive) {
        String address = server.address();
        List<Opened> mine = opened.stream().filter(o -> o.server().equals(address)).toList();
        List<Failed> myFailures = failed.stream().filter(f -> f.server().equals(address)).toList();
        Map<String, Long> commands = mine.stream().collect(Collectors.groupingBy(Opened::command, Collectors.counting()));
        Set<DataChannelMode> modes = mine.stream().map(Opened::mode).collect(Collectors.toSet());
        ModeMemory.Entry remembered = memory.snapshot().get(address);
        System.out.printf("%s (%s): data connections %s in %s; failed modes %s; remembered %s%n", server.kind(),
                address, commands, modes, myFailures, remembered);
        String context = server.kind() + " on " + address + ": opened " + mine + ", failed " + myFailures
                         + ", remembered " + remembered;
        Predicate<DataChannelMode> expected = m -> m.isPassive() == passive;
        assertAll(context,
                () -> assertTrue(commands.getOrDefault("RETR", 0L) >= FILES, "a RETR per file"),
                () -> assertTrue(commands.getOrDefault("STOR", 0L) >= FILES, "a STOR per file"),
                () -> assertTrue(modes.stream().allMatch(expected), "every data connection " + (passive ? "passive"
                        : "active")),
                () -> assertTrue(remembered != null && expected.test(remembered.mode()), "remembered mode"),
                () -> {
                    if (passive) {
                        // EPSV first in the default order, and it works: nothing failed, active never tried
                        assertEquals(List.of(), myFailures);
                        assertEquals(DataChannelMode.EPSV, remembered.mode());
                    } else {
                        // EPSV and PASV refused once, then the active mode is remembered and used from then on
                        List<DataChannelMode> failedModes = myFailures.stream().map(Failed::mode).distinct().toList();
                        assertEquals(List.of(DataChannelMode.EPSV, DataChannelMode.PASV), failedModes);
                        assertTrue(remembered.reason().contains("EPSV") && remembered.reason().contains("PASV"),
                                remembered.reason());
                    }
                });
    }

    /** Waits until {@code dir} holds no regular file outside its dot-directories (.sent, .camel...). */
    private static void awaitEmpty(Path dir, RealFtpServer server) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        List<Path> left = new ArrayList<>();
        while (System.nanoTime() < deadline) {
            left = regularFiles(dir);
            if (left.isEmpty()) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(dir + " still holds " + left + "\n" + server.log());
    }

    private static List<Path> regularFiles(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(Files::isRegularFile).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
