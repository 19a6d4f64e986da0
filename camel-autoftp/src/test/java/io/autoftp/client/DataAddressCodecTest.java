package io.autoftp.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.apache.commons.net.MalformedServerReplyException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class DataAddressCodecTest {

    static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal); // literals only: no name lookup
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    static String messageOf(Throwable t) {
        return t.getMessage() == null ? "" : t.getMessage();
    }

    static void assertContains(String message, String... fragments) {
        for (String fragment : fragments) {
            assertTrue(message.contains(fragment), () -> "message '" + message + "' should contain '" + fragment + "'");
        }
    }

    // ---------------------------------------------------------------------------------------------------- 227 / PASV

    @Nested
    class PasvReply {

        @ParameterizedTest
        @CsvSource(delimiter = ';', value = {
                "227 Entering Passive Mode (192,168,1,2,19,137).; 192.168.1.2; 5001",
                "227 Entering Passive Mode 192,168,1,2,19,137; 192.168.1.2; 5001",
                "227 Entering Passive Mode (10,0,0,1,200,10). Ready when you are; 10.0.0.1; 51210",
                "227 =127,0,0,1,4,1; 127.0.0.1; 1025",
                "227 Entering Passive Mode (1,2,3,4,255,255); 1.2.3.4; 65535",
                "227 Entering Passive Mode (1,2,3,4,0,1); 1.2.3.4; 1",
                "227 Entering Passive Mode (1,2,3,4,1,0); 1.2.3.4; 256",
                "227 Entering Passive Mode (255,255,255,255,117,48); 255.255.255.255; 30000",
                "227 Entering Passive Mode (001,002,003,004,000,021); 1.2.3.4; 21",
                "227 Entering Passive Mode(203,0,113,7,39,16); 203.0.113.7; 10000",
        })
        void parsesValidReplies(String reply, String address, int port) throws Exception {
            DataEndpoint endpoint = DataAddressCodec.parsePasvReply(reply);
            assertEquals(ip(address), endpoint.address());
            assertInstanceOf(Inet4Address.class, endpoint.address());
            assertEquals(port, endpoint.port());
        }

        @Test
        void onlyTheFirstLineCountsAndLineEndingsAreIgnored() throws Exception {
            DataEndpoint endpoint = DataAddressCodec.parsePasvReply("227 Entering Passive Mode (10,1,2,3,4,5)\r\n");
            assertEquals(new DataEndpoint(ip("10.1.2.3"), 4 * 256 + 5), endpoint);
            // a second address on the next line is not looked at
            assertEquals(new DataEndpoint(ip("10.1.2.3"), 1029),
                    DataAddressCodec.parsePasvReply("227 Entering Passive Mode (10,1,2,3,4,5)\r\n9,9,9,9,9,9\r\n"));
        }

        @ParameterizedTest
        @CsvSource({ "0,1", "0,255", "1,0", "1,1", "19,137", "127,255", "128,0", "200,200", "255,0", "255,255" })
        void portIsP1Times256PlusP2(int p1, int p2) throws Exception {
            DataEndpoint endpoint = DataAddressCodec.parsePasvReply(
                    "227 Entering Passive Mode (9,8,7,6," + p1 + "," + p2 + ")");
            assertEquals(p1 * 256 + p2, endpoint.port());
            assertEquals(ip("9.8.7.6"), endpoint.address());
        }

        static Stream<Arguments> malformedReplies() {
            return Stream.of(
                    // reply, a fragment the message must contain
                    Arguments.of("227 Entering Passive Mode (256,2,3,4,5,6)", "h1=256"),
                    Arguments.of("227 Entering Passive Mode (1,2,3,999,5,6)", "h4=999"),
                    Arguments.of("227 Entering Passive Mode (1,300,3,4,5,6)", "h2=300"),
                    Arguments.of("227 Entering Passive Mode (1,2,3,4,256,6)", "p1=256"),
                    Arguments.of("227 Entering Passive Mode (1,2,3,4,5,300)", "p2=300"),
                    Arguments.of("227 Entering Passive Mode (1,2,3,4,0,0)", "port 0"),
                    Arguments.of("227 Entering Passive Mode (1,2,3,4,5)", "no h1,h2,h3,h4,p1,p2"),
                    Arguments.of("227 Entering Passive Mode (1,2,3,4)", "no h1,h2,h3,h4,p1,p2"),
                    Arguments.of("227 Entering Passive Mode (1,2,3,4,5,6,7)", "no h1,h2,h3,h4,p1,p2"),
                    Arguments.of("227 Entering Passive Mode (1,2,3,4,5,-6)", "no h1,h2,h3,h4,p1,p2"),
                    Arguments.of("227 Entering Passive Mode (1,2,-3,4,5,6)", "no h1,h2,h3,h4,p1,p2"),
                    Arguments.of("227 Entering Passive Mode (1,2,3,4,-5,6)", "no h1,h2,h3,h4,p1,p2"),
                    Arguments.of("227 Entering Passive Mode (a,b,c,d,e,f)", "no h1,h2,h3,h4,p1,p2"),
                    Arguments.of("227 Entering Passive Mode (1,2,3,4,x,6)", "no h1,h2,h3,h4,p1,p2"),
                    Arguments.of("227 Entering Passive Mode (0x7f,0,0,1,4,1)", "no h1,h2,h3,h4,p1,p2"),
                    Arguments.of("227 Entering Passive Mode", "no h1,h2,h3,h4,p1,p2"),
                    Arguments.of("227", "no h1,h2,h3,h4,p1,p2"),
                    Arguments.of("227 Entering Passive Mode (1,2,3,4,5,6) (7,8,9,10,11,12)", "more than one address"),
                    Arguments.of("227 Entering Passive Mode 1,2,3,4,5,6 or 7,8,9,10,11,12", "more than one address"),
                    Arguments.of("227 Entering Passive Mode (1, 2, 3, 4, 5, 6)", "no h1,h2,h3,h4,p1,p2"),
                    Arguments.of("227 Entering Passive Mode (1,2,3,4,5 ,6)", "no h1,h2,h3,h4,p1,p2"),
                    Arguments.of("227 Entering Passive Mode (1,2,3 ,4,5,6)", "no h1,h2,h3,h4,p1,p2"),
                    Arguments.of("227 Entering Passive Mode (1000,2,3,4,5,6)", "no h1,h2,h3,h4,p1,p2"),
                    Arguments.of("227 Entering Passive Mode (1,2,3,4,5,1000)", "no h1,h2,h3,h4,p1,p2"),
                    Arguments.of("227 Entering Passive Mode (1,2,3,4,0005,6)", "no h1,h2,h3,h4,p1,p2"),
                    Arguments.of("227 Entering Passive Mode (1.2.3.4,5,6)", "no h1,h2,h3,h4,p1,p2"),
                    Arguments.of("229 Entering Extended Passive Mode (|||6446|)", "does not start with 227"),
                    Arguments.of("502 Command not implemented", "does not start with 227"),
                    Arguments.of("502 PASV not allowed (1,2,3,4,5,6)", "does not start with 227"),
                    Arguments.of("150 Opening data connection\r\n227 Entering Passive Mode (1,2,3,4,5,6)",
                            "does not start with 227"),
                    Arguments.of(" ", "does not start with 227"),
                    Arguments.of("", "does not start with 227"));
        }

        @ParameterizedTest
        @MethodSource("malformedReplies")
        void rejectsMalformedRepliesWithAUsefulMessage(String reply, String why) {
            MalformedServerReplyException e = assertThrows(MalformedServerReplyException.class,
                    () -> DataAddressCodec.parsePasvReply(reply));
            assertContains(messageOf(e), "PASV reply", why);
            if (!reply.isBlank()) {
                // the offending reply is quoted, so the log shows what the server said
                assertContains(messageOf(e), reply.trim());
            }
        }

        @Test
        void rejectsNullReply() {
            MalformedServerReplyException e = assertThrows(MalformedServerReplyException.class,
                    () -> DataAddressCodec.parsePasvReply(null));
            assertContains(messageOf(e), "does not start with 227", "(no reply)");
        }

        @ParameterizedTest
        @ValueSource(strings = {
                "227 Entering Passive Mode (-1,2,3,4,5,6)",
                "227 Entering Passive Mode -127,0,0,1,4,1",
        })
        void rejectsANegativeFirstNumber(String reply) {
            // a sign before the first number must not be read as surrounding text
            assertThrows(MalformedServerReplyException.class, () -> DataAddressCodec.parsePasvReply(reply));
        }
    }

    // ---------------------------------------------------------------------------------------------------- 229 / EPSV

    @Nested
    class EpsvReply {

        @ParameterizedTest
        @CsvSource(delimiter = ';', value = {
                "229 Entering Extended Passive Mode (|||6446|); 6446",
                "229 Entering Extended Passive Mode (!!!6446!); 6446",
                "229 Entering Extended Passive Mode (###1#); 1",
                "229 Entering Extended Passive Mode (~~~65535~); 65535",
                "229 Entering Extended Passive Mode (|||06446|); 6446",
                "229 Entering Extended Passive Mode (|||6446|). Have fun; 6446",
                "229 (|||21|); 21",
        })
        void parsesValidReplies(String reply, int port) throws Exception {
            DataEndpoint endpoint = DataAddressCodec.parseEpsvReply(reply);
            assertNull(endpoint.address(), "an EPSV reply carries no address");
            assertEquals(port, endpoint.port());
        }

        @Test
        void endpointWithoutAddressPrintsAQuestionMark() throws Exception {
            assertEquals("?:6446", DataAddressCodec.parseEpsvReply("229 Entering Extended Passive Mode (|||6446|)\r\n")
                    .toString());
        }

        static Stream<Arguments> malformedReplies() {
            return Stream.of(
                    Arguments.of("229 Entering Extended Passive Mode (|||6446!)", "must have the form (|||port|)"),
                    Arguments.of("229 Entering Extended Passive Mode (||!6446|)", "must have the form (|||port|)"),
                    Arguments.of("229 Entering Extended Passive Mode (!||6446|)", "must have the form (!!!port!)"),
                    Arguments.of("229 Entering Extended Passive Mode |||6446|", "no (|||port|) part"),
                    Arguments.of("229 Entering Extended Passive Mode (|||6446|", "no (|||port|) part"),
                    Arguments.of("229 Entering Extended Passive Mode |||6446|)", "no (|||port|) part"),
                    Arguments.of("229 Entering Extended Passive Mode (||||)", "too short"),
                    Arguments.of("229 Entering Extended Passive Mode (|||)", "too short"),
                    Arguments.of("229 Entering Extended Passive Mode (|||1)", "too short"),
                    Arguments.of("229 Entering Extended Passive Mode ()", "too short"),
                    Arguments.of("229 Entering Extended Passive Mode (|||||)", "port '|'"),
                    Arguments.of("229 Entering Extended Passive Mode (|||0|)", "port 0 is outside 1-65535"),
                    Arguments.of("229 Entering Extended Passive Mode (|||00000|)", "port 0 is outside 1-65535"),
                    Arguments.of("229 Entering Extended Passive Mode (|||65536|)", "port 65536 is outside 1-65535"),
                    Arguments.of("229 Entering Extended Passive Mode (|||99999|)", "port 99999 is outside 1-65535"),
                    Arguments.of("229 Entering Extended Passive Mode (|||99999999|)", "port '99999999'"),
                    Arguments.of("229 Entering Extended Passive Mode (|||abc|)", "port 'abc'"),
                    Arguments.of("229 Entering Extended Passive Mode (|||64a6|)", "port '64a6'"),
                    Arguments.of("229 Entering Extended Passive Mode (|||-1|)", "port '-1'"),
                    Arguments.of("229 Entering Extended Passive Mode (|||+6446|)", "port '+6446'"),
                    Arguments.of("229 Entering Extended Passive Mode (||| 6446|)", "port ' 6446'"),
                    Arguments.of("229 Entering Extended Passive Mode (1116441)", "invalid delimiter '1'"),
                    Arguments.of("229 Entering Extended Passive Mode (0006446" + "0)", "invalid delimiter '0'"),
                    Arguments.of("229 Entering Extended Passive Mode (   6446 )", "invalid delimiter ' '"),
                    Arguments.of("229 Entering Extended Passive Mode (|1|1.2.3.4|21|)", "must have the form"),
                    Arguments.of("229 Entering Extended Passive Mode (|2|::1|21|)", "must have the form"),
                    Arguments.of("229 Entering Extended Passive Mode (||1.2.3.4|21|)", "must have the form"),
                    Arguments.of("227 Entering Passive Mode (|||6446|)", "does not start with 229"),
                    Arguments.of("500 EPSV not understood", "does not start with 229"),
                    Arguments.of("502 Command not implemented (|||6446|)", "does not start with 229"),
                    Arguments.of(" ", "does not start with 229"),
                    Arguments.of("", "does not start with 229"));
        }

        @ParameterizedTest
        @MethodSource("malformedReplies")
        void rejectsMalformedRepliesWithAUsefulMessage(String reply, String why) {
            MalformedServerReplyException e = assertThrows(MalformedServerReplyException.class,
                    () -> DataAddressCodec.parseEpsvReply(reply));
            assertContains(messageOf(e), "EPSV reply", why);
            if (!reply.isBlank()) {
                assertContains(messageOf(e), reply.trim());
            }
        }

        @Test
        void rejectsNullReply() {
            MalformedServerReplyException e = assertThrows(MalformedServerReplyException.class,
                    () -> DataAddressCodec.parseEpsvReply(null));
            assertContains(messageOf(e), "(no reply)");
        }

        @ParameterizedTest
        @ValueSource(strings = {
                "229 Entering Extended Passive Mode (|||\u0666\u0664\u0664\u0666|)", // ARABIC-INDIC DIGITs "6446"
                "229 Entering Extended Passive Mode (|||\uff16\uff14\uff14\uff16|)", // FULLWIDTH DIGITs "6446"
        })
        void rejectsNonAsciiDigitsInThePort(String reply) {
            // RFC 2428 ports are ASCII decimal digits; Character.isDigit would accept any script's digits
            assertThrows(MalformedServerReplyException.class, () -> DataAddressCodec.parseEpsvReply(reply));
        }
    }

    // ------------------------------------------------------------------------------------------------------- PORT

    @Nested
    class PortArgument {

        @ParameterizedTest
        @CsvSource(delimiter = ';', value = {
                "192,168,1,2,19,137; 192.168.1.2; 5001",
                "' 127,0,0,1,4,1 '; 127.0.0.1; 1025",
                "1,2,3,4,0,1; 1.2.3.4; 1",
                "255,255,255,255,255,255; 255.255.255.255; 65535",
                "10,0,0,1,1,0; 10.0.0.1; 256",
        })
        void parsesValidArguments(String argument, String address, int port) {
            DataEndpoint endpoint = DataAddressCodec.parsePortArgument(argument);
            assertEquals(ip(address), endpoint.address());
            assertEquals(port, endpoint.port());
        }

        static Stream<Arguments> malformedArguments() {
            return Stream.of(
                    Arguments.of("256,2,3,4,5,6", "h1=256"),
                    Arguments.of("1,2,3,999,5,6", "h4=999"),
                    Arguments.of("1,2,3,4,256,1", "p1=256"),
                    Arguments.of("1,2,3,4,1,256", "p2=256"),
                    Arguments.of("1,2,3,4,0,0", "port 0"),
                    Arguments.of("1,2,3,4,5", "'1,2,3,4,5'"),
                    Arguments.of("1,2,3,4,5,6,7", "'1,2,3,4,5,6,7'"),
                    Arguments.of("-1,2,3,4,5,6", "'-1,2,3,4,5,6'"),
                    Arguments.of("1,2,3,4,5,-6", "'1,2,3,4,5,-6'"),
                    Arguments.of("a,b,c,d,e,f", "'a,b,c,d,e,f'"),
                    Arguments.of("1,2,3,4,5,6x", "'1,2,3,4,5,6x'"),
                    Arguments.of("1,2,3,4,5,6 7,8,9,10,11,12", "'1,2,3,4,5,6 7,8,9,10,11,12'"),
                    Arguments.of("1,2,3,4,5,6,7,8,9,10,11,12", "'1,2,3,4,5,6,7,8,9,10,11,12'"),
                    Arguments.of("1, 2,3,4,5,6", "'1, 2,3,4,5,6'"),
                    Arguments.of("1,2,3,4,5 ,6", "'1,2,3,4,5 ,6'"),
                    Arguments.of("1000,2,3,4,5,6", "'1000,2,3,4,5,6'"),
                    Arguments.of("1,2,3,4,5,1000", "'1,2,3,4,5,1000'"),
                    Arguments.of("(1,2,3,4,5,6)", "'(1,2,3,4,5,6)'"),
                    Arguments.of("1.2.3.4,5,6", "'1.2.3.4,5,6'"),
                    Arguments.of("", "''"),
                    Arguments.of("   ", "'   '"));
        }

        @ParameterizedTest
        @MethodSource("malformedArguments")
        void rejectsMalformedArguments(String argument, String why) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> DataAddressCodec.parsePortArgument(argument));
            assertContains(messageOf(e), why);
        }

        @Test
        void rejectsNull() {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> DataAddressCodec.parsePortArgument(null));
            assertContains(messageOf(e), "PORT argument", "h1,h2,h3,h4,p1,p2");
        }
    }

    // ------------------------------------------------------------------------------------------------------- EPRT

    @Nested
    class EprtArgument {

        @ParameterizedTest
        @CsvSource(delimiter = ';', value = {
                "|1|132.235.1.2|6275|; 132.235.1.2; 6275",
                "|2|::1|6275|; ::1; 6275",
                "|2|fe80::1|1|; fe80::1; 1",
                "|2|1080::8:800:200C:417A|5282|; 1080::8:800:200C:417A; 5282",
                "!1!10.0.0.1!65535!; 10.0.0.1; 65535",
                "#2#2001:db8::7#21#; 2001:db8::7; 21",
                "' |1|1.2.3.4|21| '; 1.2.3.4; 21",
        })
        void parsesValidArguments(String argument, String address, int port) {
            DataEndpoint endpoint = DataAddressCodec.parseEprtArgument(argument);
            assertEquals(ip(address), endpoint.address());
            assertEquals(ip(address).getClass(), endpoint.address().getClass());
            assertEquals(port, endpoint.port());
        }

        static Stream<Arguments> malformedArguments() {
            return Stream.of(
                    Arguments.of("|3|1.2.3.4|21|", "unknown address family '3'"),
                    Arguments.of("|0|1.2.3.4|21|", "unknown address family '0'"),
                    Arguments.of("||1.2.3.4|21|", "unknown address family ''"),
                    Arguments.of("|1|::1|21|", "'::1' is not an IPv4 address"),
                    Arguments.of("|1|fe80::1|6275|", "'fe80::1' is not an IPv4 address"),
                    Arguments.of("|2|1.2.3.4|21|", "'1.2.3.4' is not an IPv6 address"),
                    Arguments.of("|2|::ffff:1.2.3.4|21|", "is not an IPv6 address"),
                    Arguments.of("|1|localhost|21|", "'localhost' is not an IPv4 address"),
                    Arguments.of("|2|localhost|21|", "'localhost' is not an IPv6 address"),
                    Arguments.of("|1|ftp.example.com|21|", "'ftp.example.com' is not an IPv4 address"),
                    Arguments.of("|2|ip6-localhost|21|", "'ip6-localhost' is not an IPv6 address"),
                    Arguments.of("|2|fe80::1%eth0|21|", "is not an IPv6 address"),
                    Arguments.of("|2|fe80::1::2|21|", "is not an IPv6 address"),
                    Arguments.of("|2|abc:xyz|21|", "is not an IPv6 address"),
                    Arguments.of("|1|1.2.3|21|", "'1.2.3' is not an IPv4 address"),
                    Arguments.of("|1|1.2.3.4.5|21|", "is not an IPv4 address"),
                    Arguments.of("|1||21|", "'' is not an IPv4 address"),
                    Arguments.of("|1|256.1.1.1|21|", "octet 1=256 is above 255"),
                    Arguments.of("|1|1.2.3.999|21|", "octet 4=999 is above 255"),
                    Arguments.of("|1|1.2.3.4|0|", "port 0 is outside 1-65535"),
                    Arguments.of("|1|1.2.3.4|65536|", "port 65536 is outside 1-65535"),
                    Arguments.of("|1|1.2.3.4|99999999|", "port '99999999'"),
                    Arguments.of("|1|1.2.3.4||", "port ''"),
                    Arguments.of("|1|1.2.3.4|x21|", "port 'x21'"),
                    Arguments.of("|1|1.2.3.4|-21|", "port '-21'"),
                    Arguments.of("|1|1.2.3.4|21", "not of the form |af|addr|port|"),
                    Arguments.of("1|1.2.3.4|21|", "not of the form |af|addr|port|"),
                    Arguments.of("|1|1.2.3.4|", "not of the form |af|addr|port|"),
                    Arguments.of("|1|1.2.3.4|21|x", "not of the form |af|addr|port|"),
                    Arguments.of("|1|1.2.3.4|21|22|", "not of the form |af|addr|port|"),
                    Arguments.of("|1!1.2.3.4!21!", "not of the form |af|addr|port|"),
                    Arguments.of("\u00a71\u00a71.2.3.4\u00a721\u00a7", "not of the form |af|addr|port|"),
                    Arguments.of("|1|21|", "too short"),
                    Arguments.of("||||", "too short"),
                    Arguments.of("", "too short"));
        }

        @ParameterizedTest
        @MethodSource("malformedArguments")
        void rejectsMalformedArguments(String argument, String why) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> DataAddressCodec.parseEprtArgument(argument));
            assertContains(messageOf(e), why);
        }

        @Test
        void rejectsNull() {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> DataAddressCodec.parseEprtArgument(null));
            assertContains(messageOf(e), "EPRT argument", "too short");
        }

        @ParameterizedTest
        @ValueSource(strings = { "|1|1.2.3.4|\u0662\u0661|", "|2|::1|\uff12\uff11|" })
        void rejectsNonAsciiDigitsInThePort(String argument) {
            // ports are ASCII decimal digits only
            assertThrows(IllegalArgumentException.class, () -> DataAddressCodec.parseEprtArgument(argument));
        }

        /**
         * Runs {@link ResolverProbe} in a child JVM whose name service is a hosts file that maps names built only from
         * the characters of an IPv6 literal. If any of them is accepted, the codec has handed a host name to the
         * resolver (in production that is /etc/hosts, NSS, DNS) instead of rejecting it.
         */
        @Test
        void neverHandsAHostNameToTheResolver(@TempDir Path dir) throws Exception {
            Path hosts = dir.resolve("hosts");
            Files.writeString(hosts, String.join("\n",
                    "fe80::5 .:1", "fe80::5 .::1", "fe80::5 ..:", "fe80::5 localhost", "fe80::5 ip6-localhost",
                    "1.2.3.4 ftp.example.com", ""), StandardCharsets.US_ASCII);
            String classPath = String.join(File.pathSeparator, location(DataAddressCodec.class),
                    location(ResolverProbe.class), location(MalformedServerReplyException.class));
            Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
            List<String> command = new ArrayList<>(List.of(java.toString(), "-Djdk.net.hosts.file=" + hosts,
                    "-cp", classPath, ResolverProbe.class.getName()));
            command.addAll(ResolverProbe.ARGUMENTS);
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "probe JVM did not finish");
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(output.contains("PROBE DONE"), () -> "probe JVM failed: " + output);
            // text that the JDK would not parse as a literal must never reach the name service
            assertFalse(output.contains("ACCEPTED"), () -> "a host name was resolved:\n" + output);
        }

        private String location(Class<?> type) throws URISyntaxException {
            return Paths.get(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        }
    }

    /** Entry point of the child JVM of {@link EprtArgument#neverHandsAHostNameToTheResolver}. */
    public static final class ResolverProbe {

        static final List<String> ARGUMENTS = List.of("|2|.:1|21|", "|2|.::1|21|", "|2|..:|21|", "|2|localhost|21|",
                "|2|ip6-localhost|21|", "|1|localhost|21|", "|1|ftp.example.com|21|");

        public static void main(String[] args) {
            for (String argument : args) {
                try {
                    System.out.println("ACCEPTED " + argument + " -> " + DataAddressCodec.parseEprtArgument(argument));
                } catch (IllegalArgumentException e) {
                    System.out.println("rejected " + argument + ": " + e.getMessage());
                }
            }
            System.out.println("PROBE DONE");
        }
    }

    // --------------------------------------------------------------------------------------------------- formatting

    @Nested
    class Formatting {

        @ParameterizedTest
        @CsvSource(delimiter = ';', value = {
                "1.2.3.4; 5001; 1,2,3,4,19,137",
                "127.0.0.1; 1025; 127,0,0,1,4,1",
                "192.168.200.254; 1; 192,168,200,254,0,1",
                "255.255.255.255; 65535; 255,255,255,255,255,255",
                "10.0.0.1; 256; 10,0,0,1,1,0",
                "10.0.0.1; 255; 10,0,0,1,0,255",
        })
        void formatPortRoundTrips(String address, int port, String expected) {
            String formatted = DataAddressCodec.formatPort(ip(address), port);
            assertEquals(expected, formatted);
            assertEquals(new DataEndpoint(ip(address), port), DataAddressCodec.parsePortArgument(formatted));
        }

        @Test
        void formatPortRoundTripsThroughA227Reply() throws Exception {
            String formatted = DataAddressCodec.formatPort(ip("172.20.1.9"), 40123);
            assertEquals(new DataEndpoint(ip("172.20.1.9"), 40123),
                    DataAddressCodec.parsePasvReply("227 Entering Passive Mode (" + formatted + ")."));
        }

        @ParameterizedTest
        @ValueSource(strings = { "::1", "fe80::1", "2001:db8::1" })
        void formatPortRejectsIpv6(String address) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> DataAddressCodec.formatPort(ip(address), 21));
            assertContains(messageOf(e), "IPv4");
        }

        @Test
        void formatPortRejectsNullAddress() {
            assertThrows(IllegalArgumentException.class, () -> DataAddressCodec.formatPort(null, 21));
        }

        @ParameterizedTest
        @ValueSource(ints = { 0, -1, 65536, 100000 })
        void formatRejectsPortsOutOfRange(int port) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> DataAddressCodec.formatPort(ip("1.2.3.4"), port));
            assertContains(messageOf(e), "port " + port);
            IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class,
                    () -> DataAddressCodec.formatEprt(ip("1.2.3.4"), port));
            assertContains(messageOf(e2), "port " + port);
        }

        @ParameterizedTest
        @CsvSource(delimiter = ';', value = {
                "132.235.1.2; 6275; |1|132.235.1.2|6275|",
                "::1; 6275; |2|0:0:0:0:0:0:0:1|6275|",
                "fe80::1; 1; |2|fe80:0:0:0:0:0:0:1|1|",
                "2001:db8::7; 65535; |2|2001:db8:0:0:0:0:0:7|65535|",
        })
        void formatEprtRoundTrips(String address, int port, String expected) {
            String formatted = DataAddressCodec.formatEprt(ip(address), port);
            assertEquals(expected, formatted);
            DataEndpoint parsed = DataAddressCodec.parseEprtArgument(formatted);
            assertEquals(new DataEndpoint(ip(address), port), parsed);
            assertEquals(ip(address).getClass(), parsed.address().getClass());
        }

        @Test
        void formatEprtStripsANumericZoneId() throws Exception {
            Inet6Address scoped = Inet6Address.getByAddress(null, ip("fe80::1").getAddress(), 5);
            assertTrue(scoped.getHostAddress().contains("%5"), "precondition: the address carries a zone id");
            String formatted = DataAddressCodec.formatEprt(scoped, 2121);
            assertEquals("|2|fe80:0:0:0:0:0:0:1|2121|", formatted);
            assertEquals(new DataEndpoint(ip("fe80::1"), 2121), DataAddressCodec.parseEprtArgument(formatted));
        }

        @Test
        void formatEprtStripsAnInterfaceZoneId() throws Exception {
            NetworkInterface nif = interfaceNamed("eth0");
            Assumptions.assumeTrue(nif != null, "no network interface to scope an address with");
            Inet6Address scoped = Inet6Address.getByAddress(null, ip("fe80::1").getAddress(), nif);
            assertTrue(scoped.getHostAddress().endsWith("%" + nif.getName()), "precondition: zone id present");
            String formatted = DataAddressCodec.formatEprt(scoped, 21);
            assertEquals("|2|fe80:0:0:0:0:0:0:1|21|", formatted);
            assertFalse(formatted.contains("%"));
            assertEquals(new DataEndpoint(ip("fe80::1"), 21), DataAddressCodec.parseEprtArgument(formatted));
        }

        private NetworkInterface interfaceNamed(String preferred) throws SocketException {
            NetworkInterface nif = NetworkInterface.getByName(preferred);
            if (nif != null) {
                return nif;
            }
            return NetworkInterface.networkInterfaces().findFirst().orElse(null);
        }
    }
}
