package io.autoftp.it;

import java.nio.file.Path;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/** A {@link StreamingSink} as the partner's HTTP API ({@code partner-api.url}), injected into {@link PartnerApi} fields. */
public class StreamingSinkResource implements QuarkusTestResourceLifecycleManager {

    private StreamingSink sink;

    @Override
    public Map<String, String> start() {
        sink = new StreamingSink();
        return Map.of("partner-api.url", sink.url("/partner/orders"),
                "pipeline.data-dir", Path.of("target", "pipeline-data-large").toAbsolutePath().toString());
    }

    @Override
    public void inject(TestInjector testInjector) {
        testInjector.injectIntoFields(sink, new TestInjector.AnnotatedAndMatchesType(PartnerApi.class, StreamingSink.class));
    }

    @Override
    public void stop() {
        if (sink != null) {
            sink.close();
        }
    }
}
