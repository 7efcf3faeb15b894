package inventory.app;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/**
 * Reading the event feed {@code GET /v1/events} as a client does: the latest seq, every event after a seq (all
 * pages), and filters by product and reservation so tests on the shared server only look at their own events.
 */
final class Events {

    /** The fields of every event item, in the feed and on the stream. */
    static final Set<String> ITEM_FIELDS = Set.of("seq", "type", "productId", "reservationId", "data", "at");

    private Events() {
    }

    /** {@code latestSeq} as the feed reports it now. */
    static long latestSeq(TestServer server) {
        TestServer.Response r = server.get("/v1/events?limit=1");
        assertThat(r.body(), r.status(), is(200));
        return r.json().getJsonNumber("latestSeq").longValue();
    }

    /** One page: {@code GET /v1/events?after=&limit=}, checked to be 200. */
    static JsonObject page(TestServer server, long after, int limit) {
        TestServer.Response r = server.get("/v1/events?after=" + after + "&limit=" + limit);
        assertThat(r.body(), r.status(), is(200));
        return r.json();
    }

    /** Every event with a seq above {@code after}, paging until a page comes back empty; ascending seq. */
    static List<JsonObject> after(TestServer server, long after) {
        List<JsonObject> all = new ArrayList<>();
        long cursor = after;
        while (true) {
            JsonObject page = page(server, cursor, 1000);
            List<JsonObject> items = page.getJsonArray("items").stream().map(JsonValue::asJsonObject).toList();
            if (items.isEmpty()) {
                assertThat(page.toString(), page.getJsonNumber("nextAfter").longValue(), is(cursor));
                return all;
            }
            for (JsonObject item : items) {
                long seq = seq(item);
                assertThat("ascending seq: " + item, seq > cursor, is(true));
                cursor = seq;
                all.add(item);
            }
            assertThat(page.toString(), page.getJsonNumber("nextAfter").longValue(), is(cursor));
        }
    }

    /** The events about a product or any of the reservations, in feed order. */
    static List<JsonObject> about(List<JsonObject> events, String productId, Collection<String> reservationIds) {
        return events.stream().filter(e -> {
            String product = text(e, "productId");
            String reservation = text(e, "reservationId");
            return product != null && product.equals(productId)
                   || reservation != null && reservationIds.contains(reservation);
        }).toList();
    }

    /** Every event after {@code after} about the product or any of the reservations. */
    static List<JsonObject> about(TestServer server, long after, String productId, String... reservationIds) {
        return about(after(server, after), productId, List.of(reservationIds));
    }

    static List<JsonObject> ofType(List<JsonObject> events, String type) {
        return events.stream().filter(e -> e.getString("type").equals(type)).toList();
    }

    static List<String> types(List<JsonObject> events) {
        return events.stream().map(e -> e.getString("type")).toList();
    }

    static long seq(JsonObject event) {
        return event.getJsonNumber("seq").longValue();
    }

    static List<Long> seqs(List<JsonObject> events) {
        return events.stream().map(Events::seq).toList();
    }

    /** A string field, {@code null} when it is JSON null or absent. */
    static String text(JsonObject o, String key) {
        JsonValue v = o.get(key);
        return v == null || v.getValueType() == JsonValue.ValueType.NULL ? null : o.getString(key);
    }

    /** The movement ids a {@code stock.changed} event names ({@code data.movementIds}; null reads as none). */
    static List<String> movementIds(JsonObject event) {
        JsonObject data = event.getJsonObject("data");
        JsonValue ids = data.get("movementIds");
        if (ids == null || ids.getValueType() == JsonValue.ValueType.NULL) {
            return List.of();
        }
        return ids.asJsonArray().stream().map(v -> ((jakarta.json.JsonString) v).getString()).toList();
    }
}
