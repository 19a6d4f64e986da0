package io.autoftp.camel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import javax.net.ssl.X509ExtendedTrustManager;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.HandshakeCompletedListener;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;

import io.autoftp.client.DataChannelMode;
import io.autoftp.client.DataChannelPolicy;
import io.autoftp.client.DataChannelSettings;
import io.autoftp.client.ModeAwareFtpsClient;
import io.autoftp.client.ModeMemory;
import io.autoftp.testing.EmbeddedFtpServer;
import io.autoftp.testing.TestFiles;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.spi.PropertyConfigurer;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.jsse.KeyStoreParameters;
import org.apache.camel.support.jsse.SSLContextParameters;
import org.apache.camel.support.jsse.TrustManagersParameters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code autoftps:} over explicit (AUTH TLS) and implicit TLS, with the data channel protected (PROT P): downloads and
 * uploads a file set (one of 50 MiB) against servers that each refuse one mode, and checks the bytes, the mode chosen,
 * and that later polls and uploads go straight to the remembered mode.
 */
class AutoFtpsTest extends CamelTestSupport {

    /** A TLS server set-up, the mode autoftps must end up with, and the server replies that show it. */
    enum Setup {
        EXPLICIT_PASSIVE_REFUSED(false, EmbeddedFtpServer.Builder::refusePassive, DataChannelMode.EPRT,
                List.of("EPSV 502", "PASV 502", "EPRT 200")),
        EXPLICIT_ACTIVE_REFUSED(false, EmbeddedFtpServer.Builder::refuseActive, DataChannelMode.EPSV,
                List.of("EPSV 229")),
        EXPLICIT_TLS13_PASSIVE_REFUSED(false, b -> b.refusePassive().tlsProtocols("TLSv1.3", "TLSv1.2"),
                DataChannelMode.EPRT, List.of("EPSV 502", "PASV 502", "EPRT 200")),
        EXPLICIT_TLS13_ACTIVE_REFUSED(false, b -> b.refuseActive().tlsProtocols("TLSv1.3", "TLSv1.2"),
                DataChannelMode.EPSV, List.of("EPSV 229")),
        IMPLICIT_PASSIVE_REFUSED(true, EmbeddedFtpServer.Builder::refusePassive, DataChannelMode.EPRT,
                List.of("EPSV 502", "PASV 502", "EPRT 200"));

        final boolean implicit;
        final UnaryOperator<EmbeddedFtpServer.Builder> server;
        final DataChannelMode expected;
        final List<String> firstTransferReplies;

        Setup(boolean implicit, UnaryOperator<EmbeddedFtpServer.Builder> server, DataChannelMode expected,
              List<String> firstTransferReplies) {
            this.implicit = implicit;
            this.server = server;
            this.expected = expected;
            this.firstTransferReplies = firstTransferReplies;
        }
    }

    static String tlsOptions(boolean implicit) {
        return "implicit=" + implicit + "&execProt=P&execPbsz=0&binary=true"
               + "&ftpClient.trustStore.file=" + EmbeddedFtpServer.truststore()
               + "&ftpClient.trustStore.password=" + EmbeddedFtpServer.TLS_PASSWORD;
    }

    @ParameterizedTest
    @EnumSource(Setup.class)
    void findsTheWorkingModeOverTlsAndKeepsUsingIt(Setup setup) throws Exception {
        EmbeddedFtpServer server = server(setup.server.apply(EmbeddedFtpServer.builder().tls(setup.implicit)));
        Path inbox = Files.createDirectories(server.home().resolve("inbox"));
        Map<String, String> remoteFiles = writeFileSet(inbox, "down", 11);
        Path outbox = dir("outbox");
        Map<String, String> localFiles = writeFileSet(outbox, "up", 111);
        Path downloaded = dir("downloaded");
        String common = tlsOptions(setup.implicit) + "&dataConnectTimeout=2s";
        String download = uri("autoftps", server, "inbox", "delay=200&move=.done&" + common);
        String upload = uri("autoftps", server, "upload", common);

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
        List<String> commands = server.commands();
        assertEquals(!setup.implicit, commands.get(0).equals("AUTH TLS"), "AUTH TLS only when explicit: " + commands);
        assertTrue(commands.contains("PBSZ 0") && commands.contains("PROT P"), "data channel protected: " + commands);
        ModeMemory memory = context.getComponent("autoftps", AutoFtpsComponent.class).getModeMemory();
        assertEquals(setup.expected, memory.snapshot().get("127.0.0.1:" + server.port()).mode(), "remembered mode");

        server.clearLog();
        context.getRouteController().startRoute("upload");
        Path uploaded = server.home().resolve("upload");
        TestFiles.awaitFiles(uploaded, localFiles.size(), WAIT);
        assertEquals(localFiles, TestFiles.sha256Tree(uploaded), "uploaded bytes");
        Map<String, String> more = writeFileSet(inbox, "later", 17);
        TestFiles.awaitFiles(downloaded, remoteFiles.size() + more.size(), WAIT);
        assertEquals(more.get("later2.bin"), TestFiles.sha256(downloaded.resolve("later2.bin")));
        List<String> replies = server.dataChannelReplies();
        assertTrue(!replies.isEmpty() && replies.stream().allMatch(r -> r.startsWith(setup.expected.name() + " 2")),
                "later polls and uploads use only " + setup.expected + ": " + replies);
        assertEquals(setup.expected, memory.snapshot().get("127.0.0.1:" + server.port()).mode(), "still remembered");
    }

