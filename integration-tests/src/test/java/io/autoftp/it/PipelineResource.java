package io.autoftp.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import java.nio.file.Path;
import java.util.Map;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * The partner's HTTP API for the pipeline: WireMock in the test JVM on a free port, answering every POST to
 * {@code /partner/orders} with 200 (tests add stubs of their own, e.g. a 500 for one file name). Its URL becomes
 * {@code partner-api.url}; {@code pipeline.data-dir} goes to target/pipeline-data. Injected into {@link PartnerApi}
 * fields of type {@link WireMockServer}.
 */
public class PipelineResource implements QuarkusTestResourceLifecycleManager {

    static final String PATH = "/partner/orders";

    private WireMockServer wireMock;

    @Override
    public Map<String, String> start() {
        wireMock = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        wireMock.start();
        wireMock.stubFor(post(urlPathEqualTo(PATH)).atPriority(10)
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBody("{\"status\":\"accepted\"}")));
        return Map.of("partner-api.url", "http://127.0.0.1:" + wireMock.port() + PATH,
                // the outbox and the dead-letter notes, also for the packaged service of the *IT classes
                "pipeline.data-dir", Path.of("target", "pipeline-data").toAbsolutePath().toString());
    }

    @Override
    public void inject(TestInjector testInjector) {
        testInjector.injectIntoFields(wireMock,
                new TestInjector.AnnotatedAndMatchesType(PartnerApi.class, WireMockServer.class));
    }

    @Override
    public void stop() {
        if (wireMock != null) {
            wireMock.stop();
        }
    }
}
