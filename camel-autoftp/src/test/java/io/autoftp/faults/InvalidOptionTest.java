package io.autoftp.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autoftp.camel.AutoFtpEndpoint;
import io.autoftp.testing.EmbeddedFtpServer;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Invalid option values: the route fails to start with an error that names the option and the bad value, and never
 * shows the password. (The basic cases of each autoftp option are in EndpointOptionsTest; these are the odder ones,
 * type errors, and the camel-ftp options autoftp applies itself.) Camel reads a duration it does not understand
 * ("forever", "5x", "-5s") as 0, which for modeMemoryTtl would silently turn the memory off: autoftp rejects them.
 */
class InvalidOptionTest extends FaultTestSupport {

    private static final String PASSWORD = "pw-Xy93-secret";

    EmbeddedFtpServer server;

    @BeforeEach
    void start() {
        server = server(EmbeddedFtpServer.builder().password(PASSWORD));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "dataChannel=|Option dataChannel must not be empty",
            "dataChannel=EPSV,,PORT|Option dataChannel has an invalid value 'EPSV,,PORT': '' is not one of",
            "dataChannel=PASV;PORT|Option dataChannel has an invalid value 'PASV;PORT'",
            "dataChannel=FTP|Option dataChannel has an invalid value 'FTP'",
            "dataConnectTimeout=-5|Option dataConnectTimeout must be positive, not -5",
            "dataConnectTimeout=soon|Option dataConnectTimeout has an invalid value 'soon'",
            "dataConnectTimeout=5x|Option dataConnectTimeout has an invalid value '5x'",
            "modeMemoryTtl=forever|Option modeMemoryTtl has an invalid value 'forever'",
            "modeMemoryTtl=-5s|Option modeMemoryTtl has an invalid value '-5s'",
            "modeMemoryTtl=10M|Option modeMemoryTtl has an invalid value '10M'",
            "pasvAddressPolicy=|Option pasvAddressPolicy has an invalid value ''",
            "pasvAddressPolicy=third-host|Option pasvAddressPolicy has an invalid value 'third-host'",
            "memorySafeDownload=maybe|memorySafeDownload",
            "parallelDownloads=0|Option parallelDownloads must be 1 or more (1 downloads one file at a time), not 0",
            "parallelDownloads=many|parallelDownloads",
            "serverToServer=sometimes|Option serverToServer has an invalid value 'sometimes': use never, auto or always",
            "activeExternalAddress=::1::2|Option activeExternalAddress has an invalid value '::1::2'",
            "activePortRange=9000-8000|Option activePortRange must be min-max with 1 <= min <= max <= 65535, not 9000-8000",
            "activePortRange=70000-70010|Option activePortRange must be min-max with 1 <= min <= max <= 65535",
            "activePortRange=high|Option activePortRange must be min-max with 1 <= min <= max <= 65535, not high" })
    void anInvalidValueStopsTheRouteWithAnErrorNamingTheOption(String option, String expected) throws Exception {
        String from = uri("autoftp", server, server.port(), "inbox", "initialDelay=0&" + option);
        Exception failure = assertThrows(Exception.class, () -> startRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from(from).routeId("download").to("file:" + temp.resolve("target"));
            }
        }));
        String all = PasswordMaskingTest.messages(failure);
        assertTrue(all.contains(expected), "expected '" + expected + "' in:\n" + all);
        assertFalse(all.contains(PASSWORD), "password leaked:\n" + all);
    }

    /** What Camel's duration conversion reads is still accepted, ISO-8601 included. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = { "0|0", "500|500", "5s|5000", "1h30m|5400000", "2d|172800000", "PT10S|10000",
        "250ms|250" })
    void aDurationCamelUnderstandsIsAccepted(String value, long millis) throws Exception {
        context = new DefaultCamelContext();
        context.start();
        AutoFtpEndpoint endpoint = context.getEndpoint(uri("autoftp", server, server.port(), "inbox",
                "modeMemoryTtl=" + value), AutoFtpEndpoint.class);
        assertEquals(millis, endpoint.getDataChannelOptions().getModeMemoryTtl());
    }
}
