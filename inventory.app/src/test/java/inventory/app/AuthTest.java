package inventory.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.json.JsonObject;

import org.junit.jupiter.api.Test;

import inventory.core.Scope;
import inventory.web.RouteScopes;

import static inventory.app.ProblemAssertions.assertProblem;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

/**
 * API keys, scopes, revocation, per-key idempotency, rate limits and CORS, against the real server.
 */
class AuthTest {

    private static final Pattern KEY = Pattern.compile("^inv_[0-9a-f]{32}_[A-Za-z0-9_-]{43}$");

    private final TestServer server = TestServer.shared();

    static String bearer(String key) {
        return "Bearer " + key;
    }

    static JsonObject createKey(TestServer s, String name, String... scopes) {
        String list = String.join(",", java.util.Arrays.stream(scopes).map(x -> "\"" + x + "\"").toList());
        TestServer.Response r = s.post("/v1/api-keys", "{\"name\":\"" + name + "\",\"scopes\":[" + list + "]}");
        assertThat(r.body(), r.status(), is(201));
        return r.json();
    }

    @Test
    void everyV1CallNeedsAKeyAndOperationsDoNot() {
        for (String path : List.of("/v1/products", "/v1/locations", "/v1/events", "/v1/api-keys", "/v1/nowhere", "/v1")) {
            TestServer.Response r = server.get(path, "Authorization", TestServer.NO_AUTH);
            assertProblem(r, 401, "unauthorized", path);
            assertThat(r.header("WWW-Authenticate").orElse(""), startsWith("Bearer"));
        }
        for (String value : List.of("", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer nope",
                "Bearer inv_00000000000000000000000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                "Bearer " + TestServer.ADMIN_KEY + "x", "Bearer " + "k".repeat(5000))) {
            TestServer.Response r = server.get("/v1/products", "Authorization", value);
            assertProblem(r, 401, "unauthorized", "/v1/products");
        }
        for (String path : List.of("/health/live", "/health/ready", "/metrics", "/openapi")) {
            assertThat(path, server.get(path, "Authorization", TestServer.NO_AUTH).status(), is(200));
        }
        assertThat(server.get("/v1/products", "Authorization", "bearer " + TestServer.ADMIN_KEY).status(), is(200));
    }

    @Test
    void aNewKeyShowsItsSecretOnceAndIsStoredOnlyAsAHash() throws Exception {
        TestServer.Response r = server.post("/v1/api-keys", "{\"name\":\"storefront\",\"scopes\":[\"inventory:read\"]}",
                "Idempotency-Key", "key-" + System.nanoTime());
        assertThat(r.body(), r.status(), is(201));
        JsonObject created = r.json();
        String secret = created.getString("key");
        assertThat(secret, matchesPattern(KEY));
        assertThat(created.keySet(), is(Set.of("id", "name", "scopes", "key", "createdAt", "revokedAt")));
        assertThat(created.getJsonArray("scopes").getString(0), is("inventory:read"));
        assertThat(server.get("/v1/products", "Authorization", bearer(secret)).status(), is(200));

        JsonObject listed = server.get("/v1/api-keys").json().getJsonArray("items").stream()
                .map(v -> v.asJsonObject()).filter(k -> k.getString("id").equals(created.getString("id")))
                .findFirst().orElseThrow();
        assertThat(listed.containsKey("key"), is(false));
        assertThat(server.get("/v1/api-keys").body(), not(containsString(secret.substring(37))));
        String secretPart = secret.substring(secret.lastIndexOf('_') + 1);
        assertThat("no table holds the secret", server.count("""
                SELECT count(*) FROM api_keys WHERE encode(secret_hash, 'base64') LIKE '%' || ? || '%'
                   OR name LIKE '%' || ? || '%'""", secretPart, secretPart), is(0L));
        assertThat("the stored answer for replays holds no secret", server.count(
                "SELECT count(*) FROM idempotency_keys WHERE position(convert_to(?, 'UTF8') in body) > 0", secretPart), is(0L));
    }

    @Test
    void replayOfAKeyCreationCarriesNoSecret() {
        String idem = "key-replay-" + System.nanoTime();
        String body = "{\"name\":\"replayed\",\"scopes\":[\"inventory:write\"]}";
        TestServer.Response first = server.post("/v1/api-keys", body, "Idempotency-Key", idem);
        TestServer.Response again = server.post("/v1/api-keys", body, "Idempotency-Key", idem);
        assertThat(first.status(), is(201));
        assertThat(again.status(), is(201));
        assertThat(again.header("Idempotent-Replayed").orElse(""), is("true"));
        assertThat(again.json().getString("id"), is(first.json().getString("id")));
        assertThat(again.json().isNull("key"), is(true));
        assertThat(first.json().getString("key"), matchesPattern(KEY));
    }

    @Test
    void madeUpKeysCostNoDatabaseQueryEach() throws Exception {
        long scans = server.count("SELECT coalesce(seq_scan, 0) + coalesce(idx_scan, 0) FROM pg_stat_user_tables"
                                  + " WHERE relname = 'api_keys'");
        for (int i = 0; i < 300; i++) {
            String id = String.format("%032x", new java.math.BigInteger(128, new java.util.Random(i)));
            assertThat(server.get("/v1/products", "Authorization",
                    "Bearer inv_" + id + "_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").status(), is(401));
        }
        Thread.sleep(1500); // statistics reach the pg_stat views with a delay of up to a second
        long after = server.count("SELECT coalesce(seq_scan, 0) + coalesce(idx_scan, 0) FROM pg_stat_user_tables"
                                  + " WHERE relname = 'api_keys'");
        assertThat("300 made-up keys in well under a second: at most a few dozen lookups", after - scans,
                is(lessThanOrEqualTo(100L)));
    }

    @Test
    void badKeyRequestsAre400() {
        for (String body : List.of("{}", "{\"name\":\"x\"}", "{\"name\":\"x\",\"scopes\":[]}",
                "{\"name\":\"x\",\"scopes\":[\"root\"]}", "{\"name\":\"x\",\"scopes\":[\"admin\",\"admin\"]}",
                "{\"name\":\"\",\"scopes\":[\"admin\"]}", "{\"name\":\"" + "n".repeat(101) + "\",\"scopes\":[\"admin\"]}",
                "{\"name\":\"x\",\"scopes\":\"admin\"}", "{\"name\":\"x\",\"scopes\":[\"admin\"],\"key\":\"mine\"}")) {
            assertProblem(server.post("/v1/api-keys", body), 400, "validation-failed", "/v1/api-keys");
        }
        assertProblem(server.delete("/v1/api-keys/not-a-uuid"), 404, "not-found", "/v1/api-keys/not-a-uuid");
        assertProblem(server.delete("/v1/api-keys/01a20a7c-4ad6-709e-8b5c-0b3deb2b8621"), 404, "not-found",
                "/v1/api-keys/01a20a7c-4ad6-709e-8b5c-0b3deb2b8621");
    }

    /** Every route, called with a key of each scope: 403 exactly where the declared scope is missing. */
    @Test
    void scopesAreEnforcedOnEveryDeclaredRoute() {
        Map<Scope, String> keys = new LinkedHashMap<>();
        keys.put(Scope.READ, createKey(server, "reader", "inventory:read").getString("key"));
        keys.put(Scope.WRITE, createKey(server, "writer", "inventory:write").getString("key"));
        keys.put(Scope.ADMIN, createKey(server, "admin", "admin").getString("key"));
        String id = "01a20a7c-4ad6-709e-8b5c-0b3deb2b8621"; // no such resource: calls that pass the check do nothing
        List<String> wrong = new ArrayList<>();
        for (RouteScopes.Rule rule : RouteScopes.RULES) {
            String path = rule.template().replace("{id}", id).replace("{sku}", "NO-SUCH-SKU").replace("{code}", "no-such");
            for (Map.Entry<Scope, String> key : keys.entrySet()) {
                String body = rule.method().equals("GET") || rule.method().equals("DELETE") ? null : "{\"unknown\":1}";
                TestServer.Response r = path.endsWith("/stream")
                        ? server.get(path + "?after=abc", "Authorization", bearer(key.getValue()))
                        : server.send(rule.method(), path, body, "Authorization", bearer(key.getValue()));
                boolean allowed = key.getKey().allows(rule.scope());
                if (allowed == (r.status() == 403) || r.status() == 401 || r.status() >= 500) {
                    wrong.add(rule + " with " + key.getKey() + " -> " + r.status() + " " + r.body());
                }
            }
        }
        assertThat(wrong.toString(), wrong, is(empty()));
    }

    /** A route the OpenAPI document names but the table does not declare would be admin-only: this finds it. */
    @Test
    void everyDocumentedOperationHasTheContractsScope() throws Exception {
        String yaml = Files.readString(Path.of("..", "inventory.web", "src", "main", "resources", "openapi.yaml"));
        String paths = yaml.substring(yaml.indexOf("\npaths:\n"), yaml.indexOf("\ncomponents:\n"));
        Matcher m = Pattern.compile("(?m)^  (/[^:]+):\\n|^    (get|post|patch|delete|put):").matcher(paths);
        String current = null;
        Set<String> documented = new HashSet<>();
        List<String> wrong = new ArrayList<>();
        while (m.find()) {
            if (m.group(1) != null) {
                current = m.group(1);
                continue;
            }
            if (current == null || !current.startsWith("/v1")) {
                continue;
            }
            String method = m.group(2).toUpperCase(java.util.Locale.ROOT);
            documented.add(method + " " + current);
            Scope expected = method.equals("GET") && !current.startsWith("/v1/api-keys") ? Scope.READ
                    : current.startsWith("/v1/api-keys") || current.startsWith("/v1/locations") ? Scope.ADMIN
                    : Scope.WRITE;
            var declared = RouteScopes.declared(method, current);
            if (declared.isEmpty() || declared.get() != expected) {
                wrong.add(method + " " + current + " declared " + declared + ", contract says " + expected);
            }
        }
        assertThat(wrong.toString(), wrong, is(empty()));
        Set<String> declared = new HashSet<>();
        RouteScopes.RULES.forEach(r -> declared.add(r.method() + " " + r.template()));
        assertThat("declared routes the document does not describe", new HashSet<>(declared) {{
            removeAll(documented);
        }}, is(empty()));
        assertThat(documented.size(), is(greaterThanOrEqualTo(23)));
    }

    @Test
    void revocationIsImmediateHereAndWithinSecondsOnAnotherInstance() throws Exception {
        JsonObject key = createKey(server, "to-revoke", "inventory:read");
        String secret = key.getString("key");
        try (TestServer other = TestServer.start(server.databaseUrl(), 4, c -> c)) {
            assertThat(other.get("/v1/products", "Authorization", bearer(secret)).status(), is(200));
            assertThat(server.get("/v1/products", "Authorization", bearer(secret)).status(), is(200));
            assertThat(server.delete("/v1/api-keys/" + key.getString("id")).status(), is(204));
            long revoked = System.nanoTime();
            assertProblem(server.get("/v1/products", "Authorization", bearer(secret)), 401, "unauthorized", "/v1/products");
            while (other.get("/v1/products", "Authorization", bearer(secret)).status() == 200) {
                assertThat("still accepted by the other instance after 5 s",
                        Duration.ofNanos(System.nanoTime() - revoked).toMillis(), is(lessThanOrEqualTo(5000L)));
                Thread.sleep(50);
            }
            assertThat(other.get("/v1/products", "Authorization", bearer(secret)).status(), is(401));
            assertThat(server.delete("/v1/api-keys/" + key.getString("id")).status(), is(404));
            JsonObject listed = server.get("/v1/api-keys").json().getJsonArray("items").stream()
                    .map(v -> v.asJsonObject()).filter(k -> k.getString("id").equals(key.getString("id")))
                    .findFirst().orElseThrow();
            assertThat(listed.isNull("revokedAt"), is(false));
        }
    }

    @Test
    void idempotencyKeysAreScopedToTheApiKey() {
        String a = createKey(server, "writer-a", "inventory:write").getString("key");
        String b = createKey(server, "writer-b", "inventory:write").getString("key");
        String sku = TestServer.sku("IDEM-SCOPE");
        String body = "{\"sku\":\"" + sku + "\",\"name\":\"Scoped\",\"price\":\"1\",\"currency\":\"EUR\"}";
        String idem = "same-key-" + System.nanoTime();
        TestServer.Response first = server.post("/v1/products", body, "Authorization", bearer(a), "Idempotency-Key", idem);
        TestServer.Response again = server.post("/v1/products", body, "Authorization", bearer(a), "Idempotency-Key", idem);
        TestServer.Response other = server.post("/v1/products", body, "Authorization", bearer(b), "Idempotency-Key", idem);
        assertThat(first.status(), is(201));
        assertThat(again.header("Idempotent-Replayed").orElse(""), is("true"));
        // another API key's request is its own: not a replay of a's answer, so it meets the SKU taken by a's product
        assertThat(other.header("Idempotent-Replayed").isPresent(), is(false));
        assertProblem(other, 409, "sku-conflict", "/v1/products");
    }

    @Test
    void eachKeyHasItsOwnRateLimit() throws Exception {
        try (TestServer limited = TestServer.start(TestServer.dataDir("rate"), c -> c.withRateLimit(5))) {
            String other = createKey(limited, "other", "inventory:read").getString("key");
            int ok = 0;
            TestServer.Response refused = null;
            for (int i = 0; i < 20 && refused == null; i++) {
                TestServer.Response r = limited.get("/v1/locations");
                if (r.status() == 429) {
                    refused = r;
                } else {
                    assertThat(r.status(), is(200));
                    ok++;
                }
            }
            assertThat("a burst of about one second's worth passes", ok, is(greaterThanOrEqualTo(4)));
            assertThat(refused, is(not((TestServer.Response) null)));
            assertProblem(refused, 429, "rate-limited", "/v1/locations");
            assertThat(Long.parseLong(refused.header("Retry-After").orElseThrow()), is(greaterThanOrEqualTo(1L)));
            assertThat("another key is not slowed down", limited.get("/v1/locations", "Authorization", bearer(other)).status(),
                    is(200));
            assertThat("operations are not limited", limited.get("/health/ready").status(), is(200));
            Thread.sleep(1100);
            assertThat("tokens come back", limited.get("/v1/locations").status(), is(200));
        }
    }

    @Test
    void withoutAnAdminKeyTheFirstStartMakesOneBootstrapKey() throws Exception {
        Path dir = TestServer.dataDir("bootstrap");
        String url;
        try (TestServer first = TestServer.start(dir, c -> c.withAdminKey(null))) {
            url = first.databaseUrl();
            assertThat(first.count("SELECT count(*) FROM api_keys WHERE bootstrap AND scopes = ARRAY['admin']"), is(1L));
            try (TestServer second = TestServer.start(url, 4, c -> c.withAdminKey(null))) {
                assertThat("a second instance makes none", second.count("SELECT count(*) FROM api_keys WHERE bootstrap"),
                        is(1L));
                assertProblem(second.get("/v1/products", "Authorization", TestServer.NO_AUTH), 401, "unauthorized",
                        "/v1/products");
                assertThat("the test key is not an admin key here",
                        second.get("/v1/products").status(), is(401));
            }
        }
        try (TestServer restarted = TestServer.start(dir, c -> c.withAdminKey(null))) {
            assertThat("a restart makes none", restarted.count("SELECT count(*) FROM api_keys WHERE bootstrap"), is(1L));
        }
    }

    @Test
    void corsIsOffByDefaultAndAnswersOnlyConfiguredOrigins() throws Exception {
        TestServer.Response plain = server.get("/v1/locations", "Origin", "https://shop.example.com");
        assertThat(plain.header("Access-Control-Allow-Origin").isPresent(), is(false));
        TestServer.Response preflightOff = server.send("OPTIONS", "/v1/products", null, "Origin", "https://shop.example.com",
                "Access-Control-Request-Method", "POST", "Authorization", TestServer.NO_AUTH);
        assertThat(preflightOff.header("Access-Control-Allow-Origin").isPresent(), is(false));
        try (TestServer cors = TestServer.start(TestServer.dataDir("cors"),
                c -> c.withCorsOrigins(List.of("https://shop.example.com")))) {
            TestServer.Response preflight = cors.send("OPTIONS", "/v1/products", null, "Origin", "https://shop.example.com",
                    "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "authorization, content-type",
                    "Authorization", TestServer.NO_AUTH);
            assertThat(preflight.status(), is(204));
            assertThat(preflight.header("Access-Control-Allow-Origin").orElse(""), is("https://shop.example.com"));
            assertThat(preflight.header("Access-Control-Allow-Headers").orElse(""), containsString("Authorization"));
            assertThat(preflight.header("Access-Control-Allow-Methods").orElse(""), containsString("POST"));
            TestServer.Response read = cors.get("/v1/locations", "Origin", "https://shop.example.com");
            assertThat(read.status(), is(200));
            assertThat(read.header("Access-Control-Allow-Origin").orElse(""), is("https://shop.example.com"));
            assertThat(read.header("Access-Control-Expose-Headers").orElse(""), containsString("ETag"));
            TestServer.Response stranger = cors.get("/v1/locations", "Origin", "https://evil.example.net");
            assertThat(stranger.header("Access-Control-Allow-Origin").isPresent(), is(false));
            TestServer.Response anonymous = cors.get("/v1/locations", "Origin", "https://shop.example.com",
                    "Authorization", TestServer.NO_AUTH);
            assertThat("CORS lets a browser ask, not skip the key", anonymous.status(), is(401));
            assertThat("a browser can read the error", anonymous.header("Access-Control-Allow-Origin").orElse(""),
                    is("https://shop.example.com"));
            TestServer.Response missing = cors.get("/v1/products/not-a-uuid", "Origin", "https://shop.example.com");
            assertThat(missing.status(), is(404));
            assertThat(missing.header("Access-Control-Allow-Origin").orElse(""), is("https://shop.example.com"));
        }
    }
}
