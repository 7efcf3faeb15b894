package inventory.app;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import static inventory.app.Events.ITEM_FIELDS;
import static inventory.app.Events.movementIds;
import static inventory.app.Events.ofType;
import static inventory.app.Events.text;
import static inventory.app.Events.types;
import static inventory.app.ProblemAssertions.TIMESTAMP;
import static inventory.app.ProblemAssertions.assertValidation;
import static inventory.app.Reservations.line;
import static inventory.app.Reservations.stock;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

/**
 * {@code GET /v1/events} on the shared server: every change exactly once, in commit order, with the data the
 * decisions name; the query parameters and paging; {@code seq} without gaps under concurrent writers that fail; and
 * {@code stock.low} once per crossing. Other tests write to the same database, so each test filters by its own
 * products and reservations or compares seqs it observed.
 */
class EventFeedTest {

    private static final Set<String> STOCK_FIELDS = Set.of("productId", "onHand", "reserved", "available", "version",
            "locations", "cause", "movementIds");

    private final TestServer server = TestServer.shared();

    @AfterAll
    static void invariantsHold() throws SQLException {
        Invariants.check(TestServer.shared());
    }

    @Test
    void everyChangeAppearsExactlyOnceInCommitOrder() {
        long before = Events.latestSeq(server);
        String sku = TestServer.sku("EVT");
        TestServer.Response create = server.post("/v1/products", "{\"sku\":\"" + sku + "\",\"name\":\"Evented\","
                                                                + "\"price\":\"1.00\",\"currency\":\"EUR\",\"initialQuantity\":10}");
        assertThat(create.body(), create.status(), is(201));
        JsonObject product = create.json();
        String id = product.getString("id");
        String path = "/v1/products/" + id;
        List<JsonObject> stocks = new ArrayList<>();
        List<List<String>> movements = new ArrayList<>();

        TestServer.Response patch = server.patch(path, "{\"name\":\"Evented, renamed\"}");
        assertThat(patch.body(), patch.status(), is(200));

        JsonObject adjusted = Reservations.adjust(server, id, 5, null);
        movements.add(List.of(adjusted.getJsonObject("movement").getString("id")));
        stocks.add(stock(server, id));

        TestServer.Response count = server.post(path + "/stock/counts", "{\"onHand\": 12}");
        assertThat(count.body(), count.status(), is(201));
        movements.add(List.of(count.json().getJsonObject("movement").getString("id")));
        stocks.add(stock(server, id));

        TestServer.Response batch = server.post("/v1/stock/batch", "{\"reason\":\"SOLD\",\"lines\":[{\"productId\":\"" + id
                                                                   + "\",\"delta\":-1},{\"sku\":\"" + sku
                                                                   + "\",\"delta\":-2}]}");
        assertThat(batch.body(), batch.status(), is(201));
        movements.add(batch.json().getJsonArray("movements").stream()
                .map(m -> m.asJsonObject().getString("id")).toList());
        stocks.add(stock(server, id));

        TestServer.Response reserved = Reservations.reserve(server, 300, "evt", line(id, 3));
        assertThat(reserved.body(), reserved.status(), is(201));
        String r1 = reserved.json().getString("id");
        movements.add(List.of());
        stocks.add(stock(server, id));

        TestServer.Response committed = Reservations.commit(server, r1);
        assertThat(committed.body(), committed.status(), is(200));
        JsonObject sold = server.get(path + "/stock/movements?limit=1").json().getJsonArray("items").getJsonObject(0);
        assertThat(sold.getString("reservationId"), is(r1));
        movements.add(List.of(sold.getString("id")));
        stocks.add(stock(server, id));

        TestServer.Response second = Reservations.reserve(server, 300, null, line(id, 2));
        assertThat(second.body(), second.status(), is(201));
        String r2 = second.json().getString("id");
        movements.add(List.of());
        stocks.add(stock(server, id));

        TestServer.Response released = Reservations.release(server, r2);
        assertThat(released.body(), released.status(), is(200));
        movements.add(List.of());
        stocks.add(stock(server, id));
        long versionBeforeDelete = Reservations.version(server, id);

        assertThat(server.delete(path).status(), is(204));

        List<JsonObject> events = Events.about(server, before, id, r1, r2);
        assertThat(events.toString(), types(events), is(List.of(
                "product.created", "product.updated",
                "stock.changed", "stock.changed", "stock.changed",
                "reservation.created", "stock.changed",
                "reservation.committed", "stock.changed",
                "reservation.created", "stock.changed",
                "reservation.released", "stock.changed",
                "product.deleted")));
        String previousAt = "";
        for (JsonObject e : events) {
            assertThat(e.toString(), e.keySet(), is(ITEM_FIELDS));
            assertThat(e.toString(), TIMESTAMP.matcher(e.getString("at")).matches(), is(true));
            assertThat("commit order: " + e, e.getString("at").compareTo(previousAt) >= 0, is(true));
            previousAt = e.getString("at");
            if (e.getString("type").startsWith("reservation.")) {
                assertThat(e.toString(), text(e, "productId"), is((String) null));
            } else {
                assertThat(e.toString(), text(e, "productId"), is(id));
            }
        }

        assertThat(events.get(0).getJsonObject("data"), is(product));
        assertThat(text(events.get(0), "reservationId"), is((String) null));
        assertThat(events.get(1).getJsonObject("data"), is(patch.json()));
        assertThat(events.get(5).getString("reservationId"), is(r1));
        assertThat(events.get(5).getJsonObject("data"), is(reserved.json()));
        assertThat(events.get(7).getString("reservationId"), is(r1));
        assertThat(events.get(7).getJsonObject("data"), is(committed.json()));
        assertThat(events.get(9).getString("reservationId"), is(r2));
        assertThat(events.get(9).getJsonObject("data"), is(second.json()));
        assertThat(events.get(11).getString("reservationId"), is(r2));
        assertThat(events.get(11).getJsonObject("data"), is(released.json()));

        List<JsonObject> changes = ofType(events, "stock.changed");
        assertThat(changes, hasSize(7));
        List<String> causes = List.of("adjustment", "count", "batch", "reservation.created", "reservation.committed",
                "reservation.created", "reservation.released");
        List<String> causedBy = java.util.Arrays.asList(null, null, null, r1, r1, r2, r2);
        long version = product.getInt("version") + 1;
        for (int i = 0; i < changes.size(); i++) {
            JsonObject e = changes.get(i);
            JsonObject data = e.getJsonObject("data");
            assertThat(e.toString(), data.keySet(), is(STOCK_FIELDS));
            assertThat(e.toString(), data.getString("cause"), is(causes.get(i)));
            assertThat(e.toString(), text(e, "reservationId"), is(causedBy.get(i)));
            assertThat(e.toString(), movementIds(e), is(movements.get(i)));
            assertThat("the version after the change: " + e, data.getJsonNumber("version").longValue(), is(++version));
            JsonObject figures = Json.createObjectBuilder(data).remove("cause").remove("movementIds").build();
            assertThat("the stock after the change", figures, is(stocks.get(i)));
        }

        JsonObject deleted = events.getLast().getJsonObject("data");
        assertThat(deleted.keySet(), is(Set.of("id", "sku", "version")));
        assertThat(deleted.getString("id"), is(id));
        assertThat(deleted.getString("sku"), is(sku));
        assertThat(deleted.getJsonNumber("version").longValue(), greaterThanOrEqualTo(versionBeforeDelete));
        assertThat(deleted.getJsonNumber("version").longValue(), lessThanOrEqualTo(versionBeforeDelete + 1));
    }

