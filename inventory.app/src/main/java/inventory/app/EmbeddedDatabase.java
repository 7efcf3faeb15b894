package inventory.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * A PostgreSQL started by the service itself when no database is configured. Its files live in the data
 * directory and survive restarts; it runs on a free local port and stops with the service.
 * <p>
 * Its roles are those of a configured database: migrations run as the owner, {@link #OWNER}; the pool logs in as
 * {@link #SERVICE_LOGIN}, a member of {@code inventory_rw}. Neither has a password: the cluster is made by
 * {@code initdb -A trust} and listens on localhost only (PostgreSQL's default), so whoever can reach the port on
 * this machine may log in as any role, the owner included. The service's login limits what the service itself
 * can do, not who else gets in.
 */
final class EmbeddedDatabase implements AutoCloseable {

    /** The superuser initdb creates; owns the schema and runs the migrations. */
    static final String OWNER = "postgres";
    /** The service's own login: a member of {@code inventory_rw} (made by migration V3), owning nothing. */
    static final String SERVICE_LOGIN = "inventory_app";
    private static final String DATABASE = "postgres";

    private final EmbeddedPostgres postgres;

    private EmbeddedDatabase(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    /**
     * @return whether the embedded PostgreSQL is there: its modules ({@code embedded.postgres} and the binaries) are
     *         optional ({@code requires static}) and the container image leaves them out, so it always needs
     *         {@code INVENTORY_DB_URL}
     */
    static boolean available() {
        ModuleLayer layer = EmbeddedDatabase.class.getModule().getLayer();
        if (layer == null) { // on the class path (not how the service runs): the class is there or not
            return EmbeddedDatabase.class.getClassLoader()
                    .getResource("io/zonky/test/db/postgres/embedded/EmbeddedPostgres.class") != null;
        }
        return layer.findModule("embedded.postgres").isPresent();
    }

    static EmbeddedDatabase start(Path dataDir) throws IOException {
        Path dir = dataDir.toAbsolutePath().normalize();
        Files.createDirectories(dir);
        initLinuxUtils();
        EmbeddedPostgres pg = EmbeddedPostgres.builder()
                .setDataDirectory(dir.resolve("pg"))
                .setCleanDataDirectory(false)
                .setRegisterShutdownHook(false)
                .setPGStartupWait(Duration.ofSeconds(60))
                .setServerConfig("max_connections", "100")
                .setServerConfig("fsync", "on")
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("full_page_writes", "on")
                .start();
        return new EmbeddedDatabase(pg);
    }

    /**
     * Initializes zonky's {@code LinuxUtils} and removes the script it leaves behind. Its initializer writes a
     * {@code detect_linux_distribution_*.sh} into the temporary directory and runs it, and deletes it only at a normal
     * exit of the JVM ({@code deleteOnExit}); the service ends with {@code halt(0)} after SIGTERM (so that its exit
     * code is 0), so every start with the embedded database left one there. The scripts that appear while the class
     * initializes are this process's (another process starting its embedded database in the same moment could lose
     * its script and with it only the name of its Linux distribution, which zonky then does without).
     */
    private static void initLinuxUtils() {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        java.util.Set<Path> before = distributionScripts(tmp);
        try {
            Class.forName("io.zonky.test.db.postgres.util.LinuxUtils", true, EmbeddedPostgres.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return; // zonky then initializes it itself, or fails with its own message
        }
        for (Path script : distributionScripts(tmp)) {
            if (!before.contains(script)) {
                try {
                    Files.deleteIfExists(script);
                } catch (IOException e) {
                    // left for deleteOnExit
                }
            }
        }
    }

    private static java.util.Set<Path> distributionScripts(Path dir) {
        try (var list = Files.newDirectoryStream(dir, "detect_linux_distribution_*.sh")) {
            java.util.Set<Path> found = new java.util.HashSet<>();
            list.forEach(found::add);
            return found;
        } catch (IOException e) {
            return java.util.Set.of();
        }
    }

    /**
     * @return the JDBC URL that logs in as the owner
     */
    String url() {
        return postgres.getJdbcUrl(OWNER, DATABASE);
    }

    /**
     * @return the JDBC URL that logs in as the service's login
     */
    String serviceUrl() {
        return postgres.getJdbcUrl(SERVICE_LOGIN, DATABASE);
    }

    /**
     * Makes the service's login, once migrations have made {@code inventory_rw}: creates it if missing and makes it
     * a member (again, should someone have taken that away).
     *
     * @throws IllegalStateException if that fails
     */
    void ensureServiceLogin() {
        try (Connection c = postgres.getDatabase(OWNER, DATABASE).getConnection(); Statement s = c.createStatement()) {
            s.execute("""
                    DO $$
                    BEGIN
                        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '%1$s') THEN
                            CREATE ROLE %1$s LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE INHERIT NOREPLICATION
                                NOBYPASSRLS;
                        END IF;
                        IF NOT pg_has_role('%1$s', 'inventory_rw', 'MEMBER') THEN
                            GRANT inventory_rw TO %1$s;
                        END IF;
                    END
                    $$""".formatted(SERVICE_LOGIN));
        } catch (SQLException e) {
            throw new IllegalStateException("the service's login " + SERVICE_LOGIN + " could not be made: "
                                            + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            postgres.close();
        } catch (IOException e) {
            System.getLogger(EmbeddedDatabase.class.getName()).log(System.Logger.Level.WARNING,
                    "embedded PostgreSQL did not stop cleanly: " + e.getMessage());
        }
    }
}
