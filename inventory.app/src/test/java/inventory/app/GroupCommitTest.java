package inventory.app;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.json.JsonObject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/**
 * Adjustments that arrive together are written together (group commit), of one product or of many. Every client still
 * gets the answer it would have got one at a time: its own movement, version and stock, or its own refusal, in an
 * order consistent with the ledger.
 */
class GroupCommitTest {

    private final TestServer server = TestServer.shared();

    @AfterAll
    static void invariantsHold() throws SQLException {
        Invariants.check(TestServer.shared());
    }

    @Test
    void aStormOfSalesOnOneProductSellsExactlyTheStockEachAnswerItsOwn() throws Exception {
        int stock = 300;
        int clients = 64;
        int each = 6;
        JsonObject p = server.product(TestServer.sku("STORM"), stock);
        String id = p.getString("id");
        long before = Events.latestSeq(server);
        ConcurrentLinkedQueue<JsonObject> sold = new ConcurrentLinkedQueue<>();
        ConcurrentHashMap<String, AtomicInteger> refused = new ConcurrentHashMap<>();
        race(clients, c -> {
            for (int i = 0; i < each; i++) {
                var r = server.post("/v1/products/" + id + "/stock/adjustments",
                        "{\"delta\": -1, \"reason\": \"SOLD\"}");
                if (r.status() == 201) {
                    sold.add(r.json());
                    assertThat(r.header("ETag").orElseThrow(),
                            is("\"" + r.json().getJsonObject("stock").getInt("version") + "\""));
                } else {
                    refused.computeIfAbsent(r.status() + " " + r.code(), k -> new AtomicInteger())
                            .incrementAndGet();
                }
            }
        });
        assertThat(refused.toString(), sold.size(), is(stock));
        assertThat(refused.toString(), refused.get("409 insufficient-stock").get(), is(clients * each - stock));
        assertThat(refused.toString(), refused.size(), is(1));
        // each answer is a different step of one sequence: on-hand after 299..0, versions 2..301, each once
        Set<Integer> onHandAfter = new HashSet<>();
        Set<Integer> versions = new HashSet<>();
        Set<String> movements = new HashSet<>();
        for (JsonObject r : sold) {
            JsonObject s = r.getJsonObject("stock");
            int after = r.getJsonObject("movement").getInt("onHandAfter");
            assertThat(r.toString(), s.getInt("onHand"), is(after));
            assertThat(r.toString(), s.getInt("version"), is(stock - after + 1));
            assertThat(r.toString(), s.getInt("available"), is(after));
            onHandAfter.add(after);
            versions.add(s.getInt("version"));
            movements.add(r.getJsonObject("movement").getString("id"));
        }
        assertThat(onHandAfter.size(), is(stock));
        assertThat(versions.size(), is(stock));
        assertThat(movements.size(), is(stock));
        // the ledger agrees: in seq order, on-hand after falls by one each time, and every answered movement is there
        List<Long> ledger = Invariants.longs(server, "SELECT on_hand_after FROM stock_movements WHERE product_id = '" + id
                                                     + "' AND reason = 'SOLD' ORDER BY seq");
        for (int i = 0; i < ledger.size(); i++) {
            assertThat(ledger.get(i), is((long) (stock - 1 - i)));
        }
        assertThat(ledger.size(), is(stock));
        // and they were written in groups: a group's movements share their time
        long groups = Invariants.count(server, "SELECT count(DISTINCT created_at) FROM stock_movements WHERE product_id = '"
                                               + id + "' AND reason = 'SOLD'");
        assertThat("written one by one: " + groups + " transactions", groups < stock, is(true));
        JsonObject after = server.get("/v1/products/" + id).json();
        assertThat(after.getJsonObject("stock").getInt("onHand"), is(0));
        assertThat(after.getInt("version"), is(stock + 1));
        // one stock.changed per sale, versions in feed order, and one stock.low crossing at most
        List<JsonObject> changed = Events.ofType(Events.about(server, before, id), "stock.changed");
        assertThat(changed.size(), is(stock));
        for (int i = 0; i < changed.size(); i++) {
            assertThat(changed.get(i).getJsonObject("data").getInt("version"), is(i + 2));
        }
    }

