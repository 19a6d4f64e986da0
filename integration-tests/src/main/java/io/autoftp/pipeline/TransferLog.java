package io.autoftp.pipeline;

import java.util.Map;

import io.autoftp.camel.AutoFtpComponent;
import io.autoftp.camel.NamedServer;
import io.autoftp.client.ModeMemory;
import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.jboss.logging.Logger;

/**
 * One log line per file that crossed an FTP server, with the data channel mode autoftp used for that server:
 *
 * <pre>
 * partner-inbox: downloaded orders-1001.csv (312 bytes) from partner 127.0.0.1:40121 over active (EPRT)
 * </pre>
 *
 * The mode is the one the {@code autoftp} component remembers for the server ({@code host:port}) right after the
 * transfer, from {@link AutoFtpComponent#getModeMemory()}.
 */
@ApplicationScoped
@Named("transferLog")
@RegisterForReflection(methods = true, fields = false)
public class TransferLog {

    private static final Logger LOG = Logger.getLogger("io.autoftp.pipeline");

    @Inject
    CamelContext camel;

    /** After a consumer received a file from the named server. */
    public void downloaded(Exchange exchange, String server) {
        log(exchange, "downloaded", "from", server);
    }

    /** After a producer wrote a file to the named server. */
    public void uploaded(Exchange exchange, String server) {
        log(exchange, "uploaded", "to", server);
    }

    /** "127.0.0.1:40121 over active (EPRT)", or with "mode not known yet" before any data connection. */
    public String describe(String server) {
        AutoFtpComponent component = camel.getComponent("autoftp", AutoFtpComponent.class);
        NamedServer named = component.getServers().get(server);
        if (named == null) {
            return "(no server named " + server + ")";
        }
        String host = named.host().contains(":") ? "[" + named.host() + "]" : named.host();
        String key = host + ":" + (named.port() > 0 ? named.port() : 21);
        Map<String, ModeMemory.Entry> modes = component.getModeMemory().snapshot();
        ModeMemory.Entry entry = modes.get(key);
        return key + (entry == null ? " (mode not known yet)" : " over " + entry.mode().describe());
    }

    private void log(Exchange exchange, String verb, String preposition, String server) {
        String name = exchange.getMessage().getHeader(Exchange.FILE_NAME, String.class);
        Long length = exchange.getMessage().getHeader(Exchange.FILE_LENGTH, Long.class);
        LOG.infof("%s: %s %s%s %s %s %s", exchange.getFromRouteId(), verb, name,
                length == null ? "" : " (" + length + " bytes)", preposition, server, describe(server));
    }
}
