package io.autoftp.deployment.devservices;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.Test;

/** Which servers get a Dev Services server, read from the configuration as the build sees it. */
class AutoFtpDevServicesPlanTest {

    private final List<String> warnings = new ArrayList<>();

    private List<DevFtpServerSpec> plan(Map<String, String> properties) {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(properties, "test", 100))
                .withMapping(AutoFtpDevServicesConfig.class)
                .build();
        return AutoFtpDevServicesProcessor.plan(config, config.getConfigMapping(AutoFtpDevServicesConfig.class),
                warnings::add);
    }

    @Test
    void serversWithoutHostFromBothPrefixes() {
        List<DevFtpServerSpec> specs = plan(Map.of(
                "quarkus.autoftp.servers.partner.host", "ftp.partner.example",
                "quarkus.autoftp.servers.declared.options.binary", "true",
                "quarkus.autoftp.servers.declared.username", "alice",
                "quarkus.autoftp.servers.declared.port", "2121",
                "quarkus.autoftp.servers.\"dotted.name\".password", "pw",
                "quarkus.autoftp.devservices.servers.switches.refuse-passive", "true",
                "quarkus.autoftp.devservices.servers.switches.seed-directory", "samples",
                "quarkus.autoftp.devservices.servers.switches.username", "bob"));
        assertEquals(List.of(
                new DevFtpServerSpec("declared", 2121, "alice", "dev", false, false, Optional.empty()),
                new DevFtpServerSpec("dotted.name", 0, "dev", "pw", false, false, Optional.empty()),
                new DevFtpServerSpec("switches", 0, "bob", "dev", false, true, Optional.of(Path.of("samples")))),
                specs);
        assertEquals(Path.of("samples").toAbsolutePath(), specs.get(2).seedDirectory().get(), "absolute");
        assertEquals(List.of(), warnings);
    }

    @Test
    void theServersOwnLoginWinsOverTheDevServicesOne() {
        assertEquals(List.of(new DevFtpServerSpec("s", 0, "alice", "wonderland", true, false, Optional.empty())),
                plan(Map.of(
                        "quarkus.autoftp.servers.s.username", "alice",
                        "quarkus.autoftp.servers.s.password", "wonderland",
                        "quarkus.autoftp.devservices.servers.s.username", "bob",
                        "quarkus.autoftp.devservices.servers.s.password", "builder",
                        "quarkus.autoftp.devservices.servers.s.refuse-active", "true")));
    }

    @Test
    void aHostOrFtpsMeansNoServerAndAWarningWhenSwitchesAreSet() {
        assertEquals(List.of(), plan(Map.of(
                "quarkus.autoftp.servers.real.host", "ftp.example.com",
                "quarkus.autoftp.devservices.servers.real.refuse-passive", "true",
                "quarkus.autoftp.servers.tls.secure", "true")));
        assertEquals(2, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("quarkus.autoftp.servers.real.host is set"), warnings.get(0));
        assertTrue(warnings.get(1).contains("tls has secure=true"), warnings.get(1));
    }

    @Test
    void aBlankHostIsNoHost() {
        assertEquals(1, plan(Map.of("quarkus.autoftp.servers.blank.host", " ")).size());
    }

    @Test
    void serverNames() {
        assertEquals(Optional.of("partner"), AutoFtpDevServicesProcessor.serverName("partner.host"));
        assertEquals(Optional.of("partner"), AutoFtpDevServicesProcessor.serverName("partner.options.binary"));
        assertEquals(Optional.of("ftp.example"), AutoFtpDevServicesProcessor.serverName("\"ftp.example\".port"));
        assertEquals(Optional.empty(), AutoFtpDevServicesProcessor.serverName("partner"));
        assertEquals(Optional.empty(), AutoFtpDevServicesProcessor.serverName("\"unclosed.host"));
        assertEquals(Optional.empty(), AutoFtpDevServicesProcessor.serverName(".host"));
    }

    @Test
    void keysQuoteNamesWithDots() {
        assertEquals("quarkus.autoftp.servers.dev.host", AutoFtpDevServicesProcessor.serverKey("dev", "host"));
        assertEquals("quarkus.autoftp.servers.\"ftp.example\".host",
                AutoFtpDevServicesProcessor.serverKey("ftp.example", "host"));
    }
}
