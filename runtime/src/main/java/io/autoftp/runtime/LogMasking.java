package io.autoftp.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Filter;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.camel.util.SensitiveUtils;
import org.apache.camel.util.URISupport;
import org.jboss.logmanager.ExtLogRecord;

/**
 * Keeps passwords out of Camel's own TRACE lines. Camel logs every endpoint URI as written, password included, at
 * TRACE while it resolves endpoints ("Getting endpoint with uri: ...", "Resolved property placeholders with uri: ...",
 * "Creating endpoint uri=[...], parameters=[{password=...}]", "No precondition found, the Route[...]"); its source
 * says "at trace level its okay to have parameters logged, that may contain passwords". Ours is that no level is.
 *
 * <p>{@link #install()} puts a filter on the loggers of those categories that masks URI passwords (query options such
 * as {@code password=RAW(...)}, and the user info of {@code scheme://user:password@host}) and sensitive entries of
 * printed maps, the way {@link URISupport#sanitizeUri} does. It works through {@code java.util.logging}, i.e. with
 * JBoss LogManager (Quarkus) and plain JUL; with another SLF4J backend it does nothing. The Quarkus extension installs
 * it at static init, and the {@code autoftp} and {@code autoftps} component classes when they are initialized; in
 * plain Camel, call it before the first route is created to cover the lines Camel logs before it looks up the
 * component.
 */
public final class LogMasking {

    /** Camel categories that log raw endpoint URIs or their parameters. */
    static final List<String> CATEGORIES = List.of(
            "org.apache.camel.impl.engine.AbstractCamelContext",
            "org.apache.camel.impl.engine.DefaultRoute",
            "org.apache.camel.impl.PreconditionHelper",
            "org.apache.camel.support.DefaultComponent",
            "org.apache.camel.support.EndpointHelper",
            "org.apache.camel.support.PropertyBindingSupport",
            "org.apache.camel.support.component.PropertyConfigurerSupport");

    /** {@code key=value} entries of a printed map ({@code {a=1, password=x}}) whose key is sensitive. */
    private static final Pattern MAP_SECRET = Pattern.compile(
            "([{,]\\s*[\\w.-]*(?:" + SensitiveUtils.getSensitivePattern() + ")[\\w.-]*)=([^,}]*)", Pattern.CASE_INSENSITIVE);

    /** The password of each {@code scheme://user:password@} in a text (Camel's own pattern covers one URI only). */
    private static final Pattern USER_INFO_SECRET = Pattern.compile("([a-zA-Z][\\w+.-]*://[^/\\s:@]*:)([^@\\s]*)@");

    /** Strong references: {@code java.util.logging} may otherwise forget a logger, and its filter with it. */
    private static final List<Logger> MASKED = new ArrayList<>();

    private LogMasking() {
    }

    /** Masks passwords in the lines of Camel's URI-logging categories; idempotent. */
    public static synchronized void install() {
        if (!MASKED.isEmpty()) {
            return;
        }
        for (String category : CATEGORIES) {
            Logger logger = Logger.getLogger(category);
            logger.setFilter(new Masking(withoutMasking(logger.getFilter())));
            MASKED.add(logger);
        }
    }

    /** The filter on a category: masks the record, then asks the filter that was there before. */
    public static final class Masking implements Filter {
        private final Filter next;

        Masking(Filter next) {
            this.next = next;
        }

        public Filter next() {
            return next;
        }

        @Override
        public boolean isLoggable(LogRecord record) {
            mask(record);
            return next == null || next.isLoggable(record);
        }
    }

    /**
     * {@code filter}, or the one under it when it is a {@link Masking} of another class loader (Quarkus dev mode and
     * tests load this class anew for each application start, while the loggers stay): replaced, not stacked up.
     */
    private static Filter withoutMasking(Filter filter) {
        if (filter == null || !filter.getClass().getName().equals(Masking.class.getName())) {
            return filter;
        }
        try {
            return withoutMasking((Filter) filter.getClass().getMethod("next").invoke(filter));
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    static void mask(LogRecord record) {
        String message = record.getMessage();
        if (message != null) {
            String masked = mask(message);
            if (masked.equals(message)) {
                // nothing to mask
            } else if (record instanceof ExtLogRecord ext) {
                // its setMessage(String) would also turn a formatted line into a MessageFormat pattern, and
                // formatting "{password=xxxxxx, binary=true}" as one fails: the line would be lost
                ext.setMessage(masked, ext.getFormatStyle());
            } else {
                record.setMessage(masked);
            }
        }
        Object[] parameters = record.getParameters();
        if (parameters != null) {
            for (int i = 0; i < parameters.length; i++) {
                if (parameters[i] != null && !(parameters[i] instanceof Number) && !(parameters[i] instanceof Boolean)) {
                    String text = String.valueOf(parameters[i]);
                    String masked = mask(text);
                    if (!masked.equals(text)) {
                        parameters[i] = masked;
                    }
                }
            }
        }
    }

    /** {@code text} with URI passwords and sensitive map entries masked as {@code xxxxxx}. */
    public static String mask(String text) {
        String masked = text;
        if (masked.contains("://") || masked.contains("=")) {
            Matcher userInfo = USER_INFO_SECRET.matcher(masked);
            if (userInfo.find()) {
                masked = userInfo.replaceAll("$1xxxxxx@");
            }
            try {
                masked = URISupport.sanitizeUri(masked);
            } catch (RuntimeException e) {
                // not URI-like after all: the map pattern below still applies
            }
            Matcher m = MAP_SECRET.matcher(masked);
            if (m.find()) {
                masked = m.replaceAll("$1=xxxxxx");
            }
        }
        return masked;
    }
}
