package inventory.app;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;

import org.junit.jupiter.api.Test;

import inventory.app.logging.EmfReporter;
import inventory.app.logging.JsonFormatter;
import inventory.web.RequestLog;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

/**
 * What the service tells an operator: JSON log lines, the request id in them, the access log, business metrics
 * by name and Embedded Metric Format lines.
 */
class TelemetryTest {

    private final TestServer server = TestServer.shared();

    private static JsonObject parse(String line) {
        try (JsonReader r = Json.createReader(new StringReader(line))) {
            return r.readObject();
        }
    }

    @Test
    void jsonLinesCarryTheRequestIdFieldsAndTheStackTraceInOneField() {
        JsonFormatter f = new JsonFormatter();
        LogRecord plain = new LogRecord(Level.WARNING, "pool \"busy\"\nsecond line");
        plain.setLoggerName("inventory.test");
        String[] within = new String[1];
        ScopedValue.where(RequestLog.REQUEST_ID, "req-42").run(() -> within[0] = f.format(plain));
        assertThat(within[0].endsWith("\n"), is(true));
        assertThat("one line", within[0].strip().contains("\n"), is(false));
        JsonObject o = parse(within[0]);
        assertThat(o.getString("level"), is("WARN"));
        assertThat(o.getString("logger"), is("inventory.test"));
        assertThat(o.getString("message"), is("pool \"busy\"\nsecond line"));
        assertThat(o.getString("requestId"), is("req-42"));
        assertThat(o.getString("timestamp"), org.hamcrest.Matchers.matchesPattern(ProblemAssertions.TIMESTAMP));

        LogRecord failed = new LogRecord(Level.SEVERE, "request failed");
        failed.setThrown(new IllegalStateException("boom", new RuntimeException("cause")));
        JsonObject e = parse(f.format(failed));
        assertThat(e.getString("level"), is("ERROR"));
        assertThat(e.getString("error"), containsString("IllegalStateException: boom"));
        assertThat(e.getString("error"), containsString("Caused by: java.lang.RuntimeException: cause"));
        assertThat(e.containsKey("requestId"), is(false));
    }

    @Test
    void everyRequestGetsOneAccessLogLineWithItsTemplateAndKey() throws Exception {
        List<LogRecord> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                seen.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger access = Logger.getLogger(RequestLog.ACCESS_LOGGER);
        access.addHandler(capture);
        try {
            String id = server.product(TestServer.sku("ACCESS"), 1).getString("id");
            TestServer.Response r = server.get("/v1/products/" + id, "X-Request-Id", "access-log-test-1");
            assertThat(r.status(), is(200));
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            LogRecord mine = null;
            while (mine == null && System.nanoTime() < deadline) {
                mine = seen.stream().filter(x -> String.valueOf(x.getMessage()).contains("access-log-test-1")).findFirst()
                        .orElse(null);
                Thread.sleep(20);
            }
            assertThat("an access line for the request", mine != null, is(true));
            JsonObject line = parse(new JsonFormatter().format(mine));
            assertThat(line.getString("requestId"), is("access-log-test-1"));
            assertThat(line.getString("method"), is("GET"));
            assertThat("the template, never the raw path", line.getString("route"), is("/v1/products/{id}"));
            assertThat(line.getInt("status"), is(200));
            assertThat(line.getJsonNumber("durationMs").doubleValue(), is(greaterThan(0.0)));
            assertThat(line.getJsonNumber("bytes").longValue(), is(greaterThan(100L)));
            assertThat(line.getString("apiKeyId"), is("env-admin"));
            assertThat(line.getString("client"), is(not("")));
            assertThat("no secret in the log", line.toString(), not(containsString(TestServer.ADMIN_KEY)));
        } finally {
            access.removeHandler(capture);
        }
    }

    @Test
    void businessCountersMoveWithTheWork() {
        String id = server.product(TestServer.sku("METRIC"), 2).getString("id");
        double sold = metric("inventory_stock_movements_total", Map.of("reason", "SOLD"));
        double received = metric("inventory_stock_movements_total", Map.of("reason", "RECEIVED"));
        double refused = metric("inventory_stock_insufficient_total", Map.of());
        double replays = metric("inventory_idempotency_replays_total", Map.of());
        String key = "metric-" + System.nanoTime();
        assertThat(server.post("/v1/products/" + id + "/stock/adjustments", "{\"delta\":-1,\"reason\":\"SOLD\"}",
                "Idempotency-Key", key).status(), is(201));
        assertThat(server.post("/v1/products/" + id + "/stock/adjustments", "{\"delta\":-1,\"reason\":\"SOLD\"}",
                "Idempotency-Key", key).header("Idempotent-Replayed").orElse(""), is("true"));
        assertThat(server.post("/v1/products/" + id + "/stock/adjustments", "{\"delta\":-5,\"reason\":\"SOLD\"}")
                .status(), is(409));
        assertThat(server.post("/v1/products/" + id + "/stock/adjustments", "{\"delta\":3,\"reason\":\"RECEIVED\"}")
                .status(), is(201));
        assertThat(metric("inventory_stock_movements_total", Map.of("reason", "SOLD")), is(sold + 1));
        assertThat(metric("inventory_stock_movements_total", Map.of("reason", "RECEIVED")), is(received + 1));
        assertThat(metric("inventory_stock_insufficient_total", Map.of()), is(refused + 1));
        assertThat(metric("inventory_idempotency_replays_total", Map.of()), is(replays + 1));
        assertThat(metric("inventory_reservations_active", Map.of()), is(greaterThanOrEqualTo(0.0)));
        assertThat(metric("db_pool_timeouts_total", Map.of()), is(greaterThanOrEqualTo(0.0)));
        assertThat(metric("inventory_log_lines_dropped_total", Map.of()), is(0.0));
    }

