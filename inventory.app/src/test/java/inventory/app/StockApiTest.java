package inventory.app;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import jakarta.json.JsonObject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;

class StockApiTest {

    private final TestServer server = TestServer.shared();

    @AfterAll
    static void invariantsHold() throws SQLException {
        Invariants.check(TestServer.shared());
    }

    @Test
    void adjustmentWritesMovementAndStockAndBumpsVersion() {
        JsonObject p = server.product(TestServer.sku("ADJ"), 10);
        String id = p.getString("id");
        var r = server.post("/v1/products/" + id + "/stock/adjustments",
                "{\"delta\": -4, \"reason\": \"SOLD\", \"reference\": \"order-1\", \"note\": \"web\"}");
        assertThat(r.body(), r.status(), is(201));
        assertThat(r.header("ETag").orElseThrow(), is("\"2\""));
        JsonObject m = r.json().getJsonObject("movement");
        assertThat(m.getInt("delta"), is(-4));
        assertThat(m.getString("reason"), is("SOLD"));
        assertThat(m.getString("location"), is("main"));
        assertThat(m.getInt("onHandAfter"), is(6));
        assertThat(m.getString("reference"), is("order-1"));
        assertThat(m.getString("note"), is("web"));
        assertThat(m.isNull("reservationId"), is(true));
        JsonObject s = r.json().getJsonObject("stock");
        assertThat(s.getInt("onHand"), is(6));
        assertThat(s.getInt("available"), is(6));
        assertThat(s.getInt("version"), is(2));
        JsonObject product = server.get("/v1/products/" + id).json();
        assertThat(product.getJsonObject("stock").getInt("onHand"), is(6));
        assertThat(product.getInt("version"), is(2));
    }

    @Test
    void insufficientStockNamesTheShortageAndChangesNothing() {
        JsonObject p = server.product(TestServer.sku("SHORT"), 3);
        String id = p.getString("id");
        var r = server.post("/v1/products/" + id + "/stock/adjustments", "{\"delta\": -5, \"reason\": \"SOLD\"}");
        assertThat(r.status(), is(409));
        assertThat(r.code(), is("insufficient-stock"));
        JsonObject shortage = r.json().getJsonArray("shortages").getJsonObject(0);
        assertThat(shortage.isNull("line"), is(true));
        assertThat(shortage.getString("productId"), is(id));
        assertThat(shortage.getString("sku"), is(p.getString("sku")));
        assertThat(shortage.getString("location"), is("main"));
        assertThat(shortage.getInt("requested"), is(5));
        assertThat(shortage.getInt("available"), is(3));
        JsonObject after = server.get("/v1/products/" + id).json();
        assertThat(after.getJsonObject("stock").getInt("onHand"), is(3));
        assertThat(after.getInt("version"), is(1));
        assertThat(server.get("/v1/products/" + id + "/stock/movements").json().getJsonArray("items"), hasSize(1));
    }

