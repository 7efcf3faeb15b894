package inventory.app;

import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import static inventory.app.ProblemAssertions.TIMESTAMP;
import static inventory.app.ProblemAssertions.assertProblem;
import static inventory.app.ProblemAssertions.assertProblemShape;
import static inventory.app.ProblemAssertions.assertValidation;
import static inventory.app.Reservations.assertFigures;
import static inventory.app.Reservations.commit;
import static inventory.app.Reservations.level;
import static inventory.app.Reservations.line;
import static inventory.app.Reservations.release;
import static inventory.app.Reservations.reserve;
import static inventory.app.Reservations.skuLine;
import static inventory.app.Reservations.stock;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;

/**
 * {@code /v1/reservations} against the contract on the shared server: the lifecycle and its effect on stock, the
 * ledger and versions; all-or-nothing lines; validation; ended reservations; idempotent commits; and what an active
 * reservation blocks (product and location deletes, counts below reserved).
 */
class ReservationApiTest {

    private static final Set<String> FIELDS = Set.of("id", "status", "lines", "reference", "expiresAt", "createdAt",
            "version");

    private final TestServer server = TestServer.shared();

    @AfterAll
    static void invariantsHold() throws SQLException {
        Invariants.check(TestServer.shared());
    }

    @Test
    void lifecycleReserveThenCommitMovesStockAndWritesTheLedger() throws SQLException {
        String back = Reservations.location(server, "res");
        JsonObject p = server.product(TestServer.sku("LIFE"), 10);
        String id = p.getString("id");
        String sku = p.getString("sku");
        Reservations.adjust(server, id, 5, back);
        String reference = "order-" + UUID.randomUUID();

        TestServer.Response created = reserve(server, 600, reference, line(id, 3), skuLine(sku, 2, back));

        assertThat(created.body(), created.status(), is(201));
        JsonObject r = created.json();
        String rid = r.getString("id");
        assertThat(UUID.fromString(rid).version(), is(7));
        assertThat(created.header("Location").orElse(null), is("/v1/reservations/" + rid));
        assertThat(created.header("ETag").orElse(null), is("\"1\""));
        assertThat(r.keySet(), is(FIELDS));
        assertThat(r.getString("status"), is("ACTIVE"));
        assertThat(r.getInt("version"), is(1));
        assertThat(r.getString("reference"), is(reference));
        assertThat(r.getJsonArray("lines"), is(Json.createArrayBuilder()
                .add(fullLine(id, sku, "main", 3))
                .add(fullLine(id, sku, back, 2)).build()));
        assertThat(TIMESTAMP.matcher(r.getString("createdAt")).matches(), is(true));
        assertThat(TIMESTAMP.matcher(r.getString("expiresAt")).matches(), is(true));
        assertThat(Duration.between(Reservations.instant(r, "createdAt"), Reservations.instant(r, "expiresAt")),
                is(Duration.ofSeconds(600)));
        assertThat(Duration.between(Reservations.instant(r, "createdAt"), Instant.now()).abs()
                .compareTo(Duration.ofSeconds(10)) < 0, is(true));

        JsonObject stock = stock(server, id);
        assertFigures(stock, 15, 5, 10);
        assertThat("one version step per product and reservation", stock.getInt("version"), is(3));
        assertFigures(level(stock, "main"), 10, 3, 7);
        assertFigures(level(stock, back), 5, 2, 3);
        JsonObject product = server.get("/v1/products/" + id).json();
        assertFigures(product.getJsonObject("stock"), 15, 5, 10);
        assertThat(product.getInt("version"), is(3));

        TestServer.Response read = Reservations.get(server, rid);
        assertThat(read.status(), is(200));
        assertThat(read.header("ETag").orElse(null), is("\"1\""));
        assertThat(read.json(), is(r));
        assertThat(Reservations.get(server, rid, "If-None-Match", "\"1\"").status(), is(304));
        assertThat(server.count("SELECT count(*) FROM holds WHERE reservation_id = CAST(? AS uuid)", rid), is(2L));
        Invariants.check(server);

        TestServer.Response committed = commit(server, rid);

        assertThat(committed.body(), committed.status(), is(200));
        JsonObject c = committed.json();
        assertThat(c.keySet(), is(FIELDS));
        assertThat(c.getString("status"), is("COMMITTED"));
        assertThat(c.getInt("version"), is(2));
        assertThat(committed.header("ETag").orElse(null), is("\"2\""));
        assertThat(c.getJsonArray("lines"), is(r.getJsonArray("lines")));
        assertThat(c.getString("expiresAt"), is(r.getString("expiresAt")));
        assertThat(Reservations.get(server, rid).json(), is(c));
        assertThat(Reservations.get(server, rid, "If-None-Match", "\"1\"").status(), is(200));

        stock = stock(server, id);
        assertFigures(stock, 10, 0, 10);
        assertThat(stock.getInt("version"), is(4));
        assertFigures(level(stock, "main"), 7, 0, 7);
        assertFigures(level(stock, back), 3, 0, 3);

        List<JsonObject> movements = server.get("/v1/products/" + id + "/stock/movements").json().getJsonArray("items")
                .stream().map(JsonValue::asJsonObject).toList();
        assertThat(movements, hasSize(4));
        List<JsonObject> sold = movements.subList(0, 2);
        for (JsonObject m : sold) {
            assertThat(m.toString(), m.getString("reason"), is("SOLD"));
            assertThat(m.toString(), m.getString("reservationId"), is(rid));
            assertThat(m.toString(), m.getString("reference"), is(reference));
        }
        assertThat(sold.stream().map(m -> m.getString("location") + ":" + m.getInt("delta") + ":" + m.getInt("onHandAfter"))
                .toList(), containsInAnyOrder("main:-3:7", back + ":-2:3"));
        assertThat(server.count("SELECT count(*) FROM holds WHERE reservation_id = CAST(? AS uuid)", rid), is(0L));
        assertThat(server.count("SELECT count(*) FROM reservations WHERE id = CAST(? AS uuid) AND status = 'COMMITTED'",
                rid), is(1L));
        Invariants.check(server);
    }

