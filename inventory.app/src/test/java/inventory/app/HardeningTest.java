package inventory.app;

import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;

import static inventory.app.ProblemAssertions.assertProblem;
import static inventory.app.ProblemAssertions.assertValidation;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.oneOf;

/**
 * Hostile input at the edges of the HTTP layer: the request size limits (request line, headers, body) are answered as
 * problems before any work; input the server itself cannot parse (a {@code Content-Type}, a method token, a body
 * cut short or with broken chunks) is a {@code 4xx}, never a {@code 500}; numbers out of range are refused even when
 * their exponent overflows; and every answer, those given before routing included, carries the security headers.
 */
class HardeningTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final TestServer server = TestServer.shared();

    // ---- security headers ----------------------------------------------------------------------------------------

    @Test
    void everyAnswerCarriesNosniffAndNoServerVersion() {
        String id = server.product(TestServer.sku("HDR"), 1).getString("id");
        for (String path : List.of("/v1/products?limit=1", "/v1/products/" + id, "/v1/products/" + id + "/stock",
                "/v1/events?limit=1", "/v1/locations", "/v1/nothing", "/v1/products/not-an-id", "/nothing",
                "/health/live", "/health/ready", "/metrics", "/openapi")) {
            TestServer.Response r = server.get(path);
            assertThat(path + " " + r.headers().map(), r.header("X-Content-Type-Options").orElse(null), is("nosniff"));
            assertThat(path + " " + r.headers().map(), r.header("Server").isPresent(), is(false));
        }
        TestServer.Response methodNotAllowed = server.delete("/v1/products");
        assertThat(methodNotAllowed.status(), is(405));
        assertThat(methodNotAllowed.header("X-Content-Type-Options").orElse(null), is("nosniff"));
    }

    @Test
    void everyAnswerUnderV1AndEveryErrorIsNoStore() {
        String id = server.product(TestServer.sku("NOST"), 1).getString("id");
        for (String path : List.of("/v1/products?limit=1", "/v1/products/" + id, "/v1/products/" + id + "/stock",
                "/v1/products/" + id + "/stock/movements", "/v1/events?limit=1", "/v1/locations", "/v1/nothing",
                "/nothing")) {
            TestServer.Response r = server.get(path);
            assertThat(path, r.header("Cache-Control").orElse(""), containsString("no-store"));
        }
        TestServer.Response created = server.post("/v1/products", "{\"sku\":\"" + TestServer.sku("NOST")
                                                                 + "\",\"name\":\"n\",\"price\":\"1\",\"currency\":\"EUR\"}");
        assertThat(created.status(), is(201));
        assertThat(created.header("Cache-Control").orElse(""), containsString("no-store"));
        // the operations endpoints say so themselves
        for (String path : List.of("/health/ready", "/metrics")) {
            assertThat(path, String.join(",", server.get(path).headers().allValues("Cache-Control")),
                    containsString("no-store"));
        }
    }

    @Test
    void answersGivenBeforeRoutingCarryTheSecurityHeadersToo() {
        for (String request : List.of("GARBAGE\r\n\r\n", "GET /v1/products HTTP/9.9\r\nHost: x\r\n\r\n",
                "GET /v1/" + "a".repeat(9000) + " HTTP/1.1\r\nHost: x\r\n\r\n",
                "GET /v1/products HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(17 * 1024) + "\r\n\r\n")) {
            RawHttp.Answer a = raw(request);
            assertThat(a.status() >= 400 && a.status() < 500, is(true));
            assertThat(a.header("X-Content-Type-Options").orElse(null), is("nosniff"));
            assertThat(a.header("Cache-Control").orElse(""), containsString("no-store"));
            assertThat(a.header("Server").isPresent(), is(false));
            assertRawProblem(a, a.status());
        }
    }

    // ---- size limits ---------------------------------------------------------------------------------------------

    @Test
    void aRequestLineOver8KiBIs414UriTooLong() {
        String under = "/v1/products/by-sku/" + "a".repeat(8 * 1024 - 100);
        RawHttp.Answer ok = raw("GET " + under + " HTTP/1.1\r\nHost: x\r\n" + auth() + "\r\n");
        assertThat(ok.text(), ok.status(), is(404)); // read and answered: no such SKU

        RawHttp.Answer tooLong = raw("GET /v1/products/by-sku/" + "a".repeat(8 * 1024) + " HTTP/1.1\r\nHost: x\r\n"
                                     + "X-Request-Id: long-line\r\n" + auth() + "\r\n");
        JsonObject p = assertRawProblem(tooLong, 414);
        assertThat(p.getString("code"), is("uri-too-long"));
        assertThat(p.getString("detail"), containsString("8 KiB"));

        // a query that long is the same: a q of 100 KB never reaches the handler
        RawHttp.Answer longQuery = raw("GET /v1/products?q=" + "x".repeat(100_000) + " HTTP/1.1\r\nHost: x\r\n"
                                       + auth() + "\r\n");
        assertThat(assertRawProblem(longQuery, 414).getString("code"), is("uri-too-long"));
    }

    @Test
    void headersOver16KiBAre431HeadersTooLarge() {
        RawHttp.Answer under = raw("GET /v1/products?limit=1 HTTP/1.1\r\nHost: x\r\n" + auth() + "X-Pad: "
                                   + "p".repeat(12 * 1024) + "\r\n\r\n");
        assertThat(under.text(), under.status(), is(200));

        RawHttp.Answer oneBig = raw("GET /v1/products?limit=1 HTTP/1.1\r\nHost: x\r\n" + auth() + "X-Pad: "
                                    + "p".repeat(17 * 1024) + "\r\n\r\n");
        JsonObject p = assertRawProblem(oneBig, 431);
        assertThat(p.getString("code"), is("headers-too-large"));
        assertThat(p.getString("detail"), containsString("16 KiB"));

        StringBuilder many = new StringBuilder("GET /v1/products?limit=1 HTTP/1.1\r\nHost: x\r\n" + auth());
        for (int i = 0; i < 200; i++) {
            many.append("X-Many-").append(i).append(": ").append("m".repeat(100)).append("\r\n");
        }
        assertThat(assertRawProblem(raw(many + "\r\n"), 431).getString("code"), is("headers-too-large"));
    }

    @Test
    void aChunkedBodyOverTheLimitIs413() throws SQLException {
        long before = server.count("SELECT count(*) FROM products");
        String big = "{\"sku\":\"" + TestServer.sku("CH") + "\",\"name\":\"" + "n".repeat(70_000) + "\"}";
        RawHttp.Answer endpointLimit = raw("POST /v1/products HTTP/1.1\r\nHost: x\r\n" + auth()
                                           + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                                           + chunked(big, 7));
        assertThat(assertRawProblem(endpointLimit, 413).getString("code"), is("payload-too-large"));

        String huge = "{\"reason\":\"RECEIVED\",\"lines\":[],\"reference\":\"" + "r".repeat(2 * 1024 * 1024 + 10) + "\"}";
        RawHttp.Answer serverLimit = raw("POST /v1/stock/batch HTTP/1.1\r\nHost: x\r\n" + auth()
                                         + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                                         + chunked(huge, 40));
        // the server stops reading at its limit and closes: the answer may be lost with the connection, but if it
        // comes it is the problem
        if (serverLimit.answered()) {
            assertThat(assertRawProblem(serverLimit, 413).getString("code"), is("payload-too-large"));
        }
        assertThat(server.count("SELECT count(*) FROM products"), is(before));
    }

    // ---- what the server cannot parse is the client's error ------------------------------------------------------

    @Test
    void aContentTypeTheServerCannotParseIs415() throws SQLException {
        long before = server.count("SELECT count(*) FROM products");
        String body = "{\"sku\":\"" + TestServer.sku("CT") + "\",\"name\":\"n\",\"price\":\"1\",\"currency\":\"EUR\"}";
        for (String type : List.of("json", "", "/json", "application/", "application/json; charset",
                "application/json; q=\"", "x".repeat(3000), ";")) {
            RawHttp.Answer a = raw("POST /v1/products HTTP/1.1\r\nHost: x\r\n" + auth() + "Content-Type: " + type
                                   + "\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
            assertThat(type + ": " + a.text(), assertRawProblem(a, 415).getString("code"), is("unsupported-media-type"));
        }
        String id = server.product(TestServer.sku("CT"), 0).getString("id");
        TestServer.Response patch = server.patch("/v1/products/" + id, "{\"name\":\"x\"}", "Content-Type",
                "application/merge-patch+json; charset");
        assertProblem(patch, 415, "unsupported-media-type", "/v1/products/" + id);
        assertThat(server.count("SELECT count(*) FROM products"), is(before + 1));
    }

    @Test
    void aBodyShorterThanItsContentLengthIs400() {
        String id = server.product(TestServer.sku("CL"), 0).getString("id");
        String body = "{\"delta\":1,\"reason\":\"RECEIVED\"}";
        RawHttp.Answer a = raw("POST /v1/products/" + id + "/stock/adjustments HTTP/1.1\r\nHost: x\r\n" + auth()
                               + "Content-Type: application/json\r\nContent-Length: " + (body.length() + 50)
                               + "\r\n\r\n" + body);
        assertThat(assertRawProblem(a, 400).getString("code"), is("malformed-json"));
        assertThat(server.get("/v1/products/" + id + "/stock").json().getInt("onHand"), is(0));
    }

    @Test
    void brokenChunksAre400() {
        String id = server.product(TestServer.sku("CHB"), 0).getString("id");
        String body = "{\"delta\":1,\"reason\":\"RECEIVED\"}";
        String path = "/v1/products/" + id + "/stock/adjustments";
        for (String chunks : List.of("zz\r\n" + body + "\r\n0\r\n\r\n", " 5\r\n" + body + "\r\n0\r\n\r\n",
                "-5\r\n" + body + "\r\n0\r\n\r\n", "FFFFFFFFFFFFFFFFFFFF\r\n" + body + "\r\n0\r\n\r\n",
                Integer.toHexString(body.length()) + "\r\n" + body)) {
            RawHttp.Answer a = raw("POST " + path + " HTTP/1.1\r\nHost: x\r\n" + auth()
                                   + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks);
            assertThat(chunks + ": " + a.text(), a.status(), is(400));
            assertRawProblem(a, 400);
        }
        assertThat(server.get("/v1/products/" + id + "/stock").json().getInt("onHand"), is(0));
    }

    @Test
    void aMethodWithAControlCharacterIs400NotA500() {
        for (String method : List.of("GET\u0000", "G\u0001T", "PO\u007fST")) {
            RawHttp.Answer a = raw(method + " /v1/products HTTP/1.1\r\nHost: x\r\n" + auth() + "\r\n");
            assertThat(method + ": " + a.text(), a.status(), is(400));
            assertRawProblem(a, 400);
        }
    }

    // ---- numbers and query parameters ----------------------------------------------------------------------------

    @Test
    void aNumberWhoseExponentOverflowsIsOutOfRangeNotZero() throws SQLException {
        String sku = TestServer.sku("EXP");
        for (String n : List.of("1e2147483647", "-1e2147483647", "9e2147483647", "1E+2147483647")) {
            String body = "{\"sku\":\"" + sku + "\",\"name\":\"n\",\"price\":\"1\",\"currency\":\"EUR\","
                          + "\"lowStockThreshold\":" + n + ",\"initialQuantity\":" + n + "}";
            assertThat(n, assertValidation(server.post("/v1/products", body), "/v1/products"),
                    contains("lowStockThreshold", "initialQuantity"));
        }
        assertThat(server.count("SELECT count(*) FROM products WHERE sku = ?", sku), is(0L));

        String id = server.product(TestServer.sku("EXP"), 3).getString("id");
        String adjust = "/v1/products/" + id + "/stock/adjustments";
        assertThat(assertValidation(server.post(adjust, "{\"delta\":1e2147483647,\"reason\":\"RECEIVED\"}"), adjust),
                contains("delta"));
        String counts = "/v1/products/" + id + "/stock/counts";
        assertThat(assertValidation(server.post(counts, "{\"onHand\":1e2147483647}"), counts), contains("onHand"));
        assertThat(server.get("/v1/products/" + id + "/stock").json().getInt("onHand"), is(3));
    }

    @Test
    void aNumberOfMoreThan1100CharactersIsRefusedWhileParsing() {
        String sku = TestServer.sku("LONG");
        String atLimit = "{\"sku\":\"" + sku + "\",\"name\":\"n\",\"price\":\"1\",\"currency\":\"EUR\","
                         + "\"initialQuantity\":" + "9".repeat(1100) + "}";
        assertThat(assertValidation(server.post("/v1/products", atLimit), "/v1/products"), contains("initialQuantity"));

        String over = atLimit.replace("9".repeat(1100), "9".repeat(1101));
        assertProblem(server.post("/v1/products", over), 400, "malformed-json", "/v1/products");
        // a number as long as a batch may be: refused before any arithmetic on its million digits
        String batch = "{\"reason\":\"RECEIVED\",\"lines\":[{\"sku\":\"" + sku + "\",\"delta\":1"
                       + "0".repeat(1_000_000) + "}]}";
        assertProblem(server.post("/v1/stock/batch", batch), 400, "malformed-json", "/v1/stock/batch");
    }

    @Test
    void oddQueryParametersAre400NeverA500() {
        String id = server.product(TestServer.sku("QP"), 1).getString("id");
        for (String query : List.of("limit=99999999999999999999", "limit=1.5", "limit=-1", "limit=%00", "q=%00",
                "q=" + "x".repeat(101), "q=", "cursor=%00", "cursor=!!!", "cursor=" + "A".repeat(3000),
                "status=active", "lowStock=yes", "location=%27%3B%20DROP%20TABLE%20products")) {
            assertValidation(server.get("/v1/products?" + query), "/v1/products");
        }
        for (String query : List.of("limit=0", "cursor=bTo5OTk5OTk5OTk5OTk5OTk5OTk5OQ", "cursor=%C0%80")) {
            assertValidation(server.get("/v1/products/" + id + "/stock/movements?" + query),
                    "/v1/products/" + id + "/stock/movements");
        }
        for (String query : List.of("after=-1", "after=99999999999999999999", "limit=1001", "after=%00")) {
            assertValidation(server.get("/v1/events?" + query), "/v1/events");
        }
        // percent-encoding that is not: refused while the request line is read
        for (String query : List.of("q=%zz", "q=%", "q=%0")) {
            RawHttp.Answer a = raw("GET /v1/products?" + query + " HTTP/1.1\r\nHost: x\r\n" + auth() + "\r\n");
            assertThat(query, assertRawProblem(a, 400).getString("code"), is("validation-failed"));
        }
        // repeated parameters: the first counts
        TestServer.Response repeated = server.get("/v1/products?limit=1&limit=500");
        assertThat(repeated.body(), repeated.status(), is(200));
        assertThat(repeated.json().getJsonArray("items").size(), is(1));
    }

    @Test
    void oddConditionalHeadersAreNeverA500() {
        String id = server.product(TestServer.sku("IFM"), 1).getString("id");
        String path = "/v1/products/" + id;
        for (String tag : List.of("garbage", "\"", "\"\"", ",,,", "W/", "\"99999999999999999999\"", "x".repeat(4000))) {
            TestServer.Response get = server.get(path, "If-None-Match", tag);
            assertThat(tag, get.status(), is(200));
            assertProblem(server.patch(path, "{\"name\":\"x\"}", "If-Match", tag), 412, "version-mismatch", path);
        }
        assertThat(server.get(path).json().getString("name"), is(not("x")));
    }

    // ---- helpers -------------------------------------------------------------------------------------------------

    private static String auth() {
        return "Authorization: Bearer " + TestServer.ADMIN_KEY + "\r\n";
    }

    private RawHttp.Answer raw(String request) {
        RawHttp.Answer a = RawHttp.exchange(server.port(), request.getBytes(StandardCharsets.ISO_8859_1),
                request.startsWith("HEAD "), TIMEOUT);
        assertThat("no answer: " + a.error(), a.timedOut(), is(false));
        return a;
    }

    private static String chunked(String body, int pieces) {
        StringBuilder sb = new StringBuilder();
        int size = Math.max(1, body.length() / pieces);
        for (int i = 0; i < body.length(); i += size) {
            String piece = body.substring(i, Math.min(body.length(), i + size));
            sb.append(Integer.toHexString(piece.length())).append("\r\n").append(piece).append("\r\n");
        }
        return sb.append("0\r\n\r\n").toString();
    }

    /** A raw answer that is a problem of this status, with the request id and no internals. */
    private static JsonObject assertRawProblem(RawHttp.Answer a, int status) {
        assertThat(a.error() + " " + a.text(), a.status(), is(status));
        assertThat(a.header("Content-Type").orElse(""), is(oneOf("application/problem+json")));
        ProblemAssertions.assertNoInternals(a.text());
        JsonObject p;
        try (var reader = Json.createReader(new StringReader(a.text()))) {
            p = reader.readObject();
        }
        assertThat(p.getInt("status"), is(status));
        assertThat(p.getString("type"), is("urn:inventory:problem:" + p.getString("code")));
        assertThat(p.getString("requestId"), is(a.header("X-Request-Id").orElse(null)));
        assertThat(a.header("X-Content-Type-Options").orElse(null), is("nosniff"));
        return p;
    }
}
