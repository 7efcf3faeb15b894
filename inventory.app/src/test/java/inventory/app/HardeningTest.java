package inventory.app;

import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
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
