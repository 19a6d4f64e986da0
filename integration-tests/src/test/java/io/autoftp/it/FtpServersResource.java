package io.autoftp.it;

import java.lang.reflect.Field;
import java.util.Map;

import io.autoftp.testing.EmbeddedFtpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Two real FTP servers in the test JVM, the situations the fallback is for:
 * <ul>
 * <li>{@code partner}, the source, answers PASV/EPSV with 502: only an active data channel works;</li>
 * <li>{@code target}, the destination, answers PORT/EPRT with 501: only a passive data channel works.</li>
 * </ul>
 * Their addresses and credentials become the named servers {@code quarkus.autoftp.servers.partner.*} and
 * {@code quarkus.autoftp.servers.target.*} that the routes use.
 */
public class FtpServersResource implements QuarkusTestResourceLifecycleManager {

    private EmbeddedFtpServer partner;
    private EmbeddedFtpServer target;

    @Override
    public Map<String, String> start() {
        partner = EmbeddedFtpServer.builder().refusePassive().start();
        target = EmbeddedFtpServer.builder().refuseActive().start();
        return Map.ofEntries(
                Map.entry("quarkus.autoftp.servers.partner.host", partner.host()),
                Map.entry("quarkus.autoftp.servers.partner.port", String.valueOf(partner.port())),
                Map.entry("quarkus.autoftp.servers.partner.username", partner.username()),
                Map.entry("quarkus.autoftp.servers.partner.password", partner.password()),
                Map.entry("partner.poll-delay", "300"),
                Map.entry("quarkus.autoftp.servers.target.host", target.host()),
                Map.entry("quarkus.autoftp.servers.target.port", String.valueOf(target.port())),
                Map.entry("quarkus.autoftp.servers.target.username", target.username()),
                Map.entry("quarkus.autoftp.servers.target.password", target.password()));
    }

    @Override
    public void inject(TestInjector testInjector) {
        testInjector.injectIntoFields(partner, new ByName("partner"));
        testInjector.injectIntoFields(target, new ByName("target"));
    }

    @Override
    public void stop() {
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

    /** An {@link FtpServers} field of type {@link EmbeddedFtpServer} with the given name. */
    private static final class ByName extends TestInjector.AnnotatedAndMatchesType {
        private final String name;

        ByName(String name) {
            super(FtpServers.class, EmbeddedFtpServer.class);
            this.name = name;
        }

        @Override
        public boolean test(Field field) {
            return super.test(field) && field.getName().equals(name);
        }
    }
}
