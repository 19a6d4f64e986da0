package io.autoftp.client;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.commons.net.MalformedServerReplyException;

/**
 * Reads and writes the address forms of RFC 959 ({@code h1,h2,h3,h4,p1,p2} in PORT and 227 replies) and RFC 2428
 * ({@code |af|addr|port|} in EPRT, {@code (|||port|)} in 229 replies), validating every part: commons-net accepts
 * octets above 255 and ports of 0, and a hostile reply must never steer a data connection.
 */
public final class DataAddressCodec {

    /** Six comma separated numbers standing alone: after a space, '=' or the start, before a space, '.' or the end. */
    private static final Pattern SIX_NUMBERS = Pattern.compile(
            "(?<![^\\s=])(\\d{1,3}),(\\d{1,3}),(\\d{1,3}),(\\d{1,3}),(\\d{1,3}),(\\d{1,3})(?![^\\s.])");
    private static final Pattern IPV4_LITERAL = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    /** Starts with a hex digit or ':' so that the JDK parses it as a literal and never asks a resolver. */
    private static final Pattern IPV6_LITERAL = Pattern.compile("[0-9A-Fa-f:][0-9A-Fa-f:.]*");
    private static final Pattern PORT_NUMBER = Pattern.compile("[0-9]{1,5}");

    private DataAddressCodec() {
    }

    /** Parses a {@code 227 Entering Passive Mode (h1,h2,h3,h4,p1,p2)} reply (brackets optional, as servers vary). */
    public static DataEndpoint parsePasvReply(String reply) throws MalformedServerReplyException {
        String text = firstLine(reply);
        if (!text.startsWith("227") || (text.length() > 3 && " -".indexOf(text.charAt(3)) < 0)) {
            throw malformed("PASV reply does not start with 227", reply);
        }
        String found = findSixNumbers(text.substring(Math.min(4, text.length())), reply);
        try {
            return sixNumbers(found);
        } catch (IllegalArgumentException e) {
            throw malformed("PASV reply address is invalid: " + e.getMessage(), reply);
        }
    }

    /**
     * The address part of a 227 reply: exactly what is inside the brackets when there are brackets, else the one run
     * of six numbers that stands alone (some servers write {@code 227 Entering Passive Mode 1,2,3,4,5,6}).
     */
    private static String findSixNumbers(String text, String reply) throws MalformedServerReplyException {
        int open = text.indexOf('(');
        if (open >= 0) {
            int close = text.indexOf(')', open);
            String inner = close < 0 ? "" : text.substring(open + 1, close).trim();
            if (!SIX_NUMBERS.matcher(inner).matches()) {
                throw malformed("PASV reply has no h1,h2,h3,h4,p1,p2 address", reply);
            }
            if (text.indexOf('(', close) >= 0 || SIX_NUMBERS.matcher(text.substring(close)).find()) {
                throw malformed("PASV reply has more than one address", reply);
            }
            return inner;
        }
        Matcher m = SIX_NUMBERS.matcher(text);
        if (!m.find()) {
            throw malformed("PASV reply has no h1,h2,h3,h4,p1,p2 address", reply);
        }
        String found = m.group();
        if (m.find()) {
            throw malformed("PASV reply has more than one address", reply);
        }
        return found;
    }

    /** Parses a {@code 229 Entering Extended Passive Mode (|||port|)} reply; the answer has no address. */
    public static DataEndpoint parseEpsvReply(String reply) throws MalformedServerReplyException {
        String text = firstLine(reply);
        if (!text.startsWith("229")) {
            throw malformed("EPSV reply does not start with 229", reply);
        }
        int open = text.indexOf('(');
        int close = text.indexOf(')', open + 1);
        if (open < 0 || close < 0) {
            throw malformed("EPSV reply has no (|||port|) part", reply);
        }
        String inner = text.substring(open + 1, close);
        if (inner.length() < 5) {
            throw malformed("EPSV reply (|||port|) part is too short", reply);
        }
        char d = inner.charAt(0);
        if (d < 33 || d > 126 || Character.isDigit(d)) {
            throw malformed("EPSV reply uses an invalid delimiter '" + d + "'", reply);
        }
        String prefix = "" + d + d + d;
        if (!inner.startsWith(prefix) || inner.charAt(inner.length() - 1) != d) {
            throw malformed("EPSV reply must have the form (" + prefix + "port" + d + ")", reply);
        }
        String port = inner.substring(3, inner.length() - 1);
        try {
            return new DataEndpoint(null, port(port));
        } catch (IllegalArgumentException e) {
            throw malformed("EPSV reply port is invalid: " + e.getMessage(), reply);
        }
    }

