package io.autoftp.camel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import javax.net.SocketFactory;

import io.autoftp.client.DataChannelListener;
import io.autoftp.client.DataChannelMode;
import io.autoftp.client.ServerPairMemory;
import io.autoftp.client.ServerPairMemory.Route;
import io.autoftp.testing.LogCapture;
import io.autoftp.testing.Prerequisites;
import io.autoftp.testing.RealFtpServer;
import io.autoftp.testing.RealFtpServer.Kind;
import io.autoftp.testing.RequiresRoot;
import io.autoftp.testing.TestFiles;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.commons.net.ftp.FTPClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Server-to-server transfers ({@code serverToServer}) between Debian's vsftpd, proftpd and pure-ftpd: the source
 * server on 127.0.0.2, the target on 127.0.0.3, this JVM on 127.0.0.1, so that each server sees the other as a foreign
 * host. A route {@code autoftp://source/relay?download=false&move=.done} → {@code autoftp://target/in?serverToServer=...}
 * moves each file; the data bytes this JVM moved are counted on its data sockets (a {@link DataChannelListener}), the
 * target's copy is checked by SHA-256 on its disk.
 */
@RequiresRoot
class ServerToServerTest {

    private static final String SOURCE_HOST = "127.0.0.2";
    private static final String TARGET_HOST = "127.0.0.3";
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path temp;

    private CamelContext context;
    private final List<AutoCloseable> closeables = new ArrayList<>();
    /** Data bytes through this JVM's data sockets for RETR and STOR, both directions. */
    private final AtomicLong serviceDataBytes = new AtomicLong();
    /** Each file's way, as the listener heard it: "server-to-server" or "relayed", with the bytes. */
    private final List<String> pairEvents = new CopyOnWriteArrayList<>();

    @AfterEach
    void stopEverything() throws Exception {
        if (context != null) {
            context.stop();
        }
        for (AutoCloseable closeable : closeables) {
            closeable.close();
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // the ways a file goes

    @Test
    void bothAllowItSoTheFileGoesServerToServerAndTheSourceIsMovedAfterwards() throws Exception {
        RealFtpServer source = server(Kind.VSFTPD, SOURCE_HOST, RealFtpServer.Builder::allowForeignAddresses);
        RealFtpServer target = server(Kind.PROFTPD, TARGET_HOST, RealFtpServer.Builder::allowForeignAddresses);
        try (LogCapture logs = LogCapture.all()) {
            String sum = put(source, "a.bin", 3 * 1024 * 1024 + 5, 1);
            route(source, target, "serverToServer=auto", "");
            assertArrived(target, "in/a.bin", sum);
            awaitMoved(source, "a.bin");

            assertEquals(0, serviceDataBytes.get(), "no data byte may cross this service");
            assertEquals(List.of("server-to-server " + (3 * 1024 * 1024 + 5)), pairEvents);
            String pair = source.address() + " → " + target.address();
            assertEquals(Route.SOURCE_PASSIVE, pairs().snapshot().get(pair).route());
            assertEquals(1, logs.containing(pair + ": server-to-server (" + source.address() + " passive, "
                                            + target.address() + " active)").size(), logs.lines().toString());
            // the target was told the source's own address, nothing else
            assertTrue(target.log().contains("PORT 127,0,0,2,"), target.log());
        }
    }

    @Test
    void aSourceRefusingPassiveModeMakesTheTargetListenAndThePairRemembersIt() throws Exception {
        RealFtpServer source = server(Kind.PROFTPD, SOURCE_HOST, b -> b.allowForeignAddresses().refusePassive());
        RealFtpServer target = server(Kind.PUREFTPD, TARGET_HOST, RealFtpServer.Builder::allowForeignAddresses);
        try (LogCapture logs = LogCapture.all()) {
            String first = put(source, "one.bin", 1024 * 1024, 2);
            route(source, target, "serverToServer=auto", "");
            assertArrived(target, "in/one.bin", first);
            int refusedPasv = count(source.log(), "\"PASV\" 501");
            String second = put(source, "two.bin", 777_777, 3);
            assertArrived(target, "in/two.bin", second);
            awaitMoved(source, "two.bin");

            assertEquals(0, serviceDataBytes.get());
            String pair = source.address() + " → " + target.address();
            assertEquals(Route.TARGET_PASSIVE, pairs().snapshot().get(pair).route());
            List<LogCapture.Line> changes = logs.containing(pair + ": ").stream()
                    .filter(line -> line.logger().equals(ServerPairMemory.class.getName())).toList();
            assertEquals(1, changes.size(), logs.lines().toString());
            assertTrue(changes.get(0).text().contains("server-to-server (" + target.address() + " passive, "
                                                      + source.address() + " active): " + source.address()
                                                      + " passive: " + source.address() + " refuses PASV (501"),
                    changes.get(0).text());
            // the second file went the remembered way at once: no PASV refused for it
            assertEquals(refusedPasv, count(source.log(), "\"PASV\" 501"), source.log());
            assertTrue(source.log().contains("\"PORT 127,0,0,3,"), source.log());
        }
    }

    @ParameterizedTest(name = "{0} to {1}")
    @CsvSource({ "VSFTPD, PUREFTPD", "PUREFTPD, PROFTPD", "PROFTPD, VSFTPD" })
    void acrossImplementations(Kind sourceKind, Kind targetKind) throws Exception {
        RealFtpServer source = server(sourceKind, SOURCE_HOST, RealFtpServer.Builder::allowForeignAddresses);
        RealFtpServer target = server(targetKind, TARGET_HOST, RealFtpServer.Builder::allowForeignAddresses);
        String sum = put(source, "x.bin", 2 * 1024 * 1024 + 1, 4);
        route(source, target, "serverToServer=auto", "");
        assertArrived(target, "in/x.bin", sum);
        awaitMoved(source, "x.bin");
        assertEquals(0, serviceDataBytes.get());
        assertEquals(List.of("server-to-server " + (2 * 1024 * 1024 + 1)), pairEvents);
    }

    @Test
    void onlyOneSideAllowingItIsNotEnoughSoTheFileIsRelayedAndTheReasonLogged() throws Exception {
        RealFtpServer source = server(Kind.PROFTPD, SOURCE_HOST, RealFtpServer.Builder::allowForeignAddresses);
        RealFtpServer target = server(Kind.VSFTPD, TARGET_HOST, b -> b);
        try (LogCapture logs = LogCapture.all()) {
            int size = 1024 * 1024 + 3;
            String sum = put(source, "r.bin", size, 5);
            route(source, target, "serverToServer=auto", "");
            assertArrived(target, "in/r.bin", sum);
            awaitMoved(source, "r.bin");

            assertEquals(2L * size, serviceDataBytes.get(), "relayed: down from the source, up to the target");
            assertEquals(List.of("relayed " + size), pairEvents);
            String pair = source.address() + " → " + target.address();
            List<LogCapture.Line> changes = logs.containing(pair + ": relayed through this service: ");
            assertEquals(1, changes.size(), logs.lines().toString());
            // vsftpd refuses to connect to a foreign host, and refuses one connecting to it
            assertTrue(changes.get(0).text().contains(target.address() + " refuses PORT to a foreign address (500"),
                    changes.get(0).text());
            assertTrue(changes.get(0).text().contains(target.address() + " passive: no data connection between the"
                                                      + " servers"), changes.get(0).text());
        }
    }

    @Test
    void neitherAllowingItRelaysWithAutoAndFailsWithAlwaysNamingBothServers() throws Exception {
        RealFtpServer source = server(Kind.PUREFTPD, SOURCE_HOST, b -> b);
        RealFtpServer target = server(Kind.PROFTPD, TARGET_HOST, b -> b);
        String sum = put(source, "auto/n.bin", 600_000, 6);
        String kept = put(source, "always/m.bin", 500_000, 7);
        CountDownLatch failed = new CountDownLatch(1);
        List<String> failures = new CopyOnWriteArrayList<>();
        start(new RouteBuilder() {
            @Override
            public void configure() {
                onException(Exception.class).handled(false).process(e -> {
                    failures.add(e.getProperty("CamelExceptionCaught", Exception.class).getMessage());
                    failed.countDown();
                });
                from(uri(source, "relay/auto", "download=false&move=.done&initialDelay=0&delay=200"))
                        .to(uri(target, "in", "serverToServer=auto"));
                from(uri(source, "relay/always", "download=false&move=.done&initialDelay=0&delay=200"))
                        .to(uri(target, "in", "serverToServer=always"));
            }
        });
        assertArrived(target, "in/n.bin", sum);
        assertTrue(failed.await(WAIT.toSeconds(), TimeUnit.SECONDS));
        String message = failures.get(0);
        assertTrue(message.contains("No server-to-server transfer of relay/always/m.bin from " + source.address()
                                    + " to " + target.address() + " (serverToServer=always): "), message);
        assertTrue(message.contains(source.address() + " passive: ") && message.contains(target.address()
                                                                                          + " passive: "), message);
        assertFalse(message.contains(RealFtpServer.PASSWORD), message);
        // the source file stays, nothing under its name on the target
        assertEquals(kept, TestFiles.sha256(source.home().resolve("relay/always/m.bin")));
        assertFalse(Files.exists(target.home().resolve("in/m.bin")));
        assertEquals(List.of("relayed 600000"), pairEvents);
    }

    @Test
    void neverRelaysEvenWhenBothAllowIt() throws Exception {
        RealFtpServer source = server(Kind.VSFTPD, SOURCE_HOST, RealFtpServer.Builder::allowForeignAddresses);
        RealFtpServer target = server(Kind.VSFTPD, TARGET_HOST, RealFtpServer.Builder::allowForeignAddresses);
        String sum = put(source, "v.bin", 400_001, 8);
        route(source, target, "", "");
        assertArrived(target, "in/v.bin", sum);
        awaitMoved(source, "v.bin");
        assertEquals(2L * 400_001, serviceDataBytes.get());
        assertEquals(List.of("relayed 400001"), pairEvents);
        assertTrue(pairs().snapshot().isEmpty(), "never: nothing to remember");
        assertFalse(target.log().contains("PORT 127,0,0,2"), target.log());
    }

    // ---------------------------------------------------------------------------------------------------------
    // whole or not at all; camel-ftp's producer options

    @Test
    void tempFileNameFileExistAndDoneFilesKeepTheirMeaning() throws Exception {
        RealFtpServer source = server(Kind.VSFTPD, SOURCE_HOST, RealFtpServer.Builder::allowForeignAddresses);
        RealFtpServer target = server(Kind.PROFTPD, TARGET_HOST, RealFtpServer.Builder::allowForeignAddresses);
        Path in = Files.createDirectories(target.home().resolve("in"));
        Files.writeString(in.resolve("exists.bin"), "already here");
        target.giveToServerUser(in);
        String keep = put(source, "exists.bin", 100_000, 9);
        String sum = put(source, "new.bin", 1_500_000, 10);
        route(source, target, "serverToServer=auto&tempFileName=${file:name}.part&fileExist=Fail"
                              + "&doneFileName=${file:name}.done", "");
        assertArrived(target, "in/new.bin", sum);
        awaitMoved(source, "new.bin");
        TestFiles.awaitFiles(in, 3, WAIT); // exists.bin, new.bin, new.bin.done
        assertTrue(Files.exists(in.resolve("new.bin.done")));
        assertEquals("already here", Files.readString(in.resolve("exists.bin")), "fileExist=Fail");
        assertEquals(keep, TestFiles.sha256(source.home().resolve("relay/exists.bin")), "not moved: it failed");
        try (Stream<Path> files = Files.list(in)) {
            assertTrue(files.noneMatch(f -> f.getFileName().toString().endsWith(".part")));
        }
        assertEquals(0, serviceDataBytes.get());
    }

    @ParameterizedTest(name = "serverToServer={0}")
    @CsvSource({ "always", "never" })
    void aTransferCutMidFileLeavesNothingUnderTheFinalNameAndTheSourceInPlace(String serverToServer)
            throws Exception {
        RealFtpServer source = server(Kind.VSFTPD, SOURCE_HOST, b -> b.allowForeignAddresses().maxRate(512 * 1024));
        RealFtpServer target = server(Kind.PROFTPD, TARGET_HOST, RealFtpServer.Builder::allowForeignAddresses);
        int size = 16 * 1024 * 1024;
        String sum = put(source, "cut.bin", size, 11);
        CountDownLatch failed = new CountDownLatch(1);
        List<String> failures = new CopyOnWriteArrayList<>();
        start(new RouteBuilder() {
            @Override
            public void configure() {
                onException(Exception.class).handled(false).process(e -> {
                    failures.add(e.getProperty("CamelExceptionCaught", Exception.class).getMessage());
                    failed.countDown();
                });
                from(uri(source, "relay", "download=false&move=.done&initialDelay=0&delay=60000"))
                        .routeId("cut")
                        .to(uri(target, "in", "serverToServer=" + serverToServer));
            }
        });
        Path partial = target.home().resolve("in/cut.bin");
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!(Files.exists(partial) && Files.size(partial) > 0) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(Files.exists(partial), "the transfer should have started");
        // cut: every session of the source server dies mid-file (its listener stays)
        ProcessHandle.of(source.pid()).orElseThrow().descendants().forEach(ProcessHandle::destroyForcibly);
        assertTrue(failed.await(WAIT.toSeconds(), TimeUnit.SECONDS));
        context.getRouteController().stopRoute("cut");
        assertFalse(Files.exists(partial), "nothing may stay under the final name: " + failures);
        assertTrue(failures.get(0).contains("cut.bin"), failures.toString());
        assertEquals(sum, TestFiles.sha256(source.home().resolve("relay/cut.bin")), "the source stays in place");
        assertFalse(Files.exists(source.home().resolve("relay/.done/cut.bin")));
        if (serverToServer.equals("always")) {
            assertEquals(0, serviceDataBytes.get());
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // safety

    @Test
    void aPasvReplyNamingAThirdHostIsNeverHandedToTheOtherServer() throws Exception {
        RealFtpServer source = server(Kind.VSFTPD, SOURCE_HOST, b -> b.allowForeignAddresses().pasvAddress("127.0.0.4"));
        RealFtpServer target = server(Kind.VSFTPD, TARGET_HOST, RealFtpServer.Builder::allowForeignAddresses);
        try (LogCapture logs = LogCapture.all()) {
            String sum = put(source, "t.bin", 300_000, 12);
            // the source endpoint would trust a 227's address; the server-to-server path still refuses a third host
            route(source, target, "serverToServer=auto", "&pasvAddressPolicy=reply");
            assertArrived(target, "in/t.bin", sum);
            awaitMoved(source, "t.bin");
            String pair = source.address() + " → " + target.address();
            assertEquals(Route.TARGET_PASSIVE, pairs().snapshot().get(pair).route());
            assertFalse(logs.containing("PASV reply names 127.0.0.4, not the server itself").isEmpty(),
                    logs.lines().toString());
            assertFalse(target.log().contains("127,0,0,4"), target.log());
            assertTrue(source.log().contains("PORT 127,0,0,3,"), source.log());
        }
    }

    @Test
    void twoFtpsServersOfferingSscnMoveTheFileBetweenThemOverTls() throws Exception {
        // both on 127.0.0.1: the test certificate names that address, and the connecting proftpd verifies it
        RealFtpServer source = server(Kind.PROFTPD, "127.0.0.1", b -> b.tls(false).sessionReuseNotRequired());
        RealFtpServer target = server(Kind.PROFTPD, "127.0.0.1", b -> b.tls(false).sessionReuseNotRequired());
        try (LogCapture logs = LogCapture.all()) {
            String sum = put(source, "s.bin", 700_000, 13);
            ftpsRoute(source, target);
            assertArrived(target, "in/s.bin", sum);
            awaitMoved(source, "s.bin");
            assertEquals(0, serviceDataBytes.get(), "no data byte through this service");
            assertEquals(List.of("server-to-server 700000"), pairEvents);
            String pair = source.address() + " → " + target.address();
            assertEquals(Route.SOURCE_PASSIVE, pairs("autoftps").snapshot().get(pair).route(), logs.lines().toString());
            // the connecting server was the TLS client (SSCN), and the data connection was TLS
            assertTrue(target.log().contains("\"SSCN ON\" 200"), target.log());
            assertTrue(target.log().contains("\"SSCN OFF\" 200"), target.log());
            assertTrue(source.log().contains("data connection accepted"), source.log());
        }
    }

    @Test
    void anFtpsPairWhereTheTlsBetweenTheServersFailsIsRelayedEncrypted() throws Exception {
        // vsftpd has no SSCN; as the listening side it requires TLS session reuse (its default), which a foreign
        // server cannot give
        RealFtpServer source = server(Kind.PROFTPD, SOURCE_HOST, b -> b.allowForeignAddresses().tls(false));
        RealFtpServer target = server(Kind.VSFTPD, TARGET_HOST, b -> b.allowForeignAddresses().tls(false));
        try (LogCapture logs = LogCapture.all()) {
            String sum = put(source, "s.bin", 700_000, 13);
            ftpsRoute(source, target);
            assertArrived(target, "in/s.bin", sum);
            awaitMoved(source, "s.bin");
            assertEquals(2L * 700_000, serviceDataBytes.get());
            assertEquals(List.of("relayed 700000"), pairEvents);
            String pair = source.address() + " → " + target.address();
            List<LogCapture.Line> lines = logs.containing(pair + ": relayed through this service: ");
            assertEquals(1, lines.size(), logs.lines().toString());
            assertTrue(lines.get(0).text().contains(target.address() + " cannot be the TLS client of a data connection"
                                                    + " (SSCN ON: 500"), lines.get(0).text());
            assertTrue(lines.get(0).text().contains(target.address() + " passive: "), lines.get(0).text());
            // nothing was left on the target by the failed attempt, the relayed copy is whole (checked above)
        }
    }

    @Test
    void tlsOnOneSideOnlyIsRelayedSoThatTheFileStaysEncryptedThere() throws Exception {
        RealFtpServer source = server(Kind.VSFTPD, SOURCE_HOST, RealFtpServer.Builder::allowForeignAddresses);
        RealFtpServer target = server(Kind.PROFTPD, TARGET_HOST, b -> b.allowForeignAddresses().tls(false));
        try (LogCapture logs = LogCapture.all()) {
            String sum = put(source, "p.bin", 300_000, 15);
            context = new DefaultCamelContext();
            listen("autoftp");
            listen("autoftps");
            context.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from(uri(source, "relay", "download=false&move=.done&initialDelay=0&delay=200"))
                            .to(uri("autoftps", target, "in", "serverToServer=auto" + TLS));
                }
            });
            context.start();
            assertArrived(target, "in/p.bin", sum);
            awaitMoved(source, "p.bin");
            assertEquals(1, logs.containing("relayed through this service: TLS data connections (PROT P) on "
                                            + target.address() + " only").size(), logs.lines().toString());
            assertFalse(target.log().contains("\"PORT "), target.log());
        }
    }

    private static final String TLS = "&ftpClient.trustStore.file=" + RealFtpServer.trustStore()
                                      + "&ftpClient.trustStore.password=" + RealFtpServer.TRUSTSTORE_PASSWORD;

    private void ftpsRoute(RealFtpServer source, RealFtpServer target) throws Exception {
        context = new DefaultCamelContext();
        listen("autoftps");
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from(uri("autoftps", source, "relay", "download=false&move=.done&initialDelay=0&delay=200" + TLS))
                        .to(uri("autoftps", target, "in", "serverToServer=auto" + TLS));
            }
        });
        context.start();
    }

    // ---------------------------------------------------------------------------------------------------------
    // Diagnose: can these two servers do it, in which direction, and why not?

    @Test
    void diagnoseSaysWhichDirectionWorksAndWhyTheOtherDoesNot() throws Exception {
        RealFtpServer source = server(Kind.PROFTPD, SOURCE_HOST, b -> b.allowForeignAddresses().refusePassive());
        RealFtpServer target = server(Kind.PUREFTPD, TARGET_HOST, RealFtpServer.Builder::allowForeignAddresses);
        RealFtpServer strict = server(Kind.VSFTPD, "127.0.0.4", b -> b);
        Map<String, String> env = Map.of("AUTOFTP_PASSWORD", RealFtpServer.PASSWORD, "AUTOFTP_TO_PASSWORD",
                RealFtpServer.PASSWORD);

        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        int status = io.autoftp.client.Diagnose.run(new String[] { "ftp://autoftp@" + source.address(),
            "--to=ftp://autoftp@" + target.address(), "--data-connect-timeout=2s" }, env, text -> null,
                new java.io.PrintStream(out, true), System.err);
        String report = out.toString();
        assertEquals(io.autoftp.client.Diagnose.OK, status, report);
        assertTrue(report.contains("server-to-server (" + source.address() + " passive, " + target.address()
                                   + " active): " + source.address() + " refuses PASV (501"), report);
        assertTrue(report.contains("server-to-server (" + target.address() + " passive, " + source.address()
                                   + " active): works"), report);
        assertTrue(report.contains("serverToServer=auto moves files server-to-server (" + target.address()
                                   + " passive"), report);
        assertFalse(report.contains(RealFtpServer.PASSWORD), report);

        out.reset();
        status = io.autoftp.client.Diagnose.run(new String[] { "ftp://autoftp@" + source.address(),
            "--to=ftp://autoftp@" + strict.address(), "--data-connect-timeout=2s" }, env, text -> null,
                new java.io.PrintStream(out, true), System.err);
        report = out.toString();
        assertEquals(io.autoftp.client.Diagnose.NO_MODE_WORKS, status, report);
        // the source cannot listen, and vsftpd (not promiscuous) refuses a data connection from another host
        assertTrue(report.contains(strict.address() + " answered LIST with 425 Security: Bad IP connecting."), report);
        assertTrue(report.contains("No server-to-server transfer between these servers"), report);
        assertEquals(0, count(strict.log(), "STOR") + count(target.log(), "STOR"), "nothing written");
    }

    // ---------------------------------------------------------------------------------------------------------
    // 200 MiB: this service moves (almost) nothing; stock camel-ftp relays it all

    @Test
    void twoHundredMebibytesCrossWithoutThisServiceAndStockCamelFtpRelaysThemAll() throws Exception {
        RealFtpServer source = server(Kind.VSFTPD, SOURCE_HOST, RealFtpServer.Builder::allowForeignAddresses);
        RealFtpServer target = server(Kind.PROFTPD, TARGET_HOST, RealFtpServer.Builder::allowForeignAddresses);
        long size = 200L * 1024 * 1024;
        String sum = put(source, "big.bin", size, 14);
        Path copy = source.home().resolve("stock/big.bin");
        Files.createDirectories(copy.getParent());
        Files.copy(source.home().resolve("relay/big.bin"), copy);
        source.giveToServerUser(copy.getParent());

        resetHeapPeaks();
        long started = System.nanoTime();
        route(source, target, "serverToServer=auto", "");
        assertArrived(target, "in/big.bin", sum);
        awaitMoved(source, "big.bin");
        double fxpSeconds = (System.nanoTime() - started) / 1e9;
        long fxpHeap = heapPeak();
        assertEquals(0, serviceDataBytes.get(), "server-to-server: no data byte through this service");
        assertEquals(List.of("server-to-server " + size), pairEvents);
        context.stop();

        // autoftp relaying the same file (serverToServer=never): it streams through this JVM, in and out
        Files.delete(target.home().resolve("in/big.bin"));
        Files.move(source.home().resolve("relay/.done/big.bin"), source.home().resolve("relay/big.bin"));
        serviceDataBytes.set(0);
        resetHeapPeaks();
        started = System.nanoTime();
        route(source, target, "serverToServer=never", "");
        assertArrived(target, "in/big.bin", sum);
        awaitMoved(source, "big.bin");
        double relaySeconds = (System.nanoTime() - started) / 1e9;
        long relayHeap = heapPeak();
        assertEquals(2 * size, serviceDataBytes.get(), "relayed: every byte in and out");
        context.stop();

        // stock camel-ftp, same servers, same file: it downloads it into this JVM and uploads it again
        CountingSockets counted = new CountingSockets();
        context = new DefaultCamelContext();
        context.getRegistry().bind("down", counted.client());
        context.getRegistry().bind("up", counted.client());
        resetHeapPeaks();
        started = System.nanoTime();
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from(uri("ftp", source, "stock", "passiveMode=true&move=.done&initialDelay=0&delay=200&ftpClient=#down"))
                        .to(uri("ftp", target, "stock", "passiveMode=true&ftpClient=#up"));
            }
        });
        context.start();
        assertArrived(target, "stock/big.bin", sum);
        awaitMoved(source, "stock", "big.bin");
        double stockSeconds = (System.nanoTime() - started) / 1e9;
        long stockHeap = heapPeak();
        assertTrue(counted.bytes.get() >= 2 * size, "stock camel-ftp relays every byte: " + counted.bytes.get());
        System.out.printf("200 MiB from %s to %s: server-to-server %.2f s, 0 data bytes through this JVM, heap peak"
                          + " %d MiB; autoftp relay %.2f s, %d bytes, heap peak %d MiB; stock camel-ftp relay %.2f s,"
                          + " %d bytes through this JVM, heap peak %d MiB%n",
                source, target, fxpSeconds, fxpHeap >> 20, relaySeconds, 2 * size, relayHeap >> 20, stockSeconds,
                counted.bytes.get(), stockHeap >> 20);
    }

    // ---------------------------------------------------------------------------------------------------------
    // helpers

    private RealFtpServer server(Kind kind, String host, UnaryOperator<RealFtpServer.Builder> configure) {
        Prerequisites.require(RealFtpServer.unavailableReason(kind)); // CI installs them: there it fails
        RealFtpServer server = configure.apply(RealFtpServer.builder().kind(kind).bindAddress(host)).start();
        closeables.add(server);
        return server;
    }

    /**
     * A random file under relay/ on the source, written under a hidden name (which the consumer skips) and renamed
     * once the FTP user owns it; its SHA-256.
     */
    private String put(RealFtpServer source, String name, long size, long seed) throws IOException {
        Path file = source.home().resolve("relay").resolve(name);
        if (!Files.isDirectory(file.getParent())) {
            Files.createDirectories(file.getParent());
            source.giveToServerUser(source.home().resolve("relay"));
        }
        Path hidden = TestFiles.writeRandom(file.getParent(), "." + file.getFileName(), size, seed);
        source.giveToServerUser(hidden);
        Files.move(hidden, file);
        return TestFiles.sha256(file);
    }

    private static String uri(RealFtpServer server, String directory, String options) {
        return uri("autoftp", server, directory, options);
    }

    private static String uri(String scheme, RealFtpServer server, String directory, String options) {
        return scheme + "://" + server.username() + "@" + server.address() + "/" + directory + "?password=RAW("
               + server.password() + ")&binary=true" + (options.isEmpty() ? "" : "&" + options);
    }

    /** relay/ on the source to in/ on the target. */
    private void route(RealFtpServer source, RealFtpServer target, String producerOptions, String sourceOptions)
            throws Exception {
        start(new RouteBuilder() {
            @Override
            public void configure() {
                from(uri(source, "relay", "download=false&move=.done&initialDelay=0&delay=200" + sourceOptions))
                        .to(uri(target, "in", producerOptions));
            }
        });
    }

    private void start(RouteBuilder routes) throws Exception {
        context = new DefaultCamelContext();
        listen("autoftp");
        context.addRoutes(routes);
        context.start();
    }

    private void listen(String scheme) {
        memory(context, scheme).addListener(new DataChannelListener() {
            @Override
            public void onClosed(String server, DataChannelMode mode, String command, long received, long sent) {
                if ("RETR".equals(command) || "STOR".equals(command) || "APPE".equals(command)) {
                    serviceDataBytes.addAndGet(received + sent);
                }
            }

            @Override
            public void onServerPairTransfer(String source, String target, boolean serverToServer, long bytes) {
                pairEvents.add((serverToServer ? "server-to-server " : "relayed ") + bytes);
            }
        });
    }

    private ServerPairMemory pairs() {
        return pairs("autoftp");
    }

    private ServerPairMemory pairs(String scheme) {
        return memory(context, scheme).serverPairs();
    }

    private static void assertArrived(RealFtpServer target, String path, String sum) {
        Path file = target.home().resolve(path);
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            // whole: the producer renames or completes before the consumer moves the source (checked by the sum)
            if (Files.isRegularFile(file) && sum.equals(TestFiles.sha256(file))) {
                return;
            }
            sleep(50);
        }
        throw new AssertionError(path + " did not arrive whole on " + target + ":\n" + target.log());
    }

    private static void awaitMoved(RealFtpServer source, String name) {
        awaitMoved(source, "relay", name);
    }

    private static void awaitMoved(RealFtpServer source, String directory, String name) {
        Path done = source.home().resolve(directory).resolve(".done").resolve(name);
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!Files.exists(done) && System.nanoTime() < deadline) {
            sleep(50);
        }
        assertTrue(Files.exists(done), done + " not moved:\n" + source.log());
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void resetHeapPeaks() {
        System.gc();
        ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
    }

    /** The sum of the heap pools' peaks since {@link #resetHeapPeaks} (an upper bound of what was live). */
    private static long heapPeak() {
        return ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.HEAP)
                .mapToLong(p -> p.getPeakUsage().getUsed()).sum();
    }

    /** commons-net clients for stock camel-ftp whose sockets count the bytes they carry. */
    private static final class CountingSockets extends SocketFactory {
        final AtomicLong bytes = new AtomicLong();

        FTPClient client() {
            FTPClient client = new FTPClient();
            client.setSocketFactory(this);
            return client;
        }

        @Override
        public Socket createSocket() {
            return new Socket() {
                @Override
                public java.io.InputStream getInputStream() throws IOException {
                    return new java.io.FilterInputStream(super.getInputStream()) {
                        @Override
                        public int read(byte[] b, int off, int len) throws IOException {
                            int n = in.read(b, off, len);
                            if (n > 0) {
                                bytes.addAndGet(n);
                            }
                            return n;
                        }
                    };
                }

                @Override
                public java.io.OutputStream getOutputStream() throws IOException {
                    return new java.io.FilterOutputStream(super.getOutputStream()) {
                        @Override
                        public void write(byte[] b, int off, int len) throws IOException {
                            out.write(b, off, len);
                            bytes.addAndGet(len);
                        }
                    };
                }
            };
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            Socket socket = createSocket();
            socket.connect(new java.net.InetSocketAddress(host, port));
            return socket;
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress local, int localPort) throws IOException {
            throw new UnsupportedOperationException();
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            Socket socket = createSocket();
            socket.connect(new java.net.InetSocketAddress(host, port));
            return socket;
        }

        @Override
        public Socket createSocket(InetAddress host, int port, InetAddress local, int localPort) throws IOException {
            throw new UnsupportedOperationException();
        }
    }

    /** The mode memory of a component of the context (created with the component). */
    private static io.autoftp.client.ModeMemory memory(CamelContext context, String scheme) {
        return ((ModeAwareComponent) context.getComponent(scheme)).getModeMemory();
    }
}