    private double metric(String name, Map<String, String> labels) {
        String text = server.get("/metrics").body();
        return OperationsTest.value(text, name, labels)
                .orElseThrow(() -> new AssertionError("no " + name + labels + " in /metrics"));
    }

    @Test
    void embeddedMetricFormatLinesAreWhatCloudWatchExpects() {
        List<String> lines = new ArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                lines.add(getFormatter().format(record));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        capture.setFormatter(new JsonFormatter());
        Logger logger = Logger.getLogger(EmfReporter.LOGGER);
        logger.addHandler(capture);
        try {
            long[] count = {10};
            Map<String, EmfReporter.Source> sources = new LinkedHashMap<>();
            sources.put("Requests", EmfReporter.Source.counter(() -> count[0]));
            sources.put("LatencyP99Ms", new EmfReporter.Source("Milliseconds", false, () -> 12.5));
            EmfReporter emf = new EmfReporter(Duration.ofHours(1), () -> { }, sources);
            emf.start();
            count[0] = 17;
            emf.report();
            emf.close();
        } finally {
            logger.removeHandler(capture);
        }
        assertThat(lines.size(), is(1));
        JsonObject o = parse(lines.getFirst());
        JsonObject directive = o.getJsonObject("_aws").getJsonArray("CloudWatchMetrics").getJsonObject(0);
        assertThat(directive.getString("Namespace"), is("Inventory"));
        assertThat(directive.getJsonArray("Dimensions").getJsonArray(0).getString(0), is("Service"));
        assertThat(directive.getJsonArray("Metrics").size(), is(2));
        assertThat(o.getJsonObject("_aws").getJsonNumber("Timestamp").longValue(), is(greaterThan(0L)));
        assertThat(o.getString("Service"), is("inventory"));
        assertThat("a counter reports its increase", o.getJsonNumber("Requests").longValue(), is(7L));
        assertThat(o.getJsonNumber("LatencyP99Ms").doubleValue(), is(12.5));
    }

    @Test
    void readinessStaysUpWhileEveryPooledConnectionIsBusy() throws Exception {
        try (TestServer s = TestServer.start(TestServer.dataDir("busy-pool"), c -> c);
             TestServer small = TestServer.start(s.databaseUrl(), 2, c -> c)) {
            String id = small.product(TestServer.sku("BUSY"), 5).getString("id");
            try (java.sql.Connection lock = s.jdbc()) {
                lock.setAutoCommit(false);
                try (var st = lock.prepareStatement("SELECT id FROM products WHERE id = CAST(? AS uuid) FOR UPDATE")) {
                    st.setString(1, id);
                    st.executeQuery().close();
                }
                // two adjustments wait for the row lock, each holding one of the pool's two connections
                try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
                    List<java.util.concurrent.Future<TestServer.Response>> waiting = new ArrayList<>();
                    for (int i = 0; i < 2; i++) {
                        waiting.add(pool.submit(() -> small.post("/v1/products/" + id + "/stock/adjustments",
                                "{\"delta\":1,\"reason\":\"RECEIVED\"}")));
                    }
                    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                    while (small.count("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'") < 2
                           && System.nanoTime() < deadline) {
                        Thread.sleep(20);
                    }
                    long start = System.nanoTime();
                    TestServer.Response ready = small.get("/health/ready");
                    long ms = Duration.ofNanos(System.nanoTime() - start).toMillis();
                    assertThat(ready.body(), ready.status(), is(200));
                    assertThat("answered without waiting for the pool", ms, is(org.hamcrest.Matchers.lessThan(2000L)));
                    lock.rollback();
                    for (var f : waiting) {
                        assertThat(f.get().status(), is(201));
                    }
                }
            }
        }
    }

    @Test
    void withJsonFormatEveryLineTheProcessWritesIsOneJsonObject() throws Exception {
        Path data = TestServer.dataDir("jsonlogs");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(List.of(java, "-Dexit.on.started=true", "-cp",
                System.getProperty("java.class.path"), "inventory.app.Main")).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("INVENTORY_"));
        pb.environment().put("INVENTORY_LOG_FORMAT", "json");
        pb.environment().put("INVENTORY_PORT", "0");
        pb.environment().put("INVENTORY_DATA_DIR", data.toString());
        Process p = pb.start();
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the service did not start and exit");
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        List<String> lines = out.lines().filter(l -> !l.isBlank()).toList();
        assertThat(out, lines.size(), is(greaterThanOrEqualTo(3)));
        for (String line : lines) {
            JsonObject o;
            try {
                o = parse(line);
            } catch (RuntimeException e) {
                throw new AssertionError("not a JSON object: " + line, e);
            }
            assertThat(line, o.containsKey("timestamp") && o.containsKey("level") && o.containsKey("message"), is(true));
        }
        assertThat(out, containsString("inventory ready on"));
        assertThat("the bootstrap key is logged once, as JSON", out, containsString("inv_"));
        stopEmbedded(data);
    }

    /** exit.on.started leaves the embedded PostgreSQL running; stop it. */
    private static void stopEmbedded(Path data) throws IOException, InterruptedException {
        Path pid = data.resolve("pg").resolve("postmaster.pid");
        if (Files.exists(pid)) {
            long id = Long.parseLong(Files.readAllLines(pid).getFirst().trim());
            ProcessHandle.of(id).ifPresent(ProcessHandle::destroy);
        }
    }
}
