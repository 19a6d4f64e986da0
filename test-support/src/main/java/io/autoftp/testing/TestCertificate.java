package io.autoftp.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The self-signed certificate the FTPS servers of {@link RealFtpServer} present: RSA 2048, {@code CN=localhost},
 * subjectAltName {@code IP:127.0.0.1, DNS:localhost}, valid for a week. Made once per JVM with the JDK's
 * {@code keytool} (no other tool needed) in a temporary directory (root only, deleted when the JVM exits), and
 * written out three ways:
 * <ul>
 * <li>{@link #certificatePem()} and {@link #privateKeyPem()}: PEM files (the key unencrypted, PKCS#8) for the
 * servers (vsftpd {@code rsa_cert_file}/{@code rsa_private_key_file}, proftpd
 * {@code TLSRSACertificateFile}/{@code TLSRSACertificateKeyFile}, pure-ftpd {@code --certfile cert,key});</li>
 * <li>{@link #trustStore()}: a PKCS12 trust store holding only the certificate, password {@link #TRUSTSTORE_PASSWORD},
 * for camel-ftp's {@code ftpClient.trustStore.file}/{@code ftpClient.trustStore.password};</li>
 * <li>{@link #trustManager()} and {@link #sslContext()} for clients built in test code.</li>
 * </ul>
 */
public final class TestCertificate {

    /** Password of {@link #trustStore()}. */
    public static final String TRUSTSTORE_PASSWORD = "autoftp-trust";

    private static final String ALIAS = "autoftp-test-server";
    private static final String KEYSTORE_PASSWORD = "autoftp-key";
    private static TestCertificate instance;

    private final Path directory;
    private final Path certificatePem;
    private final Path privateKeyPem;
    private final Path trustStore;
    private final X509Certificate certificate;
    private final X509TrustManager trustManager;

    private TestCertificate(Path directory, Path certificatePem, Path privateKeyPem, Path trustStore,
                            X509Certificate certificate, X509TrustManager trustManager) {
        this.directory = directory;
        this.certificatePem = certificatePem;
        this.privateKeyPem = privateKeyPem;
        this.trustStore = trustStore;
        this.certificate = certificate;
        this.trustManager = trustManager;
    }

    /** The certificate and key, made on first use. */
    public static synchronized TestCertificate get() {
        if (instance == null) {
            try {
                instance = create();
            } catch (IOException e) {
                throw new UncheckedIOException("could not make the test certificate", e);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("could not make the test certificate", e);
            }
        }
        return instance;
    }

    /** The certificate, PEM ("-----BEGIN CERTIFICATE-----"). */
    public Path certificatePem() {
        return certificatePem;
    }

    /** The unencrypted RSA private key, PEM PKCS#8 ("-----BEGIN PRIVATE KEY-----"), mode 0600. */
    public Path privateKeyPem() {
        return privateKeyPem;
    }

    /** PKCS12 trust store with only {@link #certificate()}; password {@link #TRUSTSTORE_PASSWORD}. */
    public Path trustStore() {
        return trustStore;
    }

    public X509Certificate certificate() {
        return certificate;
    }

    /** Trusts {@link #certificate()} and nothing else. */
    public X509TrustManager trustManager() {
        return trustManager;
    }

    /** A TLS client context trusting {@link #certificate()} only. */
    public SSLContext sslContext() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] { trustManager }, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no TLS context", e);
        }
    }

    /** The directory holding the files. */
    public Path directory() {
        return directory;
    }

    private static TestCertificate create() throws IOException, GeneralSecurityException {
        Path dir = Files.createTempDirectory("autoftp-tls-"); // 0700
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteQuietly(dir), "autoftp-tls-cleanup"));
        Path keystore = dir.resolve("server.p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        List<String> command = List.of(keytool, "-genkeypair", "-alias", ALIAS, "-keyalg", "RSA", "-keysize", "2048",
                "-sigalg", "SHA256withRSA", "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost",
                "-validity", "7", "-storetype", "PKCS12", "-keystore", keystore.toString(),
                "-storepass", KEYSTORE_PASSWORD, "-keypass", KEYSTORE_PASSWORD);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IOException("keytool failed: " + command + "\n" + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IOException("interrupted while running keytool", e);
        }
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            keys.load(in, KEYSTORE_PASSWORD.toCharArray());
        }
        PrivateKey key = (PrivateKey) keys.getKey(ALIAS, KEYSTORE_PASSWORD.toCharArray());
        X509Certificate certificate = (X509Certificate) keys.getCertificate(ALIAS);

        Path certificatePem = dir.resolve("server-cert.pem");
        Path privateKeyPem = dir.resolve("server-key.pem");
        Files.writeString(certificatePem, pem("CERTIFICATE", certificate.getEncoded()), StandardCharsets.US_ASCII);
        Files.writeString(privateKeyPem, "", StandardCharsets.US_ASCII);
        Files.setPosixFilePermissions(privateKeyPem, PosixFilePermissions.fromString("rw-------"));
        Files.writeString(privateKeyPem, pem("PRIVATE KEY", key.getEncoded()), StandardCharsets.US_ASCII);

        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry(ALIAS, certificate);
        Path trustStore = dir.resolve("truststore.p12");
        try (OutputStream out = Files.newOutputStream(trustStore)) {
            trust.store(out, TRUSTSTORE_PASSWORD.toCharArray());
        }
        Files.delete(keystore);

        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        X509TrustManager trustManager = null;
        for (TrustManager candidate : factory.getTrustManagers()) {
            if (candidate instanceof X509TrustManager x509) {
                trustManager = x509;
            }
        }
        if (trustManager == null) {
            throw new GeneralSecurityException("no X509TrustManager from " + factory.getAlgorithm());
        }
        return new TestCertificate(dir, certificatePem, privateKeyPem, trustStore, certificate, trustManager);
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
               + Base64.getMimeEncoder(64, new byte[] { '\n' }).encodeToString(der)
               + "\n-----END " + type + "-----\n";
    }

    private static void deleteQuietly(Path dir) {
        try (var files = Files.list(dir)) {
            for (Path file : files.toList()) {
                Files.deleteIfExists(file);
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // the JVM is exiting: a leftover temporary directory is all that can go wrong
        }
    }
}