    /** Parses the argument of a PORT command: exactly {@code h1,h2,h3,h4,p1,p2}. */
    public static DataEndpoint parsePortArgument(String argument) {
        String text = argument == null ? "" : argument.trim();
        Matcher m = SIX_NUMBERS.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("PORT argument '" + argument + "' is not h1,h2,h3,h4,p1,p2");
        }
        return sixNumbers(text);
    }

    /** Parses the argument of an EPRT command: {@code |1|ipv4|port|} or {@code |2|ipv6|port|}, no host names. */
    public static DataEndpoint parseEprtArgument(String argument) {
        String text = argument == null ? "" : argument.trim();
        if (text.length() < 7) {
            throw new IllegalArgumentException("EPRT argument '" + argument + "' is too short for |af|addr|port|");
        }
        char d = text.charAt(0);
        String[] parts = text.split(Pattern.quote(String.valueOf(d)), -1);
        if (d < 33 || d > 126 || parts.length != 5 || !parts[0].isEmpty() || !parts[4].isEmpty()) {
            throw new IllegalArgumentException("EPRT argument '" + argument + "' is not of the form |af|addr|port|");
        }
        InetAddress address;
        switch (parts[1]) {
            case "1":
                address = ipv4(parts[2]);
                break;
            case "2":
                address = ipv6(parts[2]);
                break;
            default:
                throw new IllegalArgumentException("EPRT argument '" + argument + "' has unknown address family '"
                                                   + parts[1] + "' (1 = IPv4, 2 = IPv6)");
        }
        return new DataEndpoint(address, port(parts[3]));
    }

    /** Formats a PORT argument. */
    public static String formatPort(InetAddress address, int port) {
        if (!(address instanceof Inet4Address)) {
            throw new IllegalArgumentException("PORT needs an IPv4 address, not " + address);
        }
        checkPort(port);
        byte[] b = address.getAddress();
        return (b[0] & 0xff) + "," + (b[1] & 0xff) + "," + (b[2] & 0xff) + "," + (b[3] & 0xff) + ","
               + (port >> 8) + "," + (port & 0xff);
    }

    /** Formats an EPRT argument. */
    public static String formatEprt(InetAddress address, int port) {
        checkPort(port);
        String host = address.getHostAddress();
        if (address instanceof Inet6Address) {
            int scope = host.indexOf('%'); // the zone index is local to this host: never send it
            return "|2|" + (scope < 0 ? host : host.substring(0, scope)) + "|" + port + "|";
        }
        return "|1|" + host + "|" + port + "|";
    }

    private static DataEndpoint sixNumbers(String text) {
        String[] n = text.split(",");
        byte[] address = new byte[4];
        for (int i = 0; i < 4; i++) {
            address[i] = (byte) octet(n[i], "h" + (i + 1));
        }
        int port = octet(n[4], "p1") * 256 + octet(n[5], "p2");
        checkPort(port);
        try {
            return new DataEndpoint(InetAddress.getByAddress(address), port);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // four bytes are always a valid address
        }
    }

    private static int octet(String value, String name) {
        int v = Integer.parseInt(value); // at most three digits: always fits
        if (v > 255) {
            throw new IllegalArgumentException(name + "=" + v + " is above 255");
        }
        return v;
    }

    private static int port(String value) {
        if (!PORT_NUMBER.matcher(value).matches()) {
            throw new IllegalArgumentException("port '" + value + "' is not a number from 1 to 65535");
        }
        int port = Integer.parseInt(value);
        checkPort(port);
        return port;
    }

    private static void checkPort(int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is outside 1-65535");
        }
    }

    private static InetAddress ipv4(String text) {
        Matcher m = IPV4_LITERAL.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not an IPv4 address");
        }
        byte[] b = new byte[4];
        for (int i = 0; i < 4; i++) {
            b[i] = (byte) octet(m.group(i + 1), "octet " + (i + 1));
        }
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static InetAddress ipv6(String text) {
        if (!text.contains(":") || !IPV6_LITERAL.matcher(text).matches()) {
            throw new IllegalArgumentException("'" + text + "' is not an IPv6 address");
        }
        try {
            InetAddress address = InetAddress.getByName(text);
            if (!(address instanceof Inet6Address)) {
                throw new IllegalArgumentException("'" + text + "' is not an IPv6 address");
            }
            return address;
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + text + "' is not an IPv6 address");
        }
    }

    private static String firstLine(String reply) {
        if (reply == null) {
            return "";
        }
        int end = reply.indexOf('\n');
        return (end < 0 ? reply : reply.substring(0, end)).trim();
    }

    private static MalformedServerReplyException malformed(String why, String reply) {
        return new MalformedServerReplyException(why + ": " + (reply == null ? "(no reply)" : bounded(reply.trim())));
    }

    /** Most of a server's text that is quoted in a message or a log line: a hostile reply can be megabytes long. */
    static final int MAX_QUOTED = 300;

    /** {@code text}, cut after {@link #MAX_QUOTED} characters. */
    static String bounded(String text) {
        return text.length() <= MAX_QUOTED ? text
                : text.substring(0, MAX_QUOTED) + "... (" + text.length() + " characters)";
    }
}
