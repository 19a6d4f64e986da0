package io.autoftp.camel;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

import io.autoftp.client.DataChannelSettings;
import io.autoftp.client.ModeAwareFtpsClient;
import io.autoftp.client.ResumingTlsContext;
import org.apache.camel.Category;
import org.apache.camel.FailedToCreateConsumerException;
import org.apache.camel.Processor;
import org.apache.camel.component.file.GenericFileProcessStrategy;
import org.apache.camel.component.file.remote.CamelFTPParserFactory;
import org.apache.camel.component.file.remote.FtpConstants;
import org.apache.camel.component.file.remote.FtpsConfiguration;
import org.apache.camel.component.file.remote.FtpsEndpoint;
import org.apache.camel.component.file.remote.RemoteFileConsumer;
import org.apache.camel.component.file.remote.RemoteFileOperations;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.commons.net.ftp.FTPClient;
import org.apache.commons.net.util.TrustManagerUtils;
import org.apache.commons.net.ftp.FTPFile;

/**
 * camel-ftp's FTPS endpoint (explicit or implicit TLS) with a data channel that finds its own mode: every camel-ftp
 * option keeps its meaning, and {@code passiveMode} is read as a preference.
 */
@UriEndpoint(firstVersion = "0.1.0", scheme = "autoftps", extendsScheme = "ftps", title = "autoftps",
             syntax = "autoftps:host:port/directoryName",
             alternativeSyntax = "autoftps:username:password@host:port/directoryName",
             category = { Category.FILE }, headersClass = FtpConstants.class)
public class AutoFtpsEndpoint extends FtpsEndpoint implements ModeAwareEndpoint {

    @UriParam
    private DataChannelOptions dataChannelOptions = new DataChannelOptions();

    private Boolean passivePreference;

    /** The options the URI (or its named server) set, to tell a chosen value from camel-ftp's default. */
    private Set<String> explicitOptions = Set.of();

    public AutoFtpsEndpoint(String uri, AutoFtpsComponent component, FtpsConfiguration configuration) {
        super(uri, component, configuration);
    }

    @Override
    public String getScheme() {
        return "autoftps";
    }

    @Override
    public AutoFtpsComponent getComponent() {
        return (AutoFtpsComponent) super.getComponent();
    }

    @Override
    public RemoteFileConsumer<FTPFile> createConsumer(Processor processor) throws Exception {
        MemorySafeDownload.apply(this, dataChannelOptions);
        ConnectFailureBackoff.apply(this);
        ClaimReadLock.beforeConsumer(this, getComponent().getClaimRepository(), explicitOptions);
        return super.createConsumer(processor);
    }

    /** camel-ftp's process strategy, with the claim read locks ({@code readLock=idempotent...}) it lacks. */
    @Override
    protected GenericFileProcessStrategy<FTPFile> createGenericFileStrategy() {
        return ClaimReadLock.processStrategy(this, getParamsAsMap(), getComponent().getClaimRepository(),
                explicitOptions);
    }

    /** camel-ftp's consumer, kept polling after an {@link Error} (see {@link AutoFtpConsumer}). */
    @Override
    protected RemoteFileConsumer<FTPFile> buildConsumer(Processor processor) {
        try {
            return new AutoFtpConsumer(this, processor, createRemoteFileOperations(),
                    processStrategy != null ? processStrategy : createGenericFileStrategy());
        } catch (Exception e) {
            throw new FailedToCreateConsumerException(this, e);
        }
    }

    /** camel-ftp's operations with autoftp's repairs (see {@link AutoFtpOperations}). */
    @Override
    public RemoteFileOperations<FTPFile> createRemoteFileOperations() throws Exception {
        return AutoFtpOperations.replacing(super.createRemoteFileOperations(), this);
    }