    @Test
    void releaseMakesTheUnitsAvailableAgainWithoutAMovement() throws SQLException {
        String id = server.product(TestServer.sku("REL"), 8).getString("id");
        JsonObject r = Reservations.create(server, null, null, line(id, 5));
        assertThat(r.isNull("reference"), is(true));
        assertThat("default ttl", Duration.between(Reservations.instant(r, "createdAt"), Reservations.instant(r, "expiresAt")),
                is(Duration.ofSeconds(900)));
        JsonObject held = stock(server, id);
        assertFigures(held, 8, 5, 3);
        assertThat(held.getInt("version"), is(2));

        TestServer.Response released = server.post("/v1/reservations/" + r.getString("id") + "/release", "{}");

        assertThat(released.body(), released.status(), is(200));
        assertThat(released.json().getString("status"), is("RELEASED"));
        assertThat(released.json().getInt("version"), is(2));
        assertThat(released.header("ETag").orElse(null), is("\"2\""));
        JsonObject after = stock(server, id);
        assertFigures(after, 8, 0, 8);
        assertFigures(level(after, "main"), 8, 0, 8);
        assertThat(after.getInt("version"), is(3));
        assertThat(server.get("/v1/products/" + id + "/stock/movements").json().getJsonArray("items"), hasSize(1));
        assertThat(server.count("SELECT count(*) FROM holds WHERE reservation_id = CAST(? AS uuid)", r.getString("id")),
                is(0L));
        assertThat(Reservations.get(server, r.getString("id")).json(), is(released.json()));
    }

