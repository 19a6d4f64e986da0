package io.autoftp.camel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.List;

import io.autoftp.client.DataChannelMode;
import io.autoftp.testing.EmbeddedFtpServer;
import org.apache.camel.ResolveEndpointFailedException;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The options autoftp adds: validated when the endpoint is created, settable per component, passiveMode a preference. */
class EndpointOptionsTest extends CamelTestSupport {

    EmbeddedFtpServer server;

    @BeforeEach
    void start() throws Exception {
        server = server(EmbeddedFtpServer.builder());
        Files.writeString(Files.createDirectories(server.home().resolve("inbox")).resolve("a.csv"), "a;b\n");
        startRoutes(new RouteBuilder() {
            @Override
            public void configure() {
            }
        });
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "dataChannel=sideways|Option dataChannel has an invalid value 'sideways'",
            "dataChannel=EPSV,EPSV|EPSV is listed twice",
            "pasvAddressPolicy=anywhere|Option pasvAddressPolicy has an invalid value 'anywhere'",
            "dataConnectTimeout=0|Option dataConnectTimeout must be positive",
            "modeMemoryTtl=-1|Option modeMemoryTtl must be zero or positive",
            "activeExternalAddress=no.such.host.invalid|Option activeExternalAddress has an invalid value" })
    void invalidValuesFailAtCreationNamingTheOptionButNotThePassword(String option, String message) {
        String uri = uri("autoftp", server, "inbox", option);
        ResolveEndpointFailedException failure = assertThrows(ResolveEndpointFailedException.class,
                () -> context.getEndpoint(uri));
        String all = failure.getMessage() + " / " + failure.getCause().getMessage();
        assertTrue(all.contains(message), all);
        assertFalse(all.contains(server.password()), "password leaked: " + all);
    }

    @Test
    void passiveModeFalseIsAPreferenceForActiveModes() throws Exception {
        download("passiveMode=false");
        assertEquals("EPRT 200", server.dataChannelReplies().get(0));
    }

    @Test
    void passiveModeFalseStillFallsBackToPassive() throws Exception {
        EmbeddedFtpServer refusingActive = server(EmbeddedFtpServer.builder().refuseActive());
        Files.writeString(Files.createDirectories(refusingActive.home().resolve("inbox")).resolve("a.csv"), "a;b\n");
        server = refusingActive;
        download("passiveMode=false");
        assertEquals(List.of("EPRT 501", "PORT 501", "EPSV 229"), server.dataChannelReplies().subList(0, 3));
    }

    @Test
    void componentDefaultsApplyToNewEndpoints() throws Exception {
        AutoFtpComponent component = context.getComponent("autoftp", AutoFtpComponent.class);
        assertTrue(component.getComponentPropertyConfigurer().configure(context, component, "data-channel", "active",
                true) || component.getComponentPropertyConfigurer().configure(context, component, "dataChannel",
                        "active", true));
        AutoFtpEndpoint endpoint = context.getEndpoint(uri("autoftp", server, "inbox", ""), AutoFtpEndpoint.class);
        assertEquals(List.of(DataChannelMode.EPRT, DataChannelMode.PORT), endpoint.dataChannelSettings().policy().order());
        AutoFtpEndpoint overridden = context.getEndpoint(uri("autoftp", server, "inbox", "dataChannel=PASV"),
                AutoFtpEndpoint.class);
        assertEquals(List.of(DataChannelMode.PASV), overridden.dataChannelSettings().policy().order());
    }

    private void download(String options) {
        Object body = context.createConsumerTemplate().receiveBody(
                uri("autoftp", server, "inbox", "noop=true&" + options), WAIT.toMillis());
        assertTrue(body != null, "a file was received");
    }
}
