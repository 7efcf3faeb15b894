package inventory.app;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

import io.helidon.common.config.GlobalConfig;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.helidon.config.yaml.YamlConfigParser;

/**
 * The service's configuration, read once at start and checked: a bad value stops the start with exit code 2 and
 * one line naming the variable.
 *
 * @param port              HTTP port ({@code INVENTORY_PORT}); 0 picks a free one
 * @param dbUrl             JDBC URL ({@code INVENTORY_DB_URL}); empty starts the embedded PostgreSQL
 * @param dbUser            the service's own login ({@code INVENTORY_DB_USER}): reads and writes rows, no DDL
 * @param dbPassword        its password ({@code INVENTORY_DB_PASSWORD})
 * @param migrationUser     the schema owner's login for migrations ({@code INVENTORY_DB_MIGRATION_USER}); empty:
 *                          migrations run as {@code dbUser}
 * @param migrationPassword its password ({@code INVENTORY_DB_MIGRATION_PASSWORD})
 * @param poolSize          maximum pool size ({@code INVENTORY_DB_POOL_SIZE})
 * @param dataDir           embedded database files ({@code INVENTORY_DATA_DIR})
 * @param logFormat         {@code text} or {@code json} ({@code INVENTORY_LOG_FORMAT})
 * @param sweepInterval     how often expired reservations are released in the database
 *                          ({@code INVENTORY_RESERVATIONS_SWEEP_MS}, 0 to 30000, default 1000; at most 30 s so
 *                          {@code reservation.expired} is recorded within the contract's 60 s; 0 turns the sweep
 *                          off, for tests: expiry stays exact without it, but nothing records
 *                          {@code reservation.expired})
 * @param heartbeat         the longest silence on an event stream before a comment line is sent
 *                          ({@code INVENTORY_EVENTS_HEARTBEAT_SECONDS}, 1 to 15, default 10)
 * @param adminKey          the bootstrap admin key ({@code INVENTORY_ADMIN_KEY}, at least 32 characters); empty:
 *                          one is made at the first start and printed once
 * @param rateLimitRps      requests per second per API key ({@code INVENTORY_RATE_LIMIT_RPS}), 0 for no limit
 * @param corsOrigins       origins allowed to call from a browser ({@code INVENTORY_CORS_ORIGINS}, comma-separated
 *                          {@code https://shop.example.com}, or {@code *}); empty: CORS is off
 * @param cloudWatchLogGroup the CloudWatch Logs group to ship the log to ({@code INVENTORY_CLOUDWATCH_LOG_GROUP});
 *                          empty: the log goes to standard output only
 * @param cloudWatchEndpoint another CloudWatch Logs endpoint than the region's ({@code INVENTORY_CLOUDWATCH_ENDPOINT},
 *                          an http(s) URL), for local stand-ins and tests
 */
