package io.autoftp.camel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import io.autoftp.client.DataChannelMode;
import io.autoftp.testing.EmbeddedFtpServer;
import io.autoftp.testing.TestFiles;
import org.apache.camel.ResolveEndpointFailedException;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.Test;

/** Routes that name a configured server: address, login and options come from the component, not the URI. */
class NamedServerTest extends CamelTestSupport {

    @Test
    void aRouteNamingAServerUsesItsAddressLoginAndOptions() throws Exception {
        EmbeddedFtpServer server = server(EmbeddedFtpServer.builder().refusePassive());
        Path inbox = Files.createDirectories(server.home().resolve("inbox"));
        Map<String, String> sums = writeFileSet(inbox, "n", 5);
        Path downloaded = dir("downloaded");
        startRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                getContext().getComponent("autoftp", AutoFtpComponent.class).addServer("partner",
                        new NamedServer(server.host(), server.port(), server.username(), server.password(), false,
                                Map.of("binary", "true", "dataChannel", "active")));
                from("autoftp://partner/inbox?delay=100&move=.done").routeId("named").to("file:" + downloaded);
            }
        });
        TestFiles.awaitFiles(downloaded, sums.size(), WAIT);
        assertEquals(sums, topLevelSums(downloaded), "binary=true came from the server's options");
        assertEquals("EPRT 200", server.dataChannelReplies().get(0), "dataChannel=active came from the server");
        AutoFtpEndpoint endpoint = (AutoFtpEndpoint) context.getRoute("named").getEndpoint();
        assertEquals("autoftp://partner/inbox?delay=100&move=.done", endpoint.getEndpointUri());
        assertFalse(endpoint.getEndpointUri().contains(server.password()));
        assertEquals(server.host(), endpoint.getConfiguration().getHost());
        assertEquals(server.port(), endpoint.getConfiguration().getPort());
        assertEquals(DataChannelMode.EPRT, context.getComponent("autoftp", AutoFtpComponent.class).getModeMemory()
                .snapshot().get(server.host() + ":" + server.port()).mode());
    }

    @Test
    void uriOptionsWinOverTheServersAndASecureServerNeedsAutoftps() throws Exception {
        startRoutes(new RouteBuilder() {
            @Override
            public void configure() {
            }
        });
        AutoFtpComponent component = context.getComponent("autoftp", AutoFtpComponent.class);
        component.addServer("plain", new NamedServer("127.0.0.1", 2121, "u", "secret-1", false,
                Map.of("dataChannel", "active", "binary", "true")));
        component.addServer("tls", new NamedServer("127.0.0.1", 990, "u", "secret-2", true, Map.of()));

        AutoFtpEndpoint endpoint = context.getEndpoint("autoftp://plain/in?dataChannel=PASV", AutoFtpEndpoint.class);
        assertEquals("[PASV]", endpoint.dataChannelSettings().policy().order().toString());
        assertTrue(endpoint.getConfiguration().isBinary());
        assertEquals("u", endpoint.getConfiguration().getUsername());

        ResolveEndpointFailedException failure = assertThrows(ResolveEndpointFailedException.class,
                () -> context.getEndpoint("autoftp://tls/in"));
        assertTrue(failure.getMessage().contains("Server 'tls' is configured with secure=true: use autoftps://tls/"),
                failure.getMessage());
        assertFalse(failure.getMessage().contains("secret-2"));
    }
}
