package inventory.app;

import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.function.BooleanSupplier;

import jakarta.json.JsonObject;

import org.junit.jupiter.api.Test;

import static inventory.app.ProblemAssertions.assertProblem;
import static inventory.app.Reservations.assertFigures;
import static inventory.app.Reservations.line;
import static inventory.app.Reservations.stock;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

/**
 * Expiry on servers of their own: exact without a sweep (reads and writes treat a reservation as expired from
 * {@code expiresAt} on), the sweep writing it down once with its event, and two instances sweeping one database.
 */
class ReservationExpiryTest {

    @Test
    void anExpiryFoundByAnyWriteIsRecordedAsAStockChangeOfItsOwn() throws Exception {
        try (TestServer s = TestServer.start(TestServer.dataDir("expevent"), c -> c.withSweepInterval(Duration.ZERO))) {
            String id = s.product(TestServer.sku("EXPE"), 4).getString("id");
            JsonObject r = Reservations.create(s, 1, null, line(id, 3));
            awaitStatus(s, r.getString("id"), "EXPIRED", Reservations.instant(r, "expiresAt"));
            long before = Events.latestSeq(s);
            // a patch that changes nothing still removes the expired hold under the product's lock
            assertThat(s.patch("/v1/products/" + id, "{}").status(), is(200));
            JsonObject product = s.get("/v1/products/" + id).json();
            List<JsonObject> events = Events.about(s, before, id);
            assertThat(Events.types(events), is(List.of("stock.changed")));
            JsonObject data = events.getFirst().getJsonObject("data");
            assertThat(data.getString("cause"), is("reservation.expired"));
            assertThat(events.getFirst().getString("reservationId"), is(r.getString("id")));
            assertThat(data.getInt("version"), is(product.getInt("version")));
            assertFigures(data, 4, 0, 4);
            assertThat(s.count("SELECT count(*) FROM holds WHERE reservation_id = CAST(? AS uuid)", r.getString("id")),
                    is(0L));
            Invariants.check(s);
        }
    }

    @Test
    void expiresOnTimeWithoutASweep() throws Exception {
        try (TestServer s = TestServer.start(TestServer.dataDir("nosweep"), c -> c.withSweepInterval(Duration.ZERO))) {
            String id = s.product(TestServer.sku("EXP"), 5).getString("id");
            String other = s.product(TestServer.sku("EXPQ"), 2).getString("id");
            JsonObject r = Reservations.create(s, 1, "soon", line(id, 3));
            JsonObject q = Reservations.create(s, 1, null, line(other, 2));
            String rid = r.getString("id");
            Instant expiresAt = Reservations.instant(r, "expiresAt");
            assertThat(Duration.between(Reservations.instant(r, "createdAt"), expiresAt), is(Duration.ofSeconds(1)));

            sleepUntil(expiresAt.minusMillis(300));
            TestServer.Response before = Reservations.get(s, rid);
            JsonObject stockBefore = stock(s, id);
            if (Instant.now().isBefore(expiresAt)) {
                assertThat(before.json().getString("status"), is("ACTIVE"));
                assertThat(before.json().getInt("version"), is(1));
                assertFigures(stockBefore, 5, 3, 2);
                assertThat(stockBefore.getInt("version"), is(2));
            }

            JsonObject expired = awaitStatus(s, rid, "EXPIRED", expiresAt);
            assertThat(expired.getInt("version"), is(2));
            assertThat(Reservations.get(s, rid).header("ETag").orElse(null), is("\"2\""));
            assertThat(expired.getString("expiresAt"), is(r.getString("expiresAt")));
            JsonObject stock = stock(s, id);
            assertFigures(stock, 5, 0, 5);
            assertFigures(Reservations.level(stock, "main"), 5, 0, 5);
            assertThat(stock.getInt("version"), is(3));
            JsonObject product = s.get("/v1/products/" + id).json();
            assertFigures(product.getJsonObject("stock"), 5, 0, 5);
            assertThat(product.getInt("version"), is(3));
            assertThat("no sweep ran: the row is as it was written", s.count(
                    "SELECT count(*) FROM reservations WHERE id = CAST(? AS uuid) AND status = 'ACTIVE'", rid), is(1L));

            assertProblem(Reservations.commit(s, rid), 409, "reservation-not-active", "/v1/reservations/" + rid + "/commit");
            assertProblem(Reservations.release(s, rid), 409, "reservation-not-active",
                    "/v1/reservations/" + rid + "/release");
            assertThat(Reservations.get(s, rid).json(), is(expired));

            JsonObject next = Reservations.create(s, 60, null, line(id, 5));
            JsonObject taken = stock(s, id);
            assertFigures(taken, 5, 5, 0);
            assertThat(taken.getInt("version"), is(4));
            assertThat(Reservations.status(s, rid), is("EXPIRED"));

            awaitStatus(s, q.getString("id"), "EXPIRED", Reservations.instant(q, "expiresAt"));
            assertThat("an expired reservation does not block a delete", s.delete("/v1/products/" + other).status(), is(204));
            assertProblem(s.delete("/v1/products/" + id), 409, "product-has-reservations", "/v1/products/" + id);
            assertThat(Reservations.release(s, next.getString("id")).status(), is(200));
            assertThat(s.delete("/v1/products/" + id).status(), is(204));
            Invariants.check(s);
        }
    }

