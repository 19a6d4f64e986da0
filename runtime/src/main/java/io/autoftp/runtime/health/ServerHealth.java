package io.autoftp.runtime.health;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import io.autoftp.client.DataChannelDiagnosis;
import io.autoftp.client.DataChannelMode;

/**
 * The outcome of one probe of one named server: up when the login worked and at least one data channel mode that the
 * server's endpoints may use works. Never holds the password.
 *
 * @param name      the server's name in {@code quarkus.autoftp.servers.<name>}
 * @param server    {@code host:port}, the key of the component's mode memory
 * @param mode      the first working mode in the server's allowed order, when up
 * @param reason    why it is down, in words; empty when up
 * @param report    the diagnosis, when the login worked
 * @param checkedAt when the probe finished
 */
public record ServerHealth(String name, String server, boolean up, Optional<DataChannelMode> mode, String reason,
        Optional<DataChannelDiagnosis.Report> report, Instant checkedAt) {

    static ServerHealth up(String name, String server, DataChannelMode mode, DataChannelDiagnosis.Report report,
            Instant checkedAt) {
        return new ServerHealth(name, server, true, Optional.of(mode), "", Optional.of(report), checkedAt);
    }

    static ServerHealth down(String name, String server, String reason, DataChannelDiagnosis.Report report,
            Instant checkedAt) {
        return new ServerHealth(name, server, false, Optional.empty(), reason, Optional.ofNullable(report), checkedAt);
    }

    /**
     * The health check data for this server, keys prefixed with its name: {@code status}, {@code server},
     * {@code mode} (the working mode the probe found), {@code remembered} (what the component's endpoints use now),
     * {@code modes} (each mode's result), {@code findings} (in words), {@code reason} when down, {@code checked-at}.
     */
    Map<String, String> data(Optional<DataChannelMode> remembered) {
        Map<String, String> data = new LinkedHashMap<>();
        String prefix = name + ".";
        data.put(prefix + "status", up ? "UP" : "DOWN");
        data.put(prefix + "server", server);
        mode.ifPresent(m -> data.put(prefix + "mode", m.name() + " - " + m.describe()));
        data.put(prefix + "remembered", remembered.map(DataChannelMode::name).orElse("none yet"));
        if (!up) {
            data.put(prefix + "reason", reason);
        }
        report.ifPresent(r -> {
            data.put(prefix + "modes", r.results().stream().map(Object::toString).collect(Collectors.joining("; ")));
            data.put(prefix + "findings", String.join(" ", r.findings()));
        });
        data.put(prefix + "checked-at", checkedAt.toString());
        return data;
    }
}
