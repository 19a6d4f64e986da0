package io.autoftp.pipeline;

import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * Called before each redelivery (routes/pipeline.yaml, {@code onRedeliveryRef}): keeps the number of redeliveries in
 * an exchange property for the dead-letter note. The error handler's own {@code CamelRedeliveryCounter} header does
 * not survive a failed camel-http call, which leaves a message with the HTTP response's headers only.
 */
@ApplicationScoped
@Named("redeliveryCounter")
@RegisterForReflection(methods = true, fields = false)
public class RedeliveryCounter implements Processor {

    /** The exchange property: how many times the failed step was tried again. */
    public static final String REDELIVERIES = "pipelineRedeliveries";

    @Override
    public void process(Exchange exchange) {
        Integer counter = exchange.getIn().getHeader(Exchange.REDELIVERY_COUNTER, Integer.class);
        int previous = exchange.getProperty(REDELIVERIES, 0, Integer.class);
        exchange.setProperty(REDELIVERIES, counter != null ? Math.max(counter, previous + 1) : previous + 1);
    }
}
