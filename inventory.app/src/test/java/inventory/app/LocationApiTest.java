package inventory.app;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import org.junit.jupiter.api.Test;

import static inventory.app.ProblemAssertions.TIMESTAMP;
import static inventory.app.ProblemAssertions.assertProblem;
import static inventory.app.ProblemAssertions.assertValidation;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

/**
 * {@code /v1/locations} and stock at locations: {@code main} from the start, create, list, delete (empty, with
 * stock, {@code main}, unknown), and stock changes naming a location.
 */
class LocationApiTest {

    private final TestServer server = TestServer.shared();

    @Test
    void mainExistsFromTheStart() {
        List<JsonObject> items = locations();
        JsonObject main = items.stream().filter(l -> l.getString("code").equals("main")).findFirst()
                .orElseThrow(() -> new AssertionError("no main in " + items));
        assertThat(main.keySet(), is(Set.of("code", "name", "createdAt")));
        assertThat(main.getString("name").isBlank(), is(false));
        assertThat(TIMESTAMP.matcher(main.getString("createdAt")).matches(), is(true));
    }

    @Test
    void createAnswers201WithTheLocation() {
        String code = code("wh");
        TestServer.Response r = create(code, "Warehouse North");

        assertThat(r.body(), r.status(), is(201));
        assertThat(r.header("Content-Type").orElse(""), is("application/json"));
        JsonObject l = r.json();
        assertThat(l.keySet(), is(Set.of("code", "name", "createdAt")));
        assertThat(l.getString("code"), is(code));
        assertThat(l.getString("name"), is("Warehouse North"));
        assertThat(TIMESTAMP.matcher(l.getString("createdAt")).matches(), is(true));
        assertThat(locations(), hasItem(l));
    }

    @Test
    void duplicateCodeIs409LocationConflict() {
        String code = code("dup");
        JsonObject first = create(code, "First").json();

        assertProblem(create(code, "Second"), 409, "location-conflict", "/v1/locations");
        assertThat(locations().stream().filter(l -> l.getString("code").equals(code)).toList(), is(List.of(first)));
        assertProblem(create("main", "Another main"), 409, "location-conflict", "/v1/locations");
    }

    @Test
    void badCodeOrNameIs400NamingTheField() throws SQLException {
        long before = server.count("SELECT count(*) FROM locations");
        String tooLong = ("x" + UUID.randomUUID().toString().replace("-", "")).substring(0, 33);
        for (String code : List.of("UPPER", "Mixed-case", tooLong, "", "under_score", "sp ace", "dot.ted", "caf\u00e9")) {
            assertThat(code, assertValidation(create(code, "Bad"), "/v1/locations"), is(List.of("code")));
        }
        assertThat(assertValidation(server.post("/v1/locations", "{\"name\":\"No code\"}"), "/v1/locations"),
                is(List.of("code")));
        assertThat(assertValidation(server.post("/v1/locations", "{\"code\":\"" + code("nn") + "\"}"), "/v1/locations"),
                is(List.of("name")));
        assertThat(assertValidation(create(code("ln"), "n".repeat(201)), "/v1/locations"), is(List.of("name")));
        assertThat(assertValidation(server.post("/v1/locations", "{\"code\":\"" + code("uf") + "\",\"name\":\"x\","
                                                                 + "\"kind\":\"store\"}"), "/v1/locations"),
                is(List.of("kind")));
        assertThat(assertValidation(server.post("/v1/locations", "{\"code\":7,\"name\":\"x\"}"), "/v1/locations"),
                is(List.of("code")));
        assertThat(server.count("SELECT count(*) FROM locations"), is(before));

        String longest = ("y" + UUID.randomUUID().toString().replace("-", "")).substring(0, 32);
        TestServer.Response ok = create(longest, "Thirty-two");
        assertThat(ok.body(), ok.status(), is(201));
        assertThat(ok.json().getString("code"), is(longest));
    }

    @Test
    void listIsSortedByCode() {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String later = "zz-" + suffix;
        String earlier = "aa-" + suffix;
        create(later, "Later");
        create(earlier, "Earlier");

        TestServer.Response r = server.get("/v1/locations");
        assertThat(r.status(), is(200));
        assertThat(r.json().keySet(), is(Set.of("items")));
        List<String> codes = locations().stream().map(l -> l.getString("code")).toList();
        assertThat(codes, hasItems("main", earlier, later));
        assertThat(codes, is(codes.stream().sorted().toList()));
        assertThat(codes.indexOf(earlier) < codes.indexOf(later), is(true));
    }

    @Test
    void deleteOfAnEmptyLocationRemovesIt() {
        String code = code("del");
        create(code, "Short-lived");

        TestServer.Response r = server.delete("/v1/locations/" + code);

        assertThat(r.status(), is(204));
        assertThat(r.body(), is(""));
        assertThat(codes(), not(hasItem(code)));
        assertProblem(server.delete("/v1/locations/" + code), 404, "not-found", "/v1/locations/" + code);
        TestServer.Response again = create(code, "Back again");
        assertThat(again.body(), again.status(), is(201));
    }

    @Test
    void deleteOfALocationWithStockIs409UntilItIsEmpty() {
        String code = code("full");
        create(code, "Holds stock");
        String id = server.product(TestServer.sku("LOC"), 0).getString("id");
        adjust(id, 3, code);

        assertProblem(server.delete("/v1/locations/" + code), 409, "location-not-empty", "/v1/locations/" + code);
        assertThat(codes(), hasItem(code));
        assertThat(stockAt(id, code).getInt("onHand"), is(3));

        adjust(id, -3, code);
        assertThat(server.delete("/v1/locations/" + code).status(), is(204));
        assertThat(codes(), not(hasItem(code)));
        JsonObject stock = server.get("/v1/products/" + id + "/stock").json();
        assertThat(stock.getJsonArray("locations").stream().map(l -> l.asJsonObject().getString("location")).toList(),
                not(hasItem(code)));
        assertThat(stock.getInt("onHand"), is(0));
    }

