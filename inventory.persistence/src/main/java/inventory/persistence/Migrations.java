package inventory.persistence;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32;

/**
 * The two common cases of migrating, without Flyway: a schema that is up to date (one query) and a new, empty one
 * (every script in one transaction). Starting Flyway costs more than the migrations themselves: on the 2-core dev
 * machine its start (configuration, scanning, parsing, validation) took 1.2-2 s of a cold JVM, the four scripts
 * 0.2-0.5 s. Everything else (a schema some migrations behind, failed or unknown entries, a non-empty schema without
 * history) is left to Flyway, which then finds the schema exactly as it would have.
 * <p>
 * What is written is what Flyway writes: its {@code flyway_schema_history} table (same columns, key and index), one
 * row per script with Flyway's description, script name, CRC32 checksum (of the script's lines without their line
 * breaks, BOM removed) and {@code installed_by = current_user}, so Flyway validates the schema afterwards as its
 * own. The scripts have no Flyway placeholders ({@code ${...}}), which this class does not replace: a script with
 * one goes to Flyway.
 */
final class Migrations {

    /** Flyway's name for a versioned SQL migration: {@code V<version>__<description>.sql}. */
    private static final Pattern VERSIONED = Pattern.compile("V(\\d+(?:[._]\\d+)*)__(.+)\\.sql");
    private static final String FOLDER = "db-migration";
    private static final String TABLE = "flyway_schema_history";
    /** Whether Flyway's history table is in the current schema, as an SQL expression. */
    private static final String HISTORY_EXISTS = "to_regclass(quote_ident(current_schema()) || '." + TABLE + "') IS NOT NULL";
    /** The SQLSTATE {@link #NOT_EMPTY_CHECK} raises. */
    private static final String NOT_EMPTY = "IVNE1";
    /**
     * Run under the lock: another instance may have migrated meanwhile, and a schema with anything in it (a history
     * or not) is Flyway's case.
     */
    private static final String NOT_EMPTY_CHECK = """
            DO $$ BEGIN
                IF %s OR EXISTS (SELECT FROM pg_class WHERE relnamespace = current_schema()::regnamespace)
                      OR EXISTS (SELECT FROM pg_proc WHERE pronamespace = current_schema()::regnamespace) THEN
                    RAISE EXCEPTION 'the schema is not empty' USING ERRCODE = '%s';
                END IF;
            END $$""".formatted(HISTORY_EXISTS, NOT_EMPTY);
    /** The transaction's setting that holds the clock's time before a script. */
    private static final String CLOCK = "inventory.migration_began";
    /** Flyway 12's PostgreSQL advisory lock is this number plus the hash of the quoted table name. */
    private static final long FLYWAY_LOCK = 77431708279161L;

    private Migrations() {
    }

    /** One script of {@code db-migration/}. */
    record Script(String file, String version, String description, String sql, int checksum) {
    }

