package io.autoftp.camel;

import java.net.URI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.autoftp.client.ModeMemory;
import org.apache.camel.CamelContext;
import org.apache.camel.component.file.GenericFileEndpoint;
import org.apache.camel.component.file.remote.FtpUtils;
import org.apache.camel.component.file.remote.FtpsComponent;
import org.apache.camel.component.file.remote.FtpsConfiguration;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.annotations.Component;
import org.apache.commons.net.ftp.FTPFile;

/**
 * The {@code autoftps} component: camel-ftp's {@code ftps} (explicit or implicit TLS) with an automatic
 * passive/active data channel. Every endpoint of one component shares what it learned about each server's data
 * channel.
 */
@Component("autoftps")
public class AutoFtpsComponent extends FtpsComponent implements ModeAwareComponent {

    @Metadata(label = "dataChannel", description = "Defaults for the data channel options of every endpoint")
    private DataChannelOptions dataChannelDefaults = new DataChannelOptions();

    private ModeMemory modeMemory = new ModeMemory();

    private final Map<String, NamedServer> servers = new ConcurrentHashMap<>();

    public AutoFtpsComponent() {
    }

    public AutoFtpsComponent(CamelContext context) {
        super(context);
    }

    /** {@link FtpsComponent#buildFileEndpoint}, creating an {@link AutoFtpsEndpoint}. */
    @Override
    protected GenericFileEndpoint<FTPFile> buildFileEndpoint(String uri, String remaining, Map<String, Object> parameters)
            throws Exception {
        String baseUri = ModeAwareComponent.resolve(getBaseUri(uri), "autoftps", true, servers, parameters);
        FtpsConfiguration config = new FtpsConfiguration(new URI(baseUri));
        DataChannelOptions.checkDurations(parameters);
        FtpUtils.ensureRelativeFtpDirectory(this, config);
        AutoFtpsEndpoint endpoint = new AutoFtpsEndpoint(uri, this, config);
        endpoint.setDataChannelOptions(dataChannelDefaults.copy());
        endpoint.setPassivePreference(AutoFtpComponent.passivePreference(parameters));
        extractAndSetFtpClientKeyStoreParameters(parameters, endpoint);
        extractAndSetFtpClientTrustStoreParameters(parameters, endpoint);
        extractAndSetFtpClientConfigParameters(parameters, endpoint);
        extractAndSetFtpClientParameters(parameters, endpoint);
        if (endpoint.getSslContextParameters() == null) {
            endpoint.setSslContextParameters(retrieveGlobalSslContextParameters());
        }
        return endpoint;
    }

    @Override
    protected void afterPropertiesSet(GenericFileEndpoint<FTPFile> endpoint) throws Exception {
        ((AutoFtpsEndpoint) endpoint).dataChannelSettings(); // fail at creation, naming the bad option
    }

    @Override
    public void addServer(String name, NamedServer server) {
        servers.put(name, server);
    }

    @Override
    public Map<String, NamedServer> getServers() {
        return Map.copyOf(servers);
    }

    @Override
    public String getScheme() {
        return "autoftps";
    }

    @Override
    public ModeMemory getModeMemory() {
        return modeMemory;
    }

    /** To share what was learned about servers with another component. */
    public void setModeMemory(ModeMemory modeMemory) {
        this.modeMemory = modeMemory;
    }

    @Override
    public DataChannelOptions getDataChannelDefaults() {
        return dataChannelDefaults;
    }

    @Override
    public void setDataChannelDefaults(DataChannelOptions dataChannelDefaults) {
        this.dataChannelDefaults = dataChannelDefaults;
    }
}
