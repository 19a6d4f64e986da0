package io.autoftp.camel;

import io.autoftp.client.DataChannelSettings;
import org.apache.camel.Endpoint;
import org.apache.camel.component.file.remote.FtpConfiguration;

/** What the {@code autoftp} and {@code autoftps} endpoints share. */
public interface ModeAwareEndpoint extends Endpoint {

    /** Host, port, login and camel-ftp's options of this endpoint. */
    FtpConfiguration getConfiguration();

    /** The data channel settings of this endpoint's clients; throws naming the option when one is invalid. */
    DataChannelSettings dataChannelSettings();

    /** The options autoftp adds to camel-ftp's. */
    DataChannelOptions getDataChannelOptions();
}
