package inventory.app;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import jakarta.json.JsonObject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static inventory.app.Reservations.line;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Least privilege in the database: migrations run as the schema's owner, the service's pool logs in as a member of
 * {@code inventory_rw}, which reads and writes rows and nothing else. Checked on a server of its own (embedded:
 * owner {@code postgres}, service {@code inventory_app}), on a configured database with a separate migration login,
 * and on one whose only login may not create roles.
 */
class DatabasePrivilegeTest {

    private static final String PERMISSION_DENIED = "42501";
    /** The logins of the pool's connections: application name {@code inventory} (Flyway's is "Flyway by Redgate"). */
    private static final String POOL_LOGINS = """
            SELECT DISTINCT usename FROM pg_stat_activity
             WHERE application_name = 'inventory' AND datname = current_database()""";

    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(TestServer.dataDir("privilege"));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void thePoolLogsInAsTheServiceLoginWhichOwnsNothing() throws Exception {
        assertThat(server.serviceUser(), is("inventory_app"));
        exercise(server);
        try (Connection c = server.jdbc(); Statement s = c.createStatement()) {
            assertThat("the pool's logins", strings(s, POOL_LOGINS), is(List.of("inventory_app")));
            assertThat(strings(s, """
                    SELECT r.rolname || ' ' || r.rolsuper || ' ' || r.rolcreaterole || ' ' || r.rolcreatedb || ' '
                           || r.rolcanlogin || ' ' || r.rolbypassrls
                      FROM pg_roles r WHERE r.rolname IN ('inventory_app', 'inventory_rw') ORDER BY r.rolname"""),
                    is(List.of("inventory_app false false false true false",
                            "inventory_rw false false false false false")));
            assertThat("roles inventory_app is a member of", strings(s, """
                    SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
                     WHERE m.member = 'inventory_app'::regrole"""), is(List.of("inventory_rw")));
            assertThat("objects the service's login owns", strings(s, """
                    SELECT c.relname FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner
                     WHERE r.rolname IN ('inventory_app', 'inventory_rw')"""), is(empty()));
        }
    }

    @Test
    void theServiceLoginCannotChangeTheSchema() throws Exception {
        try (Connection c = serviceLogin(server)) {
            for (String ddl : List.of(
                    "CREATE TABLE intruder (id int)",
                    "CREATE VIEW intruder AS SELECT 1 AS one",
                    "CREATE FUNCTION intruder() RETURNS int LANGUAGE sql AS 'SELECT 1'",
                    "CREATE INDEX intruder ON products (name)",
                    "CREATE SCHEMA intruder",
                    "DROP TABLE products",
                    "DROP TABLE stock_movements",
                    "ALTER TABLE products ADD COLUMN intruder text",
                    "ALTER TABLE products DROP CONSTRAINT products_stock_bounds",
                    "ALTER TABLE stock_movements DISABLE TRIGGER stock_movements_append_only",
                    "DROP TRIGGER events_append_only ON events",
                    "TRUNCATE stock_movements",
                    "TRUNCATE events",
                    "TRUNCATE products CASCADE",
                    "SELECT count(*) FROM flyway_schema_history",
                    "DELETE FROM flyway_schema_history")) {
                assertDenied(c, ddl);
            }
        }
    }

