package inventory.persistence;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.OptionalInt;

import org.flywaydb.core.Flyway;

/**
 * The database's schema: its migrations, run before the service touches the database.
 */
public final class PgSchema {

    private PgSchema() {
    }

    /**
     * Runs the Flyway migrations on a connection of their own. The login must own the schema (it creates the
     * tables): the owner's, not the service's, when they differ. Migration V3 creates the group role
     * {@code inventory_rw} (if this login may) and grants it exactly what the service's statements need; the
     * service's login is a member of it.
     *
     * <p>
     * The connection that looks first doubles as the probe of the database: an up-to-date schema costs one query
     * and a new, empty one a transaction, both without starting Flyway ({@link Migrations}); any other state is
     * migrated by Flyway.
     *
     * <p>
     * {@code loggedIn} is told as soon as the database has taken the login and answered, before the scripts: the
     * start logs the pool in meanwhile, while this connection mostly waits for the database.
     *
     * @param settings connection settings of the owner
     * @param loggedIn run once the connection answers (not run if it never does)
     * @return the number of migrations applied
     * @throws SQLException if the database cannot be reached (within 5 s)
     * @throws RuntimeException if a migration fails
     */
    public static int migrate(PgDatabase.Settings settings, Runnable loggedIn) throws SQLException {
        try (Connection c = Logins.open(settings, 5, 10)) {
            // the login's last message was the database's: it answers (no isValid, a round trip of its own)
            loggedIn.run();
            c.setNetworkTimeout(Runnable::run, 0); // it answers: migrations may take as long as they take
            OptionalInt applied;
            try {
                applied = Migrations.tryMigrate(c);
            } catch (SQLException e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
            if (applied.isPresent()) {
                return applied.getAsInt();
            }
        }
        return Flyway.configure(PgSchema.class.getClassLoader())
                .dataSource(settings.url(), settings.user(), settings.password())
                .locations("classpath:db-migration")
                .connectRetries(0)
                .load()
                .migrate()
                .migrationsExecuted;
    }
}
