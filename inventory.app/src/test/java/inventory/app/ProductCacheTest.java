package inventory.app;

import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.json.JsonObject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;

/**
 * {@code GET /v1/products/{id}} is answered from memory once read; these tests show that no change is ever hidden
 * by it: every kind of change is seen by the next read on the instance that made it, a read racing writers never
 * leaves an older version behind, and a change made by another instance is seen shortly after (about 0.1 s).
 */
class ProductCacheTest {

    private final TestServer server = TestServer.shared();

    @AfterAll
    static void invariantsHold() throws SQLException {
        Invariants.check(TestServer.shared());
    }

    private long version(TestServer s, String id) {
        var r = s.get("/v1/products/" + id);
        assertThat(r.body(), r.status(), is(200));
        long v = r.json().getJsonNumber("version").longValue();
        assertThat(r.header("ETag").orElseThrow(), is("\"" + v + "\""));
        return v;
    }

    @Test
    void everyKindOfChangeIsReadAtOnceOnTheSameInstance() {
        JsonObject p = server.product(TestServer.sku("CACHE"), 10);
        String id = p.getString("id");
        long v = version(server, id);
        version(server, id); // now answered from memory

        var adjusted = server.post("/v1/products/" + id + "/stock/adjustments", "{\"delta\": -1, \"reason\": \"SOLD\"}");
        assertThat(adjusted.body(), adjusted.status(), is(201));
        assertThat(version(server, id), is(v + 1));
        assertThat(server.get("/v1/products/" + id).json().getJsonObject("stock").getInt("onHand"), is(9));

        var patched = server.send("PATCH", "/v1/products/" + id, "{\"name\": \"Renamed\"}");
        assertThat(patched.body(), patched.status(), is(200));
        JsonObject read = server.get("/v1/products/" + id).json();
        assertThat(read.getString("name"), is("Renamed"));
        assertThat(read.getJsonNumber("version").longValue(), is(v + 2));

        var reserved = server.post("/v1/reservations",
                "{\"lines\": [{\"productId\": \"" + id + "\", \"quantity\": 2}], \"ttlSeconds\": 60}");
        assertThat(reserved.body(), reserved.status(), is(201));
        JsonObject held = server.get("/v1/products/" + id).json().getJsonObject("stock");
        assertThat(held.getInt("reserved"), is(2));
        assertThat(held.getInt("available"), is(7));

        var released = server.post("/v1/reservations/" + reserved.json().getString("id") + "/release", "");
        assertThat(released.body(), released.status(), is(200));
        assertThat(server.get("/v1/products/" + id).json().getJsonObject("stock").getInt("reserved"), is(0));
        version(server, id);

        var batch = server.post("/v1/stock/batch", "{\"reason\": \"RECEIVED\", \"lines\": [{\"productId\": \"" + id
                                                     + "\", \"delta\": 5}]}");
        assertThat(batch.body(), batch.status(), is(201));
        assertThat(server.get("/v1/products/" + id).json().getJsonObject("stock").getInt("onHand"), is(14));

        var deleted = server.send("DELETE", "/v1/products/" + id, null);
        assertThat(deleted.body(), deleted.status(), is(204));
        assertThat(server.get("/v1/products/" + id).status(), is(404));
    }

    @Test
    void aCreatedProductIsKeptExactlyAsTheDatabaseAnswersIt() throws Exception {
        String sku = TestServer.sku("CACHENEW");
        // attributes out of order, a price with one fraction digit, every optional field: what the row gives back
        var created = server.post("/v1/products", "{\"sku\": \"" + sku + "\", \"name\": \"New\", \"description\": \"d\","
                + " \"price\": \"19.9\", \"currency\": \"EUR\", \"lowStockThreshold\": 2, \"initialQuantity\": 3,"
                + " \"attributes\": {\"size\": \"L\", \"colour\": \"red\", \"a\": \"1\"}}");
        assertThat(created.body(), created.status(), is(201));
        String id = created.json().getString("id");
        try (TestServer other = TestServer.start(server.databaseUrl(), 4)) {
            // the other instance has never seen it: it reads the row
            var fromDatabase = other.get("/v1/products/" + id);
            assertThat(fromDatabase.body(), fromDatabase.status(), is(200));
            // a change behind the service's back (no event): only an answer kept since the creation hides it
            renameBehindTheServicesBack(id, "Behind");
            try {
                var kept = server.get("/v1/products/" + id);
                assertThat("kept at the creation, byte for byte what the database answers", kept.body(),
                        is(fromDatabase.body()));
                assertThat(kept.body(), is(created.body()));
                assertThat(kept.header("ETag"), is(fromDatabase.header("ETag")));
            } finally {
                renameBehindTheServicesBack(id, "New");
            }
        }
        // the first change is still seen at once
        var adjusted = server.post("/v1/products/" + id + "/stock/adjustments", "{\"delta\": -1, \"reason\": \"SOLD\"}");
        assertThat(adjusted.body(), adjusted.status(), is(201));
        assertThat(server.get("/v1/products/" + id).json().getJsonObject("stock").getInt("onHand"), is(2));
    }