    @Test
    void allOrNothingAcrossProducts() throws SQLException {
        JsonObject a = server.product(TestServer.sku("AON-A"), 10);
        JsonObject b = server.product(TestServer.sku("AON-B"), 2);
        String ida = a.getString("id");
        String idb = b.getString("id");

        TestServer.Response r = reserve(server, 60, "all-or-nothing", line(ida, 4), line(idb, 3));

        JsonObject problem = assertProblem(r, 409, "insufficient-stock", "/v1/reservations");
        assertThat(problem.getJsonArray("shortages"), is(Json.createArrayBuilder()
                .add(shortage(1, idb, b.getString("sku"), "main", 3, 2)).build()));
        assertUntouched(ida, 10, 1);
        assertUntouched(idb, 2, 1);
        assertThat(server.count("SELECT count(*) FROM reservation_lines WHERE product_id IN (CAST(? AS uuid), CAST(? AS uuid))",
                ida, idb), is(0L));
        assertThat(server.count("SELECT count(*) FROM holds WHERE product_id IN (CAST(? AS uuid), CAST(? AS uuid))",
                ida, idb), is(0L));

        JsonObject ok = Reservations.create(server, 60, null, line(ida, 4), line(idb, 2));
        assertFigures(stock(server, ida), 10, 4, 6);
        assertFigures(stock(server, idb), 2, 2, 0);
        assertThat(release(server, ok.getString("id")).status(), is(200));
    }

    @Test
    void linesOfOneProductAndLocationAreCheckedTogether() {
        JsonObject p = server.product(TestServer.sku("SUM"), 5);
        String id = p.getString("id");

        TestServer.Response r = reserve(server, 60, null, line(id, 3), line(id, 3));

        JsonObject problem = assertProblem(r, 409, "insufficient-stock", "/v1/reservations");
        assertThat(problem.getJsonArray("shortages"), is(Json.createArrayBuilder()
                .add(shortage(1, id, p.getString("sku"), "main", 3, 2)).build()));
        assertUntouched(id, 5, 1);

        JsonObject ok = Reservations.create(server, 60, null, line(id, 3), line(id, 2));
        assertThat(ok.getJsonArray("lines"), hasSize(2));
        JsonObject stock = stock(server, id);
        assertFigures(stock, 5, 5, 0);
        assertThat(stock.getInt("version"), is(2));
        JsonObject none = assertProblem(reserve(server, 60, null, line(id, 1)), 409, "insufficient-stock", "/v1/reservations");
        assertThat(none.getJsonArray("shortages"), is(Json.createArrayBuilder()
                .add(shortage(0, id, p.getString("sku"), "main", 1, 0)).build()));
        assertThat(release(server, ok.getString("id")).status(), is(200));
    }

    @Test
    void linesAtSeveralLocationsAreHeldAtEach() throws SQLException {
        String north = Reservations.location(server, "north");
        JsonObject p = server.product(TestServer.sku("MULTI"), 5);
        String id = p.getString("id");
        String sku = p.getString("sku");
        Reservations.adjust(server, id, 3, north);

        JsonObject problem = assertProblem(reserve(server, 60, null, line(id, 3), line(id, 4, north), line(id, 3)),
                409, "insufficient-stock", "/v1/reservations");
        assertThat("every short line, each with what was left for it", problem.getJsonArray("shortages"),
                is(Json.createArrayBuilder()
                        .add(shortage(1, id, sku, north, 4, 3))
                        .add(shortage(2, id, sku, "main", 3, 2)).build()));
        assertThat(stock(server, id).getInt("reserved"), is(0));

        JsonObject r = Reservations.create(server, 60, null, line(id, 5, "main"), line(id, 3, north));
        JsonObject stock = stock(server, id);
        assertFigures(stock, 8, 8, 0);
        assertFigures(level(stock, "main"), 5, 5, 0);
        assertFigures(level(stock, north), 3, 3, 0);
        assertThat(stock.getInt("version"), is(3));
        assertThat(server.count("SELECT count(*) FROM holds WHERE reservation_id = CAST(? AS uuid)", r.getString("id")),
                is(2L));
        JsonObject elsewhere = assertProblem(reserve(server, 60, null, line(id, 1, north)), 409, "insufficient-stock",
                "/v1/reservations");
        assertThat(elsewhere.getJsonArray("shortages").getJsonObject(0).getString("location"), is(north));
        Invariants.check(server);

        assertThat(commit(server, r.getString("id")).status(), is(200));
        stock = stock(server, id);
        assertFigures(stock, 0, 0, 0);
        assertFigures(level(stock, north), 0, 0, 0);
        Invariants.check(server);
    }

