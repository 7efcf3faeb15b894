package inventory.app;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import inventory.persistence.PgDatabase;
import inventory.persistence.PgSchema;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A new database is migrated without starting Flyway (inventory.persistence.Migrations, for start-up time), so the
 * history it writes must be exactly Flyway's: Flyway itself, on that database, validates it, finds nothing to do, and
 * a database Flyway migrated itself has the same history rows (versions, descriptions, scripts, checksums). Whatever
 * is not a new, empty schema is Flyway's to decide, also when another instance migrates at the same moment.
 */
class MigrationsTest {

    private static final String HISTORY = "SELECT installed_rank, version, description, type, script, checksum, success"
                                          + " FROM flyway_schema_history ORDER BY installed_rank";

    @Test
    void theHistoryOfANewDatabaseIsFlywaysOwn() throws SQLException {
        String url = TestServer.newDatabase("migrations_new");
        String reference = TestServer.newDatabase("flyway_reference");
        try {
            assertThat(PgSchema.migrate(owner(url), () -> { }), is(4));
            Flyway flyway = Flyway.configure().dataSource(url, null, null).locations("classpath:db-migration").load();
            var validation = flyway.validateWithResult();
            assertThat(validation.errorDetails == null ? "" : validation.errorDetails.errorMessage,
                    validation.validationSuccessful, is(true));
            assertThat(List.of(flyway.info().pending()), empty());
            assertThat(flyway.migrate().migrationsExecuted, is(0));
            // Flyway's own columns: who ran each script, and how long it took by the database's clock
            assertThat(one(url, "SELECT count(*) FROM flyway_schema_history"
                                + " WHERE installed_by = current_user AND execution_time >= 0"
                                + " AND execution_time < 60000 AND installed_on <= now()"), is("4"));

            List<String> ours = history(url);
            int applied = Flyway.configure().dataSource(reference, null, null).locations("classpath:db-migration")
                    .load().migrate().migrationsExecuted;
            assertThat(applied, is(ours.size()));
            assertThat(history(reference), is(ours));
        } finally {
            TestServer.dropDatabase(url);
            TestServer.dropDatabase(reference);
        }
    }

    @Test
    void aSchemaWithTablesButNoHistoryIsLeftToFlywayAndNothingIsWritten() throws SQLException {
        String url = TestServer.newDatabase("migrations_nonempty");
        try {
            try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE somebody_elses (id int)");
            }
            // Flyway's refusal, not a schema of ours on top of someone else's tables
            RuntimeException refused = assertThrows(RuntimeException.class,
                    () -> PgSchema.migrate(owner(url), () -> { }));
            assertThat(refused.getMessage(), containsString("no schema history table"));
            assertThat(one(url, "SELECT string_agg(relname, ',') FROM pg_class"
                                + " WHERE relnamespace = current_schema()::regnamespace AND relkind = 'r'"),
                    is("somebody_elses"));
        } finally {
            TestServer.dropDatabase(url);
        }
    }

    @Test
    void twoInstancesMigratingOneNewDatabaseAtOnceApplyEachScriptOnce() throws Exception {
        String url = TestServer.newDatabase("migrations_race");
        try (ExecutorService two = Executors.newVirtualThreadPerTaskExecutor()) {
            CyclicBarrier together = new CyclicBarrier(2);
            Callable<Integer> migrate = () -> PgSchema.migrate(owner(url), () -> {
                try {
                    together.await(); // both logged in: the scripts begin at the same moment
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Future<Integer> a = two.submit(migrate);
            Future<Integer> b = two.submit(migrate);
            // one applies the four scripts; the other waits for the lock, then finds them applied
            assertThat(List.of(a.get(), b.get()), containsInAnyOrder(4, 0));
            assertThat(one(url, "SELECT count(*) || ' ' || count(DISTINCT version) || ' ' || bool_and(success)"
                                + " FROM flyway_schema_history"), is("4 4 true"));
        } finally {
            TestServer.dropDatabase(url);
        }
    }

    private static PgDatabase.Settings owner(String url) {
        return new PgDatabase.Settings(url, null, null, 1, PgDatabase.Settings.CONNECT_TIMEOUT);
    }

    private static String one(String url, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static List<String> history(String url) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(HISTORY)) {
            while (rs.next()) {
                rows.add(rs.getInt(1) + " " + rs.getString(2) + " " + rs.getString(3) + " " + rs.getString(4) + " "
                         + rs.getString(5) + " " + rs.getInt(6) + " " + rs.getBoolean(7));
            }
        }
        return rows;
    }
}