    @Test
    void aLocationShortOfWhatTheTotalHasRefusesAndChangesNothing() {
        JsonObject p = server.product(TestServer.sku("SPLIT"), 10);
        String id = p.getString("id");
        String code = "split-" + Long.toHexString(System.nanoTime());
        var location = server.post("/v1/locations", "{\"code\": \"" + code + "\", \"name\": \"Split\"}");
        assertThat(location.body(), location.status(), is(201));
        var received = server.post("/v1/products/" + id + "/stock/adjustments",
                "{\"delta\": 5, \"reason\": \"RECEIVED\", \"location\": \"" + code + "\"}");
        assertThat(received.body(), received.status(), is(201));
        // 15 in total, but only 10 at main
        var r = server.post("/v1/products/" + id + "/stock/adjustments", "{\"delta\": -12, \"reason\": \"SOLD\"}");
        assertThat(r.body(), r.status(), is(409));
        JsonObject shortage = r.json().getJsonArray("shortages").getJsonObject(0);
        assertThat(shortage.getString("location"), is("main"));
        assertThat(shortage.getInt("available"), is(10));
        JsonObject after = server.get("/v1/products/" + id).json();
        assertThat(after.getJsonObject("stock").getInt("onHand"), is(15));
        assertThat(after.getInt("version"), is(2));
        // the taking path answers both levels as they are afterwards
        var taken = server.post("/v1/products/" + id + "/stock/adjustments", "{\"delta\": -4, \"reason\": \"SOLD\"}");
        assertThat(taken.body(), taken.status(), is(201));
        JsonObject stock = taken.json().getJsonObject("stock");
        assertThat(stock.getInt("onHand"), is(11));
        assertThat(stock.getInt("version"), is(3));
        assertThat(stock.getJsonArray("locations").toString(), stock.getJsonArray("locations").size(), is(2));
        assertThat(taken.json().getJsonObject("movement").getInt("onHandAfter"), is(6));
        assertThat(server.get("/v1/products/" + id + "/stock").json(), is(stock));
        assertThat(server.get("/v1/products/" + id + "/stock/movements").json().getJsonArray("items"), hasSize(3));
    }

    @Test
    void reservedUnitsAreNotAvailable() throws SQLException {
        JsonObject p = server.product(TestServer.sku("RES"), 10);
        String id = p.getString("id");
        var hold = server.post("/v1/reservations", "{\"lines\": [{\"productId\": \"" + id + "\", \"quantity\": 6}]}");
        assertThat(hold.body(), hold.status(), is(201));
        var stock = server.get("/v1/products/" + id + "/stock").json();
        assertThat(stock.getInt("available"), is(4));
        var sale = server.post("/v1/products/" + id + "/stock/adjustments", "{\"delta\": -5, \"reason\": \"SOLD\"}");
        assertThat(sale.status(), is(409));
        assertThat(sale.json().getJsonArray("shortages").getJsonObject(0).getInt("available"), is(4));
        var count = server.post("/v1/products/" + id + "/stock/counts", "{\"onHand\": 5}");
        assertThat(count.status(), is(409));
        assertThat(count.code(), is("insufficient-stock"));
        var delete = server.delete("/v1/products/" + id);
        assertThat(delete.status(), is(409));
        assertThat(delete.code(), is("product-has-reservations"));
        assertThat(server.post("/v1/products/" + id + "/stock/adjustments", "{\"delta\": -4, \"reason\": \"SOLD\"}")
                .status(), is(201));
        assertThat(server.post("/v1/reservations/" + hold.json().getString("id") + "/release", null).status(), is(200));
        assertThat(server.delete("/v1/products/" + id).status(), is(204));
        Invariants.check(server);
    }

    @Test
    void countSetsOnHandAndRecordsTheDifference() {
        String id = server.product(TestServer.sku("CNT"), 10).getString("id");
        var r = server.post("/v1/products/" + id + "/stock/counts", "{\"onHand\": 7, \"note\": \"cycle count\"}");
        assertThat(r.body(), r.status(), is(201));
        JsonObject m = r.json().getJsonObject("movement");
        assertThat(m.getString("reason"), is("COUNT"));
        assertThat(m.getInt("delta"), is(-3));
        assertThat(m.getInt("onHandAfter"), is(7));
        assertThat(r.json().getJsonObject("stock").getInt("onHand"), is(7));
        var same = server.post("/v1/products/" + id + "/stock/counts", "{\"onHand\": 7}");
        assertThat(same.status(), is(201));
        assertThat(same.json().getJsonObject("movement").getInt("delta"), is(0));
        var elsewhere = server.post("/v1/products/" + id + "/stock/counts", "{\"onHand\": 2, \"location\": \"nowhere\"}");
        assertThat(elsewhere.status(), is(400));
        assertThat(elsewhere.json().getJsonArray("errors").getJsonObject(0).getString("field"), is("location"));
    }