    @Test
    void creatingAProductWithInitialQuantityEmitsOnlyProductCreated() {
        long before = Events.latestSeq(server);
        JsonObject p = Reservations.product(server, TestServer.sku("INIT"), 3, 5);
        List<JsonObject> events = Events.about(server, before, p.getString("id"));
        assertThat(events.toString(), types(events), is(List.of("product.created")));
        assertThat(events.getFirst().getJsonObject("data"), is(p));
        assertThat(text(events.getFirst(), "reservationId"), is((String) null));
    }

    @Test
    void queryParametersAreValidated() {
        for (String query : List.of("after=-1", "after=x", "after=1.5")) {
            assertThat(query, assertValidation(server.get("/v1/events?" + query), "/v1/events"), is(List.of("after")));
        }
        for (String query : List.of("limit=0", "limit=1001", "limit=x", "limit=-3")) {
            assertThat(query, assertValidation(server.get("/v1/events?" + query), "/v1/events"), is(List.of("limit")));
        }
        assertThat(server.get("/v1/events?limit=1000").status(), is(200));
        assertThat(server.get("/v1/events?after=0&limit=1").status(), is(200));
    }

    @Test
    void pagesFollowSeqAndReportNextAfterAndLatestSeq() {
        String id = server.product(TestServer.sku("PAGE"), 5).getString("id");
        Reservations.adjust(server, id, 1, null);
        Reservations.adjust(server, id, 1, null);
        long latest = Events.latestSeq(server);
        assertThat(latest, greaterThanOrEqualTo(3L));

        JsonObject empty = Events.page(server, latest, 10);
        assertThat(empty.getJsonArray("items"), is(JsonValue.EMPTY_JSON_ARRAY));
        assertThat(empty.getJsonNumber("nextAfter").longValue(), is(latest));
        assertThat(empty.getJsonNumber("latestSeq").longValue(), greaterThanOrEqualTo(latest));
        assertThat(empty.keySet(), is(Set.of("items", "nextAfter", "latestSeq")));
        JsonObject beyond = Events.page(server, latest + 1000, 10);
        assertThat(beyond.getJsonArray("items"), is(JsonValue.EMPTY_JSON_ARRAY));
        assertThat(beyond.getJsonNumber("nextAfter").longValue(), is(latest + 1000));
        assertThat("latestSeq is the end of the feed, not the after asked for",
                beyond.getJsonNumber("latestSeq").longValue(), is(lessThan(latest + 1000)));
        assertThat(beyond.getJsonNumber("latestSeq").longValue(), greaterThanOrEqualTo(latest));

        long after = latest - 3;
        for (int i = 1; i <= 3; i++) {
            JsonObject page = Events.page(server, after, 1);
            assertThat(page.getJsonArray("items"), hasSize(1));
            long seq = Events.seq(page.getJsonArray("items").getJsonObject(0));
            assertThat("no gap after " + after, seq, is(after + 1));
            assertThat(page.getJsonNumber("nextAfter").longValue(), is(seq));
            assertThat(page.getJsonNumber("latestSeq").longValue(), greaterThanOrEqualTo(latest));
            after = seq;
        }
        List<JsonObject> mine = Events.about(server, latest - 3, id);
        assertThat(types(mine), is(List.of("product.created", "stock.changed", "stock.changed")));

        TestServer.Response defaults = server.get("/v1/events");
        assertThat(defaults.status(), is(200));
        List<JsonObject> first = defaults.json().getJsonArray("items").stream().map(JsonValue::asJsonObject).toList();
        assertThat("after defaults to 0 and limit to 100", first,
                hasSize((int) Math.min(100, defaults.json().getJsonNumber("latestSeq").longValue())));
        assertThat(Events.seq(first.getFirst()), is(1L));
        assertThat(defaults.json().getJsonNumber("nextAfter").longValue(), is(Events.seq(first.getLast())));
    }

