package inventory.app;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.security.Security;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

import javax.crypto.SecretKeyFactory;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import inventory.persistence.PgDatabase;
import inventory.persistence.PgSchema;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Logins with a password, as production's are (SCRAM-SHA-256), against a real PostgreSQL that asks for one: the
 * key derivation the persistence module installs ({@code Pbkdf2HmacSha256}) is the one the driver uses, and the
 * server accepts what it derives, for an ASCII password and for one that SASLprep and UTF-8 change; a wrong
 * password is still refused.
 */
class ScramLoginTest {

    private static final String UNICODE_LOGIN = "inventory_unicode";
    private static final String UNICODE_PASSWORD = "pässwörd-漢字-ｆｕｌｌｗｉｄｔｈ";

    private static EmbeddedPostgres pg;
    private static int port;

    @BeforeAll
    static void start() throws Exception {
        Path dir = TestServer.dataDir("scram");
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        pg = EmbeddedPostgres.builder().setDataDirectory(dir.resolve("pg")).setCleanDataDirectory(false)
                .setPort(port).setRegisterShutdownHook(false).start();
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("SET password_encryption = 'scram-sha-256'");
            s.execute("CREATE ROLE " + UNICODE_LOGIN + " LOGIN PASSWORD '" + UNICODE_PASSWORD + "'");
        }
        // as the AOT training does: a login with a password, and a pg_hba.conf that asks every other login for one
        AotTraining.requirePasswords(url("postgres"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (pg != null) {
            pg.close();
        }
    }

    @Test
    void theDriverDerivesWithTheProjectsProviderAndTheServerAcceptsIt() throws Exception {
        PgDatabase.Settings login = new PgDatabase.Settings(url(AotTraining.LOGIN), AotTraining.LOGIN,
                AotTraining.PASSWORD, 1, Duration.ofSeconds(5));
        assertThat("scripts applied over a SCRAM login", PgSchema.migrate(login, () -> { }), is(4));
        try (PgDatabase db = PgDatabase.open(login)) {
            assertThat(db.ping(), is(true));
        }
        assertThat(Security.getProviders()[0].getName(), is("InventoryPbkdf2"));
        assertThat("what pgjdbc's SCRAM client asks for", SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
                .getProvider().getName(), is("InventoryPbkdf2"));
    }

    @Test
    void aPasswordThatSaslPrepAndUtf8ChangeLogsIn() throws SQLException {
        PgDatabase.Settings login = new PgDatabase.Settings(url("postgres"), UNICODE_LOGIN, UNICODE_PASSWORD, 1,
                Duration.ofSeconds(5));
        try (PgDatabase db = PgDatabase.open(login)) {
            assertThat(db.ping(), is(true));
        }
    }

    @Test
    void aWrongPasswordIsRefused() {
        PgDatabase.Settings wrong = new PgDatabase.Settings(url(AotTraining.LOGIN), AotTraining.LOGIN,
                AotTraining.PASSWORD + "x", 1, Duration.ofSeconds(5));
        SQLException refused = assertThrows(SQLException.class, () -> PgSchema.migrate(wrong, () -> { }));
        assertThat(refused.getSQLState(), is("28P01"));
    }

    private static String url(String database) {
        return "jdbc:postgresql://localhost:" + port + "/" + database;
    }
}
