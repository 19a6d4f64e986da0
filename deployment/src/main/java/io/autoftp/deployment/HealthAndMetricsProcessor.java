package io.autoftp.deployment;

import java.util.List;
import java.util.Optional;

import io.autoftp.runtime.AutoFtpBuildTimeConfig;
import io.autoftp.runtime.health.AutoFtpReadinessCheck;
import io.autoftp.runtime.health.ClaimStoreReadinessCheck;
import io.autoftp.runtime.metrics.AutoFtpMetricsRecorder;
import io.quarkus.arc.deployment.ExcludedTypeBuildItem;
import io.quarkus.deployment.Capabilities;
import io.quarkus.deployment.Capability;
import io.quarkus.deployment.annotations.BuildProducer;
import io.quarkus.deployment.annotations.BuildStep;
import io.quarkus.deployment.annotations.ExecutionTime;
import io.quarkus.deployment.annotations.Record;
import io.quarkus.deployment.metrics.MetricsCapabilityBuildItem;
import io.quarkus.runtime.metrics.MetricsFactory;
import io.quarkus.smallrye.health.deployment.spi.HealthBuildItem;
import org.apache.camel.quarkus.core.deployment.spi.RuntimeCamelContextCustomizerBuildItem;

/**
 * The readiness check and the Micrometer meters, each only when the application has the extension it needs
 * ({@code quarkus-smallrye-health}, {@code quarkus-micrometer}); the runtime module depends on neither but optionally.
 */
class HealthAndMetricsProcessor {

    /**
     * The readiness checks {@code autoftp} and {@code autoftp-claims}. The runtime jar is indexed (Camel Quarkus needs that), so with SmallRye
     * Health present its {@code @Readiness} class would be found as a bean even when disabled: excluded then.
     */
    @BuildStep
    void readinessCheck(Capabilities capabilities, AutoFtpBuildTimeConfig config, BuildProducer<HealthBuildItem> checks,
            BuildProducer<ExcludedTypeBuildItem> excluded) {
        if (!capabilities.isPresent(Capability.SMALLRYE_HEALTH)) {
            return;
        }
        boolean enabled = config.health().enabled();
        // by name: SmallRye Health's API is an optional dependency here
        for (String check : List.of(AutoFtpReadinessCheck.class.getName(), ClaimStoreReadinessCheck.class.getName())) {
            checks.produce(new HealthBuildItem(check, enabled));
            if (!enabled) {
                excluded.produce(new ExcludedTypeBuildItem(check));
            }
        }
    }

    /** Binds the meters to both components before routes start, so the first connections count too. */
    @BuildStep
    @Record(ExecutionTime.RUNTIME_INIT)
    void meters(Optional<MetricsCapabilityBuildItem> metrics, AutoFtpBuildTimeConfig config,
            AutoFtpMetricsRecorder recorder, BuildProducer<RuntimeCamelContextCustomizerBuildItem> customizers) {
        if (config.metrics().enabled() && metrics.map(m -> m.metricsSupported(MetricsFactory.MICROMETER)).orElse(false)) {
            customizers.produce(new RuntimeCamelContextCustomizerBuildItem(recorder.metricsCustomizer()));
        }
    }
}