    @Test
    void theSweepWritesExpiryOnceWithItsEventAndRemovesTheHolds() throws Exception {
        try (TestServer s = TestServer.start(TestServer.dataDir("sweep"), c -> c.withSweepInterval(Duration.ofMillis(200)))) {
            long before = Events.latestSeq(s);
            String id = s.product(TestServer.sku("SWEEP"), 5).getString("id");
            String r1 = Reservations.create(s, 1, null, line(id, 2)).getString("id");
            JsonObject second = Reservations.create(s, 1, null, line(id, 1));
            String r2 = second.getString("id");
            String r3 = Reservations.create(s, 60, null, line(id, 1)).getString("id");
            Instant expiresAt = Reservations.instant(second, "expiresAt");

            await(expiresAt.plusSeconds(3), () -> count(s, "SELECT count(*) FROM reservations WHERE id IN (CAST(? AS uuid),"
                                                           + " CAST(? AS uuid)) AND status = 'EXPIRED'", r1, r2) == 2);

            assertThat(s.count("SELECT count(*) FROM holds WHERE reservation_id IN (CAST(? AS uuid), CAST(? AS uuid))", r1, r2),
                    is(0L));
            assertThat(s.count("SELECT count(*) FROM holds WHERE reservation_id = CAST(? AS uuid)", r3), is(1L));
            assertThat(s.count("SELECT count(*) FROM reservations WHERE id = CAST(? AS uuid) AND status = 'ACTIVE'", r3), is(1L));
            JsonObject stock = stock(s, id);
            assertFigures(stock, 5, 1, 4);
            for (String rid : List.of(r1, r2)) {
                JsonObject read = Reservations.get(s, rid).json();
                assertThat(read.getString("status"), is("EXPIRED"));
                assertThat("expired once, whether read before or after the sweep", read.getInt("version"), is(2));
            }

            Thread.sleep(600);
            List<JsonObject> events = Events.about(s, before, id, r1, r2, r3);
            for (String rid : List.of(r1, r2)) {
                List<JsonObject> mine = events.stream().filter(e -> rid.equals(Events.text(e, "reservationId"))
                                                                     && e.getString("type").startsWith("reservation."))
                        .toList();
                assertThat(rid + ": " + mine, Events.types(mine), is(List.of("reservation.created", "reservation.expired")));
                JsonObject expiredEvent = mine.get(1);
                assertThat(Events.text(expiredEvent, "productId"), is((String) null));
                assertThat(expiredEvent.getJsonObject("data"), is(Reservations.get(s, rid).json()));
                assertThat(s.count("SELECT count(*) FROM events WHERE type = 'reservation.expired'"
                                   + " AND reservation_id = CAST(? AS uuid)", rid), is(1L));
            }
            assertThat(s.count("SELECT count(*) FROM events WHERE reservation_id = CAST(? AS uuid)"
                               + " AND type <> 'reservation.created' AND type <> 'stock.changed'", r3), is(0L));
            List<JsonObject> expiryChanges = Events.ofType(events, "stock.changed").stream()
                    .filter(e -> e.getJsonObject("data").getString("cause").equals("reservation.expired")).toList();
            assertThat(expiryChanges, not(empty()));
            assertThat(expiryChanges.size(), is(org.hamcrest.Matchers.lessThanOrEqualTo(2)));
            JsonObject last = Events.ofType(events, "stock.changed").getLast().getJsonObject("data");
            assertThat(last.getInt("reserved"), is(1));
            assertThat(last.getInt("available"), is(4));
            assertThat(last.getInt("version"), is(stock.getInt("version")));
            Invariants.check(s);
        }
    }

