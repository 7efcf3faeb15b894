package inventory.app;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.json.JsonObject;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;

/**
 * Real concurrent clients on virtual threads; the invariants are checked in the database afterwards.
 */
class StockConcurrencyTest {

    private final TestServer server = TestServer.shared();

    @Test
    void hundredConcurrentDecrementsOnSixtyUnitsSellExactlySixty() throws Exception {
        String id = server.product(TestServer.sku("RACE"), 60).getString("id");
        ConcurrentHashMap<String, AtomicInteger> outcomes = new ConcurrentHashMap<>();
        CountDownLatch start = new CountDownLatch(1);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    var r = server.post("/v1/products/" + id + "/stock/adjustments", "{\"delta\": -1, \"reason\": \"SOLD\"}");
                    String key = r.status() + (r.status() == 201 ? "" : " " + r.code());
                    outcomes.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : futures) {
                f.get();
            }
        }
        assertThat(outcomes.toString(), outcomes.get("201").get(), is(60));
        assertThat(outcomes.toString(), outcomes.get("409 insufficient-stock").get(), is(40));
        assertThat(outcomes.toString(), outcomes.size(), is(2));
        JsonObject stock = server.get("/v1/products/" + id + "/stock").json();
        assertThat(stock.getInt("onHand"), is(0));
        assertThat(stock.getInt("version"), is(61));
        assertThat(Invariants.count(server, "SELECT coalesce(sum(delta), 0) FROM stock_movements WHERE product_id = '"
                                            + id + "'"), is(0L));
        assertThat(Invariants.count(server, "SELECT count(*) FROM stock_movements WHERE product_id = '" + id
                                            + "' AND reason = 'SOLD'"), is(60L));
        Invariants.check(server);
    }

    @Test
    void tenConcurrentRequestsWithOneKeyMakeOneMovement() throws Exception {
        String id = server.product(TestServer.sku("IDEM"), 50).getString("id");
        String key = "idem-" + id;
        ConcurrentHashMap<String, AtomicInteger> outcomes = new ConcurrentHashMap<>();
        List<String> bodies = java.util.Collections.synchronizedList(new ArrayList<>());
        CountDownLatch start = new CountDownLatch(1);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    var r = server.post("/v1/products/" + id + "/stock/adjustments", "{\"delta\": -7, \"reason\": \"SOLD\"}",
                            "Idempotency-Key", key);
                    assertThat(r.body(), r.status(), anyOf(is(201), is(409)));
                    if (r.status() == 201) {
                        bodies.add(r.body());
                        outcomes.computeIfAbsent(r.header("Idempotent-Replayed").orElse("first"), k -> new AtomicInteger())
                                .incrementAndGet();
                    } else {
                        assertThat(r.code(), is("idempotency-key-in-progress"));
                        outcomes.computeIfAbsent("in-progress", k -> new AtomicInteger()).incrementAndGet();
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : futures) {
                f.get();
            }
        }
        assertThat(outcomes.toString(), outcomes.get("first").get(), is(1));
        assertThat(bodies.stream().distinct().count(), is(1L));
        assertThat(Invariants.count(server, "SELECT count(*) FROM stock_movements WHERE product_id = '" + id
                                            + "' AND reason = 'SOLD'"), is(1L));
        var replay = server.post("/v1/products/" + id + "/stock/adjustments", "{\"reason\": \"SOLD\", \"delta\": -7}",
                "Idempotency-Key", key);
        assertThat(replay.status(), is(201));
        assertThat(replay.header("Idempotent-Replayed").orElseThrow(), is("true"));
        assertThat(replay.body(), is(bodies.getFirst()));
        var reused = server.post("/v1/products/" + id + "/stock/adjustments", "{\"reason\": \"SOLD\", \"delta\": -8}",
                "Idempotency-Key", key);
        assertThat(reused.status(), is(422));
        assertThat(reused.code(), is("idempotency-key-reused"));
        assertThat(server.get("/v1/products/" + id).json().getJsonObject("stock").getInt("onHand"), is(43));
    }

    @Test
    void insufficientStockAnswerIsStoredAndReplayed() {
        String id = server.product(TestServer.sku("IDEM409"), 1).getString("id");
        var first = server.post("/v1/products/" + id + "/stock/adjustments", "{\"delta\": -2, \"reason\": \"SOLD\"}",
                "Idempotency-Key", "short-" + id);
        assertThat(first.status(), is(409));
        server.post("/v1/products/" + id + "/stock/adjustments", "{\"delta\": 5, \"reason\": \"RECEIVED\"}");
        var again = server.post("/v1/products/" + id + "/stock/adjustments", "{\"delta\": -2, \"reason\": \"SOLD\"}",
                "Idempotency-Key", "short-" + id);
        assertThat(again.status(), is(409));
        assertThat(again.body(), is(first.body()));
        assertThat(again.header("Idempotent-Replayed").orElseThrow(), is("true"));
        assertThat(server.get("/v1/products/" + id).json().getJsonObject("stock").getInt("onHand"), is(6));
    }

    @Test
    void oppositeOrderBatchesNeverDeadlockOrFail() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            ids.add(server.product(TestServer.sku("DL" + i), 1000).getString("id"));
        }
        ConcurrentHashMap<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
        CountDownLatch start = new CountDownLatch(1);
        int clients = 16;
        int rounds = 10;
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> futures = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                boolean reverse = c % 2 == 1;
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int round = 0; round < rounds; round++) {
                        List<String> order = new ArrayList<>(ids);
                        if (reverse) {
                            java.util.Collections.reverse(order);
                        }
                        StringBuilder body = new StringBuilder("{\"reason\": \"SOLD\", \"lines\": [");
                        for (int i = 0; i < order.size(); i++) {
                            body.append(i == 0 ? "" : ",").append("{\"productId\": \"").append(order.get(i))
                                    .append("\", \"delta\": -1}");
                        }
                        var r = server.post("/v1/stock/batch", body.append("]}").toString());
                        statuses.computeIfAbsent(r.status(), k -> new AtomicInteger()).incrementAndGet();
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : futures) {
                f.get();
            }
        }
        assertThat(statuses.toString(), statuses.get(201).get(), is(clients * rounds));
        for (String id : ids) {
            JsonObject p = server.get("/v1/products/" + id).json();
            assertThat(p.getJsonObject("stock").getInt("onHand"), is(1000 - clients * rounds));
            assertThat(p.getInt("version"), is(1 + clients * rounds));
        }
        assertThat(statuses.keySet().stream().filter(s -> s >= 500).count(), lessThan(1L));
        Invariants.check(server);
    }

    @Test
    void invariantsHoldAcrossEverythingWritten() throws SQLException {
        Invariants.check(server);
    }
}