    @Test
    void theLedgersAreAppendOnlyByPrivilege() throws Exception {
        String id = server.product(TestServer.sku("PRIV"), 5).getString("id");
        Events.latestSeq(server);
        try (Connection c = serviceLogin(server)) {
            for (String dml : List.of(
                    "UPDATE stock_movements SET note = 'rewritten'",
                    "DELETE FROM stock_movements",
                    "UPDATE events SET type = 'stock.changed'",
                    "DELETE FROM events",
                    // rows the service never changes or removes
                    "DELETE FROM products",
                    "UPDATE products SET sku = 'RENAMED' WHERE id = '" + id + "'",
                    "UPDATE products SET id = gen_random_uuid() WHERE id = '" + id + "'",
                    "UPDATE products SET created_at = now()",
                    "UPDATE locations SET code = 'elsewhere' WHERE code = 'main'",
                    "UPDATE stock_levels SET location = 'elsewhere'",
                    "DELETE FROM reservations",
                    "UPDATE reservations SET expires_at = now()",
                    "UPDATE reservation_lines SET quantity = 1",
                    "DELETE FROM reservation_lines",
                    "UPDATE holds SET quantity = 1",
                    "UPDATE idempotency_keys SET body = ''",
                    "UPDATE event_inbox SET type = 'x'")) {
                assertDenied(c, dml);
            }
            try (Statement s = c.createStatement()) {
                // what it may do, it may do
                assertThat(strings(s, "SELECT count(*) FROM stock_movements WHERE product_id = '" + id + "'"),
                        is(List.of("1")));
                assertThat(strings(s, "SELECT count(*) > 0 FROM events"), is(List.of("t")));
            }
        }
        assertThat(server.count("SELECT count(*) FROM stock_movements WHERE product_id = CAST(? AS uuid)", id), is(1L));
    }

    @Test
    void inventoryRwHasExactlyTheGrantsOfMigrationV3() throws Exception {
        try (Connection c = server.jdbc(); Statement s = c.createStatement()) {
            Map<String, String> tables = new TreeMap<>();
            try (ResultSet rs = s.executeQuery("""
                    SELECT c.relname, string_agg(a.privilege_type, ',' ORDER BY a.privilege_type)
                      FROM pg_class c CROSS JOIN LATERAL aclexplode(c.relacl) a
                     WHERE c.relnamespace = current_schema()::regnamespace AND a.grantee = 'inventory_rw'::regrole
                     GROUP BY c.relname""")) {
                while (rs.next()) {
                    tables.put(rs.getString(1), rs.getString(2));
                }
            }
            // sequences of identity columns need no grant; flyway_schema_history is the owner's
            assertThat(tables, is(new TreeMap<>(Map.ofEntries(
                    Map.entry("api_keys", "INSERT,SELECT"),
                    Map.entry("event_inbox", "DELETE,INSERT,SELECT"),
                    Map.entry("events", "INSERT,SELECT"),
                    Map.entry("holds", "DELETE,INSERT,SELECT"),
                    Map.entry("idempotency_keys", "DELETE,INSERT,SELECT"),
                    Map.entry("locations", "DELETE,INSERT,SELECT"),
                    Map.entry("products", "INSERT,SELECT"),
                    Map.entry("reservation_lines", "INSERT,SELECT"),
                    Map.entry("reservations", "INSERT,SELECT"),
                    Map.entry("stock_levels", "DELETE,INSERT,SELECT"),
                    Map.entry("stock_movements", "INSERT,SELECT")))));
            Map<String, String> columns = new TreeMap<>();
            try (ResultSet rs = s.executeQuery("""
                    SELECT c.relname, a.privilege_type, string_agg(att.attname, ',' ORDER BY att.attname)
                      FROM pg_attribute att JOIN pg_class c ON c.oid = att.attrelid
                     CROSS JOIN LATERAL aclexplode(att.attacl) a
                     WHERE c.relnamespace = current_schema()::regnamespace AND a.grantee = 'inventory_rw'::regrole
                     GROUP BY c.relname, a.privilege_type""")) {
                while (rs.next()) {
                    columns.put(rs.getString(1) + " " + rs.getString(2), rs.getString(3));
                }
            }
            assertThat(columns, is(new TreeMap<>(Map.of(
                    "api_keys UPDATE", "revoked_at",
                    "locations UPDATE", "name",
                    "products UPDATE", "attributes,currency,deleted_at,description,low_stock_threshold,name,on_hand,"
                                       + "price,reserved,status,updated_at,version",
                    "reservations UPDATE", "status,updated_at,version",
                    "stock_levels UPDATE", "on_hand,reserved"))));
            assertThat("tables the service cannot read: every table needs its grant in the migration that makes it",
                    strings(s, """
                            SELECT c.relname FROM pg_class c
                             WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm')
                               AND c.relname <> 'flyway_schema_history'
                               AND NOT has_table_privilege('inventory_rw', c.oid, 'SELECT')"""),
                    is(empty()));
        }
    }

