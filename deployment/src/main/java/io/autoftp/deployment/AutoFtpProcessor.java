package io.autoftp.deployment;

import io.autoftp.camel.AutoFtpComponent;
import io.autoftp.camel.AutoFtpComponentConfigurer;
import io.autoftp.camel.AutoFtpEndpoint;
import io.autoftp.camel.AutoFtpEndpointConfigurer;
import io.autoftp.camel.AutoFtpsComponent;
import io.autoftp.camel.AutoFtpsComponentConfigurer;
import io.autoftp.camel.AutoFtpsEndpoint;
import io.autoftp.camel.AutoFtpsEndpointConfigurer;
import io.autoftp.camel.DataChannelOptions;
import io.autoftp.runtime.AutoFtpRecorder;
import io.autoftp.runtime.LogMaskingRecorder;
import io.quarkus.deployment.annotations.BuildStep;
import io.quarkus.deployment.annotations.ExecutionTime;
import io.quarkus.deployment.annotations.Record;
import io.quarkus.deployment.builditem.FeatureBuildItem;
import io.quarkus.deployment.builditem.IndexDependencyBuildItem;
import io.quarkus.deployment.builditem.nativeimage.ReflectiveClassBuildItem;
import org.apache.camel.quarkus.core.deployment.spi.RuntimeCamelContextCustomizerBuildItem;

/**
 * Build steps of the autoftp extension.
 *
 * <p>
 * How Camel Quarkus finds the {@code autoftp} component: it reads {@code META-INF/services/org/apache/camel/**} only
 * from <em>application archives</em> (jars with a Jandex index, or named by an {@link IndexDependencyBuildItem}). The
 * component service file is then bound into the Camel registry at static init (the component class is instantiated by
 * the recorder through its public no-arg constructor), and the configurer service files become entries of Camel
 * Quarkus' build-time {@code FastFactoryFinderResolver}, so no service file has to be a native image resource.
 */
class AutoFtpProcessor {

    private static final String FEATURE = "autoftp";

    private static final String GROUP_ID = "io.autoftp";
    private static final String COMPONENT_ARTIFACT_ID = "camel-autoftp";

    /** At static init, before Camel logs any endpoint URI: passwords masked in Camel's own TRACE lines. */
    @BuildStep
    @Record(ExecutionTime.STATIC_INIT)
    void logMasking(LogMaskingRecorder recorder) {
        recorder.install();
    }

    /** Applies {@code quarkus.autoftp.*} (defaults and named servers) to both components before routes start. */
    @BuildStep
    @Record(ExecutionTime.RUNTIME_INIT)
    RuntimeCamelContextCustomizerBuildItem componentCustomizer(AutoFtpRecorder recorder) {
        return new RuntimeCamelContextCustomizerBuildItem(recorder.componentCustomizer());
    }

    @BuildStep
    FeatureBuildItem feature() {
        return new FeatureBuildItem(FEATURE);
    }

    /**
     * Makes the plain component jar (which has no Jandex index of its own: it is not a Quarkus artifact) an application
     * archive, so that Camel Quarkus reads its {@code META-INF/services/org/apache/camel} files.
     */
    @BuildStep
    IndexDependencyBuildItem indexComponentJar() {
        return new IndexDependencyBuildItem(GROUP_ID, COMPONENT_ARTIFACT_ID);
    }

    /**
     * Camel creates the component and the configurers by reflection (no-arg constructors) from the service files, and
     * reads the endpoint's getters and setters (e.g. for {@code EndpointHelper} and the runtime catalog).
     */
    @BuildStep
    ReflectiveClassBuildItem reflectiveCamelClasses() {
        return ReflectiveClassBuildItem.builder(
                AutoFtpComponent.class,
                AutoFtpEndpoint.class,
                AutoFtpComponentConfigurer.class,
                AutoFtpEndpointConfigurer.class,
                AutoFtpsComponent.class,
                AutoFtpsEndpoint.class,
                AutoFtpsComponentConfigurer.class,
                AutoFtpsEndpointConfigurer.class)
                .constructors()
                .methods()
                .build();
    }

    /** The {@code @UriParams} bean nested in the endpoint and the component: bound by name, so fields too. */
    @BuildStep
    ReflectiveClassBuildItem reflectiveDataChannelOptions() {
        return ReflectiveClassBuildItem.builder(DataChannelOptions.class)
                .constructors()
                .methods()
                .fields()
                .build();
    }
}
