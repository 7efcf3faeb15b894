package inventory.app;

import java.sql.SQLException;
import java.util.UUID;

import jakarta.json.JsonObject;

import org.junit.jupiter.api.Test;

import static inventory.app.ConventionsTest.newProduct;
import static inventory.app.ConventionsTest.withField;
import static inventory.app.ProblemAssertions.assertProblem;
import static inventory.app.ProblemAssertions.assertProblemShape;
import static inventory.app.ProblemAssertions.assertValidation;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/**
 * The contract's idempotency keys on {@code POST}: a replay gets the stored answer byte for byte, another body
 * under the same key is a 422, a refusal of the request itself is not stored, and keys are scoped to method and
 * path.
 */
class IdempotencyKeyTest {

    private final TestServer server = TestServer.shared();

    @Test
    void replayReturnsTheStoredAnswerByteForByte() throws SQLException {
        String sku = TestServer.sku("IDEM");
        String body = withField(newProduct(sku), "\"initialQuantity\":3");
        String key = "create-" + UUID.randomUUID();

        TestServer.Response first = server.post("/v1/products", body, "Idempotency-Key", key);
        assertThat(first.body(), first.status(), is(201));
        assertThat(first.header("Idempotent-Replayed").isPresent(), is(false));

        TestServer.Response replay = server.post("/v1/products", body, "Idempotency-Key", key);
        assertThat(replay.status(), is(201));
        assertThat(replay.body(), is(first.body()));
        assertThat(replay.header("ETag"), is(first.header("ETag")));
        assertThat(replay.header("Location"), is(first.header("Location")));
        assertThat(replay.header("Content-Type"), is(first.header("Content-Type")));
        assertThat(replay.header("Idempotent-Replayed").orElse(null), is("true"));

        assertThat(server.count("SELECT count(*) FROM products WHERE sku = ?", sku), is(1L));
        assertThat(server.count("SELECT count(*) FROM stock_movements m JOIN products p ON p.id = m.product_id"
                         + " WHERE p.sku = ?", sku), is(1L));
    }

    @Test
    void sameKeyWithAnotherBodyIs422() throws SQLException {
        String key = "reuse-" + UUID.randomUUID();
        String firstSku = TestServer.sku("K1");
        String otherSku = TestServer.sku("K2");
        assertThat(server.post("/v1/products", newProduct(firstSku), "Idempotency-Key", key).status(), is(201));

        TestServer.Response r = server.post("/v1/products", newProduct(otherSku), "Idempotency-Key", key);

        assertProblem(r, 422, "idempotency-key-reused", "/v1/products");
        assertThat(server.count("SELECT count(*) FROM products WHERE sku = ?", otherSku), is(0L));
        assertThat(server.count("SELECT count(*) FROM products WHERE sku = ?", firstSku), is(1L));
    }

    @Test
    void sameJsonInAnotherKeyOrderAndWhiteSpaceIsAReplay() throws SQLException {
        String sku = TestServer.sku("ORD");
        String key = "order-" + UUID.randomUUID();
        String compact = "{\"sku\":\"" + sku + "\",\"name\":\"Order\",\"price\":\"1.50\",\"currency\":\"USD\","
                         + "\"attributes\":{\"a\":\"1\",\"b\":\"2\"}}";
        String reordered = """
                {
                  "attributes" : { "b" : "2", "a" : "1" },
                  "currency" : "USD",
                  "price" : "1.50",
                  "name" : "Order",
                  "sku" : "%s"
                }
                """.formatted(sku);

        TestServer.Response first = server.post("/v1/products", compact, "Idempotency-Key", key);
        TestServer.Response second = server.post("/v1/products", reordered, "Idempotency-Key", key);

        assertThat(first.status(), is(201));
        assertThat(second.body(), second.status(), is(201));
        assertThat(second.header("Idempotent-Replayed").orElse(null), is("true"));
        assertThat(second.body(), is(first.body()));
        assertThat(server.count("SELECT count(*) FROM products WHERE sku = ?", sku), is(1L));
    }

    @Test
    void keyOfMoreThan255CharactersIs400() throws SQLException {
        String sku = TestServer.sku("KL");
        TestServer.Response tooLong = server.post("/v1/products", newProduct(sku), "Idempotency-Key", "k".repeat(256));

        assertProblem(tooLong, 400, "validation-failed", "/v1/products");
        assertThat(server.count("SELECT count(*) FROM products WHERE sku = ?", sku), is(0L));

        String key = ("k" + UUID.randomUUID() + "k".repeat(255)).substring(0, 255);
        TestServer.Response longest = server.post("/v1/products", newProduct(sku), "Idempotency-Key", key);
        assertThat(longest.body(), longest.status(), is(201));
        assertThat(server.post("/v1/products", newProduct(sku), "Idempotency-Key", key)
                .header("Idempotent-Replayed").orElse(null), is("true"));
    }

