package inventory.app;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;

import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;

import static inventory.app.ProblemAssertions.REQUEST_ID;
import static inventory.app.ProblemAssertions.assertProblem;
import static inventory.app.ProblemAssertions.assertValidation;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.oneOf;

/**
 * The contract's conventions that hold for every call: request ids, media types, body limits, JSON syntax, methods
 * and unknown paths, the problem format. Idempotency keys on {@code POST}: {@link IdempotencyKeyTest}.
 */
class ConventionsTest {

    private static final HttpClient RAW = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final TestServer server = TestServer.shared();

    // ---- X-Request-Id ----------------------------------------------------------------------------------------

    @Test
    void validRequestIdIsEchoed() {
        for (String id : List.of("a", "Req-1.2_3", "r".repeat(128), UUID.randomUUID().toString())) {
            TestServer.Response ok = server.get("/v1/products?limit=1", "X-Request-Id", id);
            assertThat(ok.status(), is(200));
            assertThat(ok.header("X-Request-Id").orElse(null), is(id));

            TestServer.Response error = server.get("/v1/products/" + UUID.randomUUID(), "X-Request-Id", id);
            assertThat(error.header("X-Request-Id").orElse(null), is(id));
            assertThat(error.json().getString("requestId"), is(id));
        }
        TestServer.Response created = server.post("/v1/products", newProduct(TestServer.sku("RID")), "X-Request-Id", "create-1");
        assertThat(created.status(), is(201));
        assertThat(created.header("X-Request-Id").orElse(null), is("create-1"));
    }

    @Test
    void invalidRequestIdIsReplacedByAGeneratedOne() {
        for (String id : List.of("r".repeat(129), "has space", "a/b", "semi;colon", "q\"uote")) {
            TestServer.Response r = server.get("/v1/products?limit=1", "X-Request-Id", id);
            assertThat(r.status(), is(200));
            String answered = r.header("X-Request-Id").orElseThrow();
            assertThat(answered, is(not(id)));
            assertThat(answered, REQUEST_ID.matcher(answered).matches(), is(true));

            TestServer.Response error = server.get("/v1/whatever", "X-Request-Id", id);
            assertThat(error.header("X-Request-Id").orElse(null), is(not(id)));
            assertProblem(error, 404, "not-found", "/v1/whatever");
        }
        String first = server.get("/v1/products?limit=1").header("X-Request-Id").orElseThrow();
        String second = server.get("/v1/products?limit=1").header("X-Request-Id").orElseThrow();
        assertThat(REQUEST_ID.matcher(first).matches(), is(true));
        assertThat(first, is(not(second)));
    }

    @Test
    void requestIdIsOnEveryErrorAndOnUnknownPaths() {
        assertProblem(server.get("/v1/whatever"), 404, "not-found", "/v1/whatever");
        assertProblem(server.get("/nothing/here"), 404, "not-found", "/nothing/here");
        assertProblem(server.delete("/v1/products"), 405, "method-not-allowed", "/v1/products");
        assertProblem(server.post("/v1/products", "{}", "Content-Type", "text/plain"), 415, "unsupported-media-type",
                "/v1/products");
        assertProblem(server.post("/v1/products", "{"), 400, "malformed-json", "/v1/products");

        TestServer.Response mine = server.get("/v1/whatever", "X-Request-Id", "trace-404");
        assertThat(mine.header("X-Request-Id").orElse(null), is("trace-404"));
        assertThat(assertProblem(mine, 404, "not-found", "/v1/whatever").getString("requestId"), is("trace-404"));
    }

    // ---- media type, size, syntax ----------------------------------------------------------------------------