    @Test
    void mainCannotBeDeleted() {
        assertProblem(server.delete("/v1/locations/main"), 409, "location-required", "/v1/locations/main");
        assertThat(codes(), hasItem("main"));
    }

    @Test
    void deleteOfAnUnknownLocationIs404() {
        for (String code : List.of(code("never"), "UPPER", "x".repeat(40))) {
            assertProblem(server.delete("/v1/locations/" + code), 404, "not-found", "/v1/locations/" + code);
        }
    }

    @Test
    void stockAdjustedAtANewLocationShowsInTheProductsStock() {
        String code = code("st");
        create(code, "Second store");
        JsonObject p = server.product(TestServer.sku("AT"), 5);
        String id = p.getString("id");

        TestServer.Response r = server.post("/v1/products/" + id + "/stock/adjustments",
                "{\"delta\":7,\"reason\":\"RECEIVED\",\"location\":\"" + code + "\",\"reference\":\"PO-1\"}");

        assertThat(r.body(), r.status(), is(201));
        assertThat(r.json().keySet(), is(Set.of("movement", "stock")));
        JsonObject movement = r.json().getJsonObject("movement");
        assertThat(movement.getString("location"), is(code));
        assertThat(movement.getInt("delta"), is(7));
        assertThat(movement.getInt("onHandAfter"), is(7));
        assertThat(movement.getString("reference"), is("PO-1"));

        TestServer.Response stockResponse = server.get("/v1/products/" + id + "/stock");
        JsonObject stock = stockResponse.json();
        assertThat(stock.keySet(), is(Set.of("productId", "onHand", "reserved", "available", "version", "locations")));
        assertThat(stock.getString("productId"), is(id));
        assertThat(stock.getInt("onHand"), is(12));
        assertThat(stock.getInt("available"), is(12));
        assertThat(stock.getInt("version"), is(2));
        assertThat(stockResponse.header("ETag").orElse(null), is("\"2\""));
        assertThat(stock.getJsonArray("locations"), is(Json.createArrayBuilder()
                .add(level("main", 5))
                .add(level(code, 7))
                .build()));
        assertThat(r.json().getJsonObject("stock"), is(stock));

        JsonObject product = server.get("/v1/products/" + id).json();
        assertThat(product.getJsonObject("stock").getInt("onHand"), is(12));
        assertThat(product.getInt("version"), is(2));
    }

    @Test
    void stockChangeAtAnUnknownLocationIs400AndChangesNothing() throws SQLException {
        JsonObject p = server.product(TestServer.sku("UNK"), 4);
        String id = p.getString("id");
        String path = "/v1/products/" + id;
        JsonObject stockBefore = server.get(path + "/stock").json();
        long movements = server.count("SELECT count(*) FROM stock_movements WHERE product_id = CAST(? AS uuid)", id);
        String nowhere = code("nowhere");

        for (String body : List.of(
                "{\"delta\":5,\"reason\":\"RECEIVED\",\"location\":\"" + nowhere + "\"}",
                "{\"delta\":-1,\"reason\":\"SOLD\",\"location\":\"" + nowhere + "\"}",
                "{\"delta\":1,\"reason\":\"RECEIVED\",\"location\":\"MAIN\"}")) {
            assertThat(body, assertValidation(server.post(path + "/stock/adjustments", body), path + "/stock/adjustments"),
                    is(List.of("location")));
        }
        assertThat(assertValidation(server.post(path + "/stock/counts", "{\"onHand\":9,\"location\":\"" + nowhere + "\"}"),
                path + "/stock/counts"), is(List.of("location")));

        assertThat(server.get(path).json(), is(p));
        assertThat(server.get(path + "/stock").json(), is(stockBefore));
        assertThat(server.count("SELECT count(*) FROM stock_movements WHERE product_id = CAST(? AS uuid)", id), is(movements));
        assertThat(server.count("SELECT count(*) FROM stock_levels WHERE product_id = CAST(? AS uuid)", id), is(1L));
        assertThat(codes(), not(hasItem(nowhere)));
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    /** A location code no other test uses: lower case, at most 32 characters. */
    static String code(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    private TestServer.Response create(String code, String name) {
        return server.post("/v1/locations", Json.createObjectBuilder().add("code", code).add("name", name).build()
                .toString());
    }

    private List<JsonObject> locations() {
        TestServer.Response r = server.get("/v1/locations");
        assertThat(r.body(), r.status(), is(200));
        return r.json().getJsonArray("items").stream().map(JsonValue::asJsonObject).toList();
    }

    private List<String> codes() {
        return locations().stream().map(l -> l.getString("code")).toList();
    }

    private void adjust(String id, long delta, String location) {
        TestServer.Response r = server.post("/v1/products/" + id + "/stock/adjustments",
                Json.createObjectBuilder().add("delta", delta).add("reason", delta > 0 ? "RECEIVED" : "CORRECTION")
                        .add("location", location).build().toString());
        assertThat(r.body(), r.status(), is(201));
    }

    private JsonObject stockAt(String id, String location) {
        return server.get("/v1/products/" + id + "/stock").json().getJsonArray("locations").stream()
                .map(JsonValue::asJsonObject).filter(l -> l.getString("location").equals(location)).findFirst()
                .orElseThrow(() -> new AssertionError("no stock at " + location));
    }

    private static JsonObject level(String location, long onHand) {
        return Json.createObjectBuilder().add("location", location).add("onHand", onHand).add("reserved", 0)
                .add("available", onHand).build();
    }

}
