package io.autoftp.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.UnknownHostException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class PasvAddressPolicyTest {

    private static final String OPTION = "pasvAddressOption";

    /** Private, loopback, link-local, wildcard and carrier-grade NAT addresses a 227 reply may name. */
    private static final String[] LOCAL_ONLY = { "10.0.0.1", "10.255.255.254", "192.168.1.20", "172.16.0.5",
            "172.31.255.255", "127.0.0.1", "127.8.9.10", "169.254.10.20", "0.0.0.0", "100.64.0.1",
            "100.127.255.254" };
    /** Addresses routable on the internet, including neighbours of the local-only ranges. */
    private static final String[] ROUTABLE = { "203.0.113.5", "198.51.100.7", "8.8.4.4", "11.0.0.1", "172.15.255.255",
            "172.32.0.1", "192.169.0.1", "100.63.255.255", "100.128.0.1", "169.255.0.1", "126.255.255.255" };

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal); // literal: no name lookup
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    @ParameterizedTest
    @CsvSource({
            "control-host, CONTROL_HOST", "reply, REPLY", "reply-if-routable, REPLY_IF_ROUTABLE",
            "CONTROL_HOST, CONTROL_HOST", "REPLY, REPLY", "REPLY_IF_ROUTABLE, REPLY_IF_ROUTABLE",
            "Control-Host, CONTROL_HOST", "' reply-if-routable ', REPLY_IF_ROUTABLE", "reply_if_routable, REPLY_IF_ROUTABLE",
    })
    void parsesConfigValuesAndEnumNames(String value, PasvAddressPolicy expected) {
        assertSame(expected, PasvAddressPolicy.parse(value, OPTION));
    }

    @Test
    void configValueRoundTripsThroughParse() {
        for (PasvAddressPolicy policy : PasvAddressPolicy.values()) {
            assertEquals(policy.configValue(), policy.toString());
            assertSame(policy, PasvAddressPolicy.parse(policy.configValue(), OPTION));
            assertSame(policy, PasvAddressPolicy.parse(policy.name(), OPTION));
        }
        assertEquals("reply-if-routable", PasvAddressPolicy.REPLY_IF_ROUTABLE.configValue());
        assertEquals("control-host", PasvAddressPolicy.CONTROL_HOST.configValue());
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = { "", " ", "control", "host", "reply-if", "replyifroutable", "routable", "auto", "passive" })
    void rejectsBadValuesNamingTheOptionAndTheValue(String value) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PasvAddressPolicy.parse(value, OPTION));
        assertTrue(e.getMessage().contains(OPTION), e.getMessage());
        assertTrue(e.getMessage().contains("'" + value + "'"), e.getMessage());
        assertTrue(e.getMessage().contains("control-host, reply or reply-if-routable"), e.getMessage());
    }

    @Test
    void controlHostAlwaysUsesTheControlHost() {
        PasvAddressPolicy policy = PasvAddressPolicy.CONTROL_HOST;
        InetAddress control = ip("198.51.100.1");
        for (String reply : concat(LOCAL_ONLY, ROUTABLE)) {
            assertSame(control, policy.choose(ip(reply), control), reply);
        }
        InetAddress privateControl = ip("192.168.0.1");
        assertSame(privateControl, policy.choose(ip("203.0.113.9"), privateControl));
        assertSame(privateControl, policy.choose(ip("10.0.0.9"), privateControl));
    }

    @Test
    void replyAlwaysUsesTheReplyEvenAThirdHost() {
        PasvAddressPolicy policy = PasvAddressPolicy.REPLY;
        InetAddress control = ip("198.51.100.1");
        for (String reply : concat(LOCAL_ONLY, ROUTABLE)) {
            InetAddress replyAddress = ip(reply);
            assertSame(replyAddress, policy.choose(replyAddress, control), reply);
        }
        InetAddress thirdHost = ip("203.0.113.77");
        assertSame(thirdHost, policy.choose(thirdHost, ip("192.168.0.1")));
    }

    @Test
    void replyIfRoutableReplacesALocalOnlyReplyByAPublicControlHost() {
        PasvAddressPolicy policy = PasvAddressPolicy.REPLY_IF_ROUTABLE;
        for (String control : new String[] { "198.51.100.1", "8.8.8.8", "100.128.0.1" }) {
            InetAddress controlAddress = ip(control);
            for (String reply : LOCAL_ONLY) {
                assertSame(controlAddress, policy.choose(ip(reply), controlAddress), reply + " via " + control);
            }
        }
    }

    @Test
    void replyIfRoutableKeepsARoutableReply() {
        PasvAddressPolicy policy = PasvAddressPolicy.REPLY_IF_ROUTABLE;
        for (String control : new String[] { "198.51.100.1", "10.0.0.1", "127.0.0.1" }) {
            for (String reply : ROUTABLE) {
                InetAddress replyAddress = ip(reply);
                assertSame(replyAddress, policy.choose(replyAddress, ip(control)), reply + " via " + control);
            }
        }
    }

    @Test
    void replyIfRoutableKeepsALocalOnlyReplyWhenTheControlHostIsLocalOnlyToo() {
        PasvAddressPolicy policy = PasvAddressPolicy.REPLY_IF_ROUTABLE;
        for (String control : new String[] { "192.168.1.1", "10.1.1.1", "172.20.0.1", "127.0.0.1", "100.100.0.1",
                "169.254.0.1" }) {
            for (String reply : LOCAL_ONLY) {
                InetAddress replyAddress = ip(reply);
                assertSame(replyAddress, policy.choose(replyAddress, ip(control)), reply + " via " + control);
            }
        }
    }

    @Test
    void replyIfRoutableKeepsAReplyThatIsTheControlHost() {
        InetAddress reply = ip("10.0.0.5");
        assertSame(reply, PasvAddressPolicy.REPLY_IF_ROUTABLE.choose(reply, ip("10.0.0.5")));
        InetAddress publicReply = ip("203.0.113.5");
        assertSame(publicReply, PasvAddressPolicy.REPLY_IF_ROUTABLE.choose(publicReply, ip("203.0.113.5")));
    }

    @Test
    void isLocalOnlyClassifiesTheRanges() {
        for (String address : LOCAL_ONLY) {
            assertTrue(PasvAddressPolicy.isLocalOnly(ip(address)), address);
        }
        for (String address : ROUTABLE) {
            assertFalse(PasvAddressPolicy.isLocalOnly(ip(address)), address);
        }
        assertTrue(PasvAddressPolicy.isLocalOnly(ip("::1")));
        assertTrue(PasvAddressPolicy.isLocalOnly(ip("fe80::1")));
        assertFalse(PasvAddressPolicy.isLocalOnly(ip("2001:4860::8888")));
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
