package io.autoftp.pipeline.embedded;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * The sample file set of the embedded default, written when the servers start:
 * <ul>
 * <li>partner {@code inbox/}: two valid order files (POSTed to the partner API, then moved to {@code .done}) and one
 * with a short line (moved to {@code .error} with a dead-letter note, the API never called);</li>
 * <li>partner {@code relay/}: a price list that the {@code partner-to-target} route copies to the target's
 * {@code from-partner/};</li>
 * <li>the local outbox: an invoice that {@code outbox-push} uploads to the target's {@code outbox/}.</li>
 * </ul>
 */
final class SampleFiles {

    static final String HEADER = "order_id,customer,product,quantity,amount_eur";
    private static final String[] CUSTOMERS = { "ACME GmbH", "Globex Ltd", "Initech SA", "Umbrella BV" };
    private static final String[] PRODUCTS = { "widget", "gadget", "sprocket", "flange" };

    private SampleFiles() {
    }

    static void writePartnerFiles(Path home) throws IOException {
        Path inbox = Files.createDirectories(home.resolve("inbox"));
        write(inbox, "orders-1001.csv", orders(1001, 3));
        write(inbox, "orders-1002.csv", orders(2001, 250));
        write(inbox, "orders-1003.csv", HEADER + "\n3001,\"Hooli, Inc.\",widget,4,19.96\n3002,Hooli,gadget,1\n");
        Path relay = Files.createDirectories(home.resolve("relay"));
        write(relay, "price-list.csv", "product,price_eur\nwidget,4.99\ngadget,12.50\nsprocket,0.85\nflange,3.10\n");
    }

    static void writeOutboxFiles(Path outbox) throws IOException {
        Files.createDirectories(outbox);
        write(outbox, "invoice-2001.csv", "invoice_id,customer,amount_eur\n2001,ACME GmbH,1249.50\n");
    }

    static String orders(int firstId, int count) {
        StringBuilder csv = new StringBuilder(HEADER).append('\n');
        for (int i = 0; i < count; i++) {
            int id = firstId + i;
            int quantity = 1 + id % 9;
            csv.append(id).append(',')
                    .append('"').append(CUSTOMERS[id % CUSTOMERS.length]).append('"').append(',')
                    .append(PRODUCTS[(id / 3) % PRODUCTS.length]).append(',')
                    .append(quantity).append(',')
                    .append(String.format(Locale.ROOT, "%.2f", quantity * 4.99)).append('\n');
        }
        return csv.toString();
    }

    /** Written aside and renamed, so that no route ever reads half a file. */
    private static void write(Path dir, String name, String content) throws IOException {
        Path temp = dir.resolve("." + name + ".writing");
        Files.writeString(temp, content, StandardCharsets.UTF_8);
        Files.move(temp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