    @Test
    void fiveHundredLinesAreOneReservationAndOneVersionStep() {
        String id = server.product(TestServer.sku("L500"), 500).getString("id");
        JsonObject[] lines = new JsonObject[500];
        java.util.Arrays.fill(lines, line(id, 1));

        JsonObject r = Reservations.create(server, 60, null, lines);

        assertThat(r.getJsonArray("lines"), hasSize(500));
        JsonObject stock = stock(server, id);
        assertFigures(stock, 500, 500, 0);
        assertThat(stock.getInt("version"), is(2));
        assertThat(release(server, r.getString("id")).status(), is(200));
        assertThat(stock(server, id).getInt("available"), is(500));
    }

    @Test
    void invalidRequestsAre400AndChangeNothing() throws SQLException {
        JsonObject p = server.product(TestServer.sku("VAL"), 10);
        String id = p.getString("id");
        String path = "/v1/reservations";
        long reservations = server.count("SELECT count(*) FROM reservations");
        String ok = "{\"productId\":\"" + id + "\",\"quantity\":1}";
        String unknownId = "01a20a31-0947-726b-aa9c-4dcca063227e";

        assertProblem(server.post(path, "{\"lines\": [" + ok), 400, "malformed-json", path);
        assertProblem(server.post(path, "{\"lines\": [" + ok + "]}", "Content-Type", "text/plain"), 415,
                "unsupported-media-type", path);
        assertThat(assertValidation(server.post(path, "{}"), path), is(List.of("lines")));
        assertThat(assertValidation(server.post(path, "{\"lines\": []}"), path), is(List.of("lines")));
        assertThat(assertValidation(server.post(path, "{\"lines\": null}"), path), is(List.of("lines")));
        assertThat(assertValidation(server.post(path, "{\"lines\": " + ok + "}"), path), is(List.of("lines")));
        assertThat(assertValidation(server.post(path, "{\"lines\": [" + ok + "], \"extra\": 1}"), path),
                is(List.of("extra")));
        assertThat(assertValidation(server.post(path, "{\"lines\": [{\"productId\":\"" + id
                                                      + "\",\"quantity\":1,\"colour\":\"red\"}]}"), path),
                is(List.of("lines[0].colour")));
        for (String quantity : List.of("0", "-1", "\"1\"", "1.5", "1000000001", "null")) {
            assertThat(quantity, assertValidation(server.post(path, "{\"lines\": [" + ok + ",{\"productId\":\"" + id
                                                                    + "\",\"quantity\":" + quantity + "}]}"), path),
                    is(List.of("lines[1].quantity")));
        }
        assertThat(assertValidation(server.post(path, "{\"lines\": [{\"productId\":\"" + id + "\"}]}"), path),
                is(List.of("lines[0].quantity")));
        for (String ttl : List.of("0", "86401", "-5", "\"60\"", "1.5")) {
            assertThat(ttl, assertValidation(server.post(path, "{\"lines\": [" + ok + "], \"ttlSeconds\": " + ttl + "}"),
                    path), is(List.of("ttlSeconds")));
        }
        assertThat(assertValidation(server.post(path, "{\"lines\": [" + ok + "], \"reference\": \"" + "r".repeat(201)
                                                      + "\"}"), path), is(List.of("reference")));
        assertThat(assertValidation(server.post(path, "{\"lines\": [" + ok + "], \"reference\": 7}"), path),
                is(List.of("reference")));
        JsonArrayBuilder many = Json.createArrayBuilder();
        for (int i = 0; i < 501; i++) {
            many.add(line(id, 1));
        }
        assertThat(assertValidation(server.post(path, Json.createObjectBuilder().add("lines", many).build().toString()),
                path), is(List.of("lines")));

        assertThat(assertValidation(reserve(server, 60, null, line(unknownId, 1)), path), is(List.of("lines[0].productId")));
        assertThat(assertValidation(reserve(server, 60, null, line(id, 1), line("not-a-uuid", 1)), path),
                is(List.of("lines[1].productId")));
        assertThat(assertValidation(reserve(server, 60, null, skuLine("NO-SUCH-" + UUID.randomUUID(), 1, "main")), path),
                is(List.of("lines[0].sku")));
        assertThat(assertValidation(reserve(server, 60, null, line(id, 1, LocationApiTest.code("nowhere"))), path),
                is(List.of("lines[0].location")));
        assertThat(assertValidation(reserve(server, 60, null, line(id, 1, "MAIN")), path), is(List.of("lines[0].location")));
        assertThat(assertValidation(server.post(path, "{\"lines\": [{\"productId\":\"" + id + "\",\"sku\":\""
                                                      + p.getString("sku") + "\",\"quantity\":1}]}"), path),
                is(List.of("lines[0].productId")));
        assertThat(assertValidation(server.post(path, "{\"lines\": [" + ok + ",{\"quantity\":1}]}"), path),
                is(List.of("lines[1].productId")));
        assertThat(assertValidation(server.post(path, "{\"lines\": [" + ok + ", 7]}"), path), is(List.of("lines[1]")));
        List<String> several = assertValidation(server.post(path, "{\"lines\": [{\"quantity\":0},{\"productId\":\"" + id
                                                                   + "\",\"quantity\":\"x\"}],\"ttlSeconds\":0,\"x\":1}"),
                path);
        assertThat("every bad field at once", Set.copyOf(several),
                is(Set.of("lines[0].productId", "lines[0].quantity", "lines[1].quantity", "ttlSeconds", "x")));

        assertUntouched(id, 10, 1);
        assertThat(server.count("SELECT count(*) FROM reservations"), is(reservations));
        assertThat(server.count("SELECT count(*) FROM reservation_lines WHERE product_id = CAST(? AS uuid)", id), is(0L));
        assertThat(server.count("SELECT count(*) FROM holds WHERE product_id = CAST(? AS uuid)", id), is(0L));
    }