    @Test
    void bodyThatIsNotApplicationJsonIs415() throws SQLException {
        long before = server.count("SELECT count(*) FROM products");
        String body = newProduct(TestServer.sku("MT"));
        for (String type : List.of("text/plain", "application/xml", "application/merge-patch+json",
                "application/json; charset=iso-8859-1", "application/x-www-form-urlencoded")) {
            assertProblem(server.post("/v1/products", body, "Content-Type", type), 415, "unsupported-media-type",
                    "/v1/products");
        }
        TestServer.Response none = raw(HttpRequest.newBuilder(server.uri("/v1/products")).header("Authorization", "Bearer " + TestServer.ADMIN_KEY)
                .POST(HttpRequest.BodyPublishers.ofString(body)));
        assertProblem(none, 415, "unsupported-media-type", "/v1/products");
        assertThat(server.count("SELECT count(*) FROM products"), is(before));

        TestServer.Response utf8 = server.post("/v1/products", body, "Content-Type", "application/json; charset=UTF-8");
        assertThat(utf8.body(), utf8.status(), is(201));
    }

    @Test
    void singleResourceBodyOver64KiBIs413() throws SQLException {
        long before = server.count("SELECT count(*) FROM products");
        String tooBig = padded(newProduct(TestServer.sku("BIG")), 64 * 1024 + 1);

        assertProblem(server.post("/v1/products", tooBig), 413, "payload-too-large", "/v1/products");
        TestServer.Response chunked = raw(HttpRequest.newBuilder(server.uri("/v1/products")).header("Authorization", "Bearer " + TestServer.ADMIN_KEY)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(
                        () -> new ByteArrayInputStream(tooBig.getBytes(StandardCharsets.UTF_8)))));
        assertProblem(chunked, 413, "payload-too-large", "/v1/products");
        assertThat(server.count("SELECT count(*) FROM products"), is(before));

