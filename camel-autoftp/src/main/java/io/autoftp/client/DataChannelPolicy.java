package io.autoftp.client;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which data channel modes may be tried, in which order: {@code auto} (every mode, passive first, with memory),
 * {@code passive}, {@code active}, or an explicit list such as {@code EPSV,PASV,EPRT,PORT}.
 */
public final class DataChannelPolicy {

    private static final List<DataChannelMode> PASSIVE_FIRST = List.of(DataChannelMode.EPSV, DataChannelMode.PASV,
            DataChannelMode.EPRT, DataChannelMode.PORT);
    private static final List<DataChannelMode> ACTIVE_FIRST = List.of(DataChannelMode.EPRT, DataChannelMode.PORT,
            DataChannelMode.EPSV, DataChannelMode.PASV);

    private final String text;
    private final List<DataChannelMode> order;

    private DataChannelPolicy(String text, List<DataChannelMode> order) {
        this.text = text;
        this.order = Collections.unmodifiableList(order);
    }

    public static DataChannelPolicy auto() {
        return new DataChannelPolicy("auto", PASSIVE_FIRST);
    }

    /** {@code auto} with active modes first: what camel-ftp's {@code passiveMode=false} asks for when set explicitly. */
    public static DataChannelPolicy autoActiveFirst() {
        return new DataChannelPolicy("auto", ACTIVE_FIRST);
    }

    /**
     * Parses the {@code dataChannel} option.
     *
     * @param  value                    auto | passive | active | a comma separated list of EPSV, PASV, EPRT, PORT
     * @param  optionName               named in the error message, e.g. {@code dataChannel}
     * @throws IllegalArgumentException naming the option and the bad value
     */
    public static DataChannelPolicy parse(String value, String optionName) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("Option " + optionName + " must not be empty: use auto, passive, active"
                                               + " or a list of EPSV, PASV, EPRT, PORT");
        }
        String normalized = value.trim().toLowerCase(Locale.ROOT);
        switch (normalized) {
            case "auto":
                return auto();
            case "passive":
                return new DataChannelPolicy("passive", List.of(DataChannelMode.EPSV, DataChannelMode.PASV));
            case "active":
                return new DataChannelPolicy("active", List.of(DataChannelMode.EPRT, DataChannelMode.PORT));
            default:
                return parseList(value, optionName);
        }
    }

    private static DataChannelPolicy parseList(String value, String optionName) {
        List<DataChannelMode> modes = new ArrayList<>();
        Set<DataChannelMode> seen = EnumSet.noneOf(DataChannelMode.class);
        for (String part : value.split(",", -1)) {
            String name = part.trim().toUpperCase(Locale.ROOT);
            DataChannelMode mode;
            try {
                mode = DataChannelMode.valueOf(name);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("Option " + optionName + " has an invalid value '" + value
                                                   + "': '" + part.trim() + "' is not one of auto, passive, active,"
                                                   + " EPSV, PASV, EPRT, PORT");
            }
            if (!seen.add(mode)) {
                throw new IllegalArgumentException("Option " + optionName + " has an invalid value '" + value
                                                   + "': " + mode + " is listed twice");
            }
            modes.add(mode);
        }
        return new DataChannelPolicy(String.join(",", modes.stream().map(Enum::name).toList()), modes);
    }

    /** The modes to try, in order, for a control connection over IPv4 or IPv6 (IPv6 has only EPSV and EPRT). */
    public List<DataChannelMode> modesFor(boolean ipv6) {
        if (!ipv6) {
            return order;
        }
        return order.stream().filter(DataChannelMode::isExtended).toList();
    }

    /** Whether more than one mode may be tried, so that remembering what worked pays off. */
    public boolean isAdaptive() {
        return order.size() > 1;
    }

    public List<DataChannelMode> order() {
        return order;
    }

    @Override
    public String toString() {
        return text;
    }
}