    @Test
    void anAdjustmentKeepsTheAnswerExactlyAsTheDatabaseAnswersIt() throws Exception {
        JsonObject p = server.product(TestServer.sku("CACHEADJ"), 100);
        String id = p.getString("id");
        // concurrent sales (written together), one alone with If-Match, and a receipt
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<TestServer.Response>> sales = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                sales.add(pool.submit(() -> server.post("/v1/products/" + id + "/stock/adjustments",
                        "{\"delta\": -1, \"reason\": \"SOLD\"}")));
            }
            for (Future<TestServer.Response> sale : sales) {
                assertThat(sale.get().body(), sale.get().status(), is(201));
            }
        }
        var matched = server.post("/v1/products/" + id + "/stock/adjustments", "{\"delta\": -2, \"reason\": \"SOLD\"}",
                "If-Match", "\"17\"");
        assertThat(matched.body(), matched.status(), is(201));
        var received = server.post("/v1/products/" + id + "/stock/adjustments", "{\"delta\": 5, \"reason\": \"RECEIVED\"}");
        assertThat(received.body(), received.status(), is(201));
        try (TestServer other = TestServer.start(server.databaseUrl(), 4)) {
            var fromDatabase = other.get("/v1/products/" + id);
            assertThat(fromDatabase.body(), fromDatabase.status(), is(200));
            assertThat(fromDatabase.json().getJsonObject("stock").getInt("onHand"), is(87));
            assertThat(fromDatabase.json().getInt("version"), is(19));
            // a change behind the service's back (no event): only an answer kept through the adjustments hides it
            renameBehindTheServicesBack(id, "Behind");
            try {
                var kept = server.get("/v1/products/" + id);
                assertThat("kept through the adjustments, byte for byte what the database answers", kept.body(),
                        is(fromDatabase.body()));
                assertThat(kept.header("ETag"), is(fromDatabase.header("ETag")));
            } finally {
                renameBehindTheServicesBack(id, p.getString("name"));
            }
        }
    }

    private void renameBehindTheServicesBack(String id, String name) throws SQLException {
        try (var c = server.jdbc(); var s = c.prepareStatement("UPDATE products SET name = ? WHERE id = ?::uuid")) {
            s.setString(1, name);
            s.setString(2, id);
            assertThat(s.executeUpdate(), is(1));
        }
    }

    @Test
    void listsAreBuiltFromKeptProductsAndShowEveryChange() {
        String prefix = TestServer.sku("CACHELIST");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(server.product(prefix + "-" + i, 10 + i).getString("id"));
        }
        String page = "/v1/products?limit=3&q=" + prefix;
        var first = server.get(page);
        assertThat(first.body(), first.status(), is(200));
        ids.forEach(id -> version(server, id)); // every product kept
        var second = server.get(page);
        assertThat("the same page, from memory", second.body(), is(first.body()));
        // every item is exactly what GET answers for it
        var items = second.json().getJsonArray("items");
        for (int i = 0; i < items.size(); i++) {
            JsonObject item = items.getJsonObject(i);
            assertThat(item, is(server.get("/v1/products/" + item.getString("id")).json()));
        }
        var next = server.get(page + "&cursor=" + second.json().getString("nextCursor"));
        assertThat(next.json().getJsonArray("items").size(), is(2));
        assertThat(next.json().isNull("nextCursor"), is(true));

        String changed = ids.get(1);
        kept(page);
        var adjusted = server.post("/v1/products/" + changed + "/stock/adjustments", "{\"delta\": -2, \"reason\": \"SOLD\"}");
        assertThat(adjusted.body(), adjusted.status(), is(201));
        JsonObject after = server.get(page).json().getJsonArray("items").getJsonObject(1);
        assertThat(after.getString("id"), is(changed));
        assertThat(after.getJsonObject("stock").getInt("onHand"), is(9));
        assertThat(after.getInt("version"), is(2));
        // a change of a product that is not on the page still moves the kept page on
        kept(page);
        var renamed = server.send("PATCH", "/v1/products/" + ids.get(4), "{\"name\": \"Renamed\"}");
        assertThat(renamed.body(), renamed.status(), is(200));
        assertThat(server.get(page + "&cursor=" + second.json().getString("nextCursor")).json().getJsonArray("items")
                .getJsonObject(1).getString("name"), is("Renamed"));
        kept(page);
        var reserved = server.post("/v1/reservations", "{\"lines\": [{\"productId\": \"" + changed + "\", \"quantity\": 1}]}");
        assertThat(reserved.body(), reserved.status(), is(201));
        assertThat(server.get(page).json().getJsonArray("items").getJsonObject(1).getJsonObject("stock").getInt("reserved"),
                is(1));
        assertThat(server.send("DELETE", "/v1/products/" + ids.get(0), null).status(), is(204));
        assertThat(server.get(page).json().getJsonArray("items").getJsonObject(0).getString("id"), is(changed));
        // the hold is released: the page may be kept whole again; a new product then shows at once
        String rid = reserved.json().getString("id");
        assertThat(Reservations.release(server, rid).status(), is(200));
        String all = "/v1/products?limit=10&q=" + prefix;
        kept(all);
        assertThat(server.get(all).json().getJsonArray("items").size(), is(4));
        server.product(prefix + "-5", 1);
        assertThat(server.get(all).json().getJsonArray("items").size(), is(5));
    }

    /** Reads a page twice, the second time from memory: the same answer. */
    private void kept(String page) {
        var once = server.get(page);
        assertThat(once.body(), once.status(), is(200));
        assertThat(server.get(page).body(), is(once.body()));
    }

    @Test
    void readsRacingWritersEndOnTheLastVersion() throws Exception {
        JsonObject p = server.product(TestServer.sku("CACHERACE"), 1000);
        String id = p.getString("id");
        AtomicBoolean writing = new AtomicBoolean(true);
        List<Future<?>> readers = new ArrayList<>();
        int writes = 60;
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 8; i++) {
                readers.add(pool.submit(() -> {
                    long last = 0;
                    while (writing.get()) {
                        long v = version(server, id);
                        // a reader never goes back in time on one instance
                        assertThat(v, greaterThanOrEqualTo(last));
                        last = v;
                    }
                    return null;
                }));
            }
            List<Future<?>> writers = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                writers.add(pool.submit(() -> {
                    for (int i = 0; i < writes / 4; i++) {
                        var r = server.post("/v1/products/" + id + "/stock/adjustments",
                                "{\"delta\": -1, \"reason\": \"SOLD\"}");
                        assertThat(r.body(), r.status(), is(201));
                        // what this writer just did is what it reads next
                        assertThat(version(server, id), greaterThanOrEqualTo(
                                r.json().getJsonObject("stock").getJsonNumber("version").longValue()));
                    }
                    return null;
                }));
            }
            try {
                for (Future<?> f : writers) {
                    f.get();
                }
            } finally {
                writing.set(false);
            }
            for (Future<?> f : readers) {
                f.get();
            }
        }
        // whatever interleaving the readers had, the cache holds the final version, not one they read earlier
        assertThat(version(server, id), is(1L + writes));
        assertThat(server.get("/v1/products/" + id).json().getJsonObject("stock").getInt("onHand"), is(1000 - writes));
    }

    @Test
    void aChangeMadeByAnotherInstanceIsReadShortly() throws Exception {
        try (TestServer other = TestServer.start(server.databaseUrl(), 4)) {
            JsonObject p = server.product(TestServer.sku("CACHE2"), 10);
            String id = p.getString("id");
            long v = version(other, id);
            version(other, id); // kept in the other instance's memory
            var r = server.post("/v1/products/" + id + "/stock/adjustments", "{\"delta\": -3, \"reason\": \"SOLD\"}");
            assertThat(r.body(), r.status(), is(201));
            long start = System.nanoTime();
            while (version(other, id) != v + 1) {
                assertThat("the other instance still answers the old version",
                        System.nanoTime() - start, lessThan(Duration.ofSeconds(2).toNanos()));
                Thread.sleep(10);
            }
            assertThat(other.get("/v1/products/" + id).json().getJsonObject("stock").getInt("onHand"), is(7));
            // a page the other instance keeps whole shows the change shortly too
            String page = "/v1/products?limit=5&q=" + p.getString("sku");
            assertThat(other.get(page).json().getJsonArray("items").getJsonObject(0).getInt("version"), is((int) v + 1));
            other.get(page);
            assertThat(server.send("PATCH", "/v1/products/" + id, "{\"name\": \"Elsewhere\"}").status(), is(200));
            start = System.nanoTime();
            while (!other.get(page).json().getJsonArray("items").getJsonObject(0).getString("name").equals("Elsewhere")) {
                assertThat("the other instance still answers the old page",
                        System.nanoTime() - start, lessThan(Duration.ofSeconds(2).toNanos()));
                Thread.sleep(10);
            }
        }
    }
}
