package inventory.app;

import java.io.ByteArrayOutputStream;
import java.io.StringReader;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;

/**
 * Throws a few thousand generated malformed and hostile requests at a running service and checks that it holds:
 * no answer is a {@code 5xx}, every request is answered (or its connection closed) within a deadline, every error is
 * a problem document without internals, every answer carries the security headers, not one row of the database
 * changed, and the service is still ready afterwards.
 * <p>
 * The requests come from a seeded {@link Random} (each request from its own, see {@link #random}), so a failure
 * names the seed and the request and reproduces with {@code -Dfuzz.seed=...}. Every write the generator makes is refused by
 * construction: it names a product or reservation that does not exist or cannot change that way, or its body has
 * an unknown field, or it is broken below the JSON; the data snapshot proves it. Reads may succeed.
 */
class FuzzTest {

    private static final long SEED = Long.getLong("fuzz.seed", 20_261_123L);
    /** The Host every request names: anything else in an answer that looks like a host is the server's own. */
    static final String HOST = "fuzz.test";
    private static final int REQUESTS = Integer.getInteger("fuzz.requests", 2_500);
    private static final int CONCURRENCY = 16;
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private static final Pattern SKU = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$");
    private static final Pattern LOCATION_CODE = Pattern.compile("^[a-z0-9-]{1,32}$");
    /** What may never appear in an answer unless the request itself carried it. */
    private static final List<String> LEAKS = List.of("Exception", "java.", "javax.", "jakarta.", "io.helidon",
            "org.postgresql", "com.zaxxer", "org.flywaydb", "at inventory.", "\tat ", "Caused by", "SQLState",
            "SQL state", "ERROR:", "PSQL", "Hikari", "127.0.0.1", "localhost", "postgres");

    private static TestServer server;
    private static Fixture fixture;