        TestServer.Response atLimit = server.post("/v1/products", padded(newProduct(TestServer.sku("BIG")), 64 * 1024));
        assertThat(atLimit.body(), atLimit.status(), is(201));
    }

    @Test
    void batchBodyMayBeUpTo1MiB() {
        JsonObject p = server.product(TestServer.sku("BB"), 0);
        String id = p.getString("id");
        String batch = "{\"reason\":\"RECEIVED\",\"lines\":[{\"productId\":\"" + id + "\",\"delta\":5}]}";

        TestServer.Response hundredKiB = server.post("/v1/stock/batch", padded(batch, 100 * 1024));
        assertThat(hundredKiB.body(), hundredKiB.status(), is(201));
        assertThat(hundredKiB.json().getJsonArray("movements").size(), is(1));

        TestServer.Response oneMiB = server.post("/v1/stock/batch", padded(batch, 1024 * 1024));
        assertThat(oneMiB.body(), oneMiB.status(), is(201));

        assertProblem(server.post("/v1/stock/batch", padded(batch, 1024 * 1024 + 1)), 413, "payload-too-large",
                "/v1/stock/batch");
        assertThat(server.get("/v1/products/" + id + "/stock").json().getInt("onHand"), is(10));
    }

    @Test
    void bodyOverTheServersOwnLimitIsStillAProblemWithInstanceAndRequestId() throws IOException {
        // The server refuses on Content-Length alone and closes the connection; sending only the head keeps the
        // client from writing into a closed connection, so the answer is always read.
        TestServer.Response r = rawHead("POST /v1/stock/batch?dry=1 HTTP/1.1", "Content-Type: application/json",
                "Content-Length: " + 3 * 1024 * 1024, "X-Request-Id: huge-1");

        assertProblem(r, 413, "payload-too-large", "/v1/stock/batch");
        assertThat(r.header("X-Request-Id").orElse(null), is("huge-1"));
    }

    @Test
    void bodyThatIsNotJsonIsMalformedJson() throws SQLException {
        long before = server.count("SELECT count(*) FROM products");
        String valid = newProduct(TestServer.sku("MJ"));
        for (String body : List.of(valid.substring(0, valid.length() - 5), "{\"sku\":\"A\",\"sku\":\"B\"}", "",
                "{'sku': 'A'}", "{\"name\": \"a\",}", "nope")) {
            assertProblem(server.post("/v1/products", body), 400, "malformed-json", "/v1/products");
        }
        assertThat(server.count("SELECT count(*) FROM products"), is(before));
    }

    @Test
    void validJsonFollowedByMoreIsMalformedJson() throws SQLException {
        String sku = TestServer.sku("TRAIL");
        assertProblem(server.post("/v1/products", newProduct(sku) + " garbage"), 400, "malformed-json", "/v1/products");
        assertProblem(server.post("/v1/products", newProduct(sku) + "{}"), 400, "malformed-json", "/v1/products");
        assertThat(server.count("SELECT count(*) FROM products WHERE sku = ?", sku), is(0L));
    }

    @Test
    void bodyThatIsNotUtf8IsMalformedJson() throws SQLException {
        String sku = TestServer.sku("UTF");
        byte[] bytes = newProduct(sku).replace("\"name\":\"Conventions\"", "\"name\":\"Caf\u00e9\"")
                .getBytes(StandardCharsets.ISO_8859_1); // é as the single byte 0xE9: not UTF-8
        TestServer.Response r = raw(HttpRequest.newBuilder(server.uri("/v1/products")).header("Authorization", "Bearer " + TestServer.ADMIN_KEY)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)));

        assertProblem(r, 400, "malformed-json", "/v1/products");
        assertThat(server.count("SELECT count(*) FROM products WHERE sku = ?", sku), is(0L));
    }

    @Test
    void deeplyNestedJsonIsAClientErrorNotA500() throws SQLException {
        String sku = TestServer.sku("DEEP");
        String nestedAttributes = withField(newProduct(sku), "\"attributes\":" + "{\"a\":".repeat(100) + "\"v\""
                                                             + "}".repeat(100));
        for (String body : List.of(nestedAttributes, "[".repeat(10_000) + "]".repeat(10_000))) {
            TestServer.Response r = server.post("/v1/products", body);
            assertThat(r.body(), r.status(), is(400));
            assertThat(r.code(), is(oneOf("malformed-json", "validation-failed")));
            assertProblem(r, 400, r.code(), "/v1/products");
        }
        assertThat(server.count("SELECT count(*) FROM products WHERE sku = ?", sku), is(0L));
    }

    @Test
    void jsonThatIsNotAnObjectIsValidationFailed() {
        for (String body : List.of("[1,2]", "[]", "\"text\"", "42", "null")) {
            assertValidation(server.post("/v1/products", body), "/v1/products");
        }
    }

    // ---- methods and paths -----------------------------------------------------------------------------------

    @Test
    void knownPathWithAnotherMethodIs405WithAllow() {
        JsonObject p = server.product(TestServer.sku("M405"), 1);
        String path = "/v1/products/" + p.getString("id");

        TestServer.Response put = server.send("PUT", path, newProduct(TestServer.sku("M405")));
        assertProblem(put, 405, "method-not-allowed", path);
        assertThat(allow(put), is(Set.of("GET", "PATCH", "DELETE")));
        assertThat(server.get(path).json(), is(p));

        TestServer.Response deleteAll = server.delete("/v1/products");
        assertProblem(deleteAll, 405, "method-not-allowed", "/v1/products");
        assertThat(allow(deleteAll), is(Set.of("GET", "POST")));

        TestServer.Response postStock = server.post(path + "/stock", "{}");
        assertProblem(postStock, 405, "method-not-allowed", path + "/stock");
        assertThat(allow(postStock), is(Set.of("GET")));

        TestServer.Response getBatch = server.get("/v1/stock/batch");
        assertProblem(getBatch, 405, "method-not-allowed", "/v1/stock/batch");
        assertThat(allow(getBatch), is(Set.of("POST")));
    }

    @Test
    void unknownPathsAre404NotFoundProblems() {
        String id = server.product(TestServer.sku("P404"), 0).getString("id");
        for (String path : List.of("/v1/whatever", "/v1", "/v1/whatever/deeper", "/v1/products/" + id + "/nothing",
                "/v2/products")) {
            assertProblem(server.get(path), 404, "not-found", path);
        }
        assertProblem(server.post("/v1/whatever", "{}"), 404, "not-found", "/v1/whatever");
    }

    // ---- problems never show internals, bad input changes nothing --------------------------------------------

    @Test
    void oddRequestsGiveClientErrorsWithoutInternals() {
        String id = server.product(TestServer.sku("ODD"), 2).getString("id");
        for (BadRequest bad : badRequests(id)) {
            TestServer.Response r = server.send(bad.method(), bad.path(), bad.body(), bad.headers());
            assertThat(bad + " " + r.body(), r.status(), is(greaterThanOrEqualTo(400)));
            assertThat(bad + " " + r.body(), r.status(), is(lessThan(500)));
            assertProblem(r, r.status(), r.code(), bad.path().replaceFirst("\\?.*", ""));
        }
    }

    @Test
    void badRequestsChangeNothing() throws SQLException {
        String id = server.product(TestServer.sku("NOCH"), 2).getString("id");
        JsonObject before = server.get("/v1/products/" + id).json();
        long products = server.count("SELECT count(*) FROM products");
        long movements = server.count("SELECT count(*) FROM stock_movements");
        long keys = server.count("SELECT count(*) FROM idempotency_keys");
        long locations = server.count("SELECT count(*) FROM locations");

        for (BadRequest bad : badRequests(id)) {
            server.send(bad.method(), bad.path(), bad.body(), bad.headers());
        }

        assertThat(server.count("SELECT count(*) FROM products"), is(products));
        assertThat(server.count("SELECT count(*) FROM stock_movements"), is(movements));
        assertThat(server.count("SELECT count(*) FROM idempotency_keys"), is(keys));
        assertThat(server.count("SELECT count(*) FROM locations"), is(locations));
        assertThat(server.get("/v1/products/" + id).json(), is(before));
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    record BadRequest(String method, String path, String body, String... headers) {
        @Override
        public String toString() {
            return method + " " + path + " " + (body == null ? "" : body.substring(0, Math.min(80, body.length())));
        }
    }

    private static List<BadRequest> badRequests(String id) {
        String product = "/v1/products/" + id;
        String adjust = product + "/stock/adjustments";
        return List.of(
                new BadRequest("POST", "/v1/products", "{\"sku\":"),
                new BadRequest("POST", "/v1/products", "[1]"),
                new BadRequest("POST", "/v1/products", "{\"sku\":\"A\",\"sku\":\"B\"}"),
                new BadRequest("POST", "/v1/products", newProduct(TestServer.sku("BAD")), "Content-Type", "text/plain"),
                new BadRequest("POST", "/v1/products", newProduct("-" + TestServer.sku("BAD"))),
                new BadRequest("POST", "/v1/products", badProduct("\"lowStockThreshold\":1e400")),
                new BadRequest("POST", "/v1/products", badProduct("\"lowStockThreshold\":2147483648")),
                new BadRequest("POST", "/v1/products", badProduct("\"initialQuantity\":1000000000001")),
                new BadRequest("POST", "/v1/products", newProduct(TestServer.sku("BAD")).replace("Conventions", "N\\u0000l")),
                new BadRequest("POST", "/v1/products", withField(newProduct(TestServer.sku("BAD")),
                        "\"attributes\":{\"k\\u0000\":\"v\",\"v\":\"\\u0000\"}")),
                new BadRequest("POST", "/v1/products", withField(newProduct(TestServer.sku("BAD")),
                        "\"attributes\":" + "{\"a\":".repeat(100) + "1" + "}".repeat(100))),
                new BadRequest("POST", "/v1/products", newProduct(TestServer.sku("BAD")), "Idempotency-Key", "k".repeat(256)),
                new BadRequest("POST", "/v1/products", newProduct("S" + "k".repeat(10_000))),
                new BadRequest("GET", "/v1/products/by-sku/" + "k".repeat(1000), null),
                new BadRequest("GET", "/v1/products?limit=99999999999999999999", null),
                new BadRequest("GET", "/v1/products?q=%00", null),
                new BadRequest("GET", "/v1/products?cursor=%00", null),
                new BadRequest("GET", "/v1/products?location=%27%3B%20DROP%20TABLE%20products", null),
                new BadRequest("GET", product + "/stock/movements?limit=0", null),
                new BadRequest("PATCH", product, "{\"price\":\"NaN\"}"),
                new BadRequest("PATCH", product, "{\"attributes\":null}"),
                new BadRequest("PATCH", product, "{\"name\":\"x\"}", "If-Match", "\"nonsense\""),
                new BadRequest("PUT", product, newProduct(TestServer.sku("BAD"))),
                new BadRequest("DELETE", product, null, "If-Match", "\"999\""),
                new BadRequest("POST", adjust, "{\"delta\":\"abc\",\"reason\":\"RECEIVED\"}"),
                new BadRequest("POST", adjust, "{\"delta\":9223372036854775808,\"reason\":\"RECEIVED\"}"),
                new BadRequest("POST", adjust, "{\"delta\":0,\"reason\":\"RECEIVED\"}"),
                new BadRequest("POST", adjust, "{\"delta\":1,\"reason\":\"COUNT\"}"),
                new BadRequest("POST", adjust, "{\"delta\":-3,\"reason\":\"SOLD\"}"),
                new BadRequest("POST", adjust, "{\"delta\":1,\"reason\":\"RECEIVED\",\"reference\":\"" + "r".repeat(201) + "\"}"),
                new BadRequest("POST", adjust, "{\"delta\":1,\"reason\":\"RECEIVED\",\"note\":\"" + "n".repeat(2001) + "\"}"),
                new BadRequest("POST", adjust, "{\"delta\":1,\"reason\":\"RECEIVED\",\"location\":\"no-such-place\"}"),
                new BadRequest("POST", "/v1/locations", "{\"code\":\"x'; DROP TABLE locations; --\",\"name\":\"x\"}"),
                new BadRequest("DELETE", "/v1/locations/main", null),
                new BadRequest("POST", "/v1/stock/batch", "{\"reason\":\"RECEIVED\",\"lines\":[{\"productId\":\"" + id
                                                          + "\",\"delta\":1},{\"sku\":\"NO-SUCH-SKU-X1\",\"delta\":1}]}"));
    }

    private static String badProduct(String field) {
        return withField(newProduct(TestServer.sku("BAD")), field);
    }

    static String withField(String json, String field) {
        return json.substring(0, json.length() - 1) + "," + field + "}";
    }

    static String newProduct(String sku) {
        return "{\"sku\":\"" + sku + "\",\"name\":\"Conventions\",\"price\":\"2.50\",\"currency\":\"EUR\"}";
    }

    /** The JSON object padded with spaces before its closing brace to exactly {@code size} bytes. */
    private static String padded(String json, int size) {
        String padded = json.substring(0, json.length() - 1) + " ".repeat(size - json.length()) + "}";
        assertThat(padded.getBytes(StandardCharsets.UTF_8).length, is(size));
        return padded;
    }

    private static Set<String> allow(TestServer.Response r) {
        return Arrays.stream(r.header("Allow").orElse("").split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .collect(Collectors.toSet());
    }

    private TestServer.Response raw(HttpRequest.Builder request) {
        try {
            HttpResponse<String> r = RAW.send(request.timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return new TestServer.Response(r.statusCode(), r.headers(), r.body());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Sends a request head (no body) on a socket of its own and reads the answer until the server closes. */
    private TestServer.Response rawHead(String requestLine, String... headers) throws IOException {
        try (Socket socket = new Socket("localhost", server.port())) {
            socket.setSoTimeout(10_000);
            StringBuilder head = new StringBuilder(requestLine).append("\r\nHost: localhost\r\n");
            for (String h : headers) {
                head.append(h).append("\r\n");
            }
            socket.getOutputStream().write(head.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int end = answer.indexOf("\r\n\r\n");
            assertThat(answer, end, is(greaterThanOrEqualTo(0)));
            String[] lines = answer.substring(0, end).split("\r\n");
            Map<String, List<String>> map = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                map.computeIfAbsent(lines[i].substring(0, colon).trim(), k -> new ArrayList<>())
                        .add(lines[i].substring(colon + 1).trim());
            }
            return new TestServer.Response(Integer.parseInt(lines[0].split(" ")[1]), HttpHeaders.of(map, (k, v) -> true),
                    answer.substring(end + 4));
        }
    }

}
