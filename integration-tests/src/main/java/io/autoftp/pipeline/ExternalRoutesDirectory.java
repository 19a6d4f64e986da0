package io.autoftp.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.camel.quarkus.main.events.BeforeConfigure;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Routes may come from a directory outside the jar, {@code pipeline.routes-dir}: every {@code *.yaml} there is loaded
 * with the jar's own routes ({@code camel.main.routes-include-pattern}). Camel fails on a directory that does not
 * exist, so it is created (empty) before Camel looks into it.
 */
@ApplicationScoped
public class ExternalRoutesDirectory {

    private static final Logger LOG = Logger.getLogger("io.autoftp.pipeline");

    @ConfigProperty(name = "pipeline.routes-dir")
    Path directory;

    void beforeCamelLoadsRoutes(@Observes BeforeConfigure event) {
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            LOG.warnf("Could not create the routes directory %s (pipeline.routes-dir): %s", directory, e.toString());
            return;
        }
        LOG.infof("Routes: classpath:routes/*.yaml and %s/*.yaml (pipeline.routes-dir)", directory.toAbsolutePath());
    }
}
