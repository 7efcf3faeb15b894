package inventory.app;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import io.helidon.metrics.api.Gauge;
import io.helidon.metrics.api.MeterRegistry;

import inventory.app.logging.CloudWatchHandler;
import inventory.app.logging.CloudWatchShipper;
import inventory.app.logging.EmfReporter;
import inventory.persistence.PgDatabase;
import inventory.web.BusinessMetrics;
import inventory.web.HttpMetrics;

/**
 * What {@link InventoryServer} wires for watching the service rather than serving it: the pool's gauges, the
 * CloudWatch embedded-metric reporter, the active-reservations figure and the shipping of the log to CloudWatch Logs.
 * Process-wide state lives here because the metrics registry and the root logger are process-wide too.
 */
final class Telemetry {

    /** The server's logger: these lines are part of its start and stop. */
    private static final System.Logger LOG = System.getLogger(InventoryServer.class.getName());

    private Telemetry() {
    }

    /** Log-line drop counts of the CloudWatch shippers of this process (none when shipping is off). */
    static final java.util.concurrent.ConcurrentLinkedDeque<java.util.function.LongSupplier> LOG_DROPS =
            new java.util.concurrent.ConcurrentLinkedDeque<>();

    /** @return log lines the CloudWatch shippers of this process dropped, in all */
    static long logLinesDropped() {
        return LOG_DROPS.stream().mapToLong(java.util.function.LongSupplier::getAsLong).sum();
    }

    /** The number of active reservations, read from the database at most every 5 s. */
    static final class ActiveReservations {
        private static final long MAX_AGE = Duration.ofSeconds(5).toNanos();
        private final java.util.function.LongSupplier query;
        private volatile long value;
        private volatile long readAt = Long.MIN_VALUE;

        ActiveReservations(java.util.function.LongSupplier query) {
            this.query = query;
        }

        synchronized double value() {
            long now = System.nanoTime();
            if (readAt == Long.MIN_VALUE || now - readAt > MAX_AGE) {
                try {
                    value = query.getAsLong();
                } catch (RuntimeException e) {
                    // the database is away: keep the last figure; readiness says the rest
                }
                readAt = now;
            }
            return value;
        }
    }

    static EmfReporter emf(HttpMetrics http, BusinessMetrics business, PgDatabase db, ActiveReservations active) {
        HttpMetrics.Window[] window = {new HttpMetrics.Window(0, 0, 0)};
        Map<String, EmfReporter.Source> sources = new java.util.LinkedHashMap<>();
        sources.put("Requests", new EmfReporter.Source("Count", false, () -> window[0].requests()));
        sources.put("Errors5xx", new EmfReporter.Source("Count", false, () -> window[0].errors5xx()));
        sources.put("LatencyP99Ms", new EmfReporter.Source("Milliseconds", false, () -> window[0].p99Ms()));
        sources.put("PoolActive", new EmfReporter.Source("Count", false,
                () -> db.poolStats().map(PgDatabase.PoolStats::active).orElse(0)));
        sources.put("PoolPending", new EmfReporter.Source("Count", false,
                () -> db.poolStats().map(PgDatabase.PoolStats::pending).orElse(0)));
        sources.put("PoolTimeouts", EmfReporter.Source.counter(db::poolTimeouts));
        sources.put("StockMovements", EmfReporter.Source.counter(business::movementsTotal));
        sources.put("InsufficientStock", EmfReporter.Source.counter(business::insufficientTotal));
        sources.put("ActiveReservations", new EmfReporter.Source("Count", false, active::value));
        sources.put("IdempotentReplays", EmfReporter.Source.counter(business::replaysTotal));
        sources.put("LogLinesDropped", EmfReporter.Source.counter(
                Telemetry::logLinesDropped));
        return new EmfReporter(Duration.ofSeconds(60), () -> window[0] = http.takeWindow(), sources);
    }

