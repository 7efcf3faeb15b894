package inventory.app;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Main begins the migrations of the database the environment names before Helidon's configuration is read
 * (EarlyMigration.begin). The start adopts them only for the database and login it is configured with,
 * readiness still means migrated, and a failure still stops the start as a database failure.
 */
class EarlyMigrationTest {

    @Test
    void migrationsBegunEarlyAreAdoptedAndTheServiceIsReadyOnAMigratedSchema() throws Exception {
        String url = TestServer.newDatabase("early_adopted");
        try {
            var early = EarlyMigration.begin(Map.of("INVENTORY_DB_URL", url), new Properties());
            assertThat(early.isPresent(), is(true));
            try (InventoryServer server = InventoryServer.start(config(url), early)) {
                assertThat(early.get().task().get(), is(4));
                // the login was reported before the scripts, so the pool could log in meanwhile
                assertThat(early.get().loggedIn().isDone(), is(true));
                assertThat(ready(server.port()), is(200));
                assertThat(historyRows(url), is(4));
            }
        } finally {
            TestServer.dropDatabase(url);
        }
    }

    @Test
    void migrationsBegunForAnotherDatabaseAreAwaitedAndTheConfiguredOneIsMigrated() throws Exception {
        String other = TestServer.newDatabase("early_other");
        String configured = TestServer.newDatabase("early_configured");
        try {
            var early = EarlyMigration.begin(Map.of("INVENTORY_DB_URL", other), new Properties());
            try (InventoryServer server = InventoryServer.start(config(configured), early)) {
                assertThat(early.get().task().isDone(), is(true));
                assertThat(ready(server.port()), is(200));
                assertThat(historyRows(configured), is(4));
            }
        } finally {
            TestServer.dropDatabase(other);
            TestServer.dropDatabase(configured);
        }
    }

    @Test
    void anUnreachableDatabaseStillFailsTheStart() {
        String url = "jdbc:postgresql://127.0.0.1:1/nothing";
        var early = EarlyMigration.begin(Map.of("INVENTORY_DB_URL", url), new Properties());
        var e = assertThrows(InventoryServer.DatabaseFailure.class, () -> InventoryServer.start(config(url), early));
        assertThat(e.getMessage(), containsString("could not be reached"));
        // no login, so the pool was not sent to log in either
        assertThat(early.orElseThrow().loggedIn().isDone(), is(false));
    }

    @Test
    void nothingBeginsEarlyWithoutAPostgresUrlOrWhenASystemPropertyCouldOverrideIt() {
        assertThat(EarlyMigration.begin(Map.of(), new Properties()).isPresent(), is(false));
        assertThat(EarlyMigration.begin(Map.of("INVENTORY_DB_URL", "jdbc:mysql://localhost/x"),
                new Properties()).isPresent(), is(false));
        Properties overriding = new Properties();
        overriding.setProperty("inventory.db.user", "someone-else");
        assertThat(EarlyMigration.begin(Map.of("INVENTORY_DB_URL", "jdbc:postgresql://127.0.0.1:1/x"),
                overriding).isPresent(), is(false));
    }

    private static InventoryConfig config(String url) {
        return InventoryConfig.of(0, Optional.of(url), 4, Path.of("target", "unused")).withAdminKey(TestServer.ADMIN_KEY);
    }

    private static int ready(int port) throws Exception {
        HttpResponse<Void> r = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/health/ready")).build(),
                HttpResponse.BodyHandlers.discarding());
        return r.statusCode();
    }

    private static int historyRows(String url) throws SQLException {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM flyway_schema_history WHERE success")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
