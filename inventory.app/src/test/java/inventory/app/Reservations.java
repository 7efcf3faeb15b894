package inventory.app;

import java.time.Instant;

import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/**
 * Client-side helpers for {@code /v1/reservations} and the stock figures reservations change, so the tests read as
 * the scenario they check.
 */
final class Reservations {

    private Reservations() {
    }

    /** A line by product id at the default location. */
    static JsonObject line(String productId, long quantity) {
        return Json.createObjectBuilder().add("productId", productId).add("quantity", quantity).build();
    }

    /** A line by product id at a location. */
    static JsonObject line(String productId, long quantity, String location) {
        return Json.createObjectBuilder().add("productId", productId).add("quantity", quantity).add("location", location)
                .build();
    }

    /** A line by SKU at a location. */
    static JsonObject skuLine(String sku, long quantity, String location) {
        return Json.createObjectBuilder().add("sku", sku).add("quantity", quantity).add("location", location).build();
    }

    /** A request body: the lines, and {@code ttlSeconds} / {@code reference} when not null. */
    static String body(Integer ttlSeconds, String reference, JsonObject... lines) {
        JsonArrayBuilder array = Json.createArrayBuilder();
        for (JsonObject line : lines) {
            array.add(line);
        }
        JsonObjectBuilder b = Json.createObjectBuilder().add("lines", array);
        if (ttlSeconds != null) {
            b.add("ttlSeconds", ttlSeconds);
        }
        if (reference != null) {
            b.add("reference", reference);
        }
        return b.build().toString();
    }

    static TestServer.Response reserve(TestServer server, Integer ttlSeconds, String reference, JsonObject... lines) {
        return server.post("/v1/reservations", body(ttlSeconds, reference, lines));
    }

    /** Creates a reservation that must succeed and returns it. */
    static JsonObject create(TestServer server, Integer ttlSeconds, String reference, JsonObject... lines) {
        TestServer.Response r = reserve(server, ttlSeconds, reference, lines);
        assertThat(r.body(), r.status(), is(201));
        return r.json();
    }

    static TestServer.Response get(TestServer server, String id, String... headers) {
        return server.get("/v1/reservations/" + id, headers);
    }

    /** {@code POST /v1/reservations/{id}/commit} without a body. */
    static TestServer.Response commit(TestServer server, String id, String... headers) {
        return server.post("/v1/reservations/" + id + "/commit", null, headers);
    }

    /** {@code POST /v1/reservations/{id}/release} without a body. */
    static TestServer.Response release(TestServer server, String id, String... headers) {
        return server.post("/v1/reservations/" + id + "/release", null, headers);
    }

    /** The reservation's status as a client reads it now. */
    static String status(TestServer server, String id) {
        TestServer.Response r = get(server, id);
        assertThat(r.body(), r.status(), is(200));
        return r.json().getString("status");
    }

    /** {@code GET /v1/products/{id}/stock}. */
    static JsonObject stock(TestServer server, String productId) {
        TestServer.Response r = server.get("/v1/products/" + productId + "/stock");
        assertThat(r.body(), r.status(), is(200));
        return r.json();
    }

    /** The figures of one location in a stock answer. */
    static JsonObject level(JsonObject stock, String location) {
        return stock.getJsonArray("locations").stream().map(JsonValue::asJsonObject)
                .filter(l -> l.getString("location").equals(location)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + location + " in " + stock));
    }

    /** Checks the totals of a stock answer (or a product's {@code stock}): on hand, reserved, available. */
    static void assertFigures(JsonObject stock, long onHand, long reserved, long available) {
        assertThat(stock.toString(), stock.getJsonNumber("onHand").longValue(), is(onHand));
        assertThat(stock.toString(), stock.getJsonNumber("reserved").longValue(), is(reserved));
        assertThat(stock.toString(), stock.getJsonNumber("available").longValue(), is(available));
    }

    /** Creates a location with a fresh code and returns the code. */
    static String location(TestServer server, String prefix) {
        String code = LocationApiTest.code(prefix);
        TestServer.Response r = server.post("/v1/locations",
                Json.createObjectBuilder().add("code", code).add("name", "Test " + code).build().toString());
        assertThat(r.body(), r.status(), is(201));
        return code;
    }

    /** An adjustment that must succeed; returns the answer ({@code movement}, {@code stock}). */
    static JsonObject adjust(TestServer server, String productId, long delta, String location) {
        JsonObjectBuilder b = Json.createObjectBuilder().add("delta", delta)
                .add("reason", delta > 0 ? "RECEIVED" : "CORRECTION");
        if (location != null) {
            b.add("location", location);
        }
        TestServer.Response r = server.post("/v1/products/" + productId + "/stock/adjustments", b.build().toString());
        assertThat(r.body(), r.status(), is(201));
        return r.json();
    }

    /** Creates a product with a low-stock threshold and an initial quantity; returns it. */
    static JsonObject product(TestServer server, String sku, long initialQuantity, Integer lowStockThreshold) {
        JsonObjectBuilder b = Json.createObjectBuilder().add("sku", sku).add("name", "Test " + sku).add("price", "4.50")
                .add("currency", "EUR").add("initialQuantity", initialQuantity);
        if (lowStockThreshold != null) {
            b.add("lowStockThreshold", lowStockThreshold);
        }
        TestServer.Response r = server.post("/v1/products", b.build().toString());
        assertThat(r.body(), r.status(), is(201));
        return r.json();
    }

    static Instant instant(JsonObject o, String field) {
        return Instant.parse(o.getString(field));
    }

    /** The product's version as a client reads it now. */
    static long version(TestServer server, String productId) {
        TestServer.Response r = server.get("/v1/products/" + productId);
        assertThat(r.body(), r.status(), is(200));
        return r.json().getJsonNumber("version").longValue();
    }
}
