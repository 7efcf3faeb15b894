package inventory.app;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;

/**
 * A new database is migrated without starting Flyway (inventory.persistence.Migrations, for start-up time), so the
 * history it writes must be exactly Flyway's: Flyway itself, on that database, validates it, finds nothing to do, and
 * a database Flyway migrated itself has the same history rows (versions, descriptions, scripts, checksums).
 */
class MigrationsTest {

    private static final String HISTORY = "SELECT installed_rank, version, description, type, script, checksum, success"
                                          + " FROM flyway_schema_history ORDER BY installed_rank";

    @Test
    void theHistoryOfANewDatabaseIsFlywaysOwn() throws SQLException {
        TestServer server = TestServer.shared();
        String url = server.databaseUrl();
        Flyway flyway = Flyway.configure().dataSource(url, null, null).locations("classpath:db-migration").load();
        assertThat(flyway.validateWithResult().errorDetails == null ? "" : flyway.validateWithResult().errorDetails.errorMessage,
                flyway.validateWithResult().validationSuccessful, is(true));
        assertThat(List.of(flyway.info().pending()), empty());
        assertThat(flyway.migrate().migrationsExecuted, is(0));

        List<String> ours = history(url);
        assertThat(ours.toString(), ours.size() >= 4, is(true));
        String reference = "flyway_reference_" + ProcessHandle.current().pid();
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + reference);
            s.execute("CREATE DATABASE " + reference);
        }
        String referenceUrl = url.replaceFirst("/[^/?]+(\\?|$)", "/" + reference + "$1");
        try {
            int applied = Flyway.configure().dataSource(referenceUrl, null, null).locations("classpath:db-migration")
                    .load().migrate().migrationsExecuted;
            assertThat(applied, is(ours.size()));
            assertThat(history(referenceUrl), is(ours));
        } finally {
            try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
                s.execute("DROP DATABASE IF EXISTS " + reference + " WITH (FORCE)");
            }
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
