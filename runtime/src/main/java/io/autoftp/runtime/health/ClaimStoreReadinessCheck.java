package io.autoftp.runtime.health;

import java.util.Optional;

import jakarta.inject.Inject;

import io.autoftp.camel.JdbcClaimRepository;
import io.autoftp.camel.ModeAwareComponent;
import org.apache.camel.CamelContext;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * The readiness check {@code autoftp-claims}: DOWN while the replicas' claim store ({@code quarkus.autoftp.cluster.*})
 * cannot be reached, so that a replica that cannot claim files (and therefore takes none) gets no traffic and says
 * why; UP with this replica's name in the store and its claim counts otherwise, or UP "off" without a store.
 * Registered with {@link AutoFtpReadinessCheck}, under the same switch.
 */
@Readiness
public class ClaimStoreReadinessCheck implements HealthCheck {

    public static final String NAME = "autoftp-claims";

    @Inject
    CamelContext camel;

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named(NAME);
        Optional<JdbcClaimRepository> store = ModeAwareComponent.SCHEMES.stream().map(camel::hasComponent)
                .filter(ModeAwareComponent.class::isInstance).map(c -> ((ModeAwareComponent) c).getClaimRepository())
                .filter(JdbcClaimRepository.class::isInstance).map(JdbcClaimRepository.class::cast).findFirst();
        if (store.isEmpty()) {
            return response.up().withData("claims", "off (quarkus.autoftp.cluster.repository: one replica)").build();
        }
        JdbcClaimRepository claims = store.get();
        response.withData("store", claims.toString()).withData("claimed", claims.getClaimed())
                .withData("lost", claims.getLost()).withData("expired", claims.getExpiredTakenOver())
                .withData("released", claims.getReleased()).withData("confirmed", claims.getConfirmed());
        try {
            claims.check();
            return response.up().build();
        } catch (RuntimeException e) {
            return response.down().withData("down", "Cannot reach the claim store, no file is taken: "
                                                    + e.getMessage()).build();
        }
    }
}