    /**
     * The pools of the services running in this process, newest last. The metrics registry is global to the
     * process and a gauge is registered once, so the gauges read the newest open pool rather than the pool of
     * whichever service registered them first (tests run several services one after another).
     */
    static final java.util.concurrent.ConcurrentLinkedDeque<PgDatabase> POOLS =
            new java.util.concurrent.ConcurrentLinkedDeque<>();

    static void registerPoolGauges(MeterRegistry registry, PgDatabase db) {
        POOLS.addLast(db);
        record PoolGauge(String name, String description, java.util.function.ToIntFunction<PgDatabase.PoolStats> value) {
        }
        for (PoolGauge g : java.util.List.of(
                new PoolGauge("db.pool.active", "connections in use", PgDatabase.PoolStats::active),
                new PoolGauge("db.pool.idle", "idle connections", PgDatabase.PoolStats::idle),
                new PoolGauge("db.pool.total", "open connections", PgDatabase.PoolStats::total),
                new PoolGauge("db.pool.pending", "threads waiting for a connection", PgDatabase.PoolStats::pending),
                new PoolGauge("db.pool.max", "maximum pool size", PgDatabase.PoolStats::max))) {
            registry.getOrCreate(Gauge.builder(g.name(), POOLS,
                    pools -> java.util.Optional.ofNullable(pools.peekLast()).flatMap(PgDatabase::poolStats)
                            .map(s -> (double) g.value().applyAsInt(s)).orElse(0.0)).description(g.description()));
        }
    }

    /**
     * Ships the log to CloudWatch Logs when a log group is configured: a handler on the root logger, formatting as
     * the console does, in front of a shipper that never holds up the logging call.
     */
    static Optional<CloudWatchHandler> shipLogs(InventoryConfig config) {
        if (config.cloudWatchLogGroup().isEmpty()) {
            return Optional.empty();
        }
        // the region named by the environment, never the SDK's last resort (asking the EC2 instance metadata)
        String region = java.util.stream.Stream.of(System.getenv("AWS_REGION"), System.getProperty("aws.region"),
                        System.getenv("AWS_DEFAULT_REGION"))
                .filter(r -> r != null && !r.isBlank()).map(String::trim).findFirst()
                .orElseThrow(() -> new IllegalStateException("a CloudWatch log group is set but no AWS region: set "
                                                             + "AWS_REGION"));
        CloudWatchShipper shipper = CloudWatchShipper.start(CloudWatchShipper.Settings.of(
                config.cloudWatchLogGroup().get(), config.cloudWatchEndpoint(), Optional.of(region)));
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        java.util.logging.Formatter fallback = new java.util.logging.SimpleFormatter();
        // the console's formatter at the time of each record, so that a format chosen later applies here too
        java.util.logging.Formatter asTheConsole = new java.util.logging.Formatter() {
            @Override
            public String format(java.util.logging.LogRecord record) {
                for (java.util.logging.Handler h : root.getHandlers()) {
                    if (!(h instanceof CloudWatchHandler) && h.getFormatter() != null) {
                        return h.getFormatter().format(record);
                    }
                }
                return fallback.format(record);
            }
        };
        CloudWatchHandler handler = new CloudWatchHandler(shipper, asTheConsole);
        root.addHandler(handler);
        LOG.log(Level.INFO, "shipping the log to CloudWatch Logs group " + shipper.settings().logGroup() + ", stream "
                            + shipper.settings().logStream() + " in " + region
                            + config.cloudWatchEndpoint().map(e -> " at " + e).orElse(""));
        return Optional.of(handler);
    }

    /** Sends what is buffered (at most 5 s) and stops shipping; lines logged later go to the console only. */
    static void stopShippingLogs(Optional<CloudWatchHandler> logs) {
        logs.ifPresent(handler -> {
            java.util.logging.Logger.getLogger("").removeHandler(handler);
            handler.close();
        });
    }
}