    @Test
    void aConfiguredDatabaseMigratesAsTheOwnerAndServesAsTheServiceLogin() throws Exception {
        // an owner that is no superuser and may not create roles; inventory_rw exists (the cluster's other database
        // made it); the service's login is made as the README says
        try (Connection c = server.jdbc(); Statement s = c.createStatement()) {
            s.execute("CREATE ROLE inv_owner LOGIN PASSWORD 'owner-secret'");
            s.execute("CREATE DATABASE inv_ext OWNER inv_owner");
            s.execute("CREATE ROLE inv_svc LOGIN PASSWORD 'service-secret' IN ROLE inventory_rw");
        }
        String url = withoutQuery(server.databaseUrl()).replaceFirst("/postgres$", "/inv_ext");
        InventoryServer.DatabaseFailure noSuchLogin = assertThrows(InventoryServer.DatabaseFailure.class, () ->
                TestServer.start(url, 4, c -> c.withDbCredentials("inv_nobody", "x")
                        .withMigrationCredentials("inv_owner", "owner-secret")).close());
        assertThat(noSuchLogin.getMessage(), containsString("inv_nobody"));

        try (TestServer ext = TestServer.start(url, 4, c -> c.withDbCredentials("inv_svc", "service-secret")
                .withMigrationCredentials("inv_owner", "owner-secret"))) {
            assertThat(ext.serviceUser(), is("inv_svc"));
            exercise(ext);
            try (Connection owner = login(url, "inv_owner", "owner-secret"); Statement s = owner.createStatement()) {
                assertThat("the pool's logins", strings(s, POOL_LOGINS), is(List.of("inv_svc")));
                assertThat("owners of the tables", strings(s, "SELECT DISTINCT tableowner FROM pg_tables"
                                                              + " WHERE schemaname = current_schema()"),
                        is(List.of("inv_owner")));
                assertThat(strings(s, "SELECT count(*) FROM flyway_schema_history WHERE version = '3' AND success"),
                        is(List.of("1")));
            }
            try (Connection svc = login(url, "inv_svc", "service-secret")) {
                assertDenied(svc, "DROP TABLE products");
                assertDenied(svc, "DELETE FROM stock_movements");
                Invariants.check(svc);
            }
        }
    }

