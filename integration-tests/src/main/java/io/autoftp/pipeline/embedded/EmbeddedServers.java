package io.autoftp.pipeline.embedded;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.camel.quarkus.main.events.AfterStop;
import org.apache.camel.quarkus.main.events.BeforeStart;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

/**
 * Starts the embedded default's two FTP servers, with the sample file set, just before Camel starts the routes
 * (so the first poll finds them): the partner refusing passive mode, the target refusing active mode. Only when
 * {@code pipeline.embedded.active} is true, which {@link EmbeddedDefaultConfigSourceFactory} sets when no server is
 * configured. They stop, and their home directories are deleted, once the routes have stopped.
 */
@ApplicationScoped
public class EmbeddedServers {

    private static final Logger LOG = Logger.getLogger("io.autoftp.pipeline.embedded");

    private final List<DemoFtpServer> running = new ArrayList<>();

    void beforeRoutesStart(@Observes BeforeStart event) throws IOException {
        Config config = ConfigProvider.getConfig();
        if (!config.getOptionalValue(EmbeddedDefaultConfigSourceFactory.ACTIVE, Boolean.class).orElse(false)) {
            return;
        }
        LOG.info("No FTP server configured (quarkus.autoftp.servers.partner.host, quarkus.autoftp.servers.target.host):"
                 + " running the embedded default, two FTP servers in this JVM with sample files."
                 + " Set pipeline.embedded=false to never do so.");
        DemoFtpServer partner = start(config, "partner", DemoFtpServer.Refuses.PASSIVE);
        SampleFiles.writePartnerFiles(partner.home());
        start(config, "target", DemoFtpServer.Refuses.ACTIVE);
        Path outbox = Path.of(config.getValue("pipeline.outbox", String.class));
        SampleFiles.writeOutboxFiles(outbox);
        LOG.infof("Sample files: partner inbox/ (2 valid CSV files, 1 invalid), partner relay/ (1 file), outbox %s"
                  + " (1 file); dead-letter notes go to %s", outbox.toAbsolutePath(),
                Path.of(config.getValue("pipeline.dead-letter-dir", String.class)).toAbsolutePath());
    }

    private synchronized DemoFtpServer start(Config config, String name, DemoFtpServer.Refuses refuses)
            throws IOException {
        String prefix = "quarkus.autoftp.servers." + name + ".";
        DemoFtpServer server = DemoFtpServer.start(name,
                config.getValue(prefix + "host", String.class),
                config.getValue(prefix + "port", Integer.class),
                config.getValue(prefix + "username", String.class),
                config.getValue(prefix + "password", String.class),
                refuses);
        running.add(server);
        return server;
    }

    /** After the routes stopped, so that no poll meets a server that is gone. */
    void afterRoutesStop(@Observes AfterStop event) {
        stop();
    }

    @PreDestroy
    synchronized void stop() {
        for (DemoFtpServer server : running) {
            try {
                server.close();
            } catch (RuntimeException e) {
                LOG.warnf("Could not stop an embedded FTP server: %s", e.toString());
            }
        }
        running.clear();
    }
}