    /**
     * The control and data connections (passive and active) really run the TLS version the server allows: TLS 1.2
     * (FtpServer's default) or TLS 1.3 (camel-ftp's default {@code securityProtocol}, which also offers TLS 1.2), and
     * each data connection resumes the control connection's TLS session, which servers that require session reuse
     * insist on: its handshake checks no certificate (the trust manager is asked once, for the control connection).
     */
    @ParameterizedTest
    @ValueSource(strings = { "TLSv1.2", "TLSv1.3" })
    void controlAndDataConnectionsUseTheNegotiatedTlsVersion(String version) throws Exception {
        EmbeddedFtpServer server = server(EmbeddedFtpServer.builder().tls(false).tlsProtocols(version));
        Files.writeString(server.home().resolve("a.txt"), "tls data");
        for (String mode : List.of("passive", "active")) {
            List<String> seen = new ArrayList<>();
            CountingTrustManager trust = new CountingTrustManager();
            ModeAwareFtpsClient client = new ModeAwareFtpsClient(false,
                    ModeAwareFtpsClient.sslContext("TLSv1.3", null, trust),
                    DataChannelSettings.defaults().withPolicy(DataChannelPolicy.parse(mode, "dataChannel")),
                    new ModeMemory()) {
                @Override
                protected void _connectAction_() throws IOException {
                    super._connectAction_();
                    seen.add("control " + ((SSLSocket) _socket_).getSession().getProtocol() + ", certificate checks "
                             + trust.checks.get());
                }

                @Override
                protected Socket _openDataConnection_(String command, String arg) throws IOException {
                    Socket socket = super._openDataConnection_(command, arg);
                    seen.add("data " + ((SSLSocket) socket).getSession().getProtocol() + ", certificate checks "
                             + trust.checks.get());
                    return socket;
                }
            };
            client.connect(server.host(), server.port());
            try {
                assertTrue(client.login(server.username(), server.password()));
                client.execPBSZ(0);
                client.execPROT("P");
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                assertTrue(client.retrieveFile("a.txt", out), client.getReplyString());
                assertEquals("tls data", out.toString(StandardCharsets.UTF_8));
            } finally {
                client.disconnect();
            }
            assertEquals(List.of("control " + version + ", certificate checks 1",
                    "data " + version + ", certificate checks 1"), seen, mode + ": the data connection resumed the session");
        }
        assertEquals(List.of("EPSV 229", "EPRT 200"), server.dataChannelReplies());
    }

