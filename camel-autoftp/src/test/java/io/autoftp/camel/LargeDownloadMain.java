package io.autoftp.camel;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;

/**
 * Runs one download route in a JVM of its own (started by {@link LargeFileMemoryTest} with a small heap): polls the
 * given {@code autoftp:} URI until one file has been written to the target folder, then exits 0 (or 2 on timeout).
 */
public final class LargeDownloadMain {

    private LargeDownloadMain() {
    }

    public static void main(String[] args) throws Exception {
        String from = args[0];
        Path target = Path.of(args[1]);
        CountDownLatch done = new CountDownLatch(1);
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            context.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from(from).to("file:" + target).process(e -> done.countDown());
                }
            });
            context.start();
            boolean finished = done.await(5, TimeUnit.MINUTES);
            System.out.println("heap max " + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MiB, file "
                               + (finished ? Files.size(target.resolve("big.bin")) + " bytes" : "missing"));
            System.exit(finished ? 0 : 2);
        }
    }
}
