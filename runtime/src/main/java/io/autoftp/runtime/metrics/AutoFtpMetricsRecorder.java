package io.autoftp.runtime.metrics;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.autoftp.client.ServerKey;
import io.autoftp.runtime.AutoFtpRuntimeConfig;
import io.quarkus.runtime.RuntimeValue;
import io.quarkus.runtime.annotations.Recorder;
import org.apache.camel.spi.CamelContextCustomizer;

/**
 * Binds {@link AutoFtpMeters} to the components before routes start, so that the first data connections are counted
 * too. Recorded only when the application has {@code quarkus-micrometer}; nothing here touches Micrometer before then.
 */
@Recorder
public class AutoFtpMetricsRecorder {

    private final RuntimeValue<AutoFtpRuntimeConfig> config;

    public AutoFtpMetricsRecorder(RuntimeValue<AutoFtpRuntimeConfig> config) {
        this.config = config;
    }

    public RuntimeValue<CamelContextCustomizer> metricsCustomizer() {
        Map<String, List<String>> servers = new HashMap<>();
        config.getValue().servers().forEach((name, server) -> server.host().map(String::trim)
                .filter(host -> !host.isEmpty())
                .ifPresent(host -> servers.computeIfAbsent(server.scheme(), s -> new ArrayList<>())
                        // camel-ftp's default port is 21 for ftp and ftps alike
                        .add(ServerKey.of(host, server.port().orElse(21)))));
        return new RuntimeValue<>(context -> AutoFtpMeters.bind(context, servers));
    }
}
