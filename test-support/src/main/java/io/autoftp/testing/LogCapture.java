package io.autoftp.testing;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import java.util.stream.Collectors;

/**
 * Captures every log record of the JVM at TRACE while open: java.util.logging, which receives SLF4J (through
 * slf4j-jdk14 in the plain component's tests, through JBoss LogManager with JBoss Logging and {@link System.Logger} in
 * Quarkus'). Console handlers are held at INFO meanwhile so that the build output stays readable. Each captured line is "LEVEL logger message" followed by the whole stack trace of any
 * throwable, so that a secret in an exception message or a cause is seen as well.
 */
public final class LogCapture implements AutoCloseable {

    /** One captured record. */
    public record Line(Level level, String logger, String text) {

        /**
         * A line Camel's engine logs below DEBUG with an endpoint URI as written, password included: Camel's, not
         * autoftp's. The plain component installs nothing global to mask those; the Quarkus extension does.
         */
        public boolean isCamelEngineTrace() {
            return level.intValue() < Level.FINE.intValue() && logger.startsWith("org.apache.camel.")
                   && !logger.startsWith("org.apache.camel.component.");
        }

        @Override
        public String toString() {
            return level + " " + logger + " " + text;
        }
    }

    private final List<Line> lines = new CopyOnWriteArrayList<>();
    private final Logger root = Logger.getLogger("");
    private final Level previousRootLevel;
    private final Map<Handler, Level> previousHandlerLevels = new HashMap<>();
    private final Handler handler;

    private LogCapture() {
        SimpleFormatter formatter = new SimpleFormatter();
        handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                String message = formatted(record, formatter);
                StringBuilder text = new StringBuilder(String.valueOf(message));
                if (record.getThrown() != null) {
                    StringWriter trace = new StringWriter();
                    record.getThrown().printStackTrace(new PrintWriter(trace));
                    text.append('\n').append(trace);
                }
                lines.add(new Line(record.getLevel(), String.valueOf(record.getLoggerName()), text.toString()));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        handler.setLevel(Level.ALL);
        previousRootLevel = root.getLevel();
        for (Handler h : root.getHandlers()) {
            previousHandlerLevels.put(h, h.getLevel());
            if (h.getLevel() == null || h.getLevel().intValue() < Level.INFO.intValue()) {
                h.setLevel(Level.INFO);
            }
        }
        root.addHandler(handler);
        root.setLevel(Level.ALL);
    }

    /**
     * The record's message with its parameters: JBoss LogManager's records (Quarkus) format themselves in any of their
     * styles (printf, MessageFormat), plain JUL ones through the formatter. JBoss LogManager is optional here: the plain
     * Camel component's tests run on plain JUL.
     */
    private static String formatted(LogRecord record, SimpleFormatter formatter) {
        if (record.getClass().getName().equals("org.jboss.logmanager.ExtLogRecord")) {
            try {
                return String.valueOf(record.getClass().getMethod("getFormattedMessage").invoke(record));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("JBoss LogManager's record changed", e);
            }
        }
        return formatter.formatMessage(record);
    }

    /** Starts capturing everything at TRACE. */
    public static LogCapture all() {
        return new LogCapture();
    }

    public List<Line> lines() {
        return List.copyOf(lines);
    }

    /** Captured lines containing {@code text} anywhere (message or stack trace). */
    public List<Line> containing(String text) {
        return lines.stream().filter(l -> l.text().contains(text)).collect(Collectors.toList());
    }

    /** Captured lines showing {@code secret}, except Camel's engine's own TRACE lines ({@link Line#isCamelEngineTrace}). */
    public List<Line> leaking(String secret) {
        return lines.stream().filter(l -> !l.isCamelEngineTrace() && l.text().contains(secret)).toList();
    }

    /** Captured lines at {@code level} or above. */
    public List<Line> atLeast(Level level) {
        List<Line> result = new ArrayList<>();
        for (Line l : lines) {
            if (l.level().intValue() >= level.intValue()) {
                result.add(l);
            }
        }
        return result;
    }

    public int size() {
        return lines.size();
    }

    @Override
    public void close() {
        root.removeHandler(handler);
        root.setLevel(previousRootLevel);
        previousHandlerLevels.forEach(Handler::setLevel);
    }
}