    @Test
    void adjustmentValidationNamesEveryBadField() {
        String id = server.product(TestServer.sku("VAL"), 1).getString("id");
        var r = server.post("/v1/products/" + id + "/stock/adjustments",
                "{\"delta\": 0, \"reason\": \"STOLEN\", \"location\": \"BAD LOC\", \"note\": 5, \"extra\": true}");
        assertThat(r.status(), is(400));
        assertThat(r.code(), is("validation-failed"));
        Set<String> fields = new HashSet<>();
        r.json().getJsonArray("errors").forEach(e -> fields.add(e.asJsonObject().getString("field")));
        assertThat(fields, is(Set.of("delta", "reason", "location", "note", "extra")));
        var huge = server.post("/v1/products/" + id + "/stock/adjustments", "{\"delta\": 1000000001, \"reason\": \"RECEIVED\"}");
        assertThat(huge.status(), is(400));
        var fraction = server.post("/v1/products/" + id + "/stock/adjustments", "{\"delta\": 1.5, \"reason\": \"RECEIVED\"}");
        assertThat(fraction.status(), is(400));
        var count = server.post("/v1/products/" + id + "/stock/adjustments", "{\"delta\": \"1\", \"reason\": \"COUNT\"}");
        assertThat(count.status(), is(400));
        assertThat(server.get("/v1/products/" + id).json().getInt("version"), is(1));
    }

    @Test
    void ifMatchGuardsStockChanges() {
        String id = server.product(TestServer.sku("IFM"), 5).getString("id");
        var stale = server.post("/v1/products/" + id + "/stock/adjustments", "{\"delta\": 1, \"reason\": \"RETURNED\"}",
                "If-Match", "\"7\"");
        assertThat(stale.status(), is(412));
        assertThat(stale.code(), is("version-mismatch"));
        var current = server.post("/v1/products/" + id + "/stock/adjustments", "{\"delta\": 1, \"reason\": \"RETURNED\"}",
                "If-Match", "\"1\"");
        assertThat(current.status(), is(201));
        var stock = server.get("/v1/products/" + id + "/stock");
        assertThat(stock.header("ETag").orElseThrow(), is("\"2\""));
        assertThat(server.get("/v1/products/" + id + "/stock", "If-None-Match", "\"2\"").status(), is(304));
    }

