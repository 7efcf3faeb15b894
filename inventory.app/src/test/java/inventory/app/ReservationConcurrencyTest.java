package inventory.app;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.json.JsonObject;

import org.junit.jupiter.api.Test;

import static inventory.app.Reservations.assertFigures;
import static inventory.app.Reservations.line;
import static inventory.app.Reservations.stock;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/**
 * Reservations from real concurrent clients on virtual threads, all let loose at once; the outcome is checked through
 * the API and the invariants in the database.
 */
class ReservationConcurrencyTest {

    private final TestServer server = TestServer.shared();

    @Test
    void fiftyConcurrentReservationsForTwentyUnitsHoldExactlyTwenty() throws Exception {
        String id = server.product(TestServer.sku("RRACE"), 20).getString("id");
        List<TestServer.Response> answers = all(50, i -> Reservations.reserve(server, 300, "race-" + i, line(id, 1)));

        assertThat(tally(answers), is(Map.of("201", 20, "409 insufficient-stock", 30)));
        JsonObject stock = stock(server, id);
        assertFigures(stock, 20, 20, 0);
        assertThat(stock.getInt("version"), is(21));
        assertThat(server.count("SELECT count(*) FROM holds WHERE product_id = CAST(? AS uuid)", id), is(20L));
        assertThat(server.count("SELECT count(DISTINCT reservation_id) FROM reservation_lines WHERE product_id = CAST(? AS uuid)",
                id), is(20L));
        Invariants.check(server);

        for (TestServer.Response r : answers) {
            if (r.status() == 201) {
                assertThat(Reservations.release(server, r.json().getString("id")).status(), is(200));
            }
        }
        assertFigures(stock(server, id), 20, 0, 20);
    }

    @Test
    void concurrentCommitAndReleaseOfEachReservationLetExactlyOneWin() throws Exception {
        String id = server.product(TestServer.sku("CR"), 100).getString("id");
        List<String> reservations = all(40, i -> Reservations.reserve(server, 300, null, line(id, 2))).stream()
                .map(r -> {
                    assertThat(r.body(), r.status(), is(201));
                    return r.json().getString("id");
                }).toList();
        assertFigures(stock(server, id), 100, 80, 20);

        List<TestServer.Response> answers = all(80, i -> i % 2 == 0
                ? Reservations.commit(server, reservations.get(i / 2))
                : Reservations.release(server, reservations.get(i / 2)));

        int committed = 0;
        for (int i = 0; i < reservations.size(); i++) {
            TestServer.Response commit = answers.get(2 * i);
            TestServer.Response release = answers.get(2 * i + 1);
            String both = outcome(commit) + " / " + outcome(release);
            assertThat(both, both.equals("200 / 409 reservation-not-active")
                             || both.equals("409 reservation-not-active / 200"), is(true));
            String status = Reservations.status(server, reservations.get(i));
            assertThat(status, is(commit.status() == 200 ? "COMMITTED" : "RELEASED"));
            committed += commit.status() == 200 ? 1 : 0;
        }
        JsonObject stock = stock(server, id);
        assertFigures(stock, 100 - 2L * committed, 0, 100 - 2L * committed);
        assertThat(stock.getInt("version"), is(1 + 40 + 40));
        assertThat(server.count("SELECT count(*) FROM stock_movements WHERE product_id = CAST(? AS uuid) AND reason = 'SOLD'"
                                + " AND reservation_id IS NOT NULL", id), is((long) committed));
        assertThat(server.count("SELECT count(*) FROM holds WHERE product_id = CAST(? AS uuid)", id), is(0L));
        Invariants.check(server);
    }

    @Test
    void reservationsCommitsReleasesAndAdjustmentsInterleavedKeepTheBooks() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(server.product(TestServer.sku("MIX" + i), 30).getString("id"));
        }
        Map<String, AtomicInteger> outcomes = new ConcurrentHashMap<>();

        all(24, c -> {
            for (int round = 0; round < 5; round++) {
                String a = ids.get((c + round) % 3);
                String b = ids.get((c + round + 1) % 3);
                TestServer.Response r = Reservations.reserve(server, 300, null, line(a, 2), line(b, 1));
                outcomes.computeIfAbsent("reserve " + outcome(r), k -> new AtomicInteger()).incrementAndGet();
                if (r.status() == 201) {
                    String rid = r.json().getString("id");
                    TestServer.Response end = (c + round) % 2 == 0 ? Reservations.commit(server, rid)
                            : Reservations.release(server, rid);
                    outcomes.computeIfAbsent("end " + outcome(end), k -> new AtomicInteger()).incrementAndGet();
                }
                TestServer.Response adj = server.post("/v1/products/" + b + "/stock/adjustments",
                        c % 2 == 0 ? "{\"delta\": 1, \"reason\": \"RETURNED\"}" : "{\"delta\": -1, \"reason\": \"DAMAGED\"}");
                outcomes.computeIfAbsent("adjust " + outcome(adj), k -> new AtomicInteger()).incrementAndGet();
            }
            return null;
        });

        for (String key : outcomes.keySet()) {
            assertThat(outcomes.toString(), key.matches("reserve 201|reserve 409 insufficient-stock|end 200"
                                                        + "|adjust 201|adjust 409 insufficient-stock"), is(true));
        }
        for (String id : ids) {
            JsonObject stock = stock(server, id);
            assertThat(stock.toString(), stock.getInt("reserved"), is(0));
            assertThat(stock.toString(), stock.getInt("available"), is(stock.getInt("onHand")));
        }
        Invariants.check(server);
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    interface Task<T> {
        T run(int index) throws Exception;
    }

    /** Runs {@code n} tasks on virtual threads released at once by a start gate; their results in task order. */
    static <T> List<T> all(int n, Task<T> task) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int index = i;
                Callable<T> call = () -> {
                    start.await();
                    return task.run(index);
                };
                futures.add(pool.submit(call));
            }
            start.countDown();
            List<T> results = new ArrayList<>();
            for (Future<T> f : futures) {
                results.add(f.get());
            }
            return results;
        }
    }

    /** How many answers had each {@link #outcome}. */
    static Map<String, Integer> tally(List<TestServer.Response> answers) {
        Map<String, Integer> counts = new java.util.TreeMap<>();
        answers.forEach(r -> counts.merge(outcome(r), 1, Integer::sum));
        return counts;
    }

    /** Counts of a concurrent run, as a plain map to compare. */
    static Map<String, Integer> snapshot(Map<String, AtomicInteger> outcomes) {
        Map<String, Integer> counts = new java.util.TreeMap<>();
        outcomes.forEach((k, v) -> counts.put(k, v.get()));
        return counts;
    }

    /** {@code 201}, {@code 409 insufficient-stock}, ...: the status, and the problem code if it is one. */
    static String outcome(TestServer.Response r) {
        if (r.status() < 300) {
            return String.valueOf(r.status());
        }
        try {
            return r.status() + " " + r.code();
        } catch (RuntimeException notAProblem) {
            return r.status() + " " + r.body();
        }
    }
}
