package inventory.app;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static inventory.app.ProblemAssertions.TIMESTAMP;
import static inventory.app.ProblemAssertions.assertProblem;
import static inventory.app.ProblemAssertions.assertValidation;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

/**
 * {@code /v1/products} against the contract: create, read, list with its filters and paging, merge patch,
 * delete, conflicts and validation. Every test owns its products (unique SKUs and name words).
 */
class ProductApiTest {

    private static final Set<String> PRODUCT_FIELDS = Set.of("id", "sku", "name", "description", "price", "currency",
            "status", "lowStockThreshold", "attributes", "stock", "version", "createdAt", "updatedAt");

    private final TestServer server = TestServer.shared();

    // ---- create ----------------------------------------------------------------------------------------------

    @Test
    void createAnswers201WithLocationEtagAndEveryField() throws SQLException {
        String sku = TestServer.sku("CR");
        TestServer.Response r = server.post("/v1/products",
                product(sku, "Red T-shirt, M").add("price", "19.9").build().toString());

        assertThat(r.body(), r.status(), is(201));
        assertThat(r.header("Content-Type").orElse(""), startsWith("application/json"));
        assertThat(r.header("ETag").orElse(null), is("\"1\""));
        JsonObject p = r.json();
        assertThat(p.keySet(), is(PRODUCT_FIELDS));
        String id = p.getString("id");
        assertThat(UUID.fromString(id).version(), is(7));
        assertThat(r.header("Location").orElse(""), endsWith("/v1/products/" + id));
        assertThat(p.getString("sku"), is(sku));
        assertThat(p.getString("name"), is("Red T-shirt, M"));
        assertThat(p.isNull("description"), is(true));
        assertThat(p.getString("price"), is("19.90"));
        assertThat(p.getString("currency"), is("USD"));
        assertThat(p.getString("status"), is("ACTIVE"));
        assertThat(p.isNull("lowStockThreshold"), is(true));
        assertThat(p.getJsonObject("attributes"), is(JsonValue.EMPTY_JSON_OBJECT));
        assertStock(p.getJsonObject("stock"), 0, 0, 0);
        assertThat(p.getInt("version"), is(1));
        assertThat(TIMESTAMP.matcher(p.getString("createdAt")).matches(), is(true));
        assertThat(p.getString("updatedAt"), is(p.getString("createdAt")));

        TestServer.Response again = server.get("/v1/products/" + id);
        assertThat(again.status(), is(200));
        assertThat(again.json(), is(p));
        assertThat(liveProductsWithSku(sku), is(1));
    }

    @Test
    void createKeepsEveryOptionalFieldGiven() {
        String sku = TestServer.sku("CO");
        TestServer.Response r = server.post("/v1/products", product(sku, "Blue mug")
                .add("description", "Holds 300 ml")
                .add("lowStockThreshold", 4)
                .add("attributes", Json.createObjectBuilder().add("color", "blue").add("material", "stoneware"))
                .build().toString());

        assertThat(r.body(), r.status(), is(201));
        JsonObject p = r.json();
        assertThat(p.keySet(), is(PRODUCT_FIELDS));
        assertThat(p.getString("description"), is("Holds 300 ml"));
        assertThat(p.getInt("lowStockThreshold"), is(4));
        assertThat(p.getJsonObject("attributes"),
                is(Json.createObjectBuilder().add("color", "blue").add("material", "stoneware").build()));
    }

