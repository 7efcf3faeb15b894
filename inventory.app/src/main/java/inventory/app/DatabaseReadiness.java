package inventory.app;

import io.helidon.health.HealthCheck;
import io.helidon.health.HealthCheckResponse;
import io.helidon.health.HealthCheckType;

import inventory.persistence.PgDatabase;

/**
 * The readiness check {@code database}: up while the pool's connection answers. The first time it does, the rest of
 * the pool is opened in the background ({@link PgDatabase#warmUp()}): not before, so that the logins of a full pool
 * do not take the CPU the start needs.
 */
final class DatabaseReadiness implements HealthCheck {

    private final PgDatabase db;
    private volatile boolean warm;

    DatabaseReadiness(PgDatabase db) {
        this.db = db;
    }

    @Override
    public HealthCheckType type() {
        return HealthCheckType.READINESS;
    }

    @Override
    public String name() {
        return "database";
    }

    @Override
    public HealthCheckResponse call() {
        boolean up = db.ping();
        if (up && !warm) {
            warm = true;
            db.warmUp();
        }
        return HealthCheckResponse.builder().status(up).build();
    }
}