    /** What {@link FtpsEndpoint#createFtpClient()} does, with a {@link ModeAwareFtpsClient} for its FTPSClient. */
    @Override
    protected FTPClient createFtpClient() throws Exception {
        FtpsConfiguration config = getFtpsConfiguration();
        ModeAwareFtpsClient client;
        if (sslContextParameters != null) {
            SSLContext context = sslContextParameters.createSSLContext(getCamelContext());
            client = new ModeAwareFtpsClient(config.isImplicit(), context,
                    () -> sslContextParameters.createSSLContext(getCamelContext()), dataChannelSettings(),
                    getComponent().getModeMemory());
            // FTPSClient configures its sockets itself: copy what the SSLContextParameters put on one (closed even
            // when copying fails)
            try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket()) {
                client.setEnabledCipherSuites(socket.getEnabledCipherSuites());
                client.setEnabledProtocols(socket.getEnabledProtocols());
                client.setNeedClientAuth(socket.getNeedClientAuth());
                client.setWantClientAuth(socket.getWantClientAuth());
                client.setEnabledSessionCreation(socket.getEnableSessionCreation());
            }
        } else {
            KeyManager keys = configuredKeyManager();
            Optional<TrustManager> trust = configuredTrustManager();
            // commons-net's own default checks certificate dates only, so stock ftps trusts any server: without a trust
            // store, the JVM's trusted CAs, and a check that the certificate names the host, as HTTPS clients do
            TrustManager trustManager = trust.isPresent() ? trust.get() : TrustManagerUtils.getDefaultTrustManager(null);
            ResumingTlsContext.Factory contexts = () -> ModeAwareFtpsClient.sslContext(config.getSecurityProtocol(),
                    keys, trustManager);
            client = new ModeAwareFtpsClient(config.isImplicit(), contexts.create(), contexts, dataChannelSettings(),
                    getComponent().getModeMemory());
            client.setNeedClientAuth(keys != null);
            client.setEndpointCheckingEnabled(trust.isEmpty());
        }
        client.setParserFactory(new CompactListingParserFactory(
                new CamelFTPParserFactory(getCamelContext().getClassResolver())));
        return client;
    }

    /** The key manager of camel-ftp's {@code ftpClient.keyStore.*} options; null without them. */
    private KeyManager configuredKeyManager() throws Exception {
        Map<String, Object> keyStore = ftpClientKeyStoreParameters;
        if (keyStore == null) {
            return null;
        }
        KeyManagerFactory factory = KeyManagerFactory.getInstance(
                param(keyStore, "algorithm", KeyManagerFactory.getDefaultAlgorithm()));
        factory.init(load(keyStore), param(keyStore, "keyPassword", param(keyStore, "password", "")).toCharArray());
        return factory.getKeyManagers()[0];
    }

    /**
     * The trust manager of camel-ftp's {@code ftpClient.trustStore.*} options (file, password, type, algorithm); empty
     * without them (then the JVM's trusted CAs apply, with a check of the host name). Also what a health check of the
     * server trusts.
     */
    public Optional<TrustManager> configuredTrustManager() throws Exception {
        Map<String, Object> trust = ftpClientTrustStoreParameters;
        if (trust == null) {
            return Optional.empty();
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(
                param(trust, "algorithm", TrustManagerFactory.getDefaultAlgorithm()));
        factory.init(load(trust));
        return Optional.of(factory.getTrustManagers()[0]);
    }

    /** A key or trust store from {@code ftpClient.keyStore.*} or {@code ftpClient.trustStore.*}. */
    private static KeyStore load(Map<String, Object> parameters) throws Exception {
        KeyStore store = KeyStore.getInstance(param(parameters, "type", KeyStore.getDefaultType()));
        try (InputStream in = Files.newInputStream(Path.of(param(parameters, "file", "")))) {
            store.load(in, param(parameters, "password", "").toCharArray());
        }
        return store;
    }

    private static String param(Map<String, Object> parameters, String name, String defaultValue) {
        Object value = parameters.get(name);
        return value == null ? defaultValue : value.toString();
    }

    @Override
    public DataChannelSettings dataChannelSettings() {
        return dataChannelOptions.toSettings(passivePreference, getConfiguration().getActivePortRange());
    }

    public DataChannelOptions getDataChannelOptions() {
        return dataChannelOptions;
    }

    public void setDataChannelOptions(DataChannelOptions dataChannelOptions) {
        this.dataChannelOptions = dataChannelOptions;
    }

    /** camel-ftp's {@code passiveMode} when the URI set it, else null: a preference, not a pin. */
    public Boolean getPassivePreference() {
        return passivePreference;
    }

    void setPassivePreference(Boolean passivePreference) {
        this.passivePreference = passivePreference;
    }

    void setExplicitOptions(Set<String> explicitOptions) {
        this.explicitOptions = explicitOptions;
    }
}