    @ParameterizedTest
    @CsvSource({"19.9,19.90", "19.9050,19.905", "7,7.00", "100,100.00", "0,0.00", "0.5000,0.50", "19.99,19.99",
                "1234567890.1234,1234567890.1234"})
    void moneyIsAnsweredInCanonicalForm(String sent, String canonical) {
        TestServer.Response r = server.post("/v1/products",
                product(TestServer.sku("MNY"), "Money").add("price", sent).build().toString());

        assertThat(r.body(), r.status(), is(201));
        assertThat(r.json().getString("price"), is(canonical));
        assertThat(server.get("/v1/products/" + r.json().getString("id")).json().getString("price"), is(canonical));
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "1.23456", "12345678901", "1e3", "", " 1", "1,00", "abc", ".5", "1."})
    void moneyOutsideTheFormatIsRejected(String price) {
        String sku = TestServer.sku("BADP");
        TestServer.Response r = server.post("/v1/products", product(sku, "Money").add("price", price).build().toString());

        assertThat(assertValidation(r, "/v1/products"), is(List.of("price")));
        assertThat(liveProductsWithSku(sku), is(0));
    }

    @Test
    void priceAsJsonNumberIsRejected() {
        String sku = TestServer.sku("NUMP");
        TestServer.Response r = server.post("/v1/products",
                product(sku, "Money").add("price", Json.createValue(new java.math.BigDecimal("19.99"))).build().toString());

        assertThat(assertValidation(r, "/v1/products"), is(List.of("price")));
        assertThat(liveProductsWithSku(sku), is(0));
    }

    @Test
    void createWithInitialQuantityIsVersion1WithStockReceivedAtMain() {
        String sku = TestServer.sku("IQ");
        TestServer.Response r = server.post("/v1/products",
                product(sku, "Initial").add("initialQuantity", 12).build().toString());

        assertThat(r.body(), r.status(), is(201));
        JsonObject p = r.json();
        assertThat(p.getInt("version"), is(1));
        assertThat(r.header("ETag").orElse(null), is("\"1\""));
        assertStock(p.getJsonObject("stock"), 12, 0, 12);
        String id = p.getString("id");

        JsonObject stock = server.get("/v1/products/" + id + "/stock").json();
        assertThat(stock.getInt("onHand"), is(12));
        assertThat(stock.getInt("version"), is(1));
        assertThat(stock.getJsonArray("locations").size(), is(1));
        JsonObject main = stock.getJsonArray("locations").getJsonObject(0);
        assertThat(main.getString("location"), is("main"));
        assertThat(main.getInt("onHand"), is(12));
        assertThat(main.getInt("available"), is(12));

        var movements = server.get("/v1/products/" + id + "/stock/movements").json().getJsonArray("items");
        assertThat(movements.size(), is(1));
        JsonObject m = movements.getJsonObject(0);
        assertThat(m.getString("reason"), is("RECEIVED"));
        assertThat(m.getInt("delta"), is(12));
        assertThat(m.getString("location"), is("main"));
        assertThat(m.getInt("onHandAfter"), is(12));
        assertThat(m.getString("productId"), is(id));
    }

    @Test
    void skuConflictIgnoresCaseAndCreatesNothing() throws SQLException {
        String sku = TestServer.sku("Dup").toLowerCase();
        server.product(sku, 0);
        long movementsBefore = server.count("SELECT count(*) FROM stock_movements m JOIN products p ON p.id = m.product_id"
                                     + " WHERE lower(p.sku) = lower(?)", sku);

        TestServer.Response r = server.post("/v1/products",
                product(sku.toUpperCase(), "Other").add("initialQuantity", 5).build().toString());

        assertProblem(r, 409, "sku-conflict", "/v1/products");
        assertThat(server.count("SELECT count(*) FROM products WHERE lower(sku) = lower(?)", sku), is(1L));
        assertThat(server.count("SELECT count(*) FROM stock_movements m JOIN products p ON p.id = m.product_id"
                         + " WHERE lower(p.sku) = lower(?)", sku), is(movementsBefore));
    }

    @Test
    void validationNamesEveryBadFieldAtOnceAndCreatesNothing() throws SQLException {
        long before = server.count("SELECT count(*) FROM products");
        String body = """
                {"sku": "-bad sku", "price": 19.99, "currency": "usd", "colour": "red"}""";

        TestServer.Response r = server.post("/v1/products", body);

        List<String> fields = assertValidation(r, "/v1/products");
        assertThat(fields, containsInAnyOrder("sku", "name", "price", "currency", "colour"));
        assertThat(server.count("SELECT count(*) FROM products"), is(before));
    }

    @Test
    void fieldsOutOfRangeAreRejected() {
        assertThat(assertValidation(create(product(TestServer.sku("R"), "x".repeat(201))), "/v1/products"),
                is(List.of("name")));
        assertThat(assertValidation(create(product(TestServer.sku("R"), "")), "/v1/products"), is(List.of("name")));
        assertThat(assertValidation(create(product(TestServer.sku("R"), "D").add("description", "d".repeat(2001))),
                "/v1/products"), is(List.of("description")));
        assertThat(assertValidation(create(product(TestServer.sku("R"), "T").add("lowStockThreshold", -1)),
                "/v1/products"), is(List.of("lowStockThreshold")));
        assertThat(assertValidation(create(product(TestServer.sku("R"), "Q").add("initialQuantity", -1)),
                "/v1/products"), is(List.of("initialQuantity")));
        assertThat(assertValidation(create(product(TestServer.sku("R"), "Q").add("initialQuantity", 1.5)),
                "/v1/products"), is(List.of("initialQuantity")));
        assertThat(assertValidation(create(product(TestServer.sku("R"), "C").add("currency", "QQQ")), "/v1/products"),
                is(List.of("currency")));
        assertThat(assertValidation(create(product("x".repeat(65), "S")), "/v1/products"), is(List.of("sku")));
        assertThat(assertValidation(create(product(TestServer.sku("R"), "S").add("status", "ACTIVE")), "/v1/products"),
                is(List.of("status")));
    }

    @Test
    void lengthsAtTheLimitAreAccepted() {
        String sku = ("L" + UUID.randomUUID().toString().replace("-", "") + "y".repeat(64)).substring(0, 64);
        TestServer.Response r = create(product(sku, "n".repeat(200)).add("description", "d".repeat(2000)));

        assertThat(r.body(), r.status(), is(201));
        assertThat(r.json().getString("sku"), is(sku));
        assertThat(r.json().getString("name").length(), is(200));
        assertThat(r.json().getString("description").length(), is(2000));
    }

    @Test
    void attributesAreLimitedInCountKeyAndValueLength() {
        JsonObjectBuilder fifty = Json.createObjectBuilder();
        JsonObjectBuilder fiftyOne = Json.createObjectBuilder();
        for (int i = 0; i < 50; i++) {
            fifty.add("k" + i, "v");
            fiftyOne.add("k" + i, "v");
        }
        fiftyOne.add("k50", "v");
        String longKey = "k".repeat(65);

        assertThat(assertValidation(create(product(TestServer.sku("AT"), "A").add("attributes", fiftyOne)), "/v1/products"),
                is(List.of("attributes")));
        assertThat(assertValidation(create(product(TestServer.sku("AT"), "A")
                .add("attributes", Json.createObjectBuilder().add(longKey, "v"))), "/v1/products"),
                is(List.of("attributes." + longKey)));
        assertThat(assertValidation(create(product(TestServer.sku("AT"), "A")
                .add("attributes", Json.createObjectBuilder().add("color", "v".repeat(257)))), "/v1/products"),
                is(List.of("attributes.color")));
        assertThat(assertValidation(create(product(TestServer.sku("AT"), "A")
                .add("attributes", Json.createObjectBuilder().add("size", 42))), "/v1/products"),
                is(List.of("attributes.size")));

        TestServer.Response ok = create(product(TestServer.sku("AT"), "A").add("attributes", fifty));
        assertThat(ok.body(), ok.status(), is(201));
        assertThat(ok.json().getJsonObject("attributes").size(), is(50));
        TestServer.Response limits = create(product(TestServer.sku("AT"), "A")
                .add("attributes", Json.createObjectBuilder().add("k".repeat(64), "v".repeat(256))));
        assertThat(limits.body(), limits.status(), is(201));
        assertThat(limits.json().getJsonObject("attributes").getString("k".repeat(64)), is("v".repeat(256)));
    }

    // ---- read ------------------------------------------------------------------------------------------------

    @Test
    void getAnswersWithEtagAnd304WhenIfNoneMatchMatches() {
        JsonObject p = server.product(TestServer.sku("GET"), 3);
        String path = "/v1/products/" + p.getString("id");

        TestServer.Response r = server.get(path);
        assertThat(r.status(), is(200));
        assertThat(r.header("ETag").orElse(null), is("\"1\""));
        assertThat(r.json(), is(p));

        TestServer.Response notModified = server.get(path, "If-None-Match", "\"1\"");
        assertThat(notModified.status(), is(304));
        assertThat(notModified.body(), is(""));
        assertThat(notModified.header("ETag").orElse(null), is("\"1\""));
        assertThat(notModified.header("X-Request-Id").isPresent(), is(true));
        assertThat(server.get(path, "If-None-Match", "W/\"1\"").status(), is(304));
        assertThat(server.get(path, "If-None-Match", "\"7\", \"1\"").status(), is(304));

        TestServer.Response stale = server.get(path, "If-None-Match", "\"2\"");
        assertThat(stale.status(), is(200));
        assertThat(stale.json(), is(p));
    }

    @Test
    void unknownOrMalformedIdIs404() {
        String unknown = "/v1/products/" + UUID.randomUUID();
        assertProblem(server.get(unknown), 404, "not-found", unknown);
        for (String id : List.of("not-a-uuid", "123", UUID.randomUUID() + "0")) {
            assertProblem(server.get("/v1/products/" + id), 404, "not-found", "/v1/products/" + id);
            assertProblem(server.get("/v1/products/" + id + "/stock"), 404, "not-found", "/v1/products/" + id + "/stock");
        }
    }

    @Test
    void bySkuIgnoresCaseAndAnswers404ForUnknownSku() {
        String sku = TestServer.sku("BySku").toUpperCase();
        JsonObject p = server.product(sku, 2);

        for (String asked : List.of(sku, sku.toLowerCase())) {
            TestServer.Response r = server.get("/v1/products/by-sku/" + asked);
            assertThat(r.status(), is(200));
            assertThat(r.header("ETag").orElse(null), is("\"1\""));
            assertThat(r.json(), is(p));
        }
        assertThat(server.get("/v1/products/by-sku/" + sku, "If-None-Match", "\"1\"").status(), is(304));

        String unknown = "/v1/products/by-sku/" + TestServer.sku("NONE");
        assertProblem(server.get(unknown), 404, "not-found", unknown);
    }

    // ---- list ------------------------------------------------------------------------------------------------

    @Test
    void pagingAFilteredListReturnsEveryItemOnceOldestFirst() {
        String word = word();
        List<String> created = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            created.add(create(product(TestServer.sku("PG"), "Pager " + word + " " + i)).json().getString("id"));
        }

        List<String> seen = new ArrayList<>();
        List<Integer> pageSizes = new ArrayList<>();
        String cursor = null;
        do {
            TestServer.Response r = server.get("/v1/products?limit=3&q=" + word
                                               + (cursor == null ? "" : "&cursor=" + encode(cursor)));
            assertThat(r.body(), r.status(), is(200));
            JsonObject page = r.json();
            assertThat(page.keySet(), is(Set.of("items", "nextCursor")));
            page.getJsonArray("items").forEach(item -> {
                assertThat(item.asJsonObject().keySet(), is(PRODUCT_FIELDS));
                seen.add(item.asJsonObject().getString("id"));
            });
            pageSizes.add(page.getJsonArray("items").size());
            cursor = page.isNull("nextCursor") ? null : page.getString("nextCursor");
        } while (cursor != null && pageSizes.size() < 10);

        assertThat(seen, is(created));
        assertThat(pageSizes, is(List.of(3, 3, 1)));

        JsonObject all = server.get("/v1/products?limit=7&q=" + word).json();
        assertThat(all.getJsonArray("items").size(), is(7));
        assertThat(all.isNull("nextCursor"), is(true));
        List<String> times = all.getJsonArray("items").stream().map(i -> i.asJsonObject().getString("createdAt")).toList();
        assertThat(times, is(times.stream().sorted().toList()));
    }

    @Test
    void listLeavesOutDeletedProducts() {
        String word = word();
        String a = create(product(TestServer.sku("DL"), "Gone " + word)).json().getString("id");
        String b = create(product(TestServer.sku("DL"), "Kept " + word)).json().getString("id");
        assertThat(server.delete("/v1/products/" + a).status(), is(204));

        assertThat(ids(server.get("/v1/products?q=" + word)), is(List.of(b)));
    }

    @Test
    void statusFilterKeepsOnlyThatStatus() {
        String word = word();
        String active = create(product(TestServer.sku("ST"), "Status " + word)).json().getString("id");
        String discontinued = create(product(TestServer.sku("ST"), "Status " + word)).json().getString("id");
        assertThat(server.patch("/v1/products/" + discontinued, "{\"status\":\"DISCONTINUED\"}").status(), is(200));

        assertThat(ids(server.get("/v1/products?status=DISCONTINUED&q=" + word)), is(List.of(discontinued)));
        assertThat(ids(server.get("/v1/products?status=ACTIVE&q=" + word)), is(List.of(active)));
        assertThat(ids(server.get("/v1/products?q=" + word)), is(List.of(active, discontinued)));
        assertThat(assertValidation(server.get("/v1/products?status=active"), "/v1/products"), is(List.of("status")));
    }

    @Test
    void qMatchesSkuPrefixOrNameWordPrefixIgnoringCase() {
        String t = word();
        String bySku = create(product(t.toUpperCase() + "-SKU1", "Alpha gadget")).json().getString("id");
        String byNameWord = create(product(TestServer.sku("NM"), "Gadget " + t.toUpperCase() + "berry")).json()
                .getString("id");
        String byFirstWord = create(product(TestServer.sku("NM"), t + " gizmo")).json().getString("id");
        create(product(TestServer.sku("MID"), "Gadget x" + t));                // inside a word of the name
        create(product("X" + t + "-S1", "Unrelated thing"));                     // inside the SKU

        List<String> expected = List.of(bySku, byNameWord, byFirstWord);
        assertThat(ids(server.get("/v1/products?q=" + t)), is(expected));
        assertThat(ids(server.get("/v1/products?q=" + t.toUpperCase())), is(expected));
        assertThat(ids(server.get("/v1/products?q=" + t.substring(0, 1).toUpperCase() + t.substring(1, 8))),
                is(expected));
        assertThat(ids(server.get("/v1/products?q=" + t + "-s")), is(List.of(bySku)));
        assertThat(ids(server.get("/v1/products?q=" + t + "BER")), is(List.of(byNameWord)));
    }

    @Test
    void qTakesPercentAndUnderscoreLiterally() {
        String u = word();
        String underscore = create(product(u + "_1", "Plain one")).json().getString("id");
        create(product(u + "x1", "Plain two"));
        String percent = create(product(TestServer.sku("PC"), u + "% off")).json().getString("id");
        create(product(TestServer.sku("PC"), u + "5 off"));

        assertThat(ids(server.get("/v1/products?q=" + encode(u + "_"))), is(List.of(underscore)));
        assertThat(ids(server.get("/v1/products?q=" + encode(u + "%"))), is(List.of(percent)));
        assertThat(ids(server.get("/v1/products?q=" + encode(u + "%25"))), is(List.of()));
    }

    @Test
    void lowStockKeepsProductsAtOrBelowTheirThreshold() {
        String t = word();
        String below = create(product(TestServer.sku("LS"), "Low " + t).add("initialQuantity", 3)
                .add("lowStockThreshold", 5)).json().getString("id");
        String atThreshold = create(product(TestServer.sku("LS"), "Low " + t).add("initialQuantity", 5)
                .add("lowStockThreshold", 5)).json().getString("id");
        String above = create(product(TestServer.sku("LS"), "Low " + t).add("initialQuantity", 6)
                .add("lowStockThreshold", 5)).json().getString("id");
        String noThreshold = create(product(TestServer.sku("LS"), "Low " + t)).json().getString("id");
        String zeroAtZero = create(product(TestServer.sku("LS"), "Low " + t).add("lowStockThreshold", 0)).json()
                .getString("id");

        assertThat(ids(server.get("/v1/products?lowStock=true&q=" + t)), is(List.of(below, atThreshold, zeroAtZero)));
        assertThat(ids(server.get("/v1/products?lowStock=false&q=" + t)),
                is(List.of(below, atThreshold, above, noThreshold, zeroAtZero)));
        assertThat(assertValidation(server.get("/v1/products?lowStock=yes"), "/v1/products"), is(List.of("lowStock")));

        // a sale takes "above" to its threshold: now it is low too
        assertThat(server.post("/v1/products/" + above + "/stock/adjustments", "{\"delta\":-1,\"reason\":\"SOLD\"}")
                .status(), is(201));
        assertThat(ids(server.get("/v1/products?lowStock=true&q=" + t)),
                is(List.of(below, atThreshold, above, zeroAtZero)));
    }

    @Test
    void locationFilterKeepsProductsStockedThereWithThatLocationsFigures() {
        String t = word();
        String code = LocationApiTest.code("pf");
        assertThat(server.post("/v1/locations", "{\"code\":\"" + code + "\",\"name\":\"Filter\"}").status(), is(201));
        String stocked = create(product(TestServer.sku("LF"), "Loc " + t).add("initialQuantity", 10)
                .add("lowStockThreshold", 4)).json().getString("id");
        String mainOnly = create(product(TestServer.sku("LF"), "Loc " + t).add("initialQuantity", 10)).json()
                .getString("id");
        String emptied = create(product(TestServer.sku("LF"), "Loc " + t)).json().getString("id");
        adjust(stocked, 4, code);
        adjust(emptied, 2, code);
        adjust(emptied, -2, code);

        List<JsonObject> items = items(server.get("/v1/products?location=" + code + "&q=" + t));
        assertThat(items.stream().map(i -> i.getString("id")).toList(), is(List.of(stocked, emptied)));
        assertStock(items.get(0).getJsonObject("stock"), 4, 0, 4);
        assertStock(items.get(1).getJsonObject("stock"), 0, 0, 0);

        // without the filter, the figures are the sums over all locations
        List<JsonObject> everywhere = items(server.get("/v1/products?q=" + t));
        assertThat(everywhere.stream().map(i -> i.getString("id")).toList(), is(List.of(stocked, mainOnly, emptied)));
        assertStock(everywhere.get(0).getJsonObject("stock"), 14, 0, 14);

        // lowStock with location compares that location's figures: 4 at the location is at the threshold 4
        assertThat(ids(server.get("/v1/products?lowStock=true&location=" + code + "&q=" + t)), is(List.of(stocked)));
        assertThat(ids(server.get("/v1/products?lowStock=true&q=" + t)), is(List.of()));

        assertThat(assertValidation(server.get("/v1/products?location=" + LocationApiTest.code("nowhere")),
                "/v1/products"), is(List.of("location")));
        assertThat(assertValidation(server.get("/v1/products?location=MAIN"), "/v1/products"), is(List.of("location")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "201", "abc", "-1", "1.5", "99999999999999999999", ""})
    void badLimitIs400NamingLimit(String limit) {
        assertThat(assertValidation(server.get("/v1/products?limit=" + limit), "/v1/products"), is(List.of("limit")));
    }

    @Test
    void limitsAtTheBoundsAreAccepted() {
        String word = word();
        create(product(TestServer.sku("LIM"), "Limit " + word));
        create(product(TestServer.sku("LIM"), "Limit " + word));

        JsonObject one = server.get("/v1/products?limit=1&q=" + word).json();
        assertThat(one.getJsonArray("items").size(), is(1));
        assertThat(one.isNull("nextCursor"), is(false));
        assertThat(server.get("/v1/products?limit=200&q=" + word).json().getJsonArray("items").size(), is(2));
        TestServer.Response unfiltered = server.get("/v1/products?limit=200");
        assertThat(unfiltered.status(), is(200));
        assertThat(unfiltered.json().getJsonArray("items").size(), is(lessThanOrEqualTo(200)));
    }

    @Test
    void badCursorIs400NamingCursor() {
        JsonObject p = server.product(TestServer.sku("CUR"), 1);
        String movementCursor = Base64.getUrlEncoder().withoutPadding().encodeToString("m:1".getBytes(StandardCharsets.UTF_8));
        String garbage = Base64.getUrlEncoder().withoutPadding().encodeToString("p:not-an-id".getBytes(StandardCharsets.UTF_8));
        for (String cursor : List.of("zzz", "!!!", movementCursor, garbage)) {
            assertThat(assertValidation(server.get("/v1/products?cursor=" + encode(cursor)), "/v1/products"),
                    is(List.of("cursor")));
        }
        String movementsPath = "/v1/products/" + p.getString("id") + "/stock/movements";
        assertThat(assertValidation(server.get(movementsPath + "?cursor=zzz"), movementsPath), is(List.of("cursor")));
    }

    @Test
    void badQIs400NamingQ() {
        assertThat(assertValidation(server.get("/v1/products?q="), "/v1/products"), is(List.of("q")));
        assertThat(assertValidation(server.get("/v1/products?q=" + "a".repeat(101)), "/v1/products"), is(List.of("q")));
        assertThat(server.get("/v1/products?q=" + "a".repeat(100)).status(), is(200));
    }

    // ---- patch -----------------------------------------------------------------------------------------------

    @Test
    void patchMergesFieldsAndBumpsTheVersion() {
        JsonObject p = create(product(TestServer.sku("PA"), "Before").add("description", "old text")
                .add("lowStockThreshold", 3)
                .add("attributes", Json.createObjectBuilder().add("color", "red").add("size", "M"))).json();
        String path = "/v1/products/" + p.getString("id");

        TestServer.Response r = server.patch(path, """
                {"name": "After", "price": "21.5000", "attributes": {"color": null, "fabric": "cotton"}}""");

        assertThat(r.body(), r.status(), is(200));
        assertThat(r.header("ETag").orElse(null), is("\"2\""));
        JsonObject after = r.json();
        assertThat(after.keySet(), is(PRODUCT_FIELDS));
        assertThat(after.getString("name"), is("After"));
        assertThat(after.getString("price"), is("21.50"));
        assertThat(after.getString("description"), is("old text"));
        assertThat(after.getInt("lowStockThreshold"), is(3));
        assertThat(after.getString("currency"), is(p.getString("currency")));
        assertThat(after.getString("sku"), is(p.getString("sku")));
        assertThat(after.getJsonObject("attributes"),
                is(Json.createObjectBuilder().add("fabric", "cotton").add("size", "M").build()));
        assertThat(after.getInt("version"), is(2));
        assertThat(after.getString("createdAt"), is(p.getString("createdAt")));
        assertThat(after.getString("updatedAt").compareTo(p.getString("updatedAt")), is(greaterThanOrEqualTo(0)));
        assertThat(server.get(path).json(), is(after));

        TestServer.Response cleared = server.patch(path, "{\"description\": null, \"lowStockThreshold\": null}");
        assertThat(cleared.status(), is(200));
        assertThat(cleared.json().isNull("description"), is(true));
        assertThat(cleared.json().isNull("lowStockThreshold"), is(true));
        assertThat(cleared.json().getString("name"), is("After"));
        assertThat(cleared.json().getInt("version"), is(3));
        assertThat(cleared.header("ETag").orElse(null), is("\"3\""));
    }

    @Test
    void patchThatChangesNothingKeepsTheVersion() {
        JsonObject p = create(product(TestServer.sku("PN"), "Same").add("price", "5.5")
                .add("attributes", Json.createObjectBuilder().add("a", "1"))).json();
        String path = "/v1/products/" + p.getString("id");

        for (String body : List.of("{}", "{\"name\":\"Same\"}", "{\"price\":\"5.50\"}", "{\"attributes\":{}}",
                "{\"attributes\":{\"a\":\"1\",\"gone\":null}}", "{\"description\":null}")) {
            TestServer.Response r = server.patch(path, body);
            assertThat(body + " " + r.body(), r.status(), is(200));
            assertThat(body, r.json(), is(p));
            assertThat(body, r.header("ETag").orElse(null), is("\"1\""));
        }
        assertThat(server.get(path).json(), is(p));
    }

    @Test
    void patchRefusesNullForFieldsThatCannotBeEmpty() {
        JsonObject p = server.product(TestServer.sku("PNL"), 0);
        String path = "/v1/products/" + p.getString("id");

        assertThat(assertValidation(server.patch(path, "{\"name\":null}"), path), is(List.of("name")));
        assertThat(assertValidation(server.patch(path, "{\"name\":null,\"price\":null,\"currency\":null,\"status\":null}"),
                path), containsInAnyOrder("name", "price", "currency", "status"));
        assertThat(assertValidation(server.patch(path, "{\"currency\":\"eur\",\"status\":\"GONE\",\"price\":1}"), path),
                containsInAnyOrder("currency", "status", "price"));
        assertThat(server.get(path).json(), is(p));
    }

    @Test
    void patchRefusesImmutableFieldsNamingEach() {
        JsonObject p = server.product(TestServer.sku("PIM"), 4);
        String path = "/v1/products/" + p.getString("id");

        assertThat(assertValidation(server.patch(path, "{\"sku\":\"OTHER-1\"}"), path), is(List.of("sku")));
        assertThat(assertValidation(server.patch(path, """
                {"sku": "OTHER-1", "stock": {"onHand": 100}, "id": "%s", "version": 9, "name": "Renamed"}"""
                .formatted(UUID.randomUUID())), path), containsInAnyOrder("sku", "stock", "id", "version"));
        assertThat(assertValidation(server.patch(path, "{\"initialQuantity\":5}"), path), is(List.of("initialQuantity")));
        assertThat(server.get(path).json(), is(p));
    }

    @Test
    void patchAcceptsMergePatchMediaType() {
        JsonObject p = server.product(TestServer.sku("PMP"), 0);
        String path = "/v1/products/" + p.getString("id");

        TestServer.Response r = server.patch(path, "{\"name\":\"Merged\"}", "Content-Type", "application/merge-patch+json");

        assertThat(r.body(), r.status(), is(200));
        assertThat(r.json().getString("name"), is("Merged"));
        assertThat(r.json().getInt("version"), is(2));
        assertProblem(server.patch(path, "{\"name\":\"Plain\"}", "Content-Type", "text/plain"), 415,
                "unsupported-media-type", path);
    }

    @Test
    void patchHonoursIfMatch() {
        JsonObject p = server.product(TestServer.sku("PIF"), 0);
        String path = "/v1/products/" + p.getString("id");

        assertProblem(server.patch(path, "{\"name\":\"Lost update\"}", "If-Match", "\"2\""), 412, "version-mismatch", path);
        assertProblem(server.patch(path, "{\"name\":\"Weak\"}", "If-Match", "W/\"1\""), 412, "version-mismatch", path);
        assertThat(server.get(path).json(), is(p));

        TestServer.Response r = server.patch(path, "{\"name\":\"Checked\"}", "If-Match", "\"1\"");
        assertThat(r.body(), r.status(), is(200));
        assertThat(r.json().getInt("version"), is(2));
        assertProblem(server.patch(path, "{\"name\":\"Stale\"}", "If-Match", "\"1\""), 412, "version-mismatch", path);
        TestServer.Response any = server.patch(path, "{\"name\":\"Any\"}", "If-Match", "*");
        assertThat(any.status(), is(200));
        assertThat(any.json().getInt("version"), is(3));
        assertThat(server.get(path).json().getString("name"), is("Any"));
    }

    @Test
    void patchCannotTakeAttributesOverTheLimit() {
        JsonObjectBuilder fifty = Json.createObjectBuilder();
        for (int i = 0; i < 50; i++) {
            fifty.add("k" + i, "v");
        }
        JsonObject p = create(product(TestServer.sku("PAT"), "Full").add("attributes", fifty)).json();
        String path = "/v1/products/" + p.getString("id");

        assertThat(assertValidation(server.patch(path, "{\"attributes\":{\"k50\":\"v\"}}"), path), is(List.of("attributes")));
        assertThat(server.get(path).json(), is(p));

        TestServer.Response swap = server.patch(path, "{\"attributes\":{\"k0\":null,\"k50\":\"v\"}}");
        assertThat(swap.body(), swap.status(), is(200));
        assertThat(swap.json().getJsonObject("attributes").size(), is(50));
        assertThat(swap.json().getJsonObject("attributes").containsKey("k0"), is(false));
        assertThat(swap.json().getJsonObject("attributes").getString("k50"), is("v"));
    }

    @Test
    void stockChangesBumpTheProductVersion() {
        JsonObject p = server.product(TestServer.sku("SV"), 5);
        String path = "/v1/products/" + p.getString("id");

        adjust(p.getString("id"), 3, "main");

        TestServer.Response r = server.get(path);
        assertThat(r.json().getInt("version"), is(2));
        assertThat(r.header("ETag").orElse(null), is("\"2\""));
        assertStock(r.json().getJsonObject("stock"), 8, 0, 8);
        assertThat(server.get(path, "If-None-Match", "\"1\"").status(), is(200));

        TestServer.Response stock = server.get(path + "/stock");
        assertThat(stock.header("ETag").orElse(null), is("\"2\""));
        assertThat(stock.json().getInt("version"), is(2));
        TestServer.Response notModified = server.get(path + "/stock", "If-None-Match", "\"2\"");
        assertThat(notModified.status(), is(304));
        assertThat(notModified.body(), is(""));
        assertThat(server.get(path + "/stock", "If-None-Match", "\"1\"").status(), is(200));
    }

    // ---- delete ----------------------------------------------------------------------------------------------

    @Test
    void deletedProductIs404EverywhereButKeepsItsMovements() throws SQLException {
        String sku = TestServer.sku("DEL");
        JsonObject p = server.product(sku, 6);
        String id = p.getString("id");
        String path = "/v1/products/" + id;

        TestServer.Response r = server.delete(path);
        assertThat(r.status(), is(204));
        assertThat(r.body(), is(""));

        assertProblem(server.get(path), 404, "not-found", path);
        assertProblem(server.get("/v1/products/by-sku/" + sku), 404, "not-found", "/v1/products/by-sku/" + sku);
        assertProblem(server.get(path + "/stock"), 404, "not-found", path + "/stock");
        assertProblem(server.get(path + "/stock/movements"), 404, "not-found", path + "/stock/movements");
        assertProblem(server.patch(path, "{\"name\":\"Zombie\"}"), 404, "not-found", path);
        assertProblem(server.post(path + "/stock/adjustments", "{\"delta\":1,\"reason\":\"RECEIVED\"}"), 404,
                "not-found", path + "/stock/adjustments");
        assertProblem(server.delete(path), 404, "not-found", path);
        assertThat(server.count("SELECT count(*) FROM stock_movements WHERE product_id = CAST(? AS uuid)", id), is(1L));
    }

    @Test
    void deletedSkuCanBeReused() {
        String sku = TestServer.sku("REUSE");
        JsonObject first = server.product(sku, 2);
        assertThat(server.delete("/v1/products/" + first.getString("id")).status(), is(204));

        TestServer.Response again = create(product(sku.toLowerCase(), "Second life"));

        assertThat(again.body(), again.status(), is(201));
        assertThat(again.json().getString("id"), is(not(first.getString("id"))));
        assertThat(again.json().getInt("version"), is(1));
        assertStock(again.json().getJsonObject("stock"), 0, 0, 0);
        assertThat(server.get("/v1/products/by-sku/" + sku).json().getString("id"), is(again.json().getString("id")));
        assertThat(liveProductsWithSku(sku), is(1));
    }

    @Test
    void deleteHonoursIfMatch() {
        JsonObject p = server.product(TestServer.sku("DIF"), 0);
        String path = "/v1/products/" + p.getString("id");

        assertProblem(server.delete(path, "If-Match", "\"5\""), 412, "version-mismatch", path);
        assertThat(server.get(path).status(), is(200));

        assertThat(server.delete(path, "If-Match", "\"1\"").status(), is(204));
        assertThat(server.get(path).status(), is(404));
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private static JsonObjectBuilder product(String sku, String name) {
        return Json.createObjectBuilder().add("sku", sku).add("name", name).add("price", "9.99").add("currency", "USD");
    }

    private TestServer.Response create(JsonObjectBuilder body) {
        return server.post("/v1/products", body.build().toString());
    }

    private void adjust(String id, long delta, String location) {
        TestServer.Response r = server.post("/v1/products/" + id + "/stock/adjustments",
                Json.createObjectBuilder().add("delta", delta).add("reason", delta > 0 ? "RECEIVED" : "CORRECTION")
                        .add("location", location).build().toString());
        assertThat(r.body(), r.status(), is(201));
    }

    private static List<JsonObject> items(TestServer.Response r) {
        assertThat(r.body(), r.status(), is(200));
        return r.json().getJsonArray("items").stream().map(JsonValue::asJsonObject).toList();
    }

    private static List<String> ids(TestServer.Response r) {
        return items(r).stream().map(i -> i.getString("id")).toList();
    }

    private static void assertStock(JsonObject stock, long onHand, long reserved, long available) {
        assertThat(stock.keySet(), is(Set.of("onHand", "reserved", "available")));
        assertThat(stock.getJsonNumber("onHand").longValue(), is(onHand));
        assertThat(stock.getJsonNumber("reserved").longValue(), is(reserved));
        assertThat(stock.getJsonNumber("available").longValue(), is(available));
    }

    /** A word of letters only, so it is a word of a name and a prefix of nothing another test creates. */
    static String word() {
        StringBuilder sb = new StringBuilder("zq");
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < 10; i++) {
            sb.append((char) ('a' + random.nextInt(26)));
        }
        return sb.toString();
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    private int liveProductsWithSku(String sku) {
        try {
            return (int) server.count("SELECT count(*) FROM products WHERE lower(sku) = lower(?) AND deleted_at IS NULL", sku);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

}
