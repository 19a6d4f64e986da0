package io.autoftp.it.springboot;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
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
import java.util.Optional;
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
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.spi.CamelEvent.ExchangeFailedEvent;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.apache.camel.support.EventNotifierSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * {@link PartnerTransferApplication}, a Camel Spring Boot application, against two real servers: partner A is a vsftpd
 * that refuses passive mode, partner B a proftpd that refuses active mode. Five binary files go down from each partner
 * and five go up to each, every one checked by SHA-256; the data connections must have used active mode with A and
 * passive mode with B, although the routes name no mode.
 *
 * <p>
 * Needs the unpacked Debian servers and root (see {@link RealFtpServer}); skipped without them, except with
 * {@code CI=true}, where a missing server fails the test.
 */
@SpringBootTest(properties = "camel.main.run-controller = false")
@DirtiesContext
@RequiresRoot
class PartnerTransferRealServersTest {

    private static final int FILES = 5;
    private static final Duration WAIT = Duration.ofSeconds(30);

    /** Every data connection the application opened, as its component's {@link ModeMemory} told it. */
    private record Opened(String server, DataChannelMode mode, String command) {
    }

    private record Failed(String server, DataChannelMode mode, FailureKind kind) {
    }

    private static final List<Opened> OPENED = new CopyOnWriteArrayList<>();
    private static final List<Failed> FAILED = new CopyOnWriteArrayList<>();
    private static final List<String> FAILED_EXCHANGES = new CopyOnWriteArrayList<>();

    @TempDir
    static Path local;
    static RealFtpServer vsftpd;
    static RealFtpServer proftpd;
    static final Map<String, RealFtpServer> PARTNERS = new LinkedHashMap<>();
    static final Map<String, Map<String, String>> OFFERED = new LinkedHashMap<>();
    static final Map<String, Map<String, String>> TO_SEND = new LinkedHashMap<>();

    @Autowired
    CamelContext camel;

    /** Why the servers cannot run here, or null; CI installs them, so there a missing server is a failure. */
    private static String unavailable;

    private static String unavailableReason(Kind kind) {
        String why = RealFtpServer.unavailableReason(kind);
        if ("true".equals(System.getenv("CI"))) {
            assertNull(why, why);
        }
        return why;
    }

    /** Runs before the Spring context is created: the servers and files are there when the routes start. */
    @BeforeAll
    static void startServers() {
        unavailable = Optional.ofNullable(unavailableReason(Kind.VSFTPD)).orElse(unavailableReason(Kind.PROFTPD));
        if (unavailable != null) {
            return; // the routes are not started and the test is skipped (an assumption here would hide the skip)
        }
        vsftpd = RealFtpServer.builder().kind(Kind.VSFTPD).refusePassive().start();
        PARTNERS.put("partner-a", vsftpd);
        proftpd = RealFtpServer.builder().kind(Kind.PROFTPD).refuseActive().start();
        PARTNERS.put("partner-b", proftpd);
        // what each partner offers in its outbox, and what we have for it in ours: a few hundred KB each
        long seed = 1;
        for (Map.Entry<String, RealFtpServer> partner : PARTNERS.entrySet()) {
            Path serverOutbox = partner.getValue().home().resolve("outbox");
            Path outbox = local.resolve("outbox").resolve(partner.getKey());
            for (int i = 1; i <= FILES; i++) {
                TestFiles.writeRandom(serverOutbox, partner.getKey() + "-report-" + i + ".bin", 200_000 + 61_333L * i,
                        seed++);
                TestFiles.writeRandom(outbox, "order-" + i + ".bin", 180_000 + 47_111L * i, seed++);
            }
            partner.getValue().giveToServerUser(serverOutbox); // the route deletes what it downloaded
            OFFERED.put(partner.getKey(), TestFiles.sha256Tree(serverOutbox));
            TO_SEND.put(partner.getKey(), TestFiles.sha256Tree(outbox));
        }
    }

    @AfterAll
    static void stopServers() {
        for (RealFtpServer server : PARTNERS.values()) {
            server.close();
        }
    }

    @DynamicPropertySource
    static void partners(DynamicPropertyRegistry registry) {
        if (unavailable != null) {
            registry.add("camel.main.auto-startup", () -> "false");
            return;
        }
        PARTNERS.forEach((name, server) -> {
            registry.add(name + ".host", server::host);
            registry.add(name + ".port", server::port);
            registry.add(name + ".username", server::username);
            registry.add(name + ".password", server::password);
        });
        registry.add("transfer.inbox", () -> local.resolve("inbox").toString());
        registry.add("transfer.outbox", () -> local.resolve("outbox").toString());
        registry.add("transfer.poll-delay", () -> "200");
    }

