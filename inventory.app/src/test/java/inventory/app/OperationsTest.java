package inventory.app;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

/**
 * The operations endpoints outside {@code /v1}: liveness, readiness, Prometheus metrics and the OpenAPI document.
 */
class OperationsTest {

    /** One sample line of the Prometheus text format: name, labels, value. */
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})?\\s+(\\S+)(?:\\s+\\d+)?$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    private final TestServer server = TestServer.shared();

    @Test
    void liveIs200() {
        TestServer.Response r = server.get("/health/live");

        assertThat(r.status(), is(200));
        assertThat(r.header("X-Request-Id").isPresent(), is(true));
    }

    @Test
    void readyIs200WithStatusUpWhenTheDatabaseAnswers() {
        TestServer.Response r = server.get("/health/ready");

        assertThat(r.body(), r.status(), is(200));
        assertThat(r.header("Content-Type").orElse(""), startsWith("application/json"));
        JsonObject health = r.json();
        assertThat(health.getString("status"), is("UP"));
        List<JsonObject> checks = health.getJsonArray("checks").stream().map(JsonValue::asJsonObject).toList();
        assertThat(checks.stream().map(c -> c.getString("name") + "=" + c.getString("status")).toList(),
                hasItem("database=UP"));
    }

    @Test
    void metricsArePrometheusTextWithARequestHistogramByRouteTemplateAndStatus() throws InterruptedException {
        String id = server.product(TestServer.sku("MET"), 1).getString("id");
        Map<String, String> labels = Map.of("method", "GET", "route", "/v1/products/{id}", "status", "200");
        double before = value(metrics(), "http_server_requests_seconds_count", labels).orElse(0.0);

        for (int i = 0; i < 3; i++) {
            assertThat(server.get("/v1/products/" + id).status(), is(200));
        }
        String text = awaitCount(labels, before + 3);

        assertThat(value(text, "http_server_requests_seconds_count", labels).orElseThrow(), is(before + 3));
        assertThat(text, containsString("# TYPE http_server_requests_seconds histogram"));
        Map<String, String> inf = new HashMap<>(labels);
        inf.put("le", "+Inf");
        assertThat(value(text, "http_server_requests_seconds_bucket", inf).orElseThrow(), is(before + 3));
        assertThat(value(text, "http_server_requests_seconds_sum", labels).orElseThrow(), is(greaterThanOrEqualTo(0.0)));
        // the label is the template, never the id
        assertThat(text, not(containsString(id)));
    }

    @Test
    void metricsLabelErrorsByStatusAndUnknownPathsWithoutThePath() throws InterruptedException {
        String unknown = "/v1/nothing-here-" + TestServer.sku("x").toLowerCase();
        assertThat(server.get(unknown).status(), is(404));
        Map<String, String> notFound = Map.of("method", "GET", "route", "/v1/products/{id}", "status", "404");
        double before = value(metrics(), "http_server_requests_seconds_count", notFound).orElse(0.0);
        assertThat(server.get("/v1/products/" + java.util.UUID.randomUUID()).status(), is(404));

        String text = awaitCount(notFound, before + 1);

        assertThat(value(text, "http_server_requests_seconds_count", notFound).orElseThrow(), is(before + 1));
        assertThat(text, not(containsString(unknown)));
        Map<String, String> unmatched = Map.of("method", "GET", "route", "unmatched", "status", "404");
        assertThat(value(text, "http_server_requests_seconds_count", unmatched).orElse(0.0), is(greaterThanOrEqualTo(1.0)));
    }

    @Test
    void metricsIncludePoolUsageJvmMemoryAndGc() {
        TestServer.Response r = server.get("/metrics");

        assertThat(r.status(), is(200));
        assertThat(r.header("Content-Type").orElse(""), startsWith("text/plain"));
        assertThat(r.header("X-Request-Id").isPresent(), is(true));
        String text = r.body();
        assertThat(value(text, "db_pool_max", Map.of()).orElseThrow(), is(16.0));
        assertThat(value(text, "db_pool_active", Map.of()).isPresent(), is(true));
        assertThat(value(text, "db_pool_total", Map.of()).orElseThrow(), is(greaterThanOrEqualTo(1.0)));
        assertThat(value(text, "memory_usedHeap_bytes", Map.of()).orElseThrow(), is(greaterThanOrEqualTo(1.0)));
        assertThat(text, containsString("\ngc_total{"));
        for (String line : text.split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                assertThat(line, SAMPLE.matcher(line).matches(), is(true));
            }
        }
    }

    @Test
    void openapiIsTheOpenApi31Document() {
        TestServer.Response r = server.get("/openapi");

        assertThat(r.status(), is(200));
        assertThat(r.body(), containsString("openapi: 3.1"));
        assertThat(r.body(), containsString("/v1/products:"));
        assertThat(r.body(), containsString("/v1/products/{id}:"));
        assertThat(r.body(), containsString("/v1/locations:"));
        assertThat(r.header("X-Request-Id").isPresent(), is(true));
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private String metrics() {
        TestServer.Response r = server.get("/metrics");
        assertThat(r.status(), is(200));
        return r.body();
    }

    /**
     * Metrics are recorded once the answer is sent, so the client can be a moment ahead: polls until the count
     * reaches what is expected (at most 5 s) and returns the last scrape.
     */
    private String awaitCount(Map<String, String> labels, double expected) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        String text = metrics();
        while (value(text, "http_server_requests_seconds_count", labels).orElse(0.0) < expected
               && System.nanoTime() < deadline) {
            Thread.sleep(50);
            text = metrics();
        }
        return text;
    }

    /** The value of the first sample with that name whose labels include the given ones. */
    static Optional<Double> value(String text, String name, Map<String, String> labels) {
        for (String line : text.split("\n")) {
            Matcher m = SAMPLE.matcher(line);
            if (line.startsWith("#") || !m.matches() || !m.group(1).equals(name)) {
                continue;
            }
            Map<String, String> found = new HashMap<>();
            Matcher l = LABEL.matcher(m.group(2) == null ? "" : m.group(2));
            while (l.find()) {
                found.put(l.group(1), l.group(2));
            }
            if (found.entrySet().containsAll(labels.entrySet())) {
                return Optional.of(Double.parseDouble(m.group(3).replace("+Inf", "Infinity")));
            }
        }
        return Optional.empty();
    }
}