    @Test
    void aMigrationLoginThatMayNotCreateRolesStillMigratesAndServesAlone() throws Exception {
        // a cluster of its own, where inventory_rw does not exist: V3 skips its grants with a notice, and still takes
        // CREATE on public away from PUBLIC (this login owns the database, so the schema too)
        Path dir = TestServer.dataDir("single-login");
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().setDataDirectory(dir.resolve("pg"))
                .setCleanDataDirectory(false).setPort(port).setRegisterShutdownHook(false).start()) {
            try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
                s.execute("CREATE ROLE inv_single LOGIN PASSWORD 'single-secret'");
                s.execute("CREATE DATABASE inv_single OWNER inv_single");
            }
            try (Connection c = pg.getDatabase("postgres", "inv_single").getConnection();
                 Statement s = c.createStatement()) {
                // as before PostgreSQL 15: everyone may create tables in public, until V3 takes that away
                s.execute("GRANT CREATE ON SCHEMA public TO PUBLIC");
            }
            String url = "jdbc:postgresql://localhost:" + port + "/inv_single";
            try (TestServer single = TestServer.start(url, 4,
                    c -> c.withDbCredentials("inv_single", "single-secret"))) {
                exercise(single);
                try (Connection c = login(url, "inv_single", "single-secret"); Statement s = c.createStatement()) {
                    assertThat(strings(s, "SELECT count(*) FROM pg_roles WHERE rolname = 'inventory_rw'"),
                            is(List.of("0")));
                    assertThat(strings(s, "SELECT has_schema_privilege('public', 'public', 'CREATE')"),
                            is(List.of("f")));
                    assertThat(strings(s, "SELECT count(*) FROM flyway_schema_history WHERE version = '3' AND success"),
                            is(List.of("1")));
                    Invariants.check(c);
                }
            }
        }
    }

    /** Every kind of write the service makes, through its API: each must work under the service's login. */
    private static void exercise(TestServer s) {
        String sku = TestServer.sku("EX");
        JsonObject product = s.product(sku, 10);
        String id = product.getString("id");
        String path = "/v1/products/" + id;
        assertOk(s.patch(path, "{\"name\": \"Renamed\", \"attributes\": {\"colour\": \"red\"}}"), 200);
        assertOk(s.post(path + "/stock/adjustments", "{\"delta\": -1, \"reason\": \"SOLD\"}"), 201);
        assertOk(s.post(path + "/stock/adjustments", "{\"delta\": 3, \"reason\": \"RECEIVED\"}"), 201);
        assertOk(s.post(path + "/stock/counts", "{\"onHand\": 12}"), 201);
        String location = "ex-" + UUID.randomUUID().toString().substring(0, 8);
        assertOk(s.post("/v1/locations", "{\"code\": \"" + location + "\", \"name\": \"Extra\"}"), 201);
        assertOk(s.post("/v1/stock/batch", "{\"reason\": \"RECEIVED\", \"lines\": [{\"productId\": \"" + id
                                           + "\", \"location\": \"" + location + "\", \"delta\": 4}]}"), 201);
        JsonObject held = Reservations.create(s, 60, "ex", line(id, 2, location));
        assertOk(Reservations.release(s, held.getString("id")), 200);
        JsonObject sold = Reservations.create(s, 60, "ex", line(id, 4, location), line(id, 1));
        assertOk(Reservations.commit(s, sold.getString("id")), 200);
        assertOk(s.delete("/v1/locations/" + location), 204);
        String key = UUID.randomUUID().toString();
        String body = "{\"sku\": \"" + TestServer.sku("EXI") + "\", \"name\": \"Once\", \"price\": \"1.00\","
                      + " \"currency\": \"EUR\"}";
        TestServer.Response first = s.post("/v1/products", body, "Idempotency-Key", key);
        assertOk(first, 201);
        TestServer.Response replay = s.post("/v1/products", body, "Idempotency-Key", key);
        assertThat(replay.body(), replay.body(), is(first.body()));
        assertOk(s.get(path + "/stock/movements"), 200);
        assertOk(s.get("/v1/products?limit=5"), 200);
        assertOk(s.delete("/v1/products/" + first.json().getString("id")), 204);
        List<JsonObject> events = Events.about(s, 0, id);
        assertThat(events.isEmpty(), is(false));
        assertOk(s.get("/health/ready"), 200);
    }

    private static void assertOk(TestServer.Response r, int status) {
        assertThat(r.body(), r.status(), is(status));
    }

    private static void assertDenied(Connection c, String sql) {
        SQLException e = assertThrows(SQLException.class, () -> {
            try (Statement s = c.createStatement()) {
                s.execute(sql);
            }
        }, sql);
        assertThat(sql + ": " + e.getMessage(), e.getSQLState(), is(PERMISSION_DENIED));
    }

    /** A connection as the server's service login, as its pool makes them. */
    private static Connection serviceLogin(TestServer s) throws SQLException {
        return login(withoutQuery(s.databaseUrl()), s.serviceUser(), null);
    }

    private static Connection login(String url, String user, String password) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", user);
        if (password != null) {
            props.setProperty("password", password);
        }
        return DriverManager.getConnection(url, props);
    }

    private static String withoutQuery(String url) {
        int q = url.indexOf('?');
        return q < 0 ? url : url.substring(0, q);
    }

    private static List<String> strings(Statement s, String sql) throws SQLException {
        List<String> values = new ArrayList<>();
        try (ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                values.add(rs.getString(1));
            }
        }
        return values;
    }
}
