package io.autoftp.pipeline;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;
import org.apache.camel.Exchange;
import org.apache.camel.http.base.HttpOperationFailedException;

/**
 * The JSON note the dead-letter route writes for a file that failed for good: which file, which route, how many
 * attempts, why, and where the file is now.
 *
 * <pre>
 * {"file":"orders-1003.csv","route":"partner-inbox","failedAt":"2025-...Z","attempts":4,
 *  "error":"HttpOperationFailedException","message":"HTTP operation failed invoking ... with statusCode: 500",
 *  "httpStatus":500,"fileNow":"inbox/.error on the partner's server"}
 * </pre>
 */
@ApplicationScoped
@Named("deadLetterNote")
@RegisterForReflection(methods = true, fields = false)
public class DeadLetterNote {

    /** The exchange property in which a route tells where a failed file ends up. */
    public static final String FILE_NOW = "pipelineFailedFileGoesTo";

    /** The exchange property holding the file's name (set by the route when the file arrives). */
    public static final String FILE_NAME = "pipelineFileName";

    /** The note for the failed exchange, from the exception the error handler caught. */
    public String toJson(Exchange exchange) {
        Throwable error = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        Integer redeliveries = exchange.getProperty(RedeliveryCounter.REDELIVERIES, Integer.class);
        Map<String, Object> note = new LinkedHashMap<>();
        String file = exchange.getProperty(FILE_NAME, String.class);
        note.put("file", file != null ? file : exchange.getMessage().getHeader(Exchange.FILE_NAME, String.class));
        note.put("route", exchange.getFromRouteId());
        note.put("failedAt", Instant.now().toString());
        note.put("attempts", 1 + (redeliveries == null ? 0 : redeliveries));
        if (error != null) {
            note.put("error", error.getClass().getSimpleName());
            note.put("message", error.getMessage());
            if (error instanceof HttpOperationFailedException http) {
                note.put("httpStatus", http.getStatusCode());
            }
        }
        // each route says where its failed files go (its consumer's moveFailed)
        note.put("fileNow", exchange.getProperty(FILE_NOW, "left where it was", String.class));
        return json(note);
    }

    static String json(Map<String, Object> values) {
        StringBuilder out = new StringBuilder("{");
        values.forEach((key, value) -> {
            if (out.length() > 1) {
                out.append(',');
            }
            quote(out, key);
            out.append(':');
            if (value == null) {
                out.append("null");
            } else if (value instanceof Number || value instanceof Boolean) {
                out.append(value);
            } else {
                quote(out, value.toString());
            }
        });
        return out.append("}\n").toString();
    }

    private static void quote(StringBuilder out, String text) {
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