    @Test
    void unknownOrMalformedIdsAre404() {
        String unknown = "01a20a31-0947-726b-aa9c-4dcca063227e";
        for (String id : List.of(unknown, "not-a-uuid", "12345")) {
            String path = "/v1/reservations/" + id;
            assertProblem(server.get(path), 404, "not-found", path);
            assertProblem(commit(server, id), 404, "not-found", path + "/commit");
            assertProblem(release(server, id), 404, "not-found", path + "/release");
        }
    }

    @Test
    void endedReservationsCannotBeCommittedOrReleasedAgain() throws SQLException {
        String id = server.product(TestServer.sku("END"), 10).getString("id");
        String released = Reservations.create(server, 60, null, line(id, 2)).getString("id");
        String committed = Reservations.create(server, 60, null, line(id, 3)).getString("id");
        assertThat(release(server, released).status(), is(200));
        assertThat(commit(server, committed).status(), is(200));
        JsonObject stockBefore = stock(server, id);
        assertFigures(stockBefore, 7, 0, 7);
        long movements = server.count("SELECT count(*) FROM stock_movements WHERE product_id = CAST(? AS uuid)", id);

        assertProblem(commit(server, released), 409, "reservation-not-active", "/v1/reservations/" + released + "/commit");
        assertProblem(release(server, released), 409, "reservation-not-active",
                "/v1/reservations/" + released + "/release");
        assertProblem(release(server, committed), 409, "reservation-not-active",
                "/v1/reservations/" + committed + "/release");
        assertProblem(commit(server, committed), 409, "reservation-not-active",
                "/v1/reservations/" + committed + "/commit");

        assertThat(stock(server, id), is(stockBefore));
        assertThat(server.count("SELECT count(*) FROM stock_movements WHERE product_id = CAST(? AS uuid)", id), is(movements));
        assertThat(Reservations.status(server, released), is("RELEASED"));
        assertThat(Reservations.get(server, released).json().getInt("version"), is(2));
        assertThat(Reservations.status(server, committed), is("COMMITTED"));
        assertThat(Reservations.get(server, committed).json().getInt("version"), is(2));
    }

