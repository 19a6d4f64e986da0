package io.autoftp.camel;

import java.net.URI;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.autoftp.client.ModeMemory;
import org.apache.camel.CamelContext;
import org.apache.camel.component.file.GenericFileEndpoint;
import org.apache.camel.component.file.remote.FtpComponent;
import org.apache.camel.component.file.remote.FtpConfiguration;
import org.apache.camel.component.file.remote.FtpUtils;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.annotations.Component;
import org.apache.camel.support.service.ServiceHelper;
import org.apache.commons.net.ftp.FTPFile;

/**
 * The {@code autoftp} component: camel-ftp's {@code ftp} with an automatic passive/active data channel. Every endpoint
 * of one component shares what it learned about each server's data channel.
 */
@Component("autoftp")
public class AutoFtpComponent extends FtpComponent implements ModeAwareComponent {

    @Metadata(label = "dataChannel", description = "Defaults for the data channel options of every endpoint")
    private DataChannelOptions dataChannelDefaults = new DataChannelOptions();

    private ModeMemory modeMemory = new ModeMemory();

    @Metadata(label = "consumer,advanced",
              description = "A repository shared by the replicas of a service: every consumer endpoint that chooses no"
                            + " readLock claims each file in it before downloading it (readLock=idempotent), and"
                            + " endpoints with readLock=idempotent, idempotent-changed or idempotent-rename use it"
                            + " unless they set idempotentRepository")
    private IdempotentRepository claimRepository;

    private final FileOperationCounters fileOperationCounters = new FileOperationCounters();

    private final Map<String, NamedServer> servers = new ConcurrentHashMap<>();

    public AutoFtpComponent() {
    }

    public AutoFtpComponent(CamelContext context) {
        super(context);
    }

    @Override
    protected GenericFileEndpoint<FTPFile> buildFileEndpoint(String uri, String remaining, Map<String, Object> parameters)
            throws Exception {
        String baseUri = ModeAwareComponent.resolve(getBaseUri(uri), "autoftp", false, servers, parameters);
        FtpConfiguration config = new FtpConfiguration(new URI(baseUri));
        DataChannelOptions.checkDurations(parameters);
        FtpUtils.ensureRelativeFtpDirectory(this, config);
        AutoFtpEndpoint endpoint = new AutoFtpEndpoint(uri, this, config);
        endpoint.setDataChannelOptions(dataChannelDefaults.copy());
        endpoint.setExplicitOptions(Set.copyOf(parameters.keySet()));
        endpoint.setPassivePreference(passivePreference(parameters));
        extractAndSetFtpClientConfigParameters(parameters, endpoint);
        extractAndSetFtpClientParameters(parameters, endpoint);
        return endpoint;
    }

    @Override
    protected void afterPropertiesSet(GenericFileEndpoint<FTPFile> endpoint) throws Exception {
        ((AutoFtpEndpoint) endpoint).dataChannelSettings(); // fail at creation, naming the bad option
    }

    /** camel-ftp's passiveMode, when given, orders the modes instead of pinning one. */
    static Boolean passivePreference(Map<String, Object> parameters) {
        Object value = parameters.get("passiveMode");
        return value == null ? null : Boolean.valueOf(value.toString().trim());
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
        return "autoftp";
    }

    /** The claim repository was started by the first consumer using it. */
    @Override
    protected void doStop() throws Exception {
        ServiceHelper.stopService(claimRepository);
        super.doStop();
    }

    @Override
    public FileOperationCounters getFileOperationCounters() {
        return fileOperationCounters;
    }

    @Override
    public IdempotentRepository getClaimRepository() {
        return claimRepository;
    }

    @Override
    public void setClaimRepository(IdempotentRepository claimRepository) {
        this.claimRepository = claimRepository;
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