    @BeforeAll
    static void start() {
        server = TestServer.start(TestServer.dataDir("fuzz"));
        fixture = Fixture.seed(server);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** The data the requests aim at: ids and codes that exist, that were deleted, and that never existed. */
    record Fixture(String p1, String p1Sku, String p2, String p2Sku, String deleted, String deletedSku,
                   String activeReservation, String committedReservation, String releasedReservation,
                   String productCursor, String movementCursor, long latestSeq) {

        static Fixture seed(TestServer server) {
            JsonObject p1 = server.product(TestServer.sku("FUZZ1"), 10);
            JsonObject p2 = server.product(TestServer.sku("FUZZ2"), 6);
            JsonObject gone = server.product(TestServer.sku("FUZZ3"), 0);
            String id1 = p1.getString("id");
            String id2 = p2.getString("id");
            expect(server.post("/v1/locations", "{\"code\":\"fuzz-a\",\"name\":\"Fuzz A\"}"), 201);
            expect(server.post("/v1/products/" + id1 + "/stock/adjustments",
                    "{\"delta\":5,\"reason\":\"RECEIVED\",\"location\":\"fuzz-a\"}"), 201);
            expect(server.patch("/v1/products/" + id1, "{\"lowStockThreshold\":2,\"attributes\":{\"color\":\"red\"}}"),
                    200);
            expect(server.delete("/v1/products/" + gone.getString("id")), 204);
            // an active reservation on p1 (a day long, so it never expires during the test): p1 cannot be deleted
            String active = expect(Reservations.reserve(server, 86_400, "fuzz-active",
                    Reservations.line(id1, 1)), 201).json().getString("id");
            String committed = expect(Reservations.reserve(server, 600, "fuzz-committed",
                    Reservations.line(id2, 1)), 201).json().getString("id");
            expect(server.post("/v1/reservations/" + committed + "/commit", null), 200);
            String released = expect(Reservations.reserve(server, 600, "fuzz-released",
                    Reservations.line(id2, 1)), 201).json().getString("id");
            expect(server.post("/v1/reservations/" + released + "/release", null), 200);
            String productCursor = server.get("/v1/products?limit=1").json().getString("nextCursor");
            String movementCursor = server.get("/v1/products/" + id1 + "/stock/movements?limit=1").json()
                    .getString("nextCursor");
            long latestSeq = server.get("/v1/events?limit=1").json().getJsonNumber("latestSeq").longValue();
            return new Fixture(id1, p1.getString("sku"), id2, p2.getString("sku"), gone.getString("id"),
                    gone.getString("sku"), active, committed, released, productCursor, movementCursor, latestSeq);
        }

        private static TestServer.Response expect(TestServer.Response r, int status) {
            if (r.status() != status) {
                throw new IllegalStateException("seeding failed: " + r.status() + " " + r.body());
            }
            return r;
        }

        boolean live(String productId) {
            return productId.equalsIgnoreCase(p1) || productId.equalsIgnoreCase(p2);
        }

        boolean liveSku(String sku) {
            return sku.equalsIgnoreCase(p1Sku) || sku.equalsIgnoreCase(p2Sku);
        }
    }

    // ---- the test -----------------------------------------------------------------------------------------------

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void hostileRequestsGetNoServerErrorNoHangAndChangeNothing() throws Exception {
        Map<String, String> before = settledSnapshot();
        System.out.println("FuzzTest: seed " + SEED + ", " + REQUESTS + " requests, " + CONCURRENCY
                           + " at a time (reproduce with -Dfuzz.seed=" + SEED + ")");

        Map<Integer, Result> results = new ConcurrentHashMap<>();
        Semaphore slots = new Semaphore(CONCURRENCY);
        long start = System.nanoTime();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < REQUESTS; i++) {
                int index = i;
                slots.acquire();
                futures.add(pool.submit(() -> {
                    try {
                        Request request = new Generator(random(index), fixture).next();
                        RawHttp.Answer answer = RawHttp.exchange(server.port(), request.bytes(), request.isHead(),
                                TIMEOUT);
                        results.put(index, new Result(index, request, answer));
                    } catch (RuntimeException | Error e) {
                        results.put(index, new Result(index, null, new RawHttp.Answer(-1, Map.of(), new byte[0],
                                false, "client failed: " + e, 0)));
                    } finally {
                        slots.release();
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        }
        long millis = (System.nanoTime() - start) / 1_000_000;

        report(results, millis);
        String log = System.getProperty("fuzz.log");
        if (log != null) {
            // -Dfuzz.log=<file>: every request and its answer, one a line, for reading what the fuzzer did
            java.nio.file.Files.write(java.nio.file.Path.of(log), results.values().stream()
                    .sorted(java.util.Comparator.comparingInt(Result::index)).map(Result::toString)
                    .map(line -> new String(line.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8)).toList());
        }
        Map<String, List<String>> problems = new TreeMap<>();
        for (int i = 0; i < REQUESTS; i++) {
            Result r = results.get(i);
            if (r == null || r.request() == null) {
                problems.computeIfAbsent("client", k -> new ArrayList<>())
                        .add("#" + i + ": " + (r == null ? "no result" : r.answer().error()));
                continue;
            }
            check(r).forEach((kind, what) -> problems.computeIfAbsent(kind, k -> new ArrayList<>()).add(what));
        }
        StringBuilder failures = new StringBuilder();
        problems.forEach((kind, list) -> {
            failures.append("\n").append(kind).append(": ").append(list.size()).append(" request(s), e.g.\n");
            list.stream().limit(5).forEach(x -> failures.append("  ").append(x).append('\n'));
        });
        assertThat("seed " + SEED + ":" + failures, problems.keySet(), is(empty()));
        assertThat("the whole barrage took " + millis + " ms", millis < 60_000, is(true));

        assertThat(snapshotDiff(before, settledSnapshot()), is(empty()));
        TestServer.Response ready = server.get("/health/ready");
        assertThat(ready.body(), ready.status(), is(200));
        assertThat(server.get("/v1/products/" + fixture.p1()).status(), is(200));
        Invariants.check(server);
    }

    /**
     * The source of request {@code index}: its own, so a request is the same whatever ran before it or beside it, and
     * different seeds share none (seed times a large odd constant, plus the index).
     */
    static Random random(int index) {
        return new Random(SEED * 0x9E37_79B9_7F4A_7C15L + index);
    }

    /** One request and what came back. */
    record Result(int index, Request request, RawHttp.Answer answer) {
        @Override
        public String toString() {
            return "#" + index + " " + request + " -> "
                   + (answer.answered() ? answer.status() + " " + snippet(answer.text(), 240) : answer.error())
                   + " (" + answer.millis() + " ms)";
        }
    }

    /** What is wrong with one answer, by kind. */
    private static Map<String, String> check(Result r) {
        Map<String, String> problems = new TreeMap<>();
        RawHttp.Answer a = r.answer();
        Request q = r.request();
        if (a.timedOut() || a.millis() > TIMEOUT.toMillis()) {
            problems.put("HANG", a.millis() + " ms: " + r);
            return problems;
        }
        if (!a.answered()) {
            if (q.mustAnswer()) {
                problems.put("no answer to a well-framed request", r.toString());
            }
            return problems;
        }
        if (a.status() >= 500) {
            problems.put("5xx", r.toString());
        }
        if (q.write() && a.status() >= 200 && a.status() < 300) {
            problems.put("a write succeeded", r.toString());
        }
        if (!a.header("X-Content-Type-Options").orElse("").equalsIgnoreCase("nosniff")) {
            problems.put("no X-Content-Type-Options: nosniff", r + " " + a.headers());
        }
        if (q.v1() && !a.header("Cache-Control").orElse("").contains("no-store")) {
            problems.put("no Cache-Control: no-store under /v1", r + " " + a.headers());
        }
        if (a.header("Server").isPresent() && a.header("Server").get().matches(".*\\d.*")) {
            problems.put("a Server header with a version", a.header("Server").get() + " " + r);
        }
        if (a.header("X-Request-Id").isEmpty()) {
            problems.put("no X-Request-Id", r.toString());
        }
        String text = a.text();
        if (a.status() >= 400) {
            String sent = q.text();
            for (String leak : LEAKS) {
                if (text.contains(leak) && !sent.contains(leak)) {
                    problems.put("internals in an error: " + leak, r.toString());
                }
            }
        }
        if (a.status() >= 400 && a.body().length > 0) {
            String type = a.header("Content-Type").orElse("");
            if (!type.startsWith("application/problem+json")) {
                problems.put("an error that is not a problem", type + " " + r);
            } else {
                try (var reader = Json.createReader(new StringReader(text))) {
                    JsonObject p = reader.readObject();
                    String code = p.getString("code");
                    if (p.getInt("status") != a.status() || !p.getString("type").equals("urn:inventory:problem:" + code)
                        || p.getString("title").isBlank() || p.getString("detail").isBlank()
                        || !p.getString("requestId").equals(a.header("X-Request-Id").orElse(""))) {
                        problems.put("a problem that does not match its answer", r.toString());
                    }
                } catch (RuntimeException e) {
                    problems.put("a problem body that is not a problem", e.getMessage() + " " + r);
                }
            }
        }
        return problems;
    }

    private static void report(Map<Integer, Result> results, long millis) {
        Map<String, Integer> statuses = new TreeMap<>();
        Map<String, Integer> families = new TreeMap<>();
        Map<String, Integer> unanswered = new TreeMap<>();
        long slowest = 0;
        for (Result r : results.values()) {
            String s = r.answer().answered() ? String.valueOf(r.answer().status()) : "closed";
            statuses.merge(s, 1, Integer::sum);
            if (r.request() != null) {
                families.merge(r.request().family(), 1, Integer::sum);
                if (!r.answer().answered()) {
                    unanswered.merge(r.request().family(), 1, Integer::sum);
                }
            }
            slowest = Math.max(slowest, r.answer().millis());
        }
        System.out.println("FuzzTest: " + results.size() + " requests in " + millis + " ms (slowest " + slowest
                           + " ms); statuses " + statuses + "; families " + families
                           + "; closed without an answer, by family " + unanswered);
    }

    // ---- the data snapshot --------------------------------------------------------------------------------------

    /** Every table of the schema: row count and a digest of its rows. */
    private static Map<String, String> snapshot() throws SQLException {
        Map<String, String> tables = new TreeMap<>();
        try (Connection c = server.jdbc(); Statement s = c.createStatement()) {
            List<String> names = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("SELECT table_name FROM information_schema.tables "
                                               + "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'")) {
                while (rs.next()) {
                    names.add(rs.getString(1));
                }
            }
            for (String name : names) {
                // a key's "last used" time is bookkeeping of reads, not data
                try (ResultSet rs = s.executeQuery("SELECT count(*), md5(coalesce(string_agg(x, E'\\n' ORDER BY x), '')) "
                                                   + "FROM (SELECT (to_jsonb(t) - 'last_used_at')::text AS x FROM \""
                                                   + name.replace("\"", "\"\"") + "\" t) r")) {
                    rs.next();
                    tables.put(name, rs.getLong(1) + " rows, md5 " + rs.getString(2));
                }
            }
        }
        return tables;
    }

    /** A snapshot taken once the event pump has numbered everything the seeding wrote. */
    private static Map<String, String> settledSnapshot() throws SQLException, InterruptedException {
        Map<String, String> last = snapshot();
        for (int i = 0; i < 50; i++) {
            Thread.sleep(100);
            Map<String, String> now = snapshot();
            if (now.equals(last) && Invariants.count(server, "SELECT count(*) FROM event_inbox") == 0) {
                return now;
            }
            last = now;
        }
        return last;
    }

    private static List<String> snapshotDiff(Map<String, String> before, Map<String, String> after) {
        List<String> diff = new ArrayList<>();
        for (String table : new java.util.TreeSet<>(java.util.stream.Stream.concat(before.keySet().stream(),
                after.keySet().stream()).toList())) {
            if (!java.util.Objects.equals(before.get(table), after.get(table))) {
                diff.add(table + ": " + before.get(table) + " -> " + after.get(table));
            }
        }
        return diff;
    }

    // ---- requests -----------------------------------------------------------------------------------------------

    /**
     * One generated request, as bytes.
     *
     * @param family     which part of the generator made it
     * @param method     the method as sent
     * @param target     the request target as sent
     * @param head       the head, from the request line to the blank line
     * @param body       the body as sent (chunk framing included)
     * @param write      a non-read on an API path: it must not succeed
     * @param mustAnswer the server must answer it, not just close: all but random bytes (with no line end the server
     *                   waits for a request line until the client closes) and a body over the server's own limit
     *                   (it answers and closes while the client still writes, and the answer may be lost)
     */
    record Request(String family, String method, String target, String head, byte[] body, boolean write,
                   boolean mustAnswer) {

        byte[] bytes() {
            byte[] h = head.getBytes(StandardCharsets.ISO_8859_1);
            byte[] all = new byte[h.length + body.length];
            System.arraycopy(h, 0, all, 0, h.length);
            System.arraycopy(body, 0, all, h.length, body.length);
            return all;
        }

        boolean isHead() {
            return method.equals("HEAD");
        }

        boolean v1() {
            return target.startsWith("/v1");
        }

        /** All that was sent, as text (for telling an echo of the request from a leak). */
        String text() {
            String all = head + new String(body, StandardCharsets.UTF_8);
            return all + "\n" + java.net.URLDecoder.decode(target.replace("+", "%2B").replaceAll("%(?![0-9a-fA-F]{2})",
                    "%25"), StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder("[" + family + "] ");
            for (String line : head.split("\r\n")) {
                if (!line.isEmpty() && !line.startsWith("Connection: close") && !line.startsWith("Host: " + HOST)) {
                    sb.append(snippet(line, 120)).append(" | ");
                }
            }
            return sb + "body " + body.length + " bytes: "
                   + snippet(new String(body, 0, Math.min(body.length, 200), StandardCharsets.ISO_8859_1), 100);
        }
    }

    static String snippet(String s, int max) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length() && sb.length() < max; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c >= 0x7F && c < 0xA0) {
                sb.append(String.format("\\x%02x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return s.length() > max ? sb + "…(" + s.length() + ")" : sb.toString();
    }

    /** A raw JSON text, put into a body as is. */
    record Raw(String json) {
    }

    /** Builds one request from its random source. */
    static final class Generator {

        private static final List<String> INJECTIONS = List.of(
                "' OR 1=1--", "\"; DROP TABLE products;--", "1; DELETE FROM stock_levels", "' UNION SELECT 1--",
                "../../etc/passwd", "..\\..\\windows\\win.ini", "/../../../../", "%s%n%x%d%p", "%n%n%n%n",
                "${jndi:ldap://x/a}", "${7*7}", "#{7*7}", "{{7*7}}", "<script>alert(1)</script>", "\"><img src=x>",
                "$(reboot)", "`id`", "| cat /etc/shadow", "; ls -la", "\u0000", "a\u0000b", "\u0000\u0000\u0000",
                "\uFEFF", "\uD800", "\uDC00x", "\uFFFF", "\u202Emain", "😀", "Ω≈ç√∫", "é", "\r\nX-Injected: 1",
                "\n", "\t", "null", "true", "-0", "1e309", "NaN", "Infinity", "", " ", "main", "MAIN", "%00", "%",
                "\\", "/", "*", "?", "#", "..", ".", "fuzz-a", "no-such-place", "0", "-1", "ACTIVE", "RECEIVED",
                "COUNT", "ＡＣＴＩＶＥ", "\u0130", "x".repeat(65), "x".repeat(201), "x".repeat(2001),
                "é".repeat(300));
        private static final List<String> NUMBERS = List.of(
                "1e309", "-1e309", "-0", "0", "1", "-1", "99999999999999999999999", "-99999999999999999999999",
                "1.5", "-1.5", "1.0", "1E2", "1e-400", "1e2147483647", "-1e2147483647", "0e2147483647", "1e-2147483647",
                "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
                "2147483648", "4294967296", "1000000000", "1000000001", "-1000000001", "1000000000000",
                "1000000000001", "86401", "0.0000000001", "1" + "0".repeat(3000), "0." + "0".repeat(3000) + "1",
                "9".repeat(1100), "9".repeat(1101), "1" + "0".repeat(1_000_000),
                "123456789012345678901234567890e-20");
        private static final List<String> BROKEN_NUMBERS = List.of("NaN", "Infinity", "-Infinity", "0x10", "01",
                "+1", ".5", "1.", "1e", "--1", "1e+", "١");
        private static final List<String> METHODS = List.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE",
                "OPTIONS", "TRACE", "CONNECT", "FOO", "get", "Post", "PROPFIND", "M-SEARCH", "QUERY", "BREW",
                "X".repeat(300), "G\u00c9T", "GET\u0000", "PO ST");
        private static final List<String> CONTENT_TYPES = List.of("application/json", "application/json",
                "application/json; charset=utf-8", "application/json;charset=UTF-8", "APPLICATION/JSON",
                "application/merge-patch+json", "text/plain", "", " ", "application/json; charset=utf-16",
                "application/json; charset=\"utf-8\"", "application/json; charset=latin1", "application/json;;",
                ";", "application/", "/json", "application/json; charset", "application/json; =", "*/*", "json",
                "application/json; charset=utf-8; charset=latin1", "multipart/form-data; boundary=x",
                "application/x-www-form-urlencoded", "application/json\u00e9", "a/b/c", "application/json; q=\"",
                "application/json, text/plain", "x".repeat(3000), "application/json; charset=" + "x".repeat(500));
        private static final List<String> ACCEPTS = List.of("*/*", "application/json", "text/plain", "", ";",
                "application/", "text/event-stream", "application/openmetrics-text; version=1.0.0; charset=utf-8",
                "*/*; q=abc", "application/json; q=2", "text/*;q=0.5, */*;q=0.1", "\u00e9/\u00e9", ",,,", "a/b; c",
                "x".repeat(2000), "application/json;q=", "*/;q=1");
        private static final List<String> TAGS = List.of("*", "\"1\"", "\"2\"", "W/\"1\"", "\"", "\"\"", "\"*\"",
                "\"99999999999999999999\"", "\"-1\"", "garbage", ",,,", "\"1\", *", "W/", "\"1", "1\"", "\"1\" \"2\"",
                "\"\u00e9\"", "x".repeat(4000), "\"" + "9".repeat(300) + "\"");
        private static final List<String> AUTHORIZATIONS = List.of("", "Bearer", "Bearer ", "Bearer x",
                "Bearer " + "k".repeat(6000), "Basic Zm9vOmJhcg==", "Bearer \u00e9\u00e8\u00ff",
                "bearer " + TestServer.ADMIN_KEY, "Bearer  " + TestServer.ADMIN_KEY, "Bearer " + TestServer.ADMIN_KEY + "x",
                "Bearer " + TestServer.ADMIN_KEY.toUpperCase(Locale.ROOT), "Bearer ' OR 1=1--", "Bearer ${jndi:ldap://x}",
                "Digest username=\"a\"", "Bearer a b c", "Bearer\t" + TestServer.ADMIN_KEY);

        private final Random random;
        private final Fixture f;
        private final String missing;
        private final String missingReservation;

        Generator(Random random, Fixture fixture) {
            this.random = random;
            this.f = fixture;
            this.missing = new UUID(0x0190_0000_0000_7000L | random.nextInt(0xFFF), random.nextLong() | 1L << 63)
                    .toString();
            this.missingReservation = new UUID(0x0190_0000_0000_7000L | random.nextInt(0xFFF), random.nextLong() | 1L << 63)
                    .toString();
        }

        Request next() {
            int roll = random.nextInt(100);
            if (roll < 26) {
                return read();
            }
            if (roll < 58) {
                return write();
            }
            if (roll < 67) {
                return oddMethod();
            }
            if (roll < 76) {
                return headers();
            }
            if (roll < 89) {
                return protocol();
            }
            if (roll < 95) {
                return operations();
            }
            return stream();
        }

        // -- families --

        private Request read() {
            String target = switch (random.nextInt(11)) {
                case 0, 1 -> "/v1/products" + query("limit", "cursor", "status", "q", "lowStock", "location");
                case 2 -> "/v1/products/" + productSegment(true);
                case 3 -> "/v1/products/by-sku/" + skuSegment();
                case 4 -> "/v1/products/" + productSegment(true) + "/stock";
                case 5 -> "/v1/products/" + productSegment(true) + "/stock/movements" + query("limit", "cursor");
                case 6 -> "/v1/locations" + (random.nextBoolean() ? "" : query("limit", "q"));
                case 7 -> "/v1/reservations/" + reservationSegment(true);
                case 8 -> "/v1/events" + query("after", "limit");
                case 9 -> "/v1/api-keys" + (random.nextBoolean() ? "" : "/" + pathValue());
                default -> "/v1/" + pathValue() + (random.nextBoolean() ? "" : "/" + pathValue());
            };
            List<String[]> headers = commonHeaders();
            if (random.nextInt(3) == 0) {
                headers.add(h("If-None-Match", pick(TAGS)));
            }
            if (random.nextInt(4) == 0) {
                headers.add(h("Accept", pick(ACCEPTS)));
            }
            byte[] body = new byte[0];
            if (random.nextInt(8) == 0) {
                // a GET with a body: it must be ignored (or refused), never acted on
                body = json(Map.of("fuzz", pickValue())).getBytes(StandardCharsets.UTF_8);
                headers.add(h("Content-Type", pick(CONTENT_TYPES)));
            }
            return build("read", random.nextInt(10) == 0 ? "HEAD" : "GET", target, headers, body, false);
        }

        private Request write() {
            List<String[]> headers = commonHeaders();
            String method = "POST";
            String target;
            Map<String, Object> body;
            boolean live = false;
            int limit = 64 * 1024;
            switch (random.nextInt(11)) {
                case 0 -> {
                    target = "/v1/products";
                    body = obj("sku", f.p1Sku(), "name", "Fuzz", "price", "1.00", "currency", "EUR",
                            "description", "d", "lowStockThreshold", 1L, "attributes", obj("k", "v"),
                            "initialQuantity", 1L);
                }
                case 1 -> {
                    method = "PATCH";
                    live = random.nextInt(3) == 0;
                    target = "/v1/products/" + (live ? liveProduct() : productSegment(false));
                    body = obj("name", "Fuzz", "description", null, "price", "2.00", "currency", "USD",
                            "lowStockThreshold", 3L, "attributes", obj("k", null), "status", "ACTIVE");
                }
                case 2 -> {
                    live = random.nextInt(3) == 0;
                    target = "/v1/products/" + (live ? liveProduct() : productSegment(false)) + "/stock/adjustments";
                    body = obj("delta", 1L, "reason", "RECEIVED", "location", "main", "reference", "r", "note", "n");
                }
                case 3 -> {
                    live = random.nextInt(3) == 0;
                    target = "/v1/products/" + (live ? liveProduct() : productSegment(false)) + "/stock/counts";
                    body = obj("onHand", 5L, "location", "main", "note", "n");
                }
                case 4 -> {
                    target = "/v1/stock/batch";
                    limit = 1024 * 1024;
                    body = obj("reason", "RECEIVED", "reference", "r",
                            "lines", new ArrayList<>(List.of(obj("productId", missing, "delta", 1L, "location", "main"))));
                }
                case 5 -> {
                    target = "/v1/reservations";
                    limit = 1024 * 1024;
                    body = obj("lines", new ArrayList<>(List.of(obj("productId", missing, "quantity", 1L,
                            "location", "main"))), "ttlSeconds", 60L, "reference", "r");
                }
                case 6 -> {
                    target = "/v1/locations";
                    body = obj("code", random.nextBoolean() ? "main" : "fuzz-a", "name", "Fuzz");
                }
                case 7 -> {
                    target = "/v1/reservations/" + endableReservation() + (random.nextBoolean() ? "/commit" : "/release");
                    body = random.nextBoolean() ? null : obj();
                }
                case 8 -> {
                    method = "DELETE";
                    // p1 holds an active reservation: it cannot be deleted
                    target = "/v1/products/" + (random.nextInt(3) == 0 ? f.p1() : productSegment(false));
                    body = null;
                }
                case 9 -> {
                    method = "DELETE";
                    // main cannot be deleted, fuzz-a holds stock
                    target = "/v1/locations/" + pick(List.of("main", "fuzz-a", "nowhere-" + random.nextInt(100),
                            enc(pick(INJECTIONS)), pick(INJECTIONS)));
                    body = null;
                }
                default -> {
                    target = random.nextBoolean() ? "/v1/api-keys" : "/v1/api-keys/" + pathValue();
                    method = target.equals("/v1/api-keys") ? "POST" : "DELETE";
                    live = true; // once keys exist, a valid body would make one
                    body = method.equals("POST") ? obj("name", "fuzz", "scopes", List.of("inventory:read")) : null;
                }
            }
            if (body != null) {
                int mutations = random.nextInt(4);
                for (int i = 0; i < mutations; i++) {
                    mutate(body);
                }
                guard(target, body);
            }
            boolean poisoned = false;
            if (body != null && (live || random.nextInt(4) == 0)) {
                poisonInto(body);
                poisoned = true;
            }
            byte[] bytes = body == null ? new byte[0] : json(body).getBytes(StandardCharsets.UTF_8);
            boolean broken = false;
            if (body != null && random.nextInt(3) == 0) {
                bytes = breakText(bytes, limit);
                // an empty body is no body, which commit and release take as {}: not broken
                broken = bytes.length > 0 && !isJson(bytes);
            }
            if (body == null && random.nextInt(6) == 0) {
                bytes = randomBytes(random.nextInt(200) + 1);
                broken = !isJson(bytes); // never empty
            }
            if (bytes.length > 0 || random.nextInt(10) == 0) {
                headers.add(h("Content-Type", random.nextInt(4) == 0 ? pick(CONTENT_TYPES)
                        : method.equals("PATCH") && random.nextBoolean() ? "application/merge-patch+json" : "application/json"));
            }
            if (random.nextInt(3) == 0) {
                headers.add(h("If-Match", pick(TAGS)));
            }
            if (random.nextInt(3) == 0) {
                // a valid key only where the body is refused before the operation runs: nothing may be stored
                headers.add(h("Idempotency-Key", poisoned || broken ? "fuzz-" + random.nextInt(1000) : pick(List.of(
                        "", " ", "k".repeat(256), "\u00e9t\u00e9", "a\tb", "k".repeat(5000)))));
            }
            return build("write", method, target, headers, bytes, true);
        }

        private Request oddMethod() {
            String method = pick(METHODS);
            String target = pick(List.of("/v1/products", "/v1/products/" + f.p1(), "/v1/products/by-sku/" + f.p1Sku(),
                    "/v1/products/" + f.p1() + "/stock", "/v1/products/" + f.p1() + "/stock/adjustments",
                    "/v1/products/" + f.p1() + "/stock/counts", "/v1/products/" + f.p1() + "/stock/movements",
                    "/v1/stock/batch", "/v1/locations", "/v1/locations/fuzz-a", "/v1/reservations",
                    "/v1/reservations/" + f.activeReservation(), "/v1/reservations/" + f.committedReservation() + "/commit",
                    "/v1/reservations/" + f.releasedReservation() + "/release", "/v1/events", "/v1/events/stream",
                    "/health", "/health/live", "/health/ready", "/metrics", "/openapi", "/v1/api-keys", "/", "/v1",
                    "/v2/products", "/favicon.ico", "*"));
            List<String[]> headers = commonHeaders();
            byte[] body = new byte[0];
            switch (random.nextInt(3)) {
                case 0 -> {
                    body = randomBytes(random.nextInt(300) + 1);
                    body[0] = 1; // never the start of JSON
                    headers.add(h("Content-Type", "application/json"));
                }
                case 1 -> {
                    Map<String, Object> poisoned = obj("name", pickValue());
                    poisonInto(poisoned);
                    body = json(poisoned).getBytes(StandardCharsets.UTF_8);
                    headers.add(h("Content-Type", pick(CONTENT_TYPES)));
                }
                default -> {
                    // no body: a POST or DELETE here still changes nothing (409, 404, 405 or 415)
                }
            }
            // Helidon takes method names case-insensitively ("post" is POST): any spelling of a write is a write
            boolean v1Write = target.startsWith("/v1") && List.of("POST", "PUT", "PATCH", "DELETE").contains(
                    method.toUpperCase(Locale.ROOT));
            return build("method", method, target, headers, body, v1Write);
        }

        private Request headers() {
            boolean asWrite = random.nextBoolean();
            String target = asWrite ? "/v1/products/" + missing + "/stock/adjustments"
                    : pick(List.of("/v1/products", "/v1/products/" + f.p1(), "/v1/events", "/health/ready", "/metrics"));
            String method = asWrite ? "POST" : "GET";
            byte[] body = asWrite ? "{\"delta\":1,\"reason\":\"RECEIVED\"}".getBytes(StandardCharsets.UTF_8) : new byte[0];
            List<String[]> headers = new ArrayList<>();
            if (asWrite) {
                headers.add(h("Content-Type", "application/json"));
            }
            boolean hostDone = false;
            int n = 1 + random.nextInt(3);
            for (int i = 0; i < n; i++) {
                switch (random.nextInt(20)) {
                    case 0 -> headers.add(h("X-Big", "b".repeat(17 * 1024))); // one header over the limit
                    case 1 -> {
                        for (int j = 0; j < 200; j++) {
                            headers.add(h("X-Many-" + j, "m".repeat(100))); // many small ones over the limit
                        }
                    }
                    case 2 -> headers.add(h("X-Under", "u".repeat(8 * 1024))); // large but allowed
                    case 3 -> {
                        headers.add(h("Authorization", "Bearer " + TestServer.ADMIN_KEY));
                        headers.add(h("Authorization", pick(AUTHORIZATIONS)));
                    }
                    case 4 -> {
                        headers.add(h("X-Request-Id", "first"));
                        headers.add(h("X-Request-Id", pick(INJECTIONS)));
                    }
                    case 5 -> headers.add(h("X-Request-Id", pick(INJECTIONS) + "\u00e9\u00ff"));
                    case 6 -> headers.add(h("X-Nul", "a\u0000b"));
                    case 7 -> headers.add(h("X-Latin", "\u00e9\u00e8\u00ff\u0080"));
                    case 8 -> headers.add(new String[] {"Bad Header", "x"});
                    case 9 -> headers.add(new String[] {"X-Colon:Name", "x"});
                    case 10 -> headers.add(new String[] {"", "empty name"});
                    case 11 -> {
                        headers.add(h("X-Folded", "a"));
                        headers.add(new String[] {null, " continued"}); // obsolete line folding
                    }
                    case 12 -> {
                        hostDone = true;
                        headers.add(h("Host", pick(List.of("", "evil.example", "fuzz.test:99999999999", "[::1",
                                "local host", "fuzz.test:abc", "\u00e9", "a".repeat(3000)))));
                    }
                    case 13 -> {
                        hostDone = true;
                        headers.add(h("Host", HOST));
                        headers.add(h("Host", "other"));
                    }
                    case 14 -> {
                        hostDone = true; // no Host at all
                    }
                    case 15 -> headers.add(h("Expect", pick(List.of("100-continue", "garbage", "200-ok"))));
                    case 16 -> headers.add(h("Connection", pick(List.of("Upgrade", "keep-alive, Upgrade", "close, close",
                            "garbage"))));
                    case 17 -> headers.add(h("Upgrade", pick(List.of("h2c", "websocket", "HTTP/2.0", "garbage"))));
                    case 18 -> headers.add(h("Content-Encoding", pick(List.of("gzip", "deflate", "br", "identity",
                            "garbage"))));
                    default -> headers.add(h(pick(List.of("Accept", "Accept-Encoding", "Accept-Language", "Range",
                            "Cookie", "Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "Origin", "Referer",
                            "User-Agent", "Last-Event-ID", "Cache-Control", "Pragma", "TE", "Trailer")),
                            pick(INJECTIONS)));
                }
            }
            if (!hostDone) {
                headers.addFirst(h("Host", HOST));
            }
            if (headers.stream().noneMatch(x -> "Authorization".equals(x[0]))) {
                headers.add(h("Authorization", "Bearer " + TestServer.ADMIN_KEY));
            }
            StringBuilder head = new StringBuilder(method + " " + target + " HTTP/1.1\r\n");
            for (String[] x : headers) {
                head.append(x[0] == null ? "" : x[0] + ":").append(x[1]).append("\r\n");
            }
            if (body.length > 0) {
                head.append("Content-Length: ").append(body.length).append("\r\n");
            }
            head.append("Connection: close\r\n\r\n");
            return new Request("headers", method, target, head.toString(), body, asWrite, true);
        }

        private Request protocol() {
            String auth = "Authorization: Bearer " + TestServer.ADMIN_KEY + "\r\n";
            byte[] json = ("{\"delta\":1,\"reason\":\"RECEIVED\"}").getBytes(StandardCharsets.UTF_8);
            String adjust = "/v1/products/" + missing + "/stock/adjustments";
            return switch (random.nextInt(22)) {
                // random bytes: without a line end the server waits for the rest of a request line until the client
                // closes, and then has nothing to answer
                case 0 -> new Request("protocol", "?", "?", "", randomBytes(1 + random.nextInt(3000)), false, false);
                case 1 -> raw("GET", "/", "GET\r\n\r\n", true);
                case 2 -> raw("GET", "/", "GET /v1/products\r\n\r\n", true);
                case 3 -> raw("GET", "/v1/products", "GET /v1/products HTTP/" + pick(List.of("1.0", "2.0", "0.9", "9.9",
                        "1.1.1", "1", "", "1.2")) + "\r\nHost: " + HOST + "\r\n" + auth + "\r\n", true);
                case 4 -> raw("GET", "/v1/products", "GET /v1/products http/1.1\r\nHost: " + HOST + "\r\n" + auth + "\r\n",
                        true);
                case 5 -> raw("GET", "/v1/products", "GET /v1/products HTTP/1.1\nHost: " + HOST + "\n" + auth.trim()
                                                     + "\n\n", true);
                case 6 -> raw("GET", "/v1/", "GET /v1/" + "a".repeat(8 * 1024 + random.nextInt(4096))
                                             + " HTTP/1.1\r\nHost: " + HOST + "\r\n" + auth + "\r\n", true);
                case 7 -> raw("GET", "/v1/products?q=", "GET /v1/products?q=" + enc("x".repeat(100_000))
                                                        + " HTTP/1.1\r\nHost: " + HOST + "\r\n" + auth + "\r\n", true);
                case 8 -> {
                    String target = pick(List.of("/v1/products?q=%zz", "/v1/products?%", "/v1/products?q=%",
                            "/v1/products/%C0%AE%C0%AE/", "/v1/products/%FF%FE", "/v1/%2e%2e/%2e%2e/etc/passwd",
                            "/v1/products/../../etc/passwd", "//v1/products", "/v1/products#frag",
                            "http://fuzz.test/v1/products", "/v1/products?q=a b", "/v1/products?q=\"<>\"",
                            "/v1/products?q={}|^`", "/v1/products/\u00e9\u00ff", "/v1/products?q=\u00c3\u0028",
                            "/v1/products/\u00ed\u00a0\u0080", "/v1/products?q=\u00c0\u0080", "/\u0000", "/v1/\u007f",
                            "*", "v1/products", "/v1/products?q=%00%00", "/v1/products;jsessionid=1",
                            "/v1/products?limit=1&limit=2&limit=x", "/v1/products?=&&=&", "/v1/products/%2F",
                            "/v1/products/" + f.p1() + "%00", "/v1/products/" + f.p1() + "/stock/..",
                            "/v1/products/%252e%252e", "/v1/events?after=%2D1", "/v1/products?" + "a=b&".repeat(500)));
                    yield raw("GET", target, "GET " + target + " HTTP/1.1\r\nHost: " + HOST + "\r\n" + auth + "\r\n", true);
                }
                case 9 -> raw(" ", "/", "  GET /v1/products HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n", true);
                case 10 -> raw("GET", "/", "\r\n\r\nGET /v1/products HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n", true);
                // Content-Length that promises more than comes
                case 11 -> framed("POST", adjust, "Content-Type: application/json\r\nContent-Length: "
                                                  + (json.length + 1 + random.nextInt(1000)) + "\r\n", json, true);
                // Content-Length that promises less: the rest is a second request on a closing connection
                case 12 -> framed("POST", adjust, "Content-Type: application/json\r\nContent-Length: "
                                                  + random.nextInt(json.length) + "\r\n", json, true);
                case 13 -> framed("POST", adjust, "Content-Type: application/json\r\nContent-Length: "
                                                  + pick(List.of("-1", "abc", "1e3", " 5", "5, 5", "0x10",
                        "99999999999999999999", "", "+31", "31 ")) + "\r\n", json, true);
                case 14 -> framed("POST", adjust, "Content-Type: application/json\r\nContent-Length: 31\r\n"
                                                  + "Content-Length: " + (10 + random.nextInt(50)) + "\r\n", json, true);
                case 15 -> framed("POST", adjust, "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n",
                        chunked(json, random.nextInt(3)), true);
                case 16 -> {
                    String size = pick(List.of("zz", "-5", "FFFFFFFFFFFFFFFFFFFF", "7FFFFFFF", "80000000", " 5",
                            "5;ext=" + "e".repeat(100), "", "1f\u0000", "0x1f"));
                    yield framed("POST", adjust, "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n",
                            (size + "\r\n" + new String(json, StandardCharsets.ISO_8859_1) + "\r\n0\r\n\r\n")
                                    .getBytes(StandardCharsets.ISO_8859_1), true);
                }
                case 17 -> framed("POST", adjust, "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n",
                        (Integer.toHexString(json.length) + "\r\n" + new String(json, StandardCharsets.ISO_8859_1))
                                .getBytes(StandardCharsets.ISO_8859_1), true); // no last chunk
                case 18 -> {
                    // a chunked body over the endpoint's limit (64 KiB) or over the server's (2 MiB)
                    boolean serverLimit = random.nextInt(3) == 0;
                    int size = serverLimit ? 2 * 1024 * 1024 + 1024 : 64 * 1024 + 1 + random.nextInt(100_000);
                    byte[] big = ("{\"delta\":1,\"reason\":\"RECEIVED\",\"note\":\"" + "n".repeat(size) + "\"}")
                            .getBytes(StandardCharsets.UTF_8);
                    String target = serverLimit ? "/v1/stock/batch" : adjust;
                    yield framed("POST", target, "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n",
                            chunked(big, 8), !serverLimit); // over 2 MiB the server answers and closes mid-body
                }
                case 19 -> framed("POST", adjust, "Content-Type: application/json\r\nTransfer-Encoding: "
                                                  + pick(List.of("gzip, chunked", "identity", "chunked, chunked",
                        "Chunked", "chunked;q=1", "xchunked")) + "\r\nContent-Length: " + json.length + "\r\n",
                        json, true);
                case 20 -> framed("POST", adjust, "Content-Type: application/json\r\nContent-Length: "
                                                  + (3L * 1024 * 1024 + random.nextInt(1_000_000_000)) + "\r\n",
                        new byte[0], true); // only the head of an enormous body
                default -> {
                    // request line with raw bytes that are not UTF-8 (or not even ASCII)
                    byte[] garbage = randomBytes(5 + random.nextInt(40));
                    String target = "/v1/products/" + new String(garbage, StandardCharsets.ISO_8859_1)
                            .replace("\r", "").replace("\n", "").replace(" ", "");
                    yield raw("GET", target, "GET " + target + " HTTP/1.1\r\nHost: " + HOST + "\r\n" + auth + "\r\n",
                            true);
                }
            };
        }

        private Request operations() {
            String target = pick(List.of("/health", "/health/live", "/health/ready", "/metrics", "/openapi",
                    "/health/ready/", "/health/x", "/metrics/base", "/metrics/vendor/x", "/openapi/x", "/openapi.json",
                    "/observe", "/health/../v1/products"));
            if (random.nextBoolean()) {
                target += query("format", "name", "scope", "q", "url");
            }
            List<String[]> headers = commonHeaders();
            if (random.nextBoolean()) {
                headers.add(h("Accept", pick(ACCEPTS)));
            }
            String method = random.nextInt(4) == 0 ? pick(METHODS) : "GET";
            if (method.contains("\u0000") || method.contains(" ")) {
                method = "GET";
            }
            return build("ops", method, target, headers, new byte[0], false);
        }

        private Request stream() {
            String target = "/v1/events/stream" + (random.nextBoolean() ? "" : query("after"));
            List<String[]> headers = commonHeaders();
            if (random.nextBoolean()) {
                headers.add(h("Last-Event-ID", pick(List.of(String.valueOf(f.latestSeq()), "0", "-1", "",
                        "99999999999999999999", "1e3", "abc", "1 2", "\u00e9", "x".repeat(1000), " 1",
                        String.valueOf(Long.MAX_VALUE)))));
            }
            if (random.nextBoolean()) {
                headers.add(h("Accept", pick(ACCEPTS)));
            }
            return build("stream", "GET", target, headers, new byte[0], false);
        }

        // -- pieces --

        private List<String[]> commonHeaders() {
            List<String[]> headers = new ArrayList<>();
            int auth = random.nextInt(10);
            if (auth < 7) {
                headers.add(h("Authorization", "Bearer " + TestServer.ADMIN_KEY));
            } else if (auth < 9) {
                headers.add(h("Authorization", pick(AUTHORIZATIONS)));
            }
            if (random.nextInt(4) == 0) {
                headers.add(h("X-Request-Id", random.nextBoolean() ? "fuzz-" + random.nextInt(100_000)
                        : pick(INJECTIONS)));
            }
            return headers;
        }

        /** A request with a well-formed head of these headers (plus Host, and Connection: close without a body). */
        private Request build(String family, String method, String target, List<String[]> headers, byte[] body,
                              boolean write) {
            // characters beyond Latin-1 (in a raw path segment or header value) go out as their UTF-8 bytes
            StringBuilder head = new StringBuilder(latin1(method)).append(' ').append(latin1(target))
                    .append(" HTTP/1.1\r\nHost: ").append(HOST).append("\r\n");
            for (String[] x : headers) {
                // CR or LF in a value would end the header early: the headers family tests that framing on purpose
                String value = x[1].replace("\r", "%0D").replace("\n", "%0A");
                head.append(x[0]).append(": ").append(latin1(value)).append("\r\n");
            }
            byte[] sent = body;
            if (body.length > 0 && random.nextInt(6) == 0) {
                head.append("Transfer-Encoding: chunked\r\n");
                sent = chunked(body, 1 + random.nextInt(4));
            } else if (body.length > 0 || !method.equals("GET") && random.nextBoolean()) {
                head.append("Content-Length: ").append(body.length).append("\r\n");
            }
            // with a body, the connection stays open until the client closes: a server that closes right after its
            // answer leaves the unread body in its socket, which resets the connection and may cut off the answer
            // (Helidon drains an unread body only on a connection it keeps)
            head.append(body.length == 0 ? "Connection: close\r\n\r\n" : "\r\n");
            return new Request(family, method, target, head.toString(), sent, write, true);
        }

        private static String latin1(String s) {
            return s.chars().anyMatch(c -> c > 0xFF)
                    ? new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1) : s;
        }

        private Request raw(String method, String target, String head, boolean mustAnswer) {
            return new Request("protocol", method, target, head, new byte[0], false, mustAnswer);
        }

        private Request framed(String method, String target, String headers, byte[] body, boolean mustAnswer) {
            String head = method + " " + target + " HTTP/1.1\r\nHost: " + HOST + "\r\nAuthorization: Bearer "
                          + TestServer.ADMIN_KEY + "\r\n" + headers + "Connection: close\r\n\r\n";
            return new Request("protocol", method, target, head, body, true, mustAnswer);
        }

        private static byte[] chunked(byte[] body, int pieces) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int size = Math.max(1, body.length / Math.max(1, pieces));
            for (int i = 0; i < body.length; i += size) {
                int n = Math.min(size, body.length - i);
                out.writeBytes((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(body, i, n);
                out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            out.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            return out.toByteArray();
        }

        /** A query string with some of the given parameters, each hostile or plausible, maybe repeated. */
        private String query(String... names) {
            List<String> parts = new ArrayList<>();
            for (String name : names) {
                if (random.nextInt(3) == 0) {
                    continue;
                }
                int times = random.nextInt(8) == 0 ? 2 + random.nextInt(2) : 1;
                for (int i = 0; i < times; i++) {
                    parts.add(enc(name) + "=" + enc(queryValue(name)));
                }
            }
            if (random.nextInt(6) == 0) {
                parts.add(enc(pick(INJECTIONS)) + "=" + enc(pick(INJECTIONS)));
            }
            return parts.isEmpty() ? "" : "?" + String.join("&", parts);
        }

        private String queryValue(String name) {
            if (random.nextInt(3) > 0) {
                return switch (name) {
                    case "limit" -> pick(List.of("1", "200", "201", "0", "-1", "99999999999999999999", "1.5", "1e2",
                            " 1", "0x10", "", "١", "2147483648"));
                    case "after" -> pick(List.of("0", String.valueOf(f.latestSeq()), "-1", "99999999999999999999",
                            "9223372036854775807", "1.5", "", " 0", "abc"));
                    case "cursor" -> pick(List.of(f.productCursor(), f.movementCursor(), "", "====", "!!!",
                            Base64.getUrlEncoder().encodeToString("p:not-a-uuid".getBytes(StandardCharsets.UTF_8)),
                            Base64.getUrlEncoder().encodeToString("m:99999999999999999999".getBytes(StandardCharsets.UTF_8)),
                            Base64.getUrlEncoder().encodeToString("p:\u0000".getBytes(StandardCharsets.UTF_8)),
                            Base64.getUrlEncoder().encodeToString(randomBytes(40)),
                            Base64.getEncoder().encodeToString("p:".getBytes(StandardCharsets.UTF_8)) + "+/=",
                            "A".repeat(3000)));
                    case "status" -> pick(List.of("ACTIVE", "DISCONTINUED", "active", "DELETED", ""));
                    case "lowStock" -> pick(List.of("true", "false", "TRUE", "1", "yes", ""));
                    case "location" -> pick(List.of("main", "fuzz-a", "MAIN", "nowhere", "", "a".repeat(33)));
                    case "q" -> pick(List.of("FUZZ", "fuzz1", "%", "_", "\\", "x".repeat(100), "x".repeat(101),
                            "x".repeat(2000), "é".repeat(100), "😀".repeat(60)));
                    default -> pick(INJECTIONS);
                };
            }
            return pick(INJECTIONS);
        }

        private String productSegment(boolean mayBeLive) {
            int roll = random.nextInt(10);
            if (mayBeLive && roll < 3) {
                return liveProduct();
            }
            return switch (roll) {
                case 3, 4 -> missing;
                case 5 -> f.deleted();
                case 6 -> f.deleted().toUpperCase(Locale.ROOT);
                default -> pathValue();
            };
        }

        private String liveProduct() {
            String id = random.nextBoolean() ? f.p1() : f.p2();
            return random.nextInt(4) == 0 ? id.toUpperCase(Locale.ROOT) : id;
        }

        private String skuSegment() {
            return switch (random.nextInt(6)) {
                case 0 -> f.p1Sku();
                case 1 -> f.p1Sku().toLowerCase(Locale.ROOT);
                case 2 -> f.deletedSku();
                default -> pathValue();
            };
        }

        private String reservationSegment(boolean mayBeActive) {
            return switch (random.nextInt(6)) {
                case 0 -> mayBeActive ? f.activeReservation() : f.committedReservation();
                case 1 -> f.committedReservation();
                case 2 -> f.releasedReservation();
                case 3 -> missingReservation;
                case 4 -> f.p1(); // a product id is no reservation id
                default -> pathValue();
            };
        }

        /** Commit or release of these changes nothing: they are over, or never existed. */
        private String endableReservation() {
            String id = reservationSegment(false);
            return id.equalsIgnoreCase(f.activeReservation()) ? f.committedReservation() : id;
        }

        /** A hostile path segment: percent-encoded, or raw where a path may carry it. */
        private String pathValue() {
            String v = pick(INJECTIONS);
            if (random.nextInt(4) == 0 && v.chars().allMatch(c -> c > 0x20 && c < 0x7F && c != '?' && c != '#'
                                                                   && c != '%')) {
                return v;
            }
            return enc(v);
        }

        private static String enc(String s) {
            return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
        }

        // -- bodies --

        private Object pickValue() {
            return switch (random.nextInt(12)) {
                case 0, 1, 2, 3 -> pick(INJECTIONS);
                case 4, 5 -> new Raw(pick(NUMBERS));
                case 6 -> new Raw(pick(BROKEN_NUMBERS));
                case 7 -> pick(List.of(Boolean.TRUE, Boolean.FALSE, JsonValue.NULL, new ArrayList<>(), obj(),
                        new ArrayList<>(List.of("x")), obj("a", "b")));
                case 8 -> new Raw(pick(List.of("[".repeat(1000) + "]".repeat(1000),
                        "{\"a\":".repeat(1000) + "1" + "}".repeat(1000), "[".repeat(33) + "]".repeat(33),
                        "[".repeat(31) + "]".repeat(31), "\"\\ud800\"", "\"\\u0000\"", "\"\\uZZZZ\"", "\"\\x41\"",
                        "\"tab\there\"", "\"" + "\\\\".repeat(1000) + "\"")));
                case 9 -> random.nextInt(4) == 0 ? "x".repeat(1_000_000) : "y".repeat(70_000);
                case 10 -> obj(pick(INJECTIONS), pick(INJECTIONS));
                default -> {
                    Map<String, Object> many = new LinkedHashMap<>();
                    for (int i = 0; i < 51; i++) {
                        many.put("k" + i, "v");
                    }
                    yield many;
                }
            };
        }

        /** Changes one field, nested ones included: a hostile value, removed, or an extra field. */
        @SuppressWarnings("unchecked")
        private void mutate(Map<String, Object> body) {
            Map<String, Object> target = body;
            Object lines = body.get("lines");
            if (lines instanceof List<?> list && !list.isEmpty() && list.getFirst() instanceof Map<?, ?> first
                && random.nextBoolean()) {
                target = (Map<String, Object>) first;
                if (random.nextInt(8) == 0 && json(target).length() < 1000) {
                    // many lines (a few hundred KB at most: copies of a line holding a 1 MB string would be GBs)
                    List<Object> more = new ArrayList<>();
                    int n = pick(List.of(2, 500, 501, 2000));
                    for (int i = 0; i < n; i++) {
                        more.add(new LinkedHashMap<>(target));
                    }
                    body.put("lines", more);
                    return;
                }
            } else if (body.get("attributes") instanceof Map<?, ?> attributes && random.nextInt(3) == 0) {
                target = (Map<String, Object>) attributes;
            }
            List<String> keys = new ArrayList<>(target.keySet());
            int roll = random.nextInt(10);
            if (keys.isEmpty() || roll == 0) {
                target.put(random.nextBoolean() ? pick(INJECTIONS) : "fuzz", pickValue());
            } else if (roll == 1) {
                target.remove(pick(keys));
            } else {
                target.put(pick(keys), pickValue());
            }
        }

        /**
         * Keeps a write refused whatever its other fields say: a create names a SKU or location code that exists
         * (or one that is invalid), lines name products that do not exist.
         */
        @SuppressWarnings("unchecked")
        private void guard(String target, Map<String, Object> body) {
            if (target.equals("/v1/products")) {
                Object sku = body.get("sku");
                if (sku instanceof String s && SKU.matcher(s).matches() && !f.liveSku(s)) {
                    body.put("sku", f.p1Sku());
                }
            }
            if (target.equals("/v1/locations")) {
                Object code = body.get("code");
                if (code instanceof String s && LOCATION_CODE.matcher(s).matches() && !s.equals("main")
                    && !s.equals("fuzz-a")) {
                    body.put("code", "main");
                }
            }
            if (body.get("lines") instanceof List<?> lines) {
                for (Object line : lines) {
                    if (line instanceof Map<?, ?> m) {
                        Map<String, Object> l = (Map<String, Object>) m;
                        if (l.get("productId") instanceof String id && f.live(id)) {
                            l.put("productId", missing);
                        }
                        if (l.get("sku") instanceof String sku && f.liveSku(sku)) {
                            l.put("sku", "NO-SUCH-SKU");
                        }
                    }
                }
            }
        }

        /** An unknown field (no body of the API has one of these): the body is refused with 400 before anything runs. */
        private void poisonInto(Map<String, Object> body) {
            body.put(pick(List.of("fuzz", "\u0000", "sku ", "Name", "\u00e9", "__proto__", "constructor",
                    "' OR 1=1--", "x".repeat(5000))), pickValue());
        }

        /** Breaks the text of a body below the JSON: truncated, invalid UTF-8, NUL bytes, garbage, or too large. */
        private byte[] breakText(byte[] bytes, int limit) {
            byte[] b = bytes;
            switch (random.nextInt(10)) {
                case 0 -> b = java.util.Arrays.copyOf(bytes, random.nextInt(Math.max(1, bytes.length)));
                case 1 -> b = splice(bytes, pick(List.of(new byte[] {(byte) 0xC3, 0x28}, new byte[] {(byte) 0xFF},
                        new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, new byte[] {(byte) 0xC0, (byte) 0x80},
                        new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, new byte[] {(byte) 0x80},
                        new byte[] {(byte) 0xE2, (byte) 0x82})), true);
                case 2 -> b = splice(bytes, new byte[] {0}, true);
                case 3 -> b = concat(bytes, pick(List.of(" garbage", "{}", "]", ",", "\u0000", "\n\n{\"a\":1}"))
                        .getBytes(StandardCharsets.UTF_8));
                case 4 -> b = concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, bytes);
                case 5 -> {
                    // padded with white space to just over the limit: 413
                    byte[] padded = new byte[limit + 1];
                    java.util.Arrays.fill(padded, (byte) ' ');
                    System.arraycopy(bytes, 0, padded, 0, Math.min(bytes.length, limit));
                    b = padded;
                }
                case 6 -> b = splice(bytes, randomBytes(1 + random.nextInt(20)), false);
                case 7 -> b = new String(bytes, StandardCharsets.UTF_8).replace('"', '\'').getBytes(StandardCharsets.UTF_8);
                case 8 -> b = pick(List.of("", " ", "null", "[]", "\"x\"", "{", "}", "{\"a\"}", "{\"a\":}",
                        "{\"a\":1,\"a\":2}", "/* c */ {}", "{\"a\":1}//", "\u0000{}", "{\"a\":1,}"))
                        .getBytes(StandardCharsets.UTF_8);
                default -> b = randomBytes(1 + random.nextInt(500));
            }
            return b;
        }

        /** Whether the bytes are one JSON value in strict UTF-8 (as the service reads them). */
        private static boolean isJson(byte[] bytes) {
            try {
                String text = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                        .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                        .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
                try (var reader = Json.createReader(new StringReader(text))) {
                    reader.readValue();
                }
                return true;
            } catch (java.nio.charset.CharacterCodingException | RuntimeException e) {
                return false;
            }
        }

        private byte[] splice(byte[] bytes, byte[] insert, boolean insideString) {
            int at = bytes.length == 0 ? 0 : random.nextInt(bytes.length);
            if (insideString) {
                for (int i = at; i < bytes.length; i++) {
                    if (bytes[i] == '"' && i + 1 < bytes.length) {
                        at = i + 1;
                        break;
                    }
                }
            }
            byte[] out = new byte[bytes.length + insert.length];
            System.arraycopy(bytes, 0, out, 0, at);
            System.arraycopy(insert, 0, out, at, insert.length);
            System.arraycopy(bytes, at, out, at + insert.length, bytes.length - at);
            return out;
        }

        private static byte[] concat(byte[] a, byte[] b) {
            byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
            System.arraycopy(b, 0, out, a.length, b.length);
            return out;
        }

        private byte[] randomBytes(int n) {
            byte[] b = new byte[n];
            random.nextBytes(b);
            return b;
        }

        private <T> T pick(List<T> list) {
            return list.get(random.nextInt(list.size()));
        }

        private static String[] h(String name, String value) {
            return new String[] {name, value};
        }

        private static Map<String, Object> obj(Object... pairs) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (int i = 0; i < pairs.length; i += 2) {
                m.put((String) pairs[i], pairs[i + 1]);
            }
            return m;
        }
    }

    /** Writes the generator's model as JSON text, strings escaped as JSON requires (NUL and lone surrogates too). */
    static String json(Object value) {
        StringBuilder sb = new StringBuilder();
        write(value, sb);
        return sb.toString();
    }

    private static void write(Object value, StringBuilder sb) {
        switch (value) {
            case null -> sb.append("null");
            case JsonValue v when v == JsonValue.NULL -> sb.append("null");
            case Raw r -> sb.append(r.json());
            case String s -> quote(s, sb);
            case Map<?, ?> m -> {
                sb.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    if (!first) {
                        sb.append(',');
                    }
                    first = false;
                    quote(String.valueOf(e.getKey()), sb);
                    sb.append(':');
                    write(e.getValue(), sb);
                }
                sb.append('}');
            }
            case List<?> l -> {
                sb.append('[');
                for (int i = 0; i < l.size(); i++) {
                    if (i > 0) {
                        sb.append(',');
                    }
                    write(l.get(i), sb);
                }
                sb.append(']');
            }
            default -> sb.append(value);
        }
    }

    private static void quote(String s, StringBuilder sb) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20 || Character.isSurrogate(c) && !(Character.isHighSurrogate(c) && i + 1 < s.length()
                                                                  && Character.isLowSurrogate(s.charAt(i + 1)))) {
                sb.append(String.format("\\u%04x", (int) c));
            } else if (Character.isHighSurrogate(c)) {
                sb.append(c).append(s.charAt(++i));
            } else {
                sb.append(c);
            }
        }
        sb.append('"');
    }

}
