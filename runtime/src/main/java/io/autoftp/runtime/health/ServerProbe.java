package io.autoftp.runtime.health;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

import io.autoftp.client.DataChannelDiagnosis;
import io.autoftp.client.DataChannelMode;
import io.autoftp.client.DataChannelSettings;
import io.autoftp.client.Diagnose;
import io.autoftp.client.ServerKey;

/**
 * Probes one named server (a login, then {@link DataChannelDiagnosis} in every mode, plain or FTPS) and keeps the
 * result for a while. A result older than the time to live is refreshed in the background; until the new one is in,
 * the old one is answered, so only the very first check of a server waits for its probe.
 */
public final class ServerProbe {

    /**
     * What to probe.
     *
     * @param allowed   the modes the server's endpoints may use, in their order (the probe tries all four anyway)
     * @param tls       null for plain FTP
     * @param timeout   connect and reply timeout of the probe's control connections
     */
    public record Target(String name, String host, int port, String username, String password,
            DataChannelSettings settings, List<DataChannelMode> allowed, Diagnose.Tls tls, Duration timeout) {

        /** {@code host:port} as the component's mode memory keys it. */
        public String serverKey() {
            return ServerKey.of(host, port);
        }

        /** Never shows the password. */
        @Override
        public String toString() {
            return name + " (" + (username == null ? "" : username + "@") + serverKey() + (tls == null ? "" : ", FTPS")
                   + ")";
        }
    }

    private final Target target;
    private final Clock clock;
    private ServerHealth last; // guarded by this
    private CompletableFuture<ServerHealth> running; // guarded by this

    public ServerProbe(Target target, Clock clock) {
        this.target = target;
        this.clock = clock;
    }

    public Target target() {
        return target;
    }

    /**
     * The latest result: at once when one exists (refreshing it in the background when older than {@code ttl}),
     * else when the first probe ends.
     */
    public synchronized CompletableFuture<ServerHealth> result(Duration ttl, Executor executor) {
        if (last != null && clock.instant().isBefore(last.checkedAt().plus(ttl))) {
            return CompletableFuture.completedFuture(last);
        }
        if (running == null) {
            CompletableFuture<ServerHealth> probe = CompletableFuture.supplyAsync(this::probeNow, executor);
            running = probe;
            probe.whenComplete((result, failure) -> {
                synchronized (this) {
                    if (result != null) {
                        last = result;
                    }
                    running = null;
                }
            });
        }
        return last != null ? CompletableFuture.completedFuture(last) : running;
    }

    /** Probes now, on this thread. Never throws: whatever goes wrong is the reason for DOWN. */
    public ServerHealth probeNow() {
        String server = target.serverKey();
        DataChannelDiagnosis.Report report;
        try {
            report = Diagnose.diagnosis(target.settings(), target.timeout(), target.tls())
                    .probe(target.host(), target.port(), target.username() == null ? "anonymous" : target.username(),
                            target.password() == null ? "anonymous@" : target.password());
        } catch (IOException e) {
            return ServerHealth.down(target.name(), server, Diagnose.describeProbeFailure(e), null, clock.instant());
        } catch (RuntimeException e) {
            return ServerHealth.down(target.name(), server, "Cannot probe: " + e, null, clock.instant());
        }
        Optional<DataChannelMode> working = target.allowed().stream()
                .filter(mode -> report.results().stream().anyMatch(r -> r.mode() == mode && r.works()))
                .findFirst();
        if (working.isPresent()) {
            return ServerHealth.up(target.name(), server, working.get(), report, clock.instant());
        }
        String reason = report.anyModeWorks()
                ? "No allowed data channel mode works (allowed: " + target.allowed() + "; working: "
                  + report.results().stream().filter(DataChannelDiagnosis.ModeResult::works)
                          .map(r -> r.mode().name()).toList()
                  + ")"
                : "No data channel mode works";
        return ServerHealth.down(target.name(), server, reason, report, clock.instant());
    }
}