    @Test
    void seqIsGapFreeUnderConcurrentWritersThatFail() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(server.product(TestServer.sku("GAP" + i), 10).getString("id"));
        }
        long before = Events.latestSeq(server);
        ConcurrentLinkedQueue<String> sold = new ConcurrentLinkedQueue<>();
        Map<String, AtomicInteger> outcomes = new ConcurrentHashMap<>();

        ReservationConcurrencyTest.all(20, c -> {
            for (int round = 0; round < 30; round++) {
                String id = ids.get((c + round) % 5);
                TestServer.Response r = switch (round % 10) {
                    case 3 -> server.post("/v1/products/" + id + "/stock/adjustments", "{\"delta\": 0, \"reason\": \"SOLD\"}");
                    case 6 -> server.post("/v1/products/" + id + "/stock/adjustments", "{\"delta\": -1,");
                    case 9 -> Reservations.reserve(server, 60, null, line(id, 1000));
                    default -> server.post("/v1/products/" + id + "/stock/adjustments", "{\"delta\": -1, \"reason\": \"SOLD\"}");
                };
                outcomes.computeIfAbsent(ReservationConcurrencyTest.outcome(r), k -> new AtomicInteger()).incrementAndGet();
                if (r.status() == 201) {
                    sold.add(r.json().getJsonObject("movement").getString("id"));
                }
            }
            return null;
        });

        assertThat(ReservationConcurrencyTest.snapshot(outcomes), is(Map.of("201", 50, "409 insufficient-stock",
                20 * 30 - 50 - 60 - 60, "400 validation-failed", 60, "400 malformed-json", 60)));
        assertThat(server.count("SELECT count(*) FROM events"), is(server.count("SELECT max(seq) FROM events")));
        assertThat(server.count("SELECT min(seq) FROM events"), is(1L));

        long latest = Events.latestSeq(server);
        List<JsonObject> all = Events.after(server, 0);
        assertThat((long) all.size(), greaterThanOrEqualTo(latest));
        for (int i = 0; i < all.size(); i++) {
            assertThat("seq " + (i + 1) + " in the feed", Events.seq(all.get(i)), is(i + 1L));
        }

        List<JsonObject> mine = all.stream().filter(e -> Events.seq(e) > before && ids.contains(text(e, "productId")))
                .toList();
        assertThat(types(mine).stream().distinct().toList(), is(List.of("stock.changed")));
        assertThat(mine, hasSize(50));
        Map<String, Integer> seen = new HashMap<>();
        Map<String, Long> versions = new HashMap<>();
        for (JsonObject e : mine) {
            assertThat(e.toString(), e.getJsonObject("data").getString("cause"), is("adjustment"));
            movementIds(e).forEach(m -> seen.merge(m, 1, Integer::sum));
            String product = e.getString("productId");
            long version = e.getJsonObject("data").getJsonNumber("version").longValue();
            assertThat("versions rise by one per change: " + e, version, is(versions.getOrDefault(product, 1L) + 1));
            versions.put(product, version);
        }
        assertThat(seen.keySet(), is(new HashSet<>(sold)));
        assertThat(seen.values().stream().distinct().toList(), is(List.of(1)));
        assertThat(all.stream().filter(e -> Events.seq(e) > before && e.getString("type").equals("reservation.created")
                                            && e.getJsonObject("data").getJsonArray("lines").stream()
                                                    .anyMatch(l -> ids.contains(l.asJsonObject().getString("productId"))))
                .toList(), is(empty()));
    }

    @Test
    void stockLowOncePerCrossingWhateverTheChange() {
        long before = Events.latestSeq(server);
        JsonObject p = Reservations.product(server, TestServer.sku("LOW"), 10, 5);
        String id = p.getString("id");
        String sku = p.getString("sku");

        Reservations.adjust(server, id, -4, null);   // 10 -> 6
        Reservations.adjust(server, id, -2, null);   // 6 -> 4: low
        Reservations.adjust(server, id, -1, null);   // 4 -> 3
        Reservations.adjust(server, id, 5, null);    // 3 -> 8
        Reservations.adjust(server, id, -6, null);   // 8 -> 2: low
        Reservations.adjust(server, id, 8, null);    // 2 -> 10
        String rid = Reservations.create(server, 300, null, line(id, 5)).getString("id");   // 10 -> 5: low
        assertThat(Reservations.release(server, rid).status(), is(200));                   // 5 -> 10
        assertThat(server.post("/v1/products/" + id + "/stock/counts", "{\"onHand\": 3}").status(), is(201)); // 10 -> 3: low
        Reservations.adjust(server, id, 7, null);    // 3 -> 10
        String batch = "{\"reason\":\"SOLD\",\"lines\":[{\"sku\":\"" + sku + "\",\"delta\":-6}]}";
        assertThat(server.post("/v1/stock/batch", batch).status(), is(201));                // 10 -> 4: low
        batch = "{\"reason\":\"SOLD\",\"lines\":[{\"productId\":\"" + id + "\",\"delta\":-1}]}";
        assertThat(server.post("/v1/stock/batch", batch).status(), is(201));                // 4 -> 3

        List<JsonObject> events = Events.about(server, before, id, rid);
        List<JsonObject> lows = ofType(events, "stock.low");
        assertThat(events.toString(), lows.stream().map(e -> e.getJsonObject("data").getInt("available")).toList(),
                is(List.of(4, 2, 5, 3, 4)));
        List<String> causes = new ArrayList<>();
        for (JsonObject low : lows) {
            JsonObject data = low.getJsonObject("data");
            assertThat(low.toString(), data.keySet(), is(Set.of("onHand", "reserved", "available", "lowStockThreshold",
                    "version")));
            assertThat(low.toString(), data.getInt("lowStockThreshold"), is(5));
            assertThat(low.toString(), data.getInt("available"), is(data.getInt("onHand") - data.getInt("reserved")));
            assertThat(low.toString(), low.getString("productId"), is(id));
            JsonObject change = events.get(events.indexOf(low) - 1);
            assertThat("stock.low right after the stock.changed of its change: " + events, change.getString("type"),
                    is("stock.changed"));
            assertThat(data.getInt("version"), is(change.getJsonObject("data").getInt("version")));
            assertThat(data.getInt("onHand"), is(change.getJsonObject("data").getInt("onHand")));
            causes.add(change.getJsonObject("data").getString("cause"));
        }
        assertThat(causes, is(List.of("adjustment", "adjustment", "reservation.created", "count", "batch")));
        assertThat(lows.get(2).getJsonObject("data").getInt("reserved"), is(5));
        assertThat(types(events.subList(events.indexOf(lows.get(2)) - 2, events.indexOf(lows.get(2)) + 1)),
                is(List.of("reservation.created", "stock.changed", "stock.low")));
        assertThat(ofType(events, "stock.changed"), hasSize(12));
    }

    @Test
    void noStockLowWithoutACrossing() {
        long before = Events.latestSeq(server);
        JsonObject p = Reservations.product(server, TestServer.sku("LOW0"), 3, 5);
        String id = p.getString("id");
        Reservations.adjust(server, id, -1, null);   // 3 -> 2: already low, no crossing
        String rid = Reservations.create(server, 300, null, line(id, 1)).getString("id");   // 2 -> 1
        assertThat(Reservations.commit(server, rid).status(), is(200));                      // 1 -> 1
        JsonObject none = Reservations.product(server, TestServer.sku("LOWN"), 10, null);
        Reservations.adjust(server, none.getString("id"), -10, null);                       // no threshold

        List<JsonObject> events = Events.about(server, before, id, rid);
        assertThat(events.toString(), types(events), is(List.of("product.created", "stock.changed",
                "reservation.created", "stock.changed", "reservation.committed", "stock.changed")));
        assertThat(types(Events.about(server, before, none.getString("id"))),
                is(List.of("product.created", "stock.changed")));
    }

    @Test
    void anEventWhoseTransactionCommitsLongAfterLaterOnesIsStillNumberedOnce() throws Exception {
        JsonObject p = server.product(TestServer.sku("LATE"), 5000);
        String id = p.getString("id");
        long before = Events.latestSeq(server);
        int later = 2100;
        try (java.sql.Connection slow = server.jdbc()) {
            // a writer takes its inbox row's id, then stays open while thousands of later events are numbered
            slow.setAutoCommit(false);
            long inboxId;
            try (var insert = slow.prepareStatement("INSERT INTO event_inbox (type, product_id, data, at)"
                                                    + " VALUES ('product.updated', CAST(? AS uuid), CAST(? AS json), now())"
                                                    + " RETURNING id")) {
                insert.setString(1, id);
                insert.setString(2, p.toString());
                try (var rs = insert.executeQuery()) {
                    rs.next();
                    inboxId = rs.getLong(1);
                }
            }
            try (java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
                List<java.util.concurrent.Future<Integer>> sales = new ArrayList<>();
                for (int c = 0; c < 30; c++) {
                    sales.add(pool.submit(() -> {
                        for (int i = 0; i < later / 30; i++) {
                            var r = server.post("/v1/products/" + id + "/stock/adjustments", "{\"delta\": -1, \"reason\": \"SOLD\"}");
                            assertThat(r.body(), r.status(), is(201));
                        }
                        return 0;
                    }));
                }
                for (var f : sales) {
                    f.get();
                }
            }
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
            while (ofType(Events.about(server, before, id), "stock.changed").size() < later) {
                assertThat("the sales' events were not numbered", System.nanoTime(), lessThan(deadline));
                Thread.sleep(20);
            }
            assertThat("later inbox rows", server.count("SELECT last_value FROM event_inbox_id_seq") - inboxId,
                    greaterThanOrEqualTo(2000L));
            slow.commit();
        }
        // not lost: numbered after the later ones, once, within a few seconds
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        List<JsonObject> mine;
        while ((mine = ofType(Events.about(server, before, id), "product.updated")).isEmpty()) {
            assertThat("the late event was never numbered", System.nanoTime(), lessThan(deadline));
            Thread.sleep(50);
        }
        Thread.sleep(1500);
        mine = Events.about(server, before, id);
        assertThat(ofType(mine, "product.updated"), hasSize(1));
        assertThat(types(mine).getLast(), is("product.updated"));
        assertThat(ofType(mine, "stock.changed"), hasSize(later));
    }
}
