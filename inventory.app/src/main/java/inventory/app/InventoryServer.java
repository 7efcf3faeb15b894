package inventory.app;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Metrics;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.observe.ObserveFeature;
import io.helidon.webserver.observe.health.HealthObserver;
import io.helidon.webserver.observe.metrics.MetricsObserver;

import inventory.app.logging.CloudWatchHandler;
import inventory.app.logging.LogShutdown;
import inventory.core.Idempotency;
import inventory.core.ApiKeys;
import inventory.core.BackgroundLoop;
import inventory.core.EventFeed;
import inventory.core.RateLimiter;
import inventory.core.LocationService;
import inventory.core.ReservationService;
import inventory.core.ReservationSweeper;
import inventory.core.ProductService;
import inventory.core.ReadCache;
import inventory.core.StockService;
import inventory.core.UuidV7;
import inventory.persistence.PgDatabase;
import inventory.persistence.PgSchema;
import inventory.persistence.PgProductChanges;
import inventory.persistence.PgIdempotencyStore;
import inventory.persistence.PgApiKeyRepository;
import inventory.persistence.PgEventLog;
import inventory.persistence.PgLocationRepository;
import inventory.persistence.PgReservationRepository;
import inventory.persistence.PgProductRepository;
import inventory.persistence.PgStockRepository;
import inventory.web.HttpMetrics;
import inventory.web.InventoryRouting;
import inventory.web.KeptProduct;
import inventory.app.logging.EmfReporter;
import inventory.web.ApiKeyHandler;
import inventory.web.BusinessMetrics;
import inventory.web.EventHandler;
import inventory.web.EventJson;
import inventory.web.LocationHandler;
import inventory.web.ReservationHandler;
import inventory.web.Security;
import inventory.web.ProductHandler;
import inventory.web.StockHandler;

/**
 * The running service: database (embedded or configured), migrations, the wiring of every module with
 * constructors, and the web server. Tests start it exactly as {@link Main} does.
 */