    /** The sslContextParameters branch, implicit TLS, falling back to active for a server refusing passive. */
    @Test
    void sslContextParametersAndImplicitTls() throws Exception {
        EmbeddedFtpServer server = server(EmbeddedFtpServer.builder().tls(true).refusePassive());
        KeyStoreParameters trustStore = new KeyStoreParameters();
        trustStore.setResource("file:" + EmbeddedFtpServer.truststore());
        trustStore.setPassword(EmbeddedFtpServer.TLS_PASSWORD);
        trustStore.setType("PKCS12");
        TrustManagersParameters trust = new TrustManagersParameters();
        trust.setKeyStore(trustStore);
        SSLContextParameters ssl = new SSLContextParameters();
        ssl.setTrustManagers(trust);
        String upload = uri("autoftps", server, "upload", "implicit=true&binary=true&sslContextParameters=#tls");
        startRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                getContext().getRegistry().bind("tls", ssl);
                from("direct:upload").to(upload);
            }
        });
        context.createProducerTemplate().sendBodyAndHeader("direct:upload", "hello over implicit TLS",
                "CamelFileName", "hello.txt");
        assertEquals("hello over implicit TLS", Files.readString(server.home().resolve("upload/hello.txt")));
        assertEquals(List.of("EPSV 502", "PASV 502", "EPRT 200"), server.dataChannelReplies());
        assertTrue(server.commands().contains("PROT P"), "camel-ftp's secure data channel defaults: PBSZ 0, PROT P");
        ModeMemory memory = context.getComponent("autoftps", AutoFtpsComponent.class).getModeMemory();
        assertEquals(DataChannelMode.EPRT, memory.snapshot().get("127.0.0.1:" + server.port()).mode());
    }

    /** Our options and camel-ftp's FTPS options reach the endpoint and component through the shipped configurers. */
    @Test
    void configurersBindOurOptionsAndTheFtpsOnes() throws Exception {
        startRoutes(new RouteBuilder() {
            @Override
            public void configure() {
            }
        });
        AutoFtpsComponent component = context.getComponent("autoftps", AutoFtpsComponent.class);
        PropertyConfigurer componentConfigurer = PluginHelper.getConfigurerResolver(context)
                .resolvePropertyConfigurer("autoftps-component", context);
        assertInstanceOf(AutoFtpsComponentConfigurer.class, componentConfigurer);
        assertTrue(componentConfigurer.configure(context, component, "dataconnecttimeout", "3s", true));
        assertTrue(componentConfigurer.configure(context, component, "useGlobalSslContextParameters", "true", false));
        assertEquals(3000, component.getDataChannelDefaults().getDataConnectTimeout());
        assertTrue(component.isUseGlobalSslContextParameters());

        AutoFtpsEndpoint endpoint = context.getEndpoint(
                "autoftps://u@127.0.0.1:2121/dir?implicit=true&securityProtocol=TLSv1.2&dataChannel=EPRT,PORT"
                + "&passiveMode=true&ftpClient.trustStore.file=/x.p12&execProt=P",
                AutoFtpsEndpoint.class);
        assertEquals("autoftps", endpoint.getScheme());
        assertInstanceOf(AutoFtpsEndpointConfigurer.class, PluginHelper.getConfigurerResolver(context)
                .resolvePropertyConfigurer("autoftps-endpoint", context));
        assertEquals("EPRT,PORT", endpoint.getDataChannelOptions().getDataChannel());
        assertEquals(3000, endpoint.getDataChannelOptions().getDataConnectTimeout(), "component default copied");
        assertEquals(Boolean.TRUE, endpoint.getPassivePreference());
        assertTrue(endpoint.getFtpsConfiguration().isImplicit());
        assertEquals("TLSv1.2", endpoint.getFtpsConfiguration().getSecurityProtocol());
        assertEquals(Map.of("file", "/x.p12"), endpoint.getFtpClientTrustStoreParameters());

        Exception bad = assertThrows(Exception.class,
                () -> context.getEndpoint("autoftps://u@127.0.0.1/d?dataChannel=XYZ"));
        assertTrue(String.valueOf(bad.getMessage()).contains("dataChannel")
                   || String.valueOf(bad.getCause()).contains("dataChannel"), bad::toString);
    }

    /**
     * A self-signed certificate is refused both when the trust store holds only the JDK's public CAs and when no trust
     * store is given at all (autoftps then uses the JVM's trusted CAs; stock ftps would accept any certificate).
     */
    @ParameterizedTest
    @ValueSource(booleans = { true, false })
    void certificateNotTrustedFails(boolean cacertsAsTrustStore) throws Exception {
        EmbeddedFtpServer server = server(EmbeddedFtpServer.builder().tls(false));
        Path cacerts = Path.of(System.getProperty("java.home"), "lib", "security", "cacerts");
        String upload = uri("autoftps", server, "upload", "binary=true&maximumReconnectAttempts=0"
                                                          + (cacertsAsTrustStore
                                                                  ? "&ftpClient.trustStore.file=" + cacerts
                                                                    + "&ftpClient.trustStore.password=changeit"
                                                                  : ""));
        startRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:upload").to(upload);
            }
        });
        CamelExecutionException failure = assertThrows(CamelExecutionException.class,
                () -> context.createProducerTemplate().sendBodyAndHeader("direct:upload", "x", "CamelFileName", "x"));
        Throwable cause = failure;
        while (cause != null && !(cause instanceof SSLException)) {
            cause = cause.getCause();
        }
        assertInstanceOf(SSLException.class, cause, () -> "expected a TLS failure in " + failure);
        assertTrue(Files.notExists(server.home().resolve("upload/x")));
    }

    /**
     * With {@code sslContextParameters} the endpoint reads the TLS settings off a socket of that context to copy them
     * onto its client; that socket is closed even when copying them fails.
     */
    @Test
    void theSocketReadForTheSslContextParametersIsClosedEvenWhenCopyingFails() throws Exception {
        List<Socket> made = new CopyOnWriteArrayList<>();
        SSLContext tls = contextMaking(made);
        SSLContextParameters parameters = new SSLContextParameters() {
            @Override
            public SSLContext createSSLContext(CamelContext camelContext) {
                return tls;
            }
        };
        startRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                getContext().getRegistry().bind("tls", parameters);
            }
        });
        AutoFtpsEndpoint endpoint = context.getEndpoint("autoftps://u@127.0.0.1:2121/dir?sslContextParameters=#tls",
                AutoFtpsEndpoint.class);
        assertThrows(NullPointerException.class, endpoint::createFtpClient, "no cipher suites to copy");
        assertEquals(1, made.size(), "one socket read");
        assertTrue(made.get(0).isClosed(), "and closed");
    }

    /** An SSLContext whose socket factory makes {@link NoCipherSuitesSocket}s and keeps them in {@code made}. */
    private static SSLContext contextMaking(List<Socket> made) {
        SSLSocketFactory factory = new SSLSocketFactory() {
            @Override
            public Socket createSocket() {
                Socket socket = new NoCipherSuitesSocket();
                made.add(socket);
                return socket;
            }

            @Override
            public String[] getDefaultCipherSuites() {
                return new String[0];
            }

            @Override
            public String[] getSupportedCipherSuites() {
                return new String[0];
            }

            @Override
            public Socket createSocket(Socket s, String host, int port, boolean autoClose) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Socket createSocket(String host, int port) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Socket createSocket(String host, int port, InetAddress localHost, int localPort) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Socket createSocket(InetAddress host, int port) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) {
                throw new UnsupportedOperationException();
            }
        };
        SSLContextSpi spi = new SSLContextSpi() {
            @Override
            protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom sr) {
            }

            @Override
            protected SSLSocketFactory engineGetSocketFactory() {
                return factory;
            }

            @Override
            protected SSLServerSocketFactory engineGetServerSocketFactory() {
                throw new UnsupportedOperationException();
            }

            @Override
            protected SSLEngine engineCreateSSLEngine() {
                throw new UnsupportedOperationException();
            }

            @Override
            protected SSLEngine engineCreateSSLEngine(String host, int port) {
                throw new UnsupportedOperationException();
            }

            @Override
            protected SSLSessionContext engineGetServerSessionContext() {
                throw new UnsupportedOperationException();
            }

            @Override
            protected SSLSessionContext engineGetClientSessionContext() {
                throw new UnsupportedOperationException();
            }
        };
        return new SSLContext(spi, null, "TLS") {
        };
    }

    /** An unconnected TLS socket that has no enabled cipher suites to tell (null): copying them fails. */
    private static final class NoCipherSuitesSocket extends SSLSocket {
        @Override
        public String[] getSupportedCipherSuites() {
            return new String[0];
        }

        @Override
        public String[] getEnabledCipherSuites() {
            return null;
        }

        @Override
        public void setEnabledCipherSuites(String[] suites) {
        }

        @Override
        public String[] getSupportedProtocols() {
            return new String[0];
        }

        @Override
        public String[] getEnabledProtocols() {
            return new String[0];
        }

        @Override
        public void setEnabledProtocols(String[] protocols) {
        }

        @Override
        public SSLSession getSession() {
            throw new UnsupportedOperationException();
        }

        @Override
        public void addHandshakeCompletedListener(HandshakeCompletedListener listener) {
        }

        @Override
        public void removeHandshakeCompletedListener(HandshakeCompletedListener listener) {
        }

        @Override
        public void startHandshake() {
            throw new UnsupportedOperationException();
        }

        @Override
        public void setUseClientMode(boolean mode) {
        }

        @Override
        public boolean getUseClientMode() {
            return true;
        }

        @Override
        public void setNeedClientAuth(boolean need) {
        }

        @Override
        public boolean getNeedClientAuth() {
            return false;
        }

        @Override
        public void setWantClientAuth(boolean want) {
        }

        @Override
        public boolean getWantClientAuth() {
            return false;
        }

        @Override
        public void setEnableSessionCreation(boolean flag) {
        }

        @Override
        public boolean getEnableSessionCreation() {
            return true;
        }
    }

    /** The test server's trust manager, counting the certificate checks: a resumed TLS session has none. */
    static final class CountingTrustManager extends X509ExtendedTrustManager {
        final AtomicInteger checks = new AtomicInteger();
        private final X509ExtendedTrustManager trust = (X509ExtendedTrustManager) EmbeddedFtpServer.trustManager();

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            checks.incrementAndGet();
            trust.checkServerTrusted(chain, authType, socket);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            checks.incrementAndGet();
            trust.checkServerTrusted(chain, authType, engine);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            checks.incrementAndGet();
            trust.checkServerTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            trust.checkClientTrusted(chain, authType, socket);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            trust.checkClientTrusted(chain, authType, engine);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            trust.checkClientTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return trust.getAcceptedIssuers();
        }
    }
}
