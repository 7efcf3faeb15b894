package inventory.app;

import java.nio.file.Path;
import java.util.Optional;

import io.helidon.config.Config;

/**
 * The service's configuration, read once at start and checked: a bad value stops the start with exit code 2 and
 * one line naming the variable.
 *
 * @param port         HTTP port ({@code INVENTORY_PORT}); 0 picks a free one
 * @param dbUrl        JDBC URL ({@code INVENTORY_DB_URL}); empty starts the embedded PostgreSQL
 * @param dbUser       user ({@code INVENTORY_DB_USER})
 * @param dbPassword   password ({@code INVENTORY_DB_PASSWORD})
 * @param poolSize     maximum pool size ({@code INVENTORY_DB_POOL_SIZE})
 * @param dataDir      embedded database files ({@code INVENTORY_DATA_DIR})
 * @param logFormat    {@code text} or {@code json} ({@code INVENTORY_LOG_FORMAT})
 * @param sweepInterval how often expired reservations are released in the database
 *                      ({@code INVENTORY_RESERVATIONS_SWEEP_MS}, 0 to 30000, default 1000; at most 30 s so
 *                      {@code reservation.expired} is recorded within the contract's 60 s; 0 turns the sweep off,
 *                      for tests: expiry stays exact without it, but nothing records {@code reservation.expired})
 * @param heartbeat     the longest silence on an event stream before a comment line is sent
 *                      ({@code INVENTORY_EVENTS_HEARTBEAT_SECONDS}, 1 to 15, default 10)
 */
public record InventoryConfig(int port,
                              Optional<String> dbUrl,
                              Optional<String> dbUser,
                              Optional<String> dbPassword,
                              int poolSize,
                              Path dataDir,
                              String logFormat,
                              java.time.Duration sweepInterval,
                              java.time.Duration heartbeat) {

    /**
     * The defaults of everything but the database and the port.
     *
     * @param port    HTTP port, 0 for a free one
     * @param dbUrl   JDBC URL, empty for the embedded database
     * @param pool    maximum pool size
     * @param dataDir embedded database files
     * @return the configuration
     */
    public static InventoryConfig of(int port, Optional<String> dbUrl, int pool, Path dataDir) {
        return new InventoryConfig(port, dbUrl, Optional.empty(), Optional.empty(), pool, dataDir, "text",
                java.time.Duration.ofSeconds(1), java.time.Duration.ofSeconds(10));
    }

    /**
     * @param interval sweep interval, zero for none
     * @return this configuration with another sweep interval
     */
    public InventoryConfig withSweepInterval(java.time.Duration interval) {
        return new InventoryConfig(port, dbUrl, dbUser, dbPassword, poolSize, dataDir, logFormat, interval, heartbeat);
    }

    /**
     * @param interval heartbeat interval of event streams
     * @return this configuration with another heartbeat interval
     */
    public InventoryConfig withHeartbeat(java.time.Duration interval) {
        return new InventoryConfig(port, dbUrl, dbUser, dbPassword, poolSize, dataDir, logFormat, sweepInterval, interval);
    }

    /**
     * A bad configuration value.
     */
    public static final class Invalid extends RuntimeException {
        Invalid(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Reads the configuration: environment variables over {@code application.yaml}.
     *
     * @param config Helidon config with environment variables, system properties and {@code application.yaml}
     * @return the checked configuration
     * @throws Invalid naming the variable of the first bad value
     */
    public static InventoryConfig from(Config config) {
        Config inv = config.get("inventory");
        int port = integer(inv.get("port"), "INVENTORY_PORT", 8080, 0, 65535);
        Optional<String> url = text(inv.get("db.url"));
        url.ifPresent(u -> {
            if (!u.startsWith("jdbc:postgresql:")) {
                throw new Invalid("INVENTORY_DB_URL must be a PostgreSQL JDBC URL (jdbc:postgresql://host:5432/db), got '"
                                  + u + "'");
            }
        });
        int pool = integer(inv.get("db.pool.size"), "INVENTORY_DB_POOL_SIZE", 16, 1, 500);
        Path dataDir = Path.of(text(inv.get("data.dir")).orElse("./inventory-data"));
        String format = text(inv.get("log.format")).orElse("text");
        if (!format.equals("text") && !format.equals("json")) {
            throw new Invalid("INVENTORY_LOG_FORMAT must be text or json, got '" + format + "'");
        }
        integer(inv.get("rate.limit.rps"), "INVENTORY_RATE_LIMIT_RPS", 0, 0, 1_000_000);
        int sweepMs = integer(inv.get("reservations.sweep.ms"), "INVENTORY_RESERVATIONS_SWEEP_MS", 1000, 0, 30_000);
        int heartbeat = integer(inv.get("events.heartbeat.seconds"), "INVENTORY_EVENTS_HEARTBEAT_SECONDS", 10, 1, 15);
        return new InventoryConfig(port, url, text(inv.get("db.user")), text(inv.get("db.password")), pool, dataDir,
                format, java.time.Duration.ofMillis(sweepMs), java.time.Duration.ofSeconds(heartbeat));
    }

    private static Optional<String> text(Config value) {
        return value.asString().asOptional().map(String::trim).filter(s -> !s.isEmpty());
    }

    private static int integer(Config value, String variable, int fallback, int min, int max) {
        Optional<String> text = text(value);
        if (text.isEmpty()) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(text.get());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new Invalid(variable + " must be an integer from " + min + " to " + max + ", got '" + text.get() + "'");
    }
}