    @Test
    void a400IsNotStoredSoTheFixedRequestRunsUnderTheSameKey() throws SQLException {
        String sku = TestServer.sku("FIX");
        String key = "fix-" + UUID.randomUUID();
        String broken = "{\"sku\":\"" + sku + "\",\"price\":\"1.00\",\"currency\":\"USD\"}";

        assertValidation(server.post("/v1/products", broken, "Idempotency-Key", key), "/v1/products");
        assertProblem(server.post("/v1/products", "{\"sku\":", "Idempotency-Key", key), 400, "malformed-json",
                "/v1/products");
        assertThat(server.count("SELECT count(*) FROM idempotency_keys WHERE key = ?", key), is(0L));

        TestServer.Response fixed = server.post("/v1/products", newProduct(sku), "Idempotency-Key", key);
        assertThat(fixed.body(), fixed.status(), is(201));
        assertThat(fixed.header("Idempotent-Replayed").isPresent(), is(false));
        assertThat(server.count("SELECT count(*) FROM products WHERE sku = ?", sku), is(1L));
    }

    @Test
    void a409SkuConflictIsStoredAndReplayed() throws SQLException {
        String sku = TestServer.sku("C409");
        String holder = server.product(sku, 0).getString("id");
        String key = "conflict-" + UUID.randomUUID();
        String body = newProduct(sku);

        TestServer.Response conflict = server.post("/v1/products", body, "Idempotency-Key", key);
        assertProblem(conflict, 409, "sku-conflict", "/v1/products");

        // the SKU is free now, but the key's answer is the conflict it got
        assertThat(server.delete("/v1/products/" + holder).status(), is(204));
        TestServer.Response replay = server.post("/v1/products", body, "Idempotency-Key", key);

        assertProblemShape(replay, 409, "sku-conflict", "/v1/products");
        assertThat(replay.body(), is(conflict.body()));
        assertThat(replay.header("Idempotent-Replayed").orElse(null), is("true"));
        assertThat(server.count("SELECT count(*) FROM products WHERE sku = ? AND deleted_at IS NULL", sku), is(0L));
    }

    @Test
    void keysAreScopedToMethodAndPath() {
        String key = "scope-" + UUID.randomUUID();
        String id = server.post("/v1/products", newProduct(TestServer.sku("SCP")), "Idempotency-Key", key).json()
                .getString("id");

        TestServer.Response adjusted = server.post("/v1/products/" + id + "/stock/adjustments",
                "{\"delta\":2,\"reason\":\"RECEIVED\"}", "Idempotency-Key", key);
        assertThat(adjusted.body(), adjusted.status(), is(201));
        assertThat(adjusted.header("Idempotent-Replayed").isPresent(), is(false));

        TestServer.Response location = server.post("/v1/locations",
                "{\"code\":\"" + LocationApiTest.code("scope") + "\",\"name\":\"Scope\"}", "Idempotency-Key", key);
        assertThat(location.body(), location.status(), is(201));
        assertThat(location.header("Idempotent-Replayed").isPresent(), is(false));
    }

    @Test
    void staleIfMatchOnAStockWriteIs412AndThatAnswerIsStoredUnderItsKey() {
        String id = server.product(TestServer.sku("IM"), 5).getString("id");
        String adjust = "/v1/products/" + id + "/stock/adjustments";
        String body = "{\"delta\":1,\"reason\":\"RECEIVED\"}";
        String key = "stale-" + UUID.randomUUID();

        TestServer.Response stale = server.post(adjust, body, "If-Match", "\"7\"", "Idempotency-Key", key);
        assertProblem(stale, 412, "version-mismatch", adjust);
        TestServer.Response replay = server.post(adjust, body, "If-Match", "\"1\"", "Idempotency-Key", key);
        assertProblemShape(replay, 412, "version-mismatch", adjust);
        assertThat(replay.body(), is(stale.body()));
        assertThat(replay.header("Idempotent-Replayed").orElse(null), is("true"));
        JsonObject stock = server.get("/v1/products/" + id + "/stock").json();
        assertThat(stock.getInt("onHand"), is(5));
        assertThat(stock.getInt("version"), is(1));

        String counts = "/v1/products/" + id + "/stock/counts";
        assertProblem(server.post(counts, "{\"onHand\":9}", "If-Match", "\"3\""), 412, "version-mismatch", counts);
        TestServer.Response counted = server.post(counts, "{\"onHand\":9}", "If-Match", "\"1\"");
        assertThat(counted.body(), counted.status(), is(201));
        assertThat(counted.header("ETag").orElse(null), is("\"2\""));
        assertThat(counted.json().getJsonObject("stock").getInt("onHand"), is(9));
        assertProblem(server.post(adjust, body, "If-Match", "\"1\""), 412, "version-mismatch", adjust);
        TestServer.Response adjusted = server.post(adjust, body, "If-Match", "\"2\"");
        assertThat(adjusted.body(), adjusted.status(), is(201));
        assertThat(adjusted.header("ETag").orElse(null), is("\"3\""));
    }
}