    /**
     * Migrates the two common cases.
     *
     * @param c a connection as the schema's owner, in auto-commit mode
     * @return the number of scripts applied (0: up to date), or empty when Flyway has to decide
     * @throws SQLException if a statement fails
     */
    static OptionalInt tryMigrate(Connection c) throws SQLException {
        Optional<List<Script>> found = scripts();
        if (found.isEmpty() || found.get().isEmpty()) {
            return OptionalInt.empty();
        }
        List<Script> scripts = found.get();
        String schema;
        boolean history;
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT current_schema(), " + HISTORY_EXISTS)) {
            rs.next();
            schema = rs.getString(1);
            history = rs.getBoolean(2);
        }
        if (schema == null) {
            return OptionalInt.empty();
        }
        if (history) {
            return upToDate(c, scripts) ? OptionalInt.of(0) : OptionalInt.empty();
        }
        // A round trip per script, and one before them: on two busy cores each one waits for the database's process
        // to be scheduled, so the history's rows and the checks travel with the statements they belong to.
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            String quoted = "\"" + schema.replace("\"", "\"\"") + "\".\"" + TABLE + "\"";
            try {
                s.execute("SELECT pg_advisory_xact_lock(" + (FLYWAY_LOCK + quoted.hashCode()) + ");\n"
                          + NOT_EMPTY_CHECK + ";\n" + createHistory(quoted));
            } catch (SQLException e) {
                c.rollback();
                if (NOT_EMPTY.equals(e.getSQLState())) {
                    return OptionalInt.empty();
                }
                throw e;
            }
            int rank = 0;
            for (Script script : scripts) {
                try {
                    s.execute(withHistoryRow(script, ++rank, quoted));
                } catch (SQLException e) {
                    throw new SQLException("migration " + script.file() + " failed: " + e.getMessage(), e.getSQLState(), e);
                }
            }
            c.commit();
            return OptionalInt.of(scripts.size());
        } catch (SQLException | RuntimeException e) {
            try {
                c.rollback();
            } catch (SQLException again) {
                e.addSuppressed(again);
            }
            throw e;
        } finally {
            c.setAutoCommit(autoCommit);
        }
    }

    /** Flyway's history table, as Flyway 12 creates it for PostgreSQL. */
    private static String createHistory(String quoted) {
        return "CREATE TABLE " + quoted + """
                 (
                    "installed_rank" INT NOT NULL,
                    "version" VARCHAR(50),
                    "description" VARCHAR(200) NOT NULL,
                    "type" VARCHAR(20) NOT NULL,
                    "script" VARCHAR(1000) NOT NULL,
                    "checksum" INTEGER,
                    "installed_by" VARCHAR(100) NOT NULL,
                    "installed_on" TIMESTAMP NOT NULL DEFAULT now(),
                    "execution_time" INTEGER NOT NULL,
                    "success" BOOLEAN NOT NULL
                );
                """ + "ALTER TABLE " + quoted + " ADD CONSTRAINT \"" + TABLE + "_pk\" PRIMARY KEY (\"installed_rank\");\n"
               + "CREATE INDEX \"" + TABLE + "_s_idx\" ON " + quoted + " (\"success\")";
    }

    /**
     * The script, then its row in the history, in one round trip: Flyway's {@code execution_time} (milliseconds) is
     * taken from the database's clock, set before the script and read after it.
     */
    private static String withHistoryRow(Script script, int rank, String quoted) {
        return "SELECT set_config('" + CLOCK + "', clock_timestamp()::text, true);\n"
               + script.sql() + "\n;\n"
               + "INSERT INTO " + quoted + " (installed_rank, version, description, type, script, checksum,"
               + " installed_by, execution_time, success) VALUES (" + rank + ", " + literal(script.version()) + ", "
               + literal(script.description()) + ", 'SQL', " + literal(script.file()) + ", " + script.checksum()
               + ", current_user, (1000 * extract(epoch FROM clock_timestamp() - current_setting('" + CLOCK
               + "')::timestamptz))::int, true)";
    }

    /** A string as an SQL literal ({@code standard_conforming_strings} is on since PostgreSQL 9.1). */
    private static String literal(String value) {
        return "'" + value.replace("'", "''") + "'";
    }

    /** Whether the history holds exactly these scripts, all successful, with the same checksums, and nothing else. */
    private static boolean upToDate(Connection c, List<Script> scripts) throws SQLException {
        List<String> applied = new ArrayList<>();
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT version, checksum, success, type FROM " + TABLE
                                           + " ORDER BY installed_rank")) {
            while (rs.next()) {
                applied.add(rs.getString(1) + "|" + rs.getInt(2) + "|" + rs.getBoolean(3) + "|" + rs.getString(4));
            }
        }
        List<String> expected = scripts.stream().map(s -> s.version() + "|" + s.checksum() + "|true|SQL").toList();
        return applied.equals(expected);
    }

    /**
     * The scripts of {@code db-migration/}, by version, read from this module's jar or classes folder; empty when
     * they cannot be listed or one of them is not a plain versioned SQL migration (then Flyway decides).
     */
    static Optional<List<Script>> scripts() {
        List<String> files;
        try {
            Path location = Path.of(Migrations.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (Files.isDirectory(location)) {
                try (Stream<Path> list = Files.list(location.resolve(FOLDER))) {
                    files = list.map(p -> p.getFileName().toString()).toList();
                }
            } else {
                try (var jar = new java.util.jar.JarFile(location.toFile())) {
                    files = jar.stream().map(java.util.jar.JarEntry::getName)
                            .filter(n -> n.startsWith(FOLDER + "/") && !n.endsWith("/"))
                            .map(n -> n.substring(FOLDER.length() + 1))
                            .toList();
                }
            }
        } catch (IOException | URISyntaxException | RuntimeException e) {
            return Optional.empty();
        }
        List<Script> scripts = new ArrayList<>();
        for (String file : files) {
            Matcher m = VERSIONED.matcher(file);
            if (file.contains("/") || !m.matches()) {
                return Optional.empty();
            }
            String sql;
            int checksum;
            try (InputStream in = Migrations.class.getModule().getResourceAsStream(FOLDER + "/" + file)) {
                if (in == null) {
                    return Optional.empty();
                }
                sql = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                checksum = checksum(sql);
            } catch (IOException e) {
                return Optional.empty();
            }
            if (sql.contains("${")) {
                return Optional.empty();
            }
            scripts.add(new Script(file, m.group(1).replace('_', '.'), m.group(2).replace('_', ' '), sql, checksum));
        }
        scripts.sort(Comparator.comparing(Script::version, Migrations::compareVersions));
        for (int i = 1; i < scripts.size(); i++) {
            if (compareVersions(scripts.get(i - 1).version(), scripts.get(i).version()) == 0) {
                return Optional.empty();
            }
        }
        return Optional.of(scripts);
    }

    /** Flyway's checksum: CRC32 over the UTF-8 bytes of each line without its line break, a leading BOM removed. */
    static int checksum(String sql) {
        CRC32 crc = new CRC32();
        try (BufferedReader lines = new BufferedReader(new java.io.StringReader(sql))) {
            String line = lines.readLine();
            if (line != null && line.startsWith("\uFEFF")) {
                line = line.substring(1);
            }
            for (; line != null; line = lines.readLine()) {
                crc.update(line.getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return (int) crc.getValue();
    }

    private static int compareVersions(String a, String b) {
        String[] x = a.split("\\.");
        String[] y = b.split("\\.");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            java.math.BigInteger p = i < x.length ? new java.math.BigInteger(x[i]) : java.math.BigInteger.ZERO;
            java.math.BigInteger q = i < y.length ? new java.math.BigInteger(y[i]) : java.math.BigInteger.ZERO;
            int d = p.compareTo(q);
            if (d != 0) {
                return d;
            }
        }
        return 0;
    }
}
