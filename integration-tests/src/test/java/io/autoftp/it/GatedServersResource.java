package io.autoftp.it;

import java.util.Map;

import io.autoftp.testing.EmbeddedFtpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * The two servers of {@link FtpServersResource} (partner refuses passive, target refuses active), with the target
 * reached through a {@link ControlPortGate} that a test shuts to take the target "down" and opens to bring it back.
 * The gate is injected into a {@link FtpServers} field of type {@link ControlPortGate}.
 */
public class GatedServersResource implements QuarkusTestResourceLifecycleManager {

    private EmbeddedFtpServer partner;
    private EmbeddedFtpServer target;
    private ControlPortGate gate;

    @Override
    public Map<String, String> start() {
        partner = EmbeddedFtpServer.builder().refusePassive().start();
        target = EmbeddedFtpServer.builder().refuseActive().start();
        gate = new ControlPortGate(target.host(), target.port());
        return Map.ofEntries(
                Map.entry("quarkus.autoftp.servers.partner.host", partner.host()),
                Map.entry("quarkus.autoftp.servers.partner.port", String.valueOf(partner.port())),
                Map.entry("quarkus.autoftp.servers.partner.username", partner.username()),
                Map.entry("quarkus.autoftp.servers.partner.password", partner.password()),
                Map.entry("quarkus.autoftp.servers.target.host", gate.host()),
                Map.entry("quarkus.autoftp.servers.target.port", String.valueOf(gate.port())),
                Map.entry("quarkus.autoftp.servers.target.username", target.username()),
                Map.entry("quarkus.autoftp.servers.target.password", target.password()));
    }

    @Override
    public void inject(TestInjector testInjector) {
        testInjector.injectIntoFields(gate, new TestInjector.AnnotatedAndMatchesType(FtpServers.class, ControlPortGate.class));
    }

    @Override
    public void stop() {
        try {
            if (gate != null) {
                gate.close();
            }
        } finally {
            try {
                if (partner != null) {
                    partner.close();
                }
            } finally {
                if (target != null) {
                    target.close();
                }
            }
        }
    }
}
