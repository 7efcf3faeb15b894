package inventory.persistence;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;

/**
 * Connections made outside the pool: the migrations' and the probes'. They come from PostgreSQL's driver itself, not
 * from {@link java.sql.DriverManager}, which would first load every {@code Driver} the module path provides (a search
 * of all the service's jars that costs a start tens of milliseconds).
 */
final class Logins {

    private static final java.sql.Driver DRIVER;

    static {
        // before any login of this process: a SCRAM-SHA-256 login's key derivation then costs a cold JVM a tenth
        // of what the JDK's own implementation does (see Pbkdf2HmacSha256)
        Pbkdf2HmacSha256.install();
        DRIVER = new org.postgresql.Driver();
    }

    private Logins() {
    }

    /**
     * Logs in.
     *
     * @param settings      the database and the login
     * @param connectSecs   longest wait to connect and log in
     * @param socketSecs    longest wait for any answer afterwards (0: none)
     * @return the connection, in auto-commit mode
     * @throws SQLException if the database cannot be reached or refuses the login
     */
    static Connection open(PgDatabase.Settings settings, int connectSecs, int socketSecs) throws SQLException {
        Properties props = new Properties();
        if (settings.user() != null) {
            props.setProperty("user", settings.user());
        }
        if (settings.password() != null) {
            props.setProperty("password", settings.password());
        }
        props.setProperty("connectTimeout", String.valueOf(connectSecs));
        props.setProperty("socketTimeout", String.valueOf(socketSecs));
        Connection c = DRIVER.connect(settings.url(), props);
        if (c == null) {
            throw new SQLException("not a PostgreSQL JDBC URL: " + settings.url(), "08001");
        }
        return c;
    }
}