    /** Listens to the application's autoftp component and exchanges before Camel starts the routes. */
    @TestConfiguration
    static class Listening {
        @Bean
        CamelContextConfiguration listenToTheDataChannel() {
            return new CamelContextConfiguration() {
                @Override
                public void beforeApplicationStart(CamelContext context) {
                    assertFalse(context.isStarted(), "listen before the routes start");
                    context.getComponent("autoftp", AutoFtpComponent.class).getModeMemory()
                            .addListener(new DataChannelListener() {
                                @Override
                                public void onOpened(String server, DataChannelMode mode, String command) {
                                    OPENED.add(new Opened(server, mode, command));
                                }

                                @Override
                                public void onModeFailed(String server, DataChannelMode mode, FailureKind kind) {
                                    FAILED.add(new Failed(server, mode, kind));
                                }
                            });
                    context.getManagementStrategy().addEventNotifier(new EventNotifierSupport() {
                        @Override
                        public void notify(CamelEvent event) {
                            if (event instanceof ExchangeFailedEvent e) {
                                FAILED_EXCHANGES.add(e.getExchange().getFromRouteId() + ": "
                                                     + e.getExchange().getException());
                            }
                        }
                    });
                }

                @Override
                public void afterApplicationStart(CamelContext context) {
                }
            };
        }
    }

    @Test
    void exchangesFilesWithAPassiveRefusingAndAnActiveRefusingServer() throws Exception {
        assumeTrue(unavailable == null, unavailable);
        Path inbox = local.resolve("inbox");
        Path outbox = local.resolve("outbox");
        AutoFtpComponent component = camel.getComponent("autoftp", AutoFtpComponent.class);
        try {
            long start = System.nanoTime();
            for (Map.Entry<String, RealFtpServer> partner : PARTNERS.entrySet()) {
                TestFiles.awaitFiles(inbox.resolve(partner.getKey()), FILES, WAIT);
                TestFiles.awaitFiles(partner.getValue().home().resolve("inbox"), FILES, WAIT);
                // downloaded files are deleted on the server, uploaded ones moved to .sent locally
                awaitEmpty(partner.getValue().home().resolve("outbox"), partner.getValue());
                awaitEmpty(outbox.resolve(partner.getKey()), partner.getValue());
            }
            System.out.printf("10 files down and 10 up through Camel Spring Boot, %d ms after the context started%n",
                    (System.nanoTime() - start) / 1_000_000);

            assertAll(
                    () -> assertEquals(3000, component.getDataChannelDefaults().getDataConnectTimeout(),
                            "autoftp.data-connect-timeout from application.properties, applied by AutoFtpConfiguration"),
                    () -> assertEquals(4, camel.getRoutes().size(), "routes of the RouteBuilder bean"),
                    () -> {
                        List<Endpoint> ftp = camel.getEndpoints().stream()
                                .filter(e -> e.getEndpointUri().startsWith("autoftp:")).toList();
                        assertEquals(4, ftp.size(), ftp::toString);
                        ftp.forEach(e -> assertInstanceOf(AutoFtpEndpoint.class, e));
                    },
                    () -> assertEquals(List.of(), FAILED_EXCHANGES, "failed exchanges"));

            for (Map.Entry<String, RealFtpServer> partner : PARTNERS.entrySet()) {
                String name = partner.getKey();
                RealFtpServer server = partner.getValue();
                assertAll(name + " (" + server.kind() + ")",
                        () -> assertEquals(OFFERED.get(name), TestFiles.sha256Tree(inbox.resolve(name)),
                                "downloaded from " + name),
                        () -> assertEquals(TO_SEND.get(name), TestFiles.sha256Tree(server.home().resolve("inbox")),
                                () -> "uploaded to " + name + "\n" + server.log()),
                        () -> assertEquals(TO_SEND.get(name),
                                TestFiles.sha256Tree(outbox.resolve(name).resolve(".sent")), "sent files kept"));
            }
        } finally {
            // the servers stop in @AfterAll, before Spring closes the context: stop polling them first
            camel.getRouteController().stopAllRoutes();
        }

        // the data channel: active with the server that refuses passive, passive with the one that refuses active
        assertModes(vsftpd, component.getModeMemory(), false);
        assertModes(proftpd, component.getModeMemory(), true);
    }

    private static void assertModes(RealFtpServer server, ModeMemory memory, boolean passive) {
        String address = server.address();
        List<Opened> mine = OPENED.stream().filter(o -> o.server().equals(address)).toList();
        List<Failed> myFailures = FAILED.stream().filter(f -> f.server().equals(address)).toList();
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