public final class InventoryServer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(InventoryServer.class.getName());
    /** How often a process with stream clients looks for events numbered by other processes. */
    private static final Duration EVENT_POLL = Duration.ofMillis(250);
    /**
     * Products whose {@code GET} answer is kept in memory: 60-140 MB of heap at 100,000 (0.6-1.4 KB each, going by
     * the heap left after full collections with 10,000 kept), within the launcher's -Xmx256m.
     */
    private static final int PRODUCT_CACHE_CAPACITY = 100_000;
    /** How often other instances' product changes are looked for: how stale their changes may be read here. */
    private static final Duration PRODUCT_CHANGES_POLL = Duration.ofMillis(100);

    private final WebServer server;
    private final PgDatabase db;
    private final PgDatabase.Settings settings;
    private final PgDatabase.Settings owner;
    private final Optional<EmbeddedDatabase> embedded;
    private final BackgroundLoop housekeeping;
    private final EventFeed feed;
    private final ReservationSweeper sweeper;
    private final EmfReporter emf;
    private final PgProductChanges productChanges;
    private volatile Optional<CloudWatchHandler> logShipping = Optional.empty();

    private InventoryServer(WebServer server, PgDatabase db, PgDatabase.Settings settings, PgDatabase.Settings owner,
                            Optional<EmbeddedDatabase> embedded, BackgroundLoop housekeeping, EventFeed feed,
                            ReservationSweeper sweeper, EmfReporter emf, PgProductChanges productChanges) {
        this.server = server;
        this.db = db;
        this.settings = settings;
        this.owner = owner;
        this.embedded = embedded;
        this.housekeeping = housekeeping;
        this.feed = feed;
        this.sweeper = sweeper;
        this.productChanges = productChanges;
        this.emf = emf;
    }

    /**
     * The database could not be reached or migrated at start (exit code 3).
     */
    public static final class DatabaseFailure extends RuntimeException {
        DatabaseFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Starts the service. With a CloudWatch log group configured, the log is shipped there from the first line of the
     * start to the last of {@link #close()}.
     *
     * @param config configuration
     * @return the running service
     * @throws DatabaseFailure if the database cannot be reached or migrated
     */
    public static InventoryServer start(InventoryConfig config) {
        return start(config, Optional.empty());
    }

    /**
     * Starts the service, adopting migrations {@link EarlyMigration#begin(Map, java.util.Properties)} began before the
     * configuration was read when they were started for the database and login this configuration names (otherwise
     * they are awaited and the migrations run again, as without them).
     *
     * @param config configuration
     * @param early  migrations begun early, if any
     * @return the running service
     * @throws DatabaseFailure if the database cannot be reached or migrated
     */
    static InventoryServer start(InventoryConfig config, Optional<EarlyMigration> early) {
        // JUL's own shutdown hook waits for close(), so that the lines logged while stopping still go out
        LogShutdown.hold();
        Optional<CloudWatchHandler> logs = Optional.empty();
        try {
            logs = Telemetry.shipLogs(config);
            InventoryServer server = startServer(config, early);
            server.logShipping = logs;
            logs.ifPresent(h -> Telemetry.LOG_DROPS.add(h.shipper()::dropped));
            return server;
        } catch (RuntimeException e) {
            Telemetry.stopShippingLogs(logs);
            LogShutdown.release();
            throw e;
        }
    }

    private static InventoryServer startServer(InventoryConfig config, Optional<EarlyMigration> early) {
        Optional<EmbeddedDatabase> embedded = Optional.empty();
        // the service's pool logs in as a role that reads and writes rows; migrations run as the schema's owner
        PgDatabase.Settings service;
        PgDatabase.Settings owner;
        Duration timeout = PgDatabase.Settings.CONNECT_TIMEOUT;
        if (config.dbUrl().isPresent()) {
            service = new PgDatabase.Settings(config.dbUrl().get(), config.dbUser().orElse(null),
                    config.dbPassword().orElse(null), config.poolSize(), timeout);
            owner = config.migrationUser().isEmpty() ? service
                    : new PgDatabase.Settings(config.dbUrl().get(), config.migrationUser().get(),
                            config.migrationPassword().orElse(null), config.poolSize(), timeout);
        } else {
            try {
                embedded = Optional.of(EmbeddedDatabase.start(config.dataDir()));
            } catch (IOException | RuntimeException e) {
                throw new DatabaseFailure("the embedded PostgreSQL in " + config.dataDir().toAbsolutePath()
                                          + " could not start: " + e.getMessage(), e);
            }
            owner = new PgDatabase.Settings(embedded.get().url(), EmbeddedDatabase.OWNER, null, config.poolSize(), timeout);
            service = new PgDatabase.Settings(embedded.get().serviceUrl(), EmbeddedDatabase.SERVICE_LOGIN, null,
                    config.poolSize(), timeout);
        }
        // Migrating (mostly waiting for the database, and one SCRAM login) and building the web server (class
        // initialisation) take about as long as each other at start-up: on two cores they run side by side. Nothing
        // touches the database, and nothing listens, before the migrations are done.
        PgDatabase.Settings migrator = owner;
        Optional<EarlyMigration> adopted = early.filter(m -> m.serves(migrator));
        if (early.isPresent() && adopted.isEmpty()) {
            // begun for another database or login than the configuration names: let them end, then migrate anew
            early.get().awaitQuietly();
        }
        long t0 = adopted.map(EarlyMigration::started).orElseGet(System::nanoTime);
        Optional<EmbeddedDatabase> pg = embedded;
        // the pool connects lazily: opening it touches no database
        PgDatabase db = PgDatabase.open(service);
        // The pool's first login (the readiness check's connection) while the scripts run, once the migrations' own
        // login has worked: that connection then mostly waits for the database, and the SCRAM code is warm. The
        // embedded database's service login exists only after the migrations (ensureServiceLogin).
        Runnable poolFirstLogin = () -> Thread.ofVirtual().name("pool-first-login").start(db::ping);
        Runnable loggedIn = pg.isPresent() ? () -> { } : poolFirstLogin;
        adopted.ifPresent(m -> m.loggedIn().thenRun(loggedIn));
        java.util.concurrent.FutureTask<Integer> migrated = new java.util.concurrent.FutureTask<>(() -> {
            // reaches the database first: an SQLException means unreachable, a RuntimeException a failed migration
            int applied;
            if (adopted.isPresent()) {
                try {
                    applied = adopted.get().task().get();
                } catch (java.util.concurrent.ExecutionException e) {
                    throw e.getCause() instanceof Exception cause ? cause : e;
                }
            } else {
                applied = PgSchema.migrate(migrator, loggedIn);
            }
            LOG.log(applied > 0 ? Level.INFO : Level.DEBUG, "applied " + applied + " database migration(s) in "
                    + (System.nanoTime() - t0) / 1_000_000 + " ms" + (adopted.isPresent() ? " (begun at start)" : ""));
            if (pg.isPresent()) {
                pg.get().ensureServiceLogin();
            }
            if (!service.equals(migrator)) {
                // a wrong service login fails the start like an unreachable database, not every request later
                PgDatabase.probe(service);
            }
            if (pg.isPresent()) {
                poolFirstLogin.run();
            }
            return applied;
        });
        Thread.ofPlatform().name("migrate").start(migrated);
        Runnable awaitMigrations = () -> {
            try {
                migrated.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DatabaseFailure("interrupted while migrating the database", e);
            } catch (java.util.concurrent.ExecutionException failed) {
                Throwable e = failed.getCause();
                throw new DatabaseFailure("the database could not be " + (e instanceof SQLException ? "reached"
                        : "migrated") + ": " + e.getMessage(), e);
            }
        };
        try {
            InventoryServer server = wire(config, db, service, owner, embedded, awaitMigrations);
            LOG.log(Level.INFO, "listening " + (System.nanoTime() - t0) / 1_000_000 + " ms after the migrations began");
            return server;
        } catch (RuntimeException e) {
            // a failed start must not leave the migration running against a database being closed
            try {
                migrated.get();
            } catch (InterruptedException | java.util.concurrent.ExecutionException ignored) {
                // reported already, or the cause of this failure
            }
            Telemetry.POOLS.remove(db); // the metrics read the newest open pool
            db.close();
            embedded.ifPresent(EmbeddedDatabase::close);
            throw e;
        }
    }

    private static InventoryServer wire(InventoryConfig config, PgDatabase db, PgDatabase.Settings settings,
                                        PgDatabase.Settings owner, Optional<EmbeddedDatabase> embedded,
                                        Runnable awaitMigrations) {
        Clock clock = Clock.systemUTC();
        UuidV7 ids = new UuidV7();
        PgIdempotencyStore idempotencyStore = new PgIdempotencyStore(db);
        Idempotency idempotency = new Idempotency(db, idempotencyStore);
        PgEventLog eventLog = new PgEventLog(db, EventJson::data);
        EventFeed feed = new EventFeed(eventLog, EVENT_POLL);
        ReadCache<KeptProduct> productCache = new ReadCache<>(PRODUCT_CACHE_CAPACITY,
                KeptProduct::version);
        PgProductChanges productChanges = new PgProductChanges(db, PRODUCT_CHANGES_POLL, productCache::changed,
                productCache::added, productCache::enable, productCache::disable);
        ProductHandler products = new ProductHandler(
                new ProductService(new PgProductRepository(db), db, eventLog, ids, clock), idempotency, productCache);
        eventLog.onCommitted(products::committed);
        StockService stockService = new StockService(new PgStockRepository(db), db, eventLog, ids, clock);
        db.onHoldsExpired(stockService::holdsExpired);
        StockHandler stock = new StockHandler(stockService, idempotency);
        PgReservationRepository reservationRepository = new PgReservationRepository(db);
        ReservationService reservationService = new ReservationService(reservationRepository, db, eventLog,
                ids, clock);
        ReservationHandler reservations = new ReservationHandler(reservationService, idempotency);
        EventHandler events = new EventHandler(feed, config.heartbeat());
        ApiKeys apiKeys = new ApiKeys(new PgApiKeyRepository(db), ids, clock, config.adminKey(), System::nanoTime);
        ApiKeyHandler apiKeyHandler = new ApiKeyHandler(apiKeys, idempotency);
        Security security = new Security(apiKeys, new RateLimiter(config.rateLimitRps(), System::nanoTime),
                config.corsOrigins());
        LocationHandler locations = new LocationHandler(new LocationService(new PgLocationRepository(db), clock),
                idempotency);

        MeterRegistry registry = Metrics.globalRegistry();
        Telemetry.registerPoolGauges(registry, db);
        HttpMetrics httpMetrics = new HttpMetrics(registry);
        BusinessMetrics business = BusinessMetrics.global();
        Telemetry.ActiveReservations active = new Telemetry.ActiveReservations(reservationRepository::activeCount);
        business.gauge("inventory.reservations.active", "active reservations not yet expired (whole database)",
                active, Telemetry.ActiveReservations::value);
        business.counter("db.pool.timeouts", "requests that gave up waiting for a database connection (503)",
                Telemetry.POOLS, pools -> pools.stream().mapToLong(PgDatabase::poolTimeouts).sum());
        business.counter("inventory.log.lines.dropped", "log lines dropped because CloudWatch Logs could not take them",
                Telemetry.LOG_DROPS, drops -> Telemetry.logLinesDropped());
        EmfReporter emf = config.logFormat().equals("json")
                ? Telemetry.emf(httpMetrics, business, db, active) : null;

        ObserveFeature observe = ObserveFeature.builder()
                .endpoint("/")
                .observersDiscoverServices(false)
                .addObserver(HealthObserver.builder()
                        .details(true)
                        .useSystemServices(false)
                        .addCheck(new DatabaseReadiness(db))
                        .build())
                .addObserver(MetricsObserver.create())
                .build();

        WebServer server = WebServer.builder()
                .port(config.port())
                .shutdownHook(false)
                .shutdownGracePeriod(Duration.ofSeconds(10))
                .maxPayloadSize(InventoryRouting.MAX_BODY)
                // HTTP/1.1 only, with the limits of InventoryRouting (answered as problems by its direct handler)
                // instead of whatever defaults a discovered protocol brings
                .protocolsDiscoverServices(false)
                .addProtocol(Http1Config.builder()
                        .maxPrologueLength(InventoryRouting.MAX_REQUEST_LINE)
                        .maxHeadersSize(InventoryRouting.MAX_HEADERS)
                        .validatePath(true)
                        .validatePrologue(true)
                        .validateRequestHeaders(true)
                        .build())
                .directHandlers(directHandlers())
                .addFeature(observe)
                .routing((HttpRouting.Builder r) -> InventoryRouting.configure(r, products, stock, locations, reservations,
                        events, apiKeyHandler, security, httpMetrics))
                .build();

        // from here on the database is used: its schema must be there
        awaitMigrations.run();
        feed.start();
        apiKeys.bootstrap().ifPresent(key -> LOG.log(Level.WARNING,
                "No INVENTORY_ADMIN_KEY is set, so this admin API key was made; it is shown only now, store it safely:\n"
                + "  " + key));
        server.start();

        BackgroundLoop housekeeping = new BackgroundLoop("housekeeping");
        housekeeping.start(() -> {
            Duration wait = Duration.ofMinutes(1);
            while (housekeeping.pause(wait)) {
                wait = Duration.ofMinutes(60);
                try {
                    idempotencyStore.purgeOlderThan(Duration.ofHours(25));
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "purging old idempotency keys failed: " + e.getMessage());
                }
            }
        });
        if (emf != null) {
            emf.start();
        }
        ReservationSweeper sweeper = new ReservationSweeper(reservationService, config.sweepInterval());
        sweeper.start();
        productChanges.start();
        return new InventoryServer(server, db, settings, owner, embedded, housekeeping, feed, sweeper, emf,
                productChanges);
    }

    private static io.helidon.webserver.http.DirectHandlers directHandlers() {
        var builder = io.helidon.webserver.http.DirectHandlers.builder();
        for (io.helidon.http.DirectHandler.EventType type : io.helidon.http.DirectHandler.EventType.values()) {
            builder.addHandler(type, InventoryRouting.directHandler());
        }
        return builder.build();
    }

    /**
     * @return the JDBC URL of the database as configured; for the embedded database, one that logs in as its
     *         owner ({@code postgres}), as migrations do (the pool logs in as {@link #serviceUser()})
     */
    public String databaseUrl() {
        return owner.url();
    }

    /**
     * @return the login of the service's pool ({@code INVENTORY_DB_USER}; {@code inventory_app} on the embedded
     *         database), or null when the JDBC URL names it
     */
    public String serviceUser() {
        return settings.user();
    }

    /**
     * @return log lines not shipped to CloudWatch Logs because it did not take them fast enough (its buffer was full);
     *         0 when the log is not shipped
     */
    public long logLinesDropped() {
        return logShipping.map(h -> h.shipper().dropped()).orElse(0L);
    }

    /**
     * @return the port the server listens on
     */
    public int port() {
        return server.port();
    }

    /**
     * Stops accepting connections, lets in-flight requests finish (at most 10 s), then closes the pool and the
     * embedded database, logs "stopped" and last sends what is left of the log to CloudWatch (at most 5 s).
     */
    @Override
    public void close() {
        housekeeping.stop(Duration.ofSeconds(2));
        sweeper.close();
        if (emf != null) {
            emf.close();
        }
        // end the event streams first: they would otherwise hold the server's graceful stop for its whole grace period
        feed.close();
        server.stop();
        productChanges.close();
        Telemetry.POOLS.remove(db);
        db.close();
        embedded.ifPresent(EmbeddedDatabase::close);
        LOG.log(Level.INFO, "stopped");
        Telemetry.stopShippingLogs(logShipping);
        LogShutdown.release();
    }
}
