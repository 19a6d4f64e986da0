package io.autoftp.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

import io.autoftp.testing.RealPostgres;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Debian's PostgreSQL, in a cluster of its own ({@link RealPostgres}), as the default datasource: with
 * {@code quarkus.datasource.jdbc.url} set, the service claims files in it ({@code quarkus.autoftp.cluster.*}).
 * Injected into {@code @FtpServers RealPostgres} fields.
 */
public class PostgresResource implements QuarkusTestResourceLifecycleManager {

    private RealPostgres db;

    @Override
    public Map<String, String> start() {
        String missing = RealPostgres.unavailableReason();
        if (missing != null) {
            throw new IllegalStateException(missing);
        }
        try {
            db = RealPostgres.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of("quarkus.datasource.jdbc.url", db.jdbcUrl(), "quarkus.datasource.username", db.username(),
                "quarkus.datasource.password", db.password(),
                // fail fast while the database is down, so that readiness answers in time
                "quarkus.datasource.jdbc.acquisition-timeout", "2s", "quarkus.datasource.jdbc.login-timeout", "2s");
    }

    @Override
    public void inject(TestInjector testInjector) {
        testInjector.injectIntoFields(db, new TestInjector.AnnotatedAndMatchesType(FtpServers.class, RealPostgres.class));
    }

    @Override
    public void stop() {
        if (db != null) {
            db.close();
        }
    }
}
