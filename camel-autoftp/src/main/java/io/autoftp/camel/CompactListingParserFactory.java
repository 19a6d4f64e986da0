package io.autoftp.camel;

import java.io.BufferedReader;
import java.io.IOException;
import java.util.Calendar;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.commons.net.ftp.FTPClientConfig;
import org.apache.commons.net.ftp.FTPFile;
import org.apache.commons.net.ftp.FTPFileEntryParser;
import org.apache.commons.net.ftp.parser.FTPFileEntryParserFactory;
import org.apache.commons.net.ftp.parser.ParserInitializationException;

/**
 * Keeps a directory listing small in memory. commons-net gives every entry its own {@code GregorianCalendar} and its
 * own copies of the owner and group names: about 750 bytes an entry, so a listing of 100,000 files takes some 90 MB of
 * heap while camel-ftp polls it, and a 96 MiB JVM dies. The parsers made here share, within one listing, equal owner
 * and group strings and equal timestamps (one {@code Calendar} instance per distinct time: treat an entry's timestamp
 * as read-only, as camel-ftp does).
 */
final class CompactListingParserFactory implements FTPFileEntryParserFactory {

    /** Distinct values remembered per listing; past that, entries keep their own. */
    private static final int MAX_SHARED = 50_000;

    private final FTPFileEntryParserFactory delegate;

    CompactListingParserFactory(FTPFileEntryParserFactory delegate) {
        this.delegate = delegate;
    }

    @Override
    public FTPFileEntryParser createFileEntryParser(String key) throws ParserInitializationException {
        return new Compacting(delegate.createFileEntryParser(key));
    }

    @Override
    public FTPFileEntryParser createFileEntryParser(FTPClientConfig config) throws ParserInitializationException {
        return new Compacting(delegate.createFileEntryParser(config));
    }

    private static final class Compacting implements FTPFileEntryParser {
        private final FTPFileEntryParser parser;
        private final Map<String, String> strings = new HashMap<>();
        private final Map<TimeKey, Calendar> times = new HashMap<>();

        Compacting(FTPFileEntryParser parser) {
            this.parser = parser;
        }

        /** A time and which of its fields the listing gave (a year-only date is not the same as midnight). */
        private record TimeKey(long millis, String zone, boolean hours, boolean minutes, boolean seconds) {
        }

        @Override
        public FTPFile parseFTPEntry(String listEntry) {
            FTPFile file = parser.parseFTPEntry(listEntry);
            if (file != null) {
                file.setUser(share(file.getUser()));
                file.setGroup(share(file.getGroup()));
                Calendar time = file.getTimestamp();
                if (time != null && times.size() < MAX_SHARED) {
                    TimeKey key = new TimeKey(time.getTimeInMillis(), time.getTimeZone().getID(),
                            time.isSet(Calendar.HOUR_OF_DAY), time.isSet(Calendar.MINUTE), time.isSet(Calendar.SECOND));
                    file.setTimestamp(times.computeIfAbsent(key, k -> time));
                }
            }
            return file;
        }

        private String share(String value) {
            if (value == null || strings.size() >= MAX_SHARED) {
                return value;
            }
            return strings.computeIfAbsent(value, v -> v);
        }

        @Override
        public String readNextEntry(BufferedReader reader) throws IOException {
            return parser.readNextEntry(reader);
        }

        @Override
        public List<String> preParse(List<String> original) {
            strings.clear(); // a new listing: nothing is shared across listings
            times.clear();
            return parser.preParse(original);
        }
    }
}
