package io.autoftp.runtime.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.autoftp.client.DataChannelException.FailureKind;
import io.autoftp.client.DataChannelMode;
import io.autoftp.client.ModeMemory;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

/** The meters, fed by listener events and the mode memory. */
class AutoFtpMetersTest {

    private static final String SERVER = "ftp.example.com:21";

    @Test
    void countersGaugesAndRemoval() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ModeMemory memory = new ModeMemory();
        AutoFtpMeters meters = new AutoFtpMeters(registry, memory);
        meters.gauges("named.example.com:2121");
        memory.addListener(meters);

        assertEquals(0.0, registry.get("autoftp.mode").tags("server", "named.example.com:2121", "mode", "EPSV")
                .gauge().value(), "a named server has its gauges before any traffic");

        meters.onModeFailed(SERVER, DataChannelMode.EPSV, FailureKind.REFUSED_BY_SERVER);
        meters.onModeFailed(SERVER, DataChannelMode.PASV, FailureKind.CONNECT_TIMED_OUT);
        meters.onOpened(SERVER, DataChannelMode.EPRT, "RETR");
        meters.onFallback(SERVER, DataChannelMode.EPSV, DataChannelMode.EPRT);
        memory.remember(SERVER, DataChannelMode.EPRT, "", Duration.ofMinutes(10));
        meters.onClosed(SERVER, DataChannelMode.EPRT, "RETR", 1000, 0);
        meters.onOpened(SERVER, DataChannelMode.EPRT, "STOR");
        meters.onClosed(SERVER, DataChannelMode.EPRT, "STOR", 0, 500);
        meters.onOpened(SERVER, DataChannelMode.EPRT, "MLSD");
        meters.onClosed(SERVER, DataChannelMode.EPRT, "MLSD", 42, 0);

        assertEquals(3.0, registry.get("autoftp.data.connections")
                .tags("server", SERVER, "mode", "EPRT", "outcome", "opened").counter().count());
        assertEquals(1.0, registry.get("autoftp.data.connections")
                .tags("server", SERVER, "mode", "EPSV", "outcome", "failed").counter().count());
        assertEquals(1.0, registry.get("autoftp.data.connections")
                .tags("server", SERVER, "mode", "PASV", "outcome", "failed").counter().count());
        assertEquals(1.0, registry.get("autoftp.fallbacks").tags("server", SERVER, "from", "EPSV", "to", "EPRT")
                .counter().count());
        for (DataChannelMode mode : DataChannelMode.values()) {
            assertEquals(mode == DataChannelMode.EPRT ? 1.0 : 0.0,
                    registry.get("autoftp.mode").tags("server", SERVER, "mode", mode.name()).gauge().value(), mode.name());
        }
        memory.forget(SERVER);
        assertEquals(0.0, registry.get("autoftp.mode").tags("server", SERVER, "mode", "EPRT").gauge().value());

        Map<String, Double> transfers = Map.of("download", 1.0, "upload", 1.0, "listing", 1.0);
        transfers.forEach((type, count) -> assertEquals(count, registry.get("autoftp.transfers")
                .tags("server", SERVER, "mode", "EPRT", "type", type).counter().count(), type));
        assertEquals(1042.0, registry.get("autoftp.data.bytes").tags("server", SERVER, "direction", "received")
                .counter().count());
        assertEquals(500.0, registry.get("autoftp.data.bytes").tags("server", SERVER, "direction", "sent")
                .counter().count());

        meters.close();
        assertEquals(List.of(), registry.getMeters());
        assertNull(registry.find("autoftp.fallbacks").counter());
    }

    @Test
    void serverPairTransfersThroughTheMemorysListeners() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ModeMemory memory = new ModeMemory();
        AutoFtpMeters meters = new AutoFtpMeters(registry, memory);
        memory.addListener(meters);
        String partner = "partner.example.com:21";
        meters.onServerPairTransfer(partner, SERVER, true, 1000);
        meters.onServerPairTransfer(partner, SERVER, true, 24);
        meters.onServerPairTransfer(partner, SERVER, false, 7);

        assertEquals(2.0, registry.get("autoftp.pair.transfers")
                .tags("source", partner, "target", SERVER, "mode", "server-to-server").counter().count());
        assertEquals(1024.0, registry.get("autoftp.pair.bytes")
                .tags("source", partner, "target", SERVER, "mode", "server-to-server").counter().count());
        assertEquals(1.0, registry.get("autoftp.pair.transfers").tags("mode", "relayed").counter().count());
        assertEquals(7.0, registry.get("autoftp.pair.bytes").tags("mode", "relayed").counter().count());
        meters.close();
        assertEquals(List.of(), registry.getMeters());
    }

    @Test
    void commandTypes() {
        assertEquals("download", AutoFtpMeters.type("RETR"));
        assertEquals("upload", AutoFtpMeters.type("stor"));
        assertEquals("upload", AutoFtpMeters.type("APPE"));
        assertEquals("upload", AutoFtpMeters.type("STOU"));
        assertEquals("listing", AutoFtpMeters.type("LIST"));
        assertEquals("listing", AutoFtpMeters.type("NLST"));
    }
}