    @Test
    void refusalsInABatchChangeNothingAndTheRestProceed() throws Exception {
        JsonObject p = server.product(TestServer.sku("MIXBATCH"), 1000);
        String id = p.getString("id");
        String[] bodies = {
                "{\"delta\": -1, \"reason\": \"SOLD\"}",
                "{\"delta\": 2, \"reason\": \"RECEIVED\"}",
                "{\"delta\": -1, \"reason\": \"SOLD\", \"location\": \"nowhere\"}",
                "{\"delta\": -5000, \"reason\": \"SOLD\"}",
        };
        ConcurrentHashMap<String, AtomicInteger> outcomes = new ConcurrentHashMap<>();
        int rounds = 25;
        race(32, c -> {
            String body = bodies[c % bodies.length];
            for (int i = 0; i < rounds; i++) {
                var r = server.post("/v1/products/" + id + "/stock/adjustments", body);
                outcomes.computeIfAbsent(body.substring(10, 18) + " " + r.status(), k -> new AtomicInteger())
                        .incrementAndGet();
            }
        });
        int perKind = 8 * rounds;
        assertThat(outcomes.toString(), outcomes.size(), is(4));
        JsonObject after = server.get("/v1/products/" + id).json();
        // every sale and receipt applied, every refusal (unknown location 400, too much 409) changed nothing
        assertThat(outcomes.toString(), after.getJsonObject("stock").getInt("onHand"), is(1000 - perKind + 2 * perKind));
        assertThat(after.getInt("version"), is(1 + 2 * perKind));
        assertThat(Invariants.count(server, "SELECT count(*) FROM stock_movements WHERE product_id = '" + id + "'"),
                is(1L + 2 * perKind));
    }

