package io.autoftp.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** The line pump the proxies share: an FTP control stream copied line by line (LF-terminated, normally CRLF). */
final class ControlLines {

    /** What to do with one line. */
    @FunctionalInterface
    interface Handler {
        /**
         * @param  raw the line with its terminator (none for an unterminated tail at the end of the stream)
         * @return     false to stop relaying: the connection is to be dropped
         */
        boolean line(byte[] raw, OutputStream out) throws IOException;
    }

    private ControlLines() {
    }

    /**
     * Hands each line of {@code in} to {@code handler}, flushing {@code out} after every read.
     *
     * @return true at the end of the stream, false when the handler stopped it
     */
    static boolean relay(InputStream in, OutputStream out, Handler handler) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(256);
        byte[] buf = new byte[8192];
        int r;
        while ((r = in.read(buf)) != -1) {
            for (int i = 0; i < r; i++) {
                line.write(buf[i]);
                if (buf[i] == '\n') {
                    if (!handler.line(line.toByteArray(), out)) {
                        return false;
                    }
                    line.reset();
                }
            }
            out.flush();
        }
        if (line.size() > 0 && !handler.line(line.toByteArray(), out)) {
            return false;
        }
        out.flush();
        return true;
    }

    /** The line's text, without its CRLF or LF. */
    static String text(byte[] raw) {
        return new String(raw, 0, textEnd(raw), StandardCharsets.UTF_8);
    }

    /** The line's terminator: CRLF, LF or nothing. */
    static String terminator(byte[] raw) {
        int end = textEnd(raw);
        return new String(raw, end, raw.length - end, StandardCharsets.ISO_8859_1);
    }

    private static int textEnd(byte[] raw) {
        int end = raw.length;
        if (end > 0 && raw[end - 1] == '\n') {
            end--;
        }
        if (end > 0 && raw[end - 1] == '\r') {
            end--;
        }
        return end;
    }
}