    @Test
    void commitWithAnIdempotencyKeyIsReplayedWithOneSetOfMovements() throws SQLException {
        String id = server.product(TestServer.sku("IDC"), 10).getString("id");
        String rid = Reservations.create(server, 60, "idem", line(id, 2), line(id, 1)).getString("id");
        String key = "commit-" + rid;

        TestServer.Response first = commit(server, rid, "Idempotency-Key", key);
        TestServer.Response again = commit(server, rid, "Idempotency-Key", key);

        assertThat(first.body(), first.status(), is(200));
        assertThat(first.header("Idempotent-Replayed").isPresent(), is(false));
        assertThat(again.status(), is(200));
        assertThat(again.header("Idempotent-Replayed").orElse(null), is("true"));
        assertThat(again.body(), is(first.body()));
        assertThat(again.header("ETag"), is(first.header("ETag")));
        assertThat(server.count("SELECT count(*) FROM stock_movements WHERE reservation_id = CAST(? AS uuid)", rid), is(2L));
        JsonObject stock = stock(server, id);
        assertFigures(stock, 7, 0, 7);
        assertThat(stock.getInt("version"), is(3));

        assertProblem(commit(server, rid, "Idempotency-Key", key + "-other"), 409, "reservation-not-active",
                "/v1/reservations/" + rid + "/commit");
        TestServer.Response notActive = release(server, rid, "Idempotency-Key", "release-" + rid);
        assertProblem(notActive, 409, "reservation-not-active", "/v1/reservations/" + rid + "/release");
        TestServer.Response replayedConflict = release(server, rid, "Idempotency-Key", "release-" + rid);
        assertProblemShape(replayedConflict, 409, "reservation-not-active", "/v1/reservations/" + rid + "/release");
        assertThat(replayedConflict.header("Idempotent-Replayed").orElse(null), is("true"));
        assertThat(replayedConflict.body(), is(notActive.body()));
        assertThat(server.count("SELECT count(*) FROM stock_movements WHERE reservation_id = CAST(? AS uuid)", rid), is(2L));
    }

    @Test
    void createWithAnIdempotencyKeyReservesOnce() throws SQLException {
        String id = server.product(TestServer.sku("IDR"), 10).getString("id");
        String body = Reservations.body(60, "once", line(id, 4));
        String key = "reserve-" + id;

        TestServer.Response first = server.post("/v1/reservations", body, "Idempotency-Key", key);
        TestServer.Response again = server.post("/v1/reservations", body, "Idempotency-Key", key);

        assertThat(first.body(), first.status(), is(201));
        assertThat(again.status(), is(201));
        assertThat(again.header("Idempotent-Replayed").orElse(null), is("true"));
        assertThat(again.body(), is(first.body()));
        assertThat(again.header("Location"), is(first.header("Location")));
        assertFigures(stock(server, id), 10, 4, 6);
        assertThat(server.count("SELECT count(DISTINCT reservation_id) FROM reservation_lines WHERE product_id = CAST(? AS uuid)",
                id), is(1L));
        assertThat(release(server, first.json().getString("id")).status(), is(200));
    }

    @Test
    void ifMatchGuardsCommitAndRelease() {
        String id = server.product(TestServer.sku("IFM"), 4).getString("id");
        String rid = Reservations.create(server, 60, null, line(id, 1)).getString("id");

        assertProblem(commit(server, rid, "If-Match", "\"2\""), 412, "version-mismatch",
                "/v1/reservations/" + rid + "/commit");
        assertProblem(release(server, rid, "If-Match", "\"7\""), 412, "version-mismatch",
                "/v1/reservations/" + rid + "/release");
        assertThat(Reservations.status(server, rid), is("ACTIVE"));
        assertFigures(stock(server, id), 4, 1, 3);

        TestServer.Response released = release(server, rid, "If-Match", "\"1\"");
        assertThat(released.body(), released.status(), is(200));
        assertThat(released.json().getString("status"), is("RELEASED"));
        assertProblem(commit(server, rid, "If-Match", "\"1\""), 412, "version-mismatch",
                "/v1/reservations/" + rid + "/commit");
    }

