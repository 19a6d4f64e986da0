package io.autoftp.camel;

import java.util.Set;
import io.autoftp.client.DataChannelSettings;
import io.autoftp.client.ModeAwareFtpClient;
import org.apache.camel.Category;
import org.apache.camel.FailedToCreateConsumerException;
import org.apache.camel.Processor;
import org.apache.camel.component.file.GenericFileProcessStrategy;
import org.apache.camel.component.file.remote.CamelFTPParserFactory;
import org.apache.camel.component.file.remote.FtpConfiguration;
import org.apache.camel.component.file.remote.FtpConstants;
import org.apache.camel.component.file.remote.FtpEndpoint;
import org.apache.camel.component.file.remote.RemoteFileConsumer;
import org.apache.camel.component.file.remote.RemoteFileOperations;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.commons.net.ftp.FTPClient;
import org.apache.commons.net.ftp.FTPFile;

/**
 * camel-ftp's FTP endpoint with a data channel that finds its own mode: every camel-ftp option keeps its meaning, and
 * {@code passiveMode} is read as a preference.
 */
@UriEndpoint(firstVersion = "0.1.0", scheme = "autoftp", extendsScheme = "ftp", title = "autoftp",
             syntax = "autoftp:host:port/directoryName",
             alternativeSyntax = "autoftp:username:password@host:port/directoryName",
             category = { Category.FILE }, headersClass = FtpConstants.class)
public class AutoFtpEndpoint extends FtpEndpoint<FTPFile> implements ModeAwareEndpoint {

    @UriParam
    private DataChannelOptions dataChannelOptions = new DataChannelOptions();

    private Boolean passivePreference;

    /** The options the URI (or its named server) set, to tell a chosen value from camel-ftp's default. */
    private Set<String> explicitOptions = Set.of();

    public AutoFtpEndpoint(String uri, AutoFtpComponent component, FtpConfiguration configuration) {
        super(uri, component, configuration);
    }

    @Override
    public String getScheme() {
        return "autoftp";
    }

    @Override
    public AutoFtpComponent getComponent() {
        return (AutoFtpComponent) super.getComponent();
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

    @Override
    protected FTPClient createFtpClient() throws Exception {
        ModeAwareFtpClient client = new ModeAwareFtpClient(dataChannelSettings(), getComponent().getModeMemory());
        client.setParserFactory(new CompactListingParserFactory(
                new CamelFTPParserFactory(getCamelContext().getClassResolver())));
        return client;
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