    @Test
    void twoInstancesSweepingOneDatabaseExpireEachReservationOnce() throws Exception {
        try (TestServer a = TestServer.start(TestServer.dataDir("sweep-a"), c -> c.withSweepInterval(Duration.ofMillis(50)));
             TestServer b = TestServer.start(a.databaseUrl(), 8, c -> c.withSweepInterval(Duration.ofMillis(50)))) {
            List<String> products = new java.util.ArrayList<>();
            for (int i = 0; i < 5; i++) {
                products.add(a.product(TestServer.sku("TWO" + i), 100).getString("id"));
            }
            String prefix = "two-" + UUID.randomUUID() + "-";

            List<TestServer.Response> created = ReservationConcurrencyTest.all(200, i ->
                    Reservations.reserve(a, 1, prefix + i, line(products.get(i % 5), 1)));

            for (TestServer.Response r : created) {
                assertThat(r.body(), r.status(), is(201));
            }
            Instant lastExpiry = created.stream().map(r -> Reservations.instant(r.json(), "expiresAt"))
                    .max(Instant::compareTo).orElseThrow();
            await(lastExpiry.plusSeconds(10), () -> count(a, "SELECT count(*) FROM reservations WHERE reference LIKE ?"
                                                             + " AND status = 'EXPIRED'", prefix + "%") == 200);
            // events are numbered just after they commit: reading the feed numbers what is pending
            Events.latestSeq(b);

            assertThat(a.count("SELECT count(*) FROM events e JOIN reservations r ON r.id = e.reservation_id"
                               + " WHERE r.reference LIKE ? AND e.type = 'reservation.expired'", prefix + "%"), is(200L));
            assertThat(a.count("SELECT count(DISTINCT e.reservation_id) FROM events e JOIN reservations r"
                               + " ON r.id = e.reservation_id WHERE r.reference LIKE ? AND e.type = 'reservation.expired'",
                    prefix + "%"), is(200L));
            assertThat("each expired exactly once", a.count("SELECT count(*) FROM reservations WHERE reference LIKE ?"
                                                             + " AND version <> 2", prefix + "%"), is(0L));
            assertThat(a.count("SELECT count(*) FROM holds h JOIN reservations r ON r.id = h.reservation_id"
                               + " WHERE r.reference LIKE ?", prefix + "%"), is(0L));
            for (String id : products) {
                assertFigures(stock(a, id), 100, 0, 100);
                assertFigures(stock(b, id), 100, 0, 100);
            }
            JsonObject sample = Reservations.get(b, created.get(17).json().getString("id")).json();
            assertThat(sample.getString("status"), is("EXPIRED"));
            assertThat(sample.getInt("version"), is(2));
            assertThat(a.get("/health/ready").status(), is(200));
            assertThat(b.get("/health/ready").status(), is(200));
            assertThat(Events.latestSeq(b), is(greaterThanOrEqualTo(5L + 200 + 200)));
            Invariants.check(a);
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    /**
     * Polls the reservation from {@code expiresAt} on until it reads {@code status}; fails if that takes more than
     * 1.5 s after {@code expiresAt}. Returns the reservation as read.
     */
    static JsonObject awaitStatus(TestServer s, String id, String status, Instant expiresAt) throws InterruptedException {
        sleepUntil(expiresAt);
        Instant deadline = expiresAt.plusMillis(1500);
        JsonObject last;
        do {
            TestServer.Response r = Reservations.get(s, id);
            assertThat(r.body(), r.status(), is(200));
            last = r.json();
            if (last.getString("status").equals(status)) {
                return last;
            }
            Thread.sleep(50);
        } while (Instant.now().isBefore(deadline));
        throw new AssertionError("still " + last + " at " + Instant.now() + ", expected " + status + " from " + expiresAt);
    }

    static void sleepUntil(Instant instant) throws InterruptedException {
        long millis = Duration.between(Instant.now(), instant).toMillis();
        if (millis > 0) {
            Thread.sleep(millis);
        }
    }

    /** Polls a condition every 50 ms until the deadline; fails if it never holds. */
    static void await(Instant deadline, BooleanSupplier condition) throws InterruptedException {
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("condition not met by " + deadline);
            }
            Thread.sleep(50);
        }
    }

    static long count(TestServer s, String sql, Object... params) {
        try {
            return s.count(sql, params);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