    @Test
    void anActiveReservationBlocksProductDeleteLocationDeleteAndLowCounts() throws SQLException {
        String shelf = Reservations.location(server, "shelf");
        JsonObject p = server.product(TestServer.sku("BLOCK"), 10);
        String id = p.getString("id");
        Reservations.adjust(server, id, 4, shelf);
        String atShelf = Reservations.create(server, 300, null, line(id, 2, shelf)).getString("id");
        String atMain = Reservations.create(server, 300, null, line(id, 6)).getString("id");

        assertProblem(server.delete("/v1/products/" + id), 409, "product-has-reservations", "/v1/products/" + id);
        Reservations.adjust(server, id, -2, shelf);
        assertFigures(level(stock(server, id), shelf), 2, 2, 0);
        assertProblem(server.delete("/v1/locations/" + shelf), 409, "location-not-empty", "/v1/locations/" + shelf);

        String counts = "/v1/products/" + id + "/stock/counts";
        JsonObject below = assertProblem(server.post(counts, "{\"onHand\": 5}"), 409, "insufficient-stock", counts);
        assertThat(below.getJsonArray("shortages"), hasSize(1));
        assertProblem(server.post(counts, "{\"onHand\": 1, \"location\": \"" + shelf + "\"}"), 409, "insufficient-stock",
                counts);
        String adjustments = "/v1/products/" + id + "/stock/adjustments";
        assertProblem(server.post(adjustments, "{\"delta\": -5, \"reason\": \"SOLD\"}"), 409, "insufficient-stock",
                adjustments);
        assertFigures(stock(server, id), 12, 8, 4);
        TestServer.Response exact = server.post(counts, "{\"onHand\": 6}");
        assertThat(exact.body(), exact.status(), is(201));
        assertFigures(level(stock(server, id), "main"), 6, 6, 0);
        assertProblem(server.post(adjustments, "{\"delta\": -1, \"reason\": \"SOLD\"}"), 409, "insufficient-stock",
                adjustments);
        Invariants.check(server);

        assertThat(commit(server, atMain).status(), is(200));
        assertProblem(server.delete("/v1/products/" + id), 409, "product-has-reservations", "/v1/products/" + id);
        assertThat(release(server, atShelf).status(), is(200));
        assertProblem(server.delete("/v1/locations/" + shelf), 409, "location-not-empty", "/v1/locations/" + shelf);
        Reservations.adjust(server, id, -2, shelf);
        assertThat(server.delete("/v1/locations/" + shelf).status(), is(204));
        assertThat(server.delete("/v1/products/" + id).status(), is(204));
        assertThat(server.get("/v1/products/" + id).status(), is(404));
        assertThat("a reservation outlives its product's deletion", Reservations.status(server, atMain), is("COMMITTED"));
        Invariants.check(server);
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private static JsonObject fullLine(String productId, String sku, String location, long quantity) {
        return Json.createObjectBuilder().add("productId", productId).add("sku", sku).add("location", location)
                .add("quantity", quantity).build();
    }

    private static JsonObject shortage(int line, String productId, String sku, String location, long requested,
                                       long available) {
        return Json.createObjectBuilder().add("line", line).add("productId", productId).add("sku", sku)
                .add("location", location).add("requested", requested).add("available", available).build();
    }

    /** Nothing reserved and the version unchanged. */
    private void assertUntouched(String productId, long onHand, int version) {
        JsonObject stock = stock(server, productId);
        assertFigures(stock, onHand, 0, onHand);
        assertThat(stock.getInt("version"), is(version));
        for (JsonValue l : stock.getJsonArray("locations")) {
            assertThat(l.toString(), l.asJsonObject().getInt("reserved"), is(0));
        }
    }
}
