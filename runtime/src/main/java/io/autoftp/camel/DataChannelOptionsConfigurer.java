package io.autoftp.camel;

import java.util.Locale;
import java.util.Map;

import org.apache.camel.CamelContext;
import org.apache.camel.support.component.PropertyConfigurerSupport;

/**
 * Binds {@link DataChannelOptions} by name, for the endpoint and component configurers of both schemes (the rest of
 * their options is camel-ftp's own generated configurers' job).
 */
final class DataChannelOptionsConfigurer {

    /** Option name (as in the URI) to its Java type. */
    static final Map<String, Class<?>> OPTIONS = Map.of(
            "dataChannel", String.class,
            "dataConnectTimeout", long.class,
            "pasvAddressPolicy", String.class,
            "activeExternalAddress", String.class,
            "modeMemoryTtl", long.class,
            "memorySafeDownload", boolean.class);

    private DataChannelOptionsConfigurer() {
    }

    static boolean configure(CamelContext context, DataChannelOptions target, String name, Object value,
            boolean ignoreCase) {
        String option = canonical(name, ignoreCase);
        if (option == null) {
            return false;
        }
        switch (option) {
            case "dataChannel" -> target.setDataChannel(PropertyConfigurerSupport.property(context, String.class, value));
            case "dataConnectTimeout" -> target.setDataConnectTimeout(
                    PropertyConfigurerSupport.property(context, long.class, value));
            case "pasvAddressPolicy" -> target.setPasvAddressPolicy(
                    PropertyConfigurerSupport.property(context, String.class, value));
            case "activeExternalAddress" -> target.setActiveExternalAddress(
                    PropertyConfigurerSupport.property(context, String.class, value));
            case "modeMemoryTtl" -> target.setModeMemoryTtl(PropertyConfigurerSupport.property(context, long.class, value));
            default -> target.setMemorySafeDownload(PropertyConfigurerSupport.property(context, boolean.class, value));
        }
        return true;
    }

    static Class<?> optionType(String name, boolean ignoreCase) {
        String option = canonical(name, ignoreCase);
        return option == null ? null : OPTIONS.get(option);
    }

    static Object optionValue(DataChannelOptions target, String name, boolean ignoreCase) {
        String option = canonical(name, ignoreCase);
        if (option == null) {
            return null;
        }
        return switch (option) {
            case "dataChannel" -> target.getDataChannel();
            case "dataConnectTimeout" -> target.getDataConnectTimeout();
            case "pasvAddressPolicy" -> target.getPasvAddressPolicy();
            case "activeExternalAddress" -> target.getActiveExternalAddress();
            case "modeMemoryTtl" -> target.getModeMemoryTtl();
            default -> target.isMemorySafeDownload();
        };
    }

    /** The option's own spelling, or null when it is not one of ours. */
    private static String canonical(String name, boolean ignoreCase) {
        if (OPTIONS.containsKey(name)) {
            return name;
        }
        if (ignoreCase) {
            String lower = name.toLowerCase(Locale.ROOT);
            for (String option : OPTIONS.keySet()) {
                if (option.toLowerCase(Locale.ROOT).equals(lower)) {
                    return option;
                }
            }
        }
        return null;
    }
}
