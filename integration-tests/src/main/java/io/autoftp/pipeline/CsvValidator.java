package io.autoftp.pipeline;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.apache.camel.Body;
import org.apache.camel.Header;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Checks a partner file before it is sent on: the name ends in {@code .csv}, the content is UTF-8, the first record is
 * the header ({@code pipeline.csv.header} when set, else any non-empty header) and every record has as many columns as
 * the header. Quoted fields may hold commas, doubled quotes and line breaks (RFC 4180).
 *
 * <p>
 * The file is read as a stream, one buffer at a time: a file larger than the heap is validated in constant memory.
 */
@ApplicationScoped
@Named("csvValidator")
@RegisterForReflection(methods = true, fields = false)
public class CsvValidator {

    private static final int BUFFER = 64 * 1024;

    @Inject
    @ConfigProperty(name = "pipeline.csv.header")
    Optional<List<String>> expectedHeader;

    /** What one valid file held. */
    public record Summary(long records, int columns) {
    }

    /**
     * Called from the route with the exchange's body as a stream (the autoftp consumer's work file) and the file's
     * name.
     *
     * @return the number of records after the header
     * @throws InvalidCsvException naming the file and the first wrong line
     */
    public long validate(@Body InputStream body, @Header("CamelFileName") String fileName)
            throws InvalidCsvException, IOException {
        String name = fileName == null ? "(no name)" : fileName;
        if (!name.toLowerCase(Locale.ROOT).endsWith(".csv")) {
            throw new InvalidCsvException(name + ": not a CSV file (the name does not end in .csv)");
        }
        if (body == null) {
            throw new InvalidCsvException(name + ": no content");
        }
        try (Reader reader = new InputStreamReader(body, StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT))) {
            return validate(name, reader).records();
        } catch (CharacterCodingException e) {
            throw new InvalidCsvException(name + ": not UTF-8 text", e);
        }
    }

    Summary validate(String name, Reader reader) throws InvalidCsvException, IOException {
        char[] buffer = new char[BUFFER];
        long line = 1; // the physical line we are on
        long recordLine = 1; // where the current record started
        long records = 0; // data records seen (the header excluded)
        int columns = -1; // the header's column count
        int fields = 1; // fields in the current record so far
        boolean quoted = false; // inside a quoted field
        boolean quoteInQuoted = false; // just saw a quote inside a quoted field: "" or the closing quote
        boolean fieldStart = true;
        boolean empty = true; // the current record has no character at all
        StringBuilder header = new StringBuilder();
        boolean lastWasCr = false;

        int n;
        while ((n = reader.read(buffer)) >= 0) {
            for (int i = 0; i < n; i++) {
                char c = buffer[i];
                if (lastWasCr) {
                    lastWasCr = false;
                    if (c == '\n') {
                        continue; // CRLF: the record ended at the CR
                    }
                }
                if (quoted) {
                    if (quoteInQuoted) {
                        quoteInQuoted = false;
                        if (c == '"') {
                            if (columns < 0) {
                                header.append(c);
                            }
                            continue; // "" is a quote in the field
                        }
                        quoted = false; // that quote closed the field: c is handled below
                    } else {
                        if (c == '"') {
                            quoteInQuoted = true;
                        } else {
                            if (c == '\n' || c == '\r') {
                                line++;
                                lastWasCr = c == '\r';
                            }
                            if (columns < 0) {
                                header.append(c);
                            }
                        }
                        continue;
                    }
                }
                if (c == '\n' || c == '\r') {
                    lastWasCr = c == '\r';
                    if (!empty) {
                        if (columns < 0) {
                            columns = checkHeader(name, header.toString(), fields);
                        } else if (fields != columns) {
                            throw new InvalidCsvException(name + " line " + recordLine + ": " + fields + " column"
                                                          + (fields == 1 ? "" : "s") + ", the header has " + columns);
                        } else {
                            records++;
                        }
                    } else if (columns < 0) {
                        throw new InvalidCsvException(name + " line " + recordLine + ": the header is empty");
                    }
                    line++;
                    recordLine = line;
                    fields = 1;
                    fieldStart = true;
                    empty = true;
                    continue;
                }
                empty = false;
                if (c == ',') {
                    fields++;
                    fieldStart = true;
                    if (columns < 0) {
                        header.append(c);
                    }
                    continue;
                }
                if (c == '"') {
                    if (!fieldStart) {
                        throw new InvalidCsvException(name + " line " + line + ": a quote inside an unquoted field");
                    }
                    quoted = true;
                    fieldStart = false;
                    continue;
                }
                if (columns < 0) {
                    header.append(c);
                }
                fieldStart = false;
            }
        }
        if (quoted && !quoteInQuoted) {
            throw new InvalidCsvException(name + " line " + recordLine + ": a quoted field is not closed");
        }
        if (!empty) { // the last record had no line break
            if (columns < 0) {
                columns = checkHeader(name, header.toString(), fields);
            } else if (fields != columns) {
                throw new InvalidCsvException(name + " line " + recordLine + ": " + fields + " column"
                                              + (fields == 1 ? "" : "s") + ", the header has " + columns);
            } else {
                records++;
            }
        }
        if (columns < 0) {
            throw new InvalidCsvException(name + ": empty file, no header");
        }
        return new Summary(records, columns);
    }

    private int checkHeader(String name, String header, int fields) throws InvalidCsvException {
        if (expectedHeader.isPresent()) {
            String expected = String.join(",", expectedHeader.get());
            if (!expected.equals(header.strip())) {
                throw new InvalidCsvException(name + " line 1: the header is '" + abbreviate(header)
                                              + "', expected '" + expected + "'");
            }
        }
        return fields;
    }

    private static String abbreviate(String text) {
        return text.length() <= 120 ? text : text.substring(0, 117) + "...";
    }
}
