package io.autoftp.pipeline;

import java.util.Map;

import io.autoftp.camel.AutoFtpComponent;
import io.autoftp.camel.NamedServer;
import io.autoftp.client.ModeMemory;
import io.autoftp.client.ServerPairMemory;
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
 * transfer, from {@link AutoFtpComponent#getModeMemory()}. A file moved from one server to the other
 * ({@code download=false} into {@code serverToServer=auto}) names the way it went, as remembered for the pair:
 *
 * <pre>
 * partner-to-target: moved price-list.csv (69 bytes) from partner 127.0.0.1:40121 to target 127.0.0.1:40123
 *   server-to-server (127.0.0.1:40123 passive, 127.0.0.1:40121 active)
 * </pre>
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

    /** After a producer stored a file that its consumer left on the {@code source} server (download=false). */
    public void moved(Exchange exchange, String source, String target) {
        String name = exchange.getMessage().getHeader(Exchange.FILE_NAME, String.class);
        Long length = exchange.getMessage().getHeader(Exchange.FILE_LENGTH, Long.class);
        String from = key(source);
        String to = key(target);
        ServerPairMemory.Entry entry = component().getModeMemory().serverPairs().snapshot()
                .get(ServerPairMemory.pair(from, to));
        LOG.infof("%s: moved %s%s from %s %s to %s %s %s", exchange.getFromRouteId(), name,
                length == null ? "" : " (" + length + " bytes)", source, from, target, to,
                entry == null ? "(way not known)" : entry.route().describe(from, to));
    }

    /** "127.0.0.1:40121 over active (EPRT)", or with "mode not known yet" before any data connection. */
    public String describe(String server) {
        String key = key(server);
        if (key.startsWith("(")) {
            return key;
        }
        Map<String, ModeMemory.Entry> modes = component().getModeMemory().snapshot();
        ModeMemory.Entry entry = modes.get(key);
        return key + (entry == null ? " (mode not known yet)" : " over " + entry.mode().describe());
    }

    private AutoFtpComponent component() {
        return camel.getComponent("autoftp", AutoFtpComponent.class);
    }

    /** {@code host:port} of a named server, or "(no server named ...)". */
    private String key(String server) {
        NamedServer named = component().getServers().get(server);
        if (named == null) {
            return "(no server named " + server + ")";
        }
        String host = named.host().contains(":") ? "[" + named.host() + "]" : named.host();
        return host + ":" + (named.port() > 0 ? named.port() : 21);
    }

    private void log(Exchange exchange, String verb, String preposition, String server) {
        String name = exchange.getMessage().getHeader(Exchange.FILE_NAME, String.class);
        Long length = exchange.getMessage().getHeader(Exchange.FILE_LENGTH, Long.class);
        LOG.infof("%s: %s %s%s %s %s %s", exchange.getFromRouteId(), verb, name,
                length == null ? "" : " (" + length + " bytes)", preposition, server, describe(server));
    }
}