    @Test
    void salesOfManyProductsAreWrittenTogetherAndEachProductSellsExactlyItsStock() throws Exception {
        int stock = 40;
        int products = 8;
        int held = 5;
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < products; i++) {
            ids.add(server.product(TestServer.sku("MANY" + i), stock).getString("id"));
        }
        // one product has a live hold (only stock - held can be sold), one is deleted, one target names no location
        String holdOn = ids.get(1);
        Reservations.create(server, 3600, "many-hold", Reservations.line(holdOn, held));
        String gone = server.product(TestServer.sku("MANYGONE"), stock).getString("id");
        assertThat(server.delete("/v1/products/" + gone).status(), is(204));
        int targets = products + 2;
        long before = Events.latestSeq(server);
        ConcurrentHashMap<String, ConcurrentLinkedQueue<JsonObject>> sold = new ConcurrentHashMap<>();
        ConcurrentHashMap<String, AtomicInteger> refused = new ConcurrentHashMap<>();
        int[] asked = new int[targets];
        int clients = 64;
        int each = 8;
        for (int c = 0; c < clients; c++) {
            for (int i = 0; i < each; i++) {
                asked[(c + i) % targets]++;
            }
        }
        race(clients, c -> {
            for (int i = 0; i < each; i++) {
                int t = (c + i) % targets;
                String id = t < products ? ids.get(t) : t == products ? gone : ids.getFirst();
                String body = t == products + 1 ? "{\"delta\": -1, \"reason\": \"SOLD\", \"location\": \"nowhere\"}"
                        : "{\"delta\": -1, \"reason\": \"SOLD\"}";
                var r = server.post("/v1/products/" + id + "/stock/adjustments", body);
                if (r.status() == 201) {
                    sold.computeIfAbsent(id, k -> new ConcurrentLinkedQueue<>()).add(r.json());
                } else {
                    refused.computeIfAbsent(t + " " + r.status() + " " + r.code(), k -> new AtomicInteger())
                            .incrementAndGet();
                }
            }
        });
        assertThat(refused.toString(), refused.get(products + " 404 not-found").get(), is(asked[products]));
        assertThat(refused.toString(), refused.get((products + 1) + " 400 validation-failed").get(),
                is(asked[products + 1]));
        for (int t = 0; t < products; t++) {
            String id = ids.get(t);
            int sellable = t == 1 ? stock - held : stock;
            int expected = Math.min(asked[t], sellable);
            List<JsonObject> answers = new ArrayList<>(sold.getOrDefault(id, new ConcurrentLinkedQueue<>()));
            assertThat(t + ": " + refused, answers.size(), is(expected));
            AtomicInteger shortOf = refused.get(t + " 409 insufficient-stock");
            assertThat(t + ": " + refused, shortOf == null ? 0 : shortOf.get(), is(asked[t] - expected));
            // each answer is its own step of the product's one sequence (a hold is version 2 of the held product)
            int firstVersion = t == 1 ? 3 : 2;
            Set<Integer> steps = new HashSet<>();
            for (JsonObject r : answers) {
                JsonObject s = r.getJsonObject("stock");
                int after = r.getJsonObject("movement").getInt("onHandAfter");
                assertThat(r.toString(), s.getInt("onHand"), is(after));
                assertThat(r.toString(), s.getInt("reserved"), is(t == 1 ? held : 0));
                assertThat(r.toString(), s.getInt("version"), is(firstVersion + stock - 1 - after));
                steps.add(after);
            }
            assertThat(steps.size(), is(expected));
            List<Long> ledger = Invariants.longs(server, "SELECT on_hand_after FROM stock_movements WHERE product_id = '"
                                                         + id + "' AND reason = 'SOLD' ORDER BY seq");
            for (int i = 0; i < ledger.size(); i++) {
                assertThat(ledger.get(i), is((long) (stock - 1 - i)));
            }
            assertThat(ledger.size(), is(expected));
            JsonObject after = server.get("/v1/products/" + id).json();
            assertThat(after.getJsonObject("stock").getInt("onHand"), is(stock - expected));
            List<JsonObject> changed = Events.ofType(Events.about(server, before, id), "stock.changed");
            assertThat(changed.size(), is(expected));
            for (int i = 0; i < changed.size(); i++) {
                assertThat(changed.get(i).getJsonObject("data").getInt("version"), is(firstVersion + i));
            }
        }
        // and sales of different products shared transactions: one transaction wrote movements of several products
        String in = String.join("', '", ids);
        long shared = Invariants.count(server, "SELECT count(*) FROM (SELECT xmin::text FROM stock_movements"
                                               + " WHERE product_id IN ('" + in + "') AND reason = 'SOLD'"
                                               + " GROUP BY xmin::text HAVING count(DISTINCT product_id) > 1) g");
        assertThat("no transaction wrote sales of two products", shared > 0, is(true));
        assertThat(Invariants.count(server, "SELECT count(*) FROM stock_movements WHERE product_id = '" + gone + "'"),
                is(1L));
    }

    @Test
    void concurrentCreationsAreWrittenTogetherAndEachSkuIsTakenOnce() throws Exception {
        String prefix = TestServer.sku("BURST");
        int skus = 48;
        int rivals = 4;
        // a live product already has the first SKU (in another case): every creation of it is refused
        JsonObject existing = server.product(prefix.toLowerCase(java.util.Locale.ROOT) + "-0", 1);
        long before = Events.latestSeq(server);
        ConcurrentHashMap<String, ConcurrentLinkedQueue<JsonObject>> created = new ConcurrentHashMap<>();
        ConcurrentHashMap<String, AtomicInteger> refused = new ConcurrentHashMap<>();
        race(skus * rivals / 3, c -> {
            for (int i = 0; i < 3; i++) {
                // each SKU is asked for by `rivals` requests, from different clients at about the same time
                String sku = prefix + "-" + ((c * 3 + i) % skus);
                int quantity = (c * 3 + i) % 3; // 0 (no stock) or some
                var r = server.post("/v1/products", "{\"sku\": \"" + sku + "\", \"name\": \"Burst\","
                                                    + " \"price\": \"1.00\", \"currency\": \"EUR\","
                                                    + " \"initialQuantity\": " + quantity + "}");
                if (r.status() == 201) {
                    created.computeIfAbsent(sku, k -> new ConcurrentLinkedQueue<>()).add(r.json());
                } else {
                    refused.computeIfAbsent(r.status() + " " + r.code(), k -> new AtomicInteger())
                            .incrementAndGet();
                }
            }
        });
        assertThat(refused.toString(), refused.keySet(), is(Set.of("409 sku-conflict")));
        assertThat(refused.toString(), refused.get("409 sku-conflict").get(), is(rivals * skus - (skus - 1)));
        assertThat(created.containsKey(prefix + "-0"), is(false));
        assertThat(created.size(), is(skus - 1));
        List<String> ids = new ArrayList<>();
        for (var e : created.entrySet()) {
            assertThat(e.getKey(), e.getValue().size(), is(1));
            JsonObject p = e.getValue().peek();
            ids.add(p.getString("id"));
            assertThat(server.get("/v1/products/" + p.getString("id")).json(), is(p));
            long onHand = p.getJsonObject("stock").getInt("onHand");
            // the first stock is one RECEIVED movement at main, and nothing without stock
            assertThat(Invariants.longs(server, "SELECT on_hand_after FROM stock_movements WHERE product_id = '"
                                                + p.getString("id") + "' AND reason = 'RECEIVED'"),
                    is(onHand == 0 ? List.of() : List.of(onHand)));
            assertThat(Events.types(Events.about(server, before, p.getString("id"))), is(List.of("product.created")));
        }
        assertThat(Invariants.count(server, "SELECT count(*) FROM products WHERE lower(sku) LIKE lower('" + prefix
                                            + "-%') AND deleted_at IS NULL"), is((long) skus));
        assertThat(server.get("/v1/products/" + existing.getString("id")).json().getInt("version"), is(1));
        // and creations shared transactions: one transaction wrote several products
        long shared = Invariants.count(server, "SELECT count(*) FROM (SELECT xmin::text FROM products WHERE id IN ('"
                                               + String.join("', '", ids) + "') GROUP BY xmin::text HAVING count(*) > 1) g");
        assertThat("every product was created alone", shared > 0, is(true));
    }

    /**
     * A batch of creations takes its SKUs in one order, the same for every transaction, whatever order its requests
     * came in: otherwise two batches (or a batch and another writer) that want two SKUs each, in opposite orders,
     * deadlock, and PostgreSQL aborts one of them, failing every request in it.
     */
    @Test
    void aBatchTakesItsSkusInOneOrderSoCrossedCreationsDoNotDeadlock() throws Exception {
        String prefix = TestServer.sku("ORDER");
        String first = prefix + "-a";
        String second = prefix + "-b";
        String early = prefix + "-m";
        String late = prefix + "-z";
        try (var lanes = server.jdbc(); var other = server.jdbc();
             ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            lanes.setAutoCommit(false);
            other.setAutoCommit(false);
            // one transaction holds the SKUs that keep both lanes busy; another holds the batch's SKU that sorts first
            insertBare(lanes, first);
            insertBare(lanes, second);
            insertBare(other, early);
            Future<TestServer.Response> a = pool.submit(() -> create(first));
            Future<TestServer.Response> b = pool.submit(() -> create(second));
            awaitWaiting(2);
            // both lanes wait: these two queue, in this order, and are written as one batch when a lane comes free
            Future<TestServer.Response> z = pool.submit(() -> create(late));
            Thread.sleep(300);
            Future<TestServer.Response> m = pool.submit(() -> create(early));
            Thread.sleep(300);
            lanes.rollback();
            assertThat(a.get(30, java.util.concurrent.TimeUnit.SECONDS).status(), is(201));
            assertThat(b.get(30, java.util.concurrent.TimeUnit.SECONDS).status(), is(201));
            // the batch now waits for the SKU that sorts first, holding none: the other writer may take the later one
            awaitWaiting(1);
            try (var s = other.createStatement()) {
                s.execute("SET LOCAL lock_timeout = '5s'");
            }
            insertBare(other, late);
            other.commit();
            for (var r : List.of(z.get(30, java.util.concurrent.TimeUnit.SECONDS),
                    m.get(30, java.util.concurrent.TimeUnit.SECONDS))) {
                assertThat(r.body(), r.status(), is(409));
                assertThat(r.body(), r.code(), is("sku-conflict"));
            }
        }
        assertThat(Invariants.count(server, "SELECT count(*) FROM products WHERE lower(sku) LIKE lower('" + prefix
                                            + "-%') AND deleted_at IS NULL"), is(4L));
    }

    private TestServer.Response create(String sku) {
        return server.post("/v1/products", "{\"sku\": \"" + sku + "\", \"name\": \"Crossed\", \"price\": \"1.00\","
                                           + " \"currency\": \"EUR\", \"initialQuantity\": 1}");
    }

    /** A product row written behind the API, in the connection's open transaction: it holds the SKU until the end. */
    private static void insertBare(java.sql.Connection c, String sku) throws SQLException {
        try (var s = c.prepareStatement("INSERT INTO products (id, sku, name, price, currency, status, created_at,"
                                        + " updated_at) VALUES (gen_random_uuid(), ?, 'Behind', 1, 'EUR', 'ACTIVE',"
                                        + " now(), now())")) {
            s.setString(1, sku);
            s.executeUpdate();
        }
    }

    /** Waits until this many of the service's statements wait for a lock. */
    private void awaitWaiting(int statements) throws Exception {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
        long waiting;
        do {
            Thread.sleep(20);
            waiting = Invariants.count(server, "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                                               + " AND usename = '" + server.serviceUser() + "'");
        } while (waiting < statements && System.nanoTime() < deadline);
        assertThat("statements waiting for a lock", waiting, is((long) statements));
    }

    /** What one of the racing clients does. */
    @FunctionalInterface
    private interface Client {
        void run(int client) throws Exception;
    }

    /** Starts the clients on virtual threads at the same moment and waits for all of them; a failure fails the test. */
    private static void race(int clients, Client client) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> futures = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int n = c;
                futures.add(pool.submit(() -> {
                    start.await();
                    client.run(n);
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : futures) {
                f.get();
            }
        }
    }
}