    @Test
    void movementsPageNewestFirstEachExactlyOnce() {
        String id = server.product(TestServer.sku("MOV"), 100).getString("id");
        for (int i = 1; i <= 6; i++) {
            assertThat(server.post("/v1/products/" + id + "/stock/adjustments",
                    "{\"delta\": -" + i + ", \"reason\": \"SOLD\", \"reference\": \"r" + i + "\"}").status(), is(201));
        }
        List<String> references = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            var page = server.get("/v1/products/" + id + "/stock/movements?limit=3"
                                  + (cursor == null ? "" : "&cursor=" + cursor)).json();
            page.getJsonArray("items").forEach(v -> references.add(v.asJsonObject().isNull("reference")
                    ? "initial" : v.asJsonObject().getString("reference")));
            cursor = page.isNull("nextCursor") ? null : page.getString("nextCursor");
            pages++;
        } while (cursor != null);
        assertThat(references, contains("r6", "r5", "r4", "r3", "r2", "r1", "initial"));
        assertThat(pages, is(3));
        assertThat(server.get("/v1/products/" + id + "/stock/movements?limit=0").status(), is(400));
        assertThat(server.get("/v1/products/" + id + "/stock/movements?cursor=nonsense").status(), is(400));
    }

    @Test
    void batchIsAllOrNothingAndNamesEveryShortLine() {
        JsonObject a = server.product(TestServer.sku("BA"), 5);
        JsonObject b = server.product(TestServer.sku("BB"), 2);
        String body = "{\"reason\": \"SOLD\", \"reference\": \"order-7\", \"lines\": ["
                      + "{\"productId\": \"" + a.getString("id") + "\", \"delta\": -3},"
                      + "{\"sku\": \"" + b.getString("sku").toLowerCase() + "\", \"delta\": -3},"
                      + "{\"productId\": \"" + a.getString("id") + "\", \"delta\": -3}]}";
        var short409 = server.post("/v1/stock/batch", body);
        assertThat(short409.status(), is(409));
        var shortages = short409.json().getJsonArray("shortages");
        assertThat(shortages, hasSize(2));
        assertThat(shortages.getJsonObject(0).getInt("line"), is(1));
        assertThat(shortages.getJsonObject(0).getInt("available"), is(2));
        assertThat(shortages.getJsonObject(1).getInt("line"), is(2));
        assertThat(shortages.getJsonObject(1).getInt("available"), is(2));
        assertThat(server.get("/v1/products/" + a.getString("id")).json().getJsonObject("stock").getInt("onHand"), is(5));
        assertThat(server.get("/v1/products/" + b.getString("id")).json().getJsonObject("stock").getInt("onHand"), is(2));

        String ok = "{\"reason\": \"RECEIVED\", \"lines\": ["
                    + "{\"productId\": \"" + a.getString("id") + "\", \"delta\": 4},"
                    + "{\"sku\": \"" + b.getString("sku") + "\", \"delta\": 1},"
                    + "{\"productId\": \"" + a.getString("id") + "\", \"delta\": -2}]}";
        var created = server.post("/v1/stock/batch", ok);
        assertThat(created.body(), created.status(), is(201));
        var movements = created.json().getJsonArray("movements");
        assertThat(movements, hasSize(3));
        assertThat(movements.getJsonObject(0).getInt("onHandAfter"), is(9));
        assertThat(movements.getJsonObject(2).getInt("onHandAfter"), is(7));
        JsonObject after = server.get("/v1/products/" + a.getString("id")).json();
        assertThat(after.getJsonObject("stock").getInt("onHand"), is(7));
        assertThat(after.getInt("version"), is(2));

        var unknown = server.post("/v1/stock/batch", "{\"reason\": \"SOLD\", \"lines\": ["
                + "{\"productId\": \"01a20a31-0947-726b-aa9c-4dcca063227e\", \"delta\": -1},"
                + "{\"sku\": \"NO-SUCH-SKU-X\", \"delta\": -1, \"location\": \"no-such-place\"}]}");
        assertThat(unknown.status(), is(400));
        Set<String> fields = new HashSet<>();
        unknown.json().getJsonArray("errors").forEach(e -> fields.add(e.asJsonObject().getString("field")));
        assertThat(fields, is(Set.of("lines[0].productId", "lines[1].sku", "lines[1].location")));
        var shape = server.post("/v1/stock/batch", "{\"reason\": \"LOST\", \"lines\": [{\"delta\": 1},"
                + " {\"productId\": \"x\", \"sku\": \"A\", \"delta\": 0}, 7]}");
        assertThat(shape.status(), is(400));
        fields.clear();
        shape.json().getJsonArray("errors").forEach(e -> fields.add(e.asJsonObject().getString("field")));
        assertThat(fields, is(Set.of("lines[0].productId", "lines[1].productId", "lines[1].delta", "lines[2]")));
        var tooMany = new StringBuilder("{\"reason\": \"RECEIVED\", \"lines\": [");
        for (int i = 0; i < 501; i++) {
            tooMany.append(i == 0 ? "" : ",").append("{\"productId\": \"").append(a.getString("id")).append("\", \"delta\": 1}");
        }
        var limit = server.post("/v1/stock/batch", tooMany.append("]}").toString());
        assertThat(limit.status(), is(400));
        assertThat(server.get("/v1/products/" + a.getString("id")).json().getJsonObject("stock").getInt("onHand"), is(7));
        assertThat(server.get("/v1/products/" + a.getString("id") + "/stock/movements").json().getJsonArray("items")
                .getJsonObject(0).isNull("note"), is(true));
        assertThat(created.json().getJsonArray("movements").getJsonObject(0).getString("reference", null), nullValue());
    }
}
