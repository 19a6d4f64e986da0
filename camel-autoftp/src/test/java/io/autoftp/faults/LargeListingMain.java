package io.autoftp.faults;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;

/**
 * Runs one download route in a JVM of its own (started by {@link LargeListingMemoryTest} with a small heap): polls the
 * given {@code autoftp:} URI until {@code count} files have been delivered, then prints the peak heap use and exits 0
 * (2 on timeout; an OutOfMemoryError ends the JVM with -XX:+ExitOnOutOfMemoryError).
 */
public final class LargeListingMain {

    private LargeListingMain() {
    }

    public static void main(String[] args) throws Exception {
        String from = args[0];
        Path target = Path.of(args[1]);
        int count = Integer.parseInt(args[2]);
        CountDownLatch done = new CountDownLatch(count);
        long started = System.nanoTime();
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            context.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from(from).to("file:" + target).process(e -> done.countDown());
                }
            });
            context.start();
            boolean finished = done.await(2, TimeUnit.MINUTES);
            long peak = 0;
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                if (pool.getType() == MemoryType.HEAP) {
                    peak += pool.getPeakUsage().getUsed();
                }
            }
            System.out.println("delivered " + (count - done.getCount()) + " of " + count + " in "
                               + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started) + " ms; heap max "
                               + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MiB, peak used (sum of pools) "
                               + peak / (1024 * 1024) + " MiB");
            System.exit(finished ? 0 : 2);
        }
    }
}