public record InventoryConfig(int port,
                              Optional<String> dbUrl,
                              Optional<String> dbUser,
                              Optional<String> dbPassword,
                              Optional<String> migrationUser,
                              Optional<String> migrationPassword,
                              int poolSize,
                              Path dataDir,
                              String logFormat,
                              Duration sweepInterval,
                              Duration heartbeat,
                              Optional<String> adminKey,
                              int rateLimitRps,
                              List<String> corsOrigins,
                              Optional<String> cloudWatchLogGroup,
                              Optional<URI> cloudWatchEndpoint) {

    private static final Pattern ADMIN_KEY = Pattern.compile("^[\\x21-\\x7E]{32,256}$");
    private static final Pattern ORIGIN = Pattern.compile("^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?$");
    private static final Pattern LOG_GROUP = Pattern.compile("^[A-Za-z0-9._/#-]{1,512}$");

    /**
     * Copies the list.
     */
    public InventoryConfig {
        corsOrigins = List.copyOf(corsOrigins);
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
     * The defaults of everything but the database and the port.
     *
     * @param port    HTTP port, 0 for a free one
     * @param dbUrl   JDBC URL, empty for the embedded database
     * @param pool    maximum pool size
     * @param dataDir embedded database files
     * @return the configuration
     */
    public static InventoryConfig of(int port, Optional<String> dbUrl, int pool, Path dataDir) {
        return new InventoryConfig(port, dbUrl, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                pool, dataDir, "text", Duration.ofSeconds(1), Duration.ofSeconds(10), Optional.empty(), 0, List.of(),
                Optional.empty(), Optional.empty());
    }

    /**
     * @param interval sweep interval, zero for none
     * @return this configuration with another sweep interval
     */
    public InventoryConfig withSweepInterval(Duration interval) {
        return new InventoryConfig(port, dbUrl, dbUser, dbPassword, migrationUser, migrationPassword, poolSize, dataDir,
                logFormat, interval, heartbeat, adminKey, rateLimitRps, corsOrigins,
                cloudWatchLogGroup, cloudWatchEndpoint);
    }

    /**
     * @param interval heartbeat interval of event streams
     * @return this configuration with another heartbeat interval
     */
    public InventoryConfig withHeartbeat(Duration interval) {
        return new InventoryConfig(port, dbUrl, dbUser, dbPassword, migrationUser, migrationPassword, poolSize, dataDir,
                logFormat, sweepInterval, interval, adminKey, rateLimitRps, corsOrigins,
                cloudWatchLogGroup, cloudWatchEndpoint);
    }

    /**
     * @param key the bootstrap admin key, or null for none
     * @return this configuration with another admin key
     */
    public InventoryConfig withAdminKey(String key) {
        return new InventoryConfig(port, dbUrl, dbUser, dbPassword, migrationUser, migrationPassword, poolSize, dataDir,
                logFormat, sweepInterval, heartbeat, Optional.ofNullable(key), rateLimitRps, corsOrigins,
                cloudWatchLogGroup, cloudWatchEndpoint);
    }

    /**
     * @param rps requests per second per key, 0 for no limit
     * @return this configuration with another rate limit
     */
    public InventoryConfig withRateLimit(int rps) {
        return new InventoryConfig(port, dbUrl, dbUser, dbPassword, migrationUser, migrationPassword, poolSize, dataDir,
                logFormat, sweepInterval, heartbeat, adminKey, rps, corsOrigins,
                cloudWatchLogGroup, cloudWatchEndpoint);
    }

    /**
     * @param origins allowed browser origins
     * @return this configuration with other CORS origins
     */
    public InventoryConfig withCorsOrigins(List<String> origins) {
        return new InventoryConfig(port, dbUrl, dbUser, dbPassword, migrationUser, migrationPassword, poolSize, dataDir,
                logFormat, sweepInterval, heartbeat, adminKey, rateLimitRps, origins,
                cloudWatchLogGroup, cloudWatchEndpoint);
    }

    /**
     * @param user     the service's login
     * @param password its password
     * @return this configuration with other database credentials
     */
    public InventoryConfig withDbCredentials(String user, String password) {
        return new InventoryConfig(port, dbUrl, Optional.ofNullable(user), Optional.ofNullable(password), migrationUser,
                migrationPassword, poolSize, dataDir, logFormat, sweepInterval, heartbeat, adminKey, rateLimitRps,
                corsOrigins, cloudWatchLogGroup, cloudWatchEndpoint);
    }

    /**
     * @param user     the schema owner's login, for migrations
     * @param password its password
     * @return this configuration with other migration credentials
     */
    public InventoryConfig withMigrationCredentials(String user, String password) {
        return new InventoryConfig(port, dbUrl, dbUser, dbPassword, Optional.ofNullable(user),
                Optional.ofNullable(password), poolSize, dataDir, logFormat, sweepInterval, heartbeat, adminKey,
                rateLimitRps, corsOrigins, cloudWatchLogGroup, cloudWatchEndpoint);
    }

    /**
     * @param logGroup the CloudWatch Logs group, or null for no shipping
     * @param endpoint another endpoint than the region's, or null
     * @return this configuration with other CloudWatch settings
     */
    public InventoryConfig withCloudWatch(String logGroup, URI endpoint) {
        return new InventoryConfig(port, dbUrl, dbUser, dbPassword, migrationUser, migrationPassword, poolSize, dataDir,
                logFormat, sweepInterval, heartbeat, adminKey, rateLimitRps, corsOrigins, Optional.ofNullable(logGroup),
                Optional.ofNullable(endpoint));
    }

    /**
     * The configuration's sources, highest priority first: environment variables, system properties and the
     * module's {@code application.yaml}. Named here rather than found by {@code Config.create()}, which first looks
     * for meta-configuration files in several formats and places and loads every parser by service discovery: of a
     * cold start's main thread, that search took about a third. The result is also made Helidon's global
     * configuration, which metrics read at start: without it they built a second one from the same sources.
     *
     * @return the Helidon configuration to read with {@link #from(Config)}
     */
    static Config load() {
        Config config = Config.builder()
                .disableParserServices()
                .addParser(YamlConfigParser.create())
                .sources(ConfigSources.classpath("application.yaml"))
                .build();
        GlobalConfig.config(() -> config, true);
        return config;
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
        if (url.isEmpty() && !EmbeddedDatabase.available()) {
            // the container image leaves the embedded PostgreSQL out (module-info: requires static)
            throw new Invalid("INVENTORY_DB_URL is not set and this image has no embedded PostgreSQL: set it to the "
                              + "database's JDBC URL (jdbc:postgresql://host:5432/db)");
        }
        int pool = integer(inv.get("db.pool.size"), "INVENTORY_DB_POOL_SIZE", 16, 1, 500);
        Path dataDir = Path.of(text(inv.get("data.dir")).orElse("./inventory-data"));
        String format = text(inv.get("log.format")).orElse("text");
        if (!format.equals("text") && !format.equals("json")) {
            throw new Invalid("INVENTORY_LOG_FORMAT must be text or json, got '" + format + "'");
        }
        int rps = integer(inv.get("rate.limit.rps"), "INVENTORY_RATE_LIMIT_RPS", 0, 0, 1_000_000);
        int sweepMs = integer(inv.get("reservations.sweep.ms"), "INVENTORY_RESERVATIONS_SWEEP_MS", 1000, 0, 30_000);
        int heartbeat = integer(inv.get("events.heartbeat.seconds"), "INVENTORY_EVENTS_HEARTBEAT_SECONDS", 10, 1, 15);
        Optional<String> adminKey = inv.get("admin.key").asString().asOptional().filter(s -> !s.isEmpty());
        adminKey.ifPresent(k -> {
            if (!ADMIN_KEY.matcher(k).matches()) {
                // never echo a secret, not even a wrong one
                throw new Invalid("INVENTORY_ADMIN_KEY must be 32 to 256 printable ASCII characters without spaces");
            }
        });
        List<String> origins = text(inv.get("cors.origins"))
                .map(s -> Arrays.stream(s.split(",")).map(String::trim).filter(o -> !o.isEmpty()).toList())
                .orElse(List.of());
        for (String o : origins) {
            if (!o.equals("*") && !ORIGIN.matcher(o).matches()) {
                throw new Invalid("INVENTORY_CORS_ORIGINS must list origins such as https://shop.example.com (or *), got '"
                                  + o + "'");
            }
        }
        Optional<String> logGroup = text(inv.get("cloudwatch.log.group"));
        logGroup.ifPresent(g -> {
            if (!LOG_GROUP.matcher(g).matches()) {
                throw new Invalid("INVENTORY_CLOUDWATCH_LOG_GROUP must be a log group name (1 to 512 of A-Z a-z 0-9 "
                                  + "and . _ - / #), got '" + g + "'");
            }
            if (text(config.get("aws.region")).isEmpty() && text(config.get("aws.default.region")).isEmpty()) {
                throw new Invalid("INVENTORY_CLOUDWATCH_LOG_GROUP is set but no AWS region is: set AWS_REGION "
                                  + "(ECS sets it for the task)");
            }
        });
        Optional<URI> endpoint = text(inv.get("cloudwatch.endpoint")).map(InventoryConfig::endpoint);
        return new InventoryConfig(port, url, text(inv.get("db.user")), text(inv.get("db.password")),
                text(inv.get("db.migration.user")), text(inv.get("db.migration.password")), pool, dataDir, format,
                Duration.ofMillis(sweepMs), Duration.ofSeconds(heartbeat), adminKey, rps, origins, logGroup, endpoint);
    }

    private static URI endpoint(String text) {
        try {
            URI uri = new URI(text);
            if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null
                && uri.getRawQuery() == null && uri.getRawFragment() == null) {
                return uri;
            }
        } catch (java.net.URISyntaxException e) {
            // reported below
        }
        throw new Invalid("INVENTORY_CLOUDWATCH_ENDPOINT must be an http(s) URL such as "
                          + "https://logs.eu-west-1.amazonaws.com, got '" + text + "'");
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
