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

import org.jboss.logmanager.ExtLogRecord;

/**
 * Captures every log record of the JVM (java.util.logging through JBoss LogManager, which also receives SLF4J, JBoss
 * Logging and {@link System.Logger}) at TRACE while open; console handlers are held at INFO meanwhile so that the
 * build output stays readable. Each captured line is "LEVEL logger message" followed by the whole stack trace of any
 * throwable, so that a secret in an exception message or a cause is seen as well.
 */
public final class LogCapture implements AutoCloseable {

    /** One captured record. */
    public record Line(Level level, String logger, String text) {
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
                String message = record instanceof ExtLogRecord ext ? ext.getFormattedMessage()
                        : formatter.formatMessage(record);
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
