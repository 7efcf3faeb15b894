package inventory.web;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import inventory.core.ApiKeys;
import inventory.core.RateLimiter;
import inventory.core.Scope;

/**
 * Who may call what, checked before routing for every {@code /v1} request: the bearer key ({@code 401}), the
 * route's declared scope ({@code 403}), the key's rate ({@code 429}); and CORS for browsers when configured.
 */
public final class Security {

    private static final String BEARER = "bearer ";
    private static final int TOKEN_MAX = 512;
    private static final Map<String, String> CHALLENGE = Map.of("WWW-Authenticate", "Bearer realm=\"inventory\"");
    private static final String CORS_METHODS = "GET, POST, PATCH, DELETE";
    private static final String CORS_HEADERS = "Authorization, Content-Type, Idempotency-Key, If-Match, If-None-Match,"
                                               + " X-Request-Id, Last-Event-ID";
    private static final String CORS_EXPOSED = "ETag, Location, X-Request-Id, Idempotent-Replayed, Retry-After";

    private final ApiKeys keys;
    private final RateLimiter limiter;
    private final List<String> corsOrigins;

    /**
     * @param keys        API keys
     * @param limiter     requests per second per key
     * @param corsOrigins browser origins allowed; empty turns CORS off
     */
    public Security(ApiKeys keys, RateLimiter limiter, List<String> corsOrigins) {
        this.keys = keys;
        this.limiter = limiter;
        this.corsOrigins = List.copyOf(corsOrigins);
    }

    /**
     * The caller of this request, once checked.
     *
     * @param req the request
     * @return the principal, empty outside {@code /v1}
     */
    static Optional<ApiKeys.Principal> principal(ServerRequest req) {
        return req.context().get(ApiKeys.Principal.class);
    }

    /**
     * Answers a CORS preflight, or adds the CORS headers of an allowed origin.
     *
     * @return true if the request was a preflight and is answered
     */
    boolean cors(ServerRequest req, ServerResponse res) {
        Optional<String> origin = req.headers().first(HeaderNames.ORIGIN);
        if (corsOrigins.isEmpty() || origin.isEmpty()) {
            return false;
        }
        boolean any = corsOrigins.contains("*");
        if (!any && !corsOrigins.contains(origin.get())) {
            return false;
        }
        res.header(HeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, any ? "*" : origin.get());
        res.header(HeaderNames.VARY, "Origin");
        boolean preflight = req.prologue().method().text().equals("OPTIONS")
                            && req.headers().contains(HeaderNames.ACCESS_CONTROL_REQUEST_METHOD);
        if (!preflight) {
            res.header(HeaderNames.ACCESS_CONTROL_EXPOSE_HEADERS, CORS_EXPOSED);
            // an error answer starts from a reset response: the error handlers put these back
            req.context().register(new Cors(any ? "*" : origin.get()));
            return false;
        }
        res.header(HeaderNames.ACCESS_CONTROL_ALLOW_METHODS, CORS_METHODS);
        res.header(HeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, CORS_HEADERS);
        res.header(HeaderNames.ACCESS_CONTROL_MAX_AGE, "600");
        res.status(io.helidon.http.Status.NO_CONTENT_204).send();
        return true;
    }

    /**
     * The CORS headers of an allowed origin, kept for error answers.
     *
     * @param allowOrigin the {@code Access-Control-Allow-Origin} value
     */
    record Cors(String allowOrigin) {
        void apply(ServerResponse res) {
            res.header(HeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, allowOrigin);
            res.header(HeaderNames.VARY, "Origin");
            res.header(HeaderNames.ACCESS_CONTROL_EXPOSE_HEADERS, CORS_EXPOSED);
        }
    }

    /**
     * Checks the key, the scope and the rate of a {@code /v1} request.
     *
     * @param req      the request
     * @param template its route template
     * @throws HttpProblem {@code unauthorized}, {@code forbidden} or {@code rate-limited}
     */
    void check(ServerRequest req, String template) {
        Optional<String> header = req.headers().first(HeaderNames.AUTHORIZATION);
        if (header.isEmpty()) {
            throw new HttpProblem("unauthorized", "send an API key: Authorization: Bearer <key>", CHALLENGE);
        }
        String value = header.get();
        if (value.length() > TOKEN_MAX + BEARER.length()
            || !value.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            throw new HttpProblem("unauthorized", "the Authorization header must be Bearer <key>", CHALLENGE);
        }
        ApiKeys.Principal principal = keys.authenticate(value.substring(BEARER.length()).trim())
                .orElseThrow(() -> new HttpProblem("unauthorized", "unknown or revoked API key",
                        Map.of("WWW-Authenticate", "Bearer realm=\"inventory\", error=\"invalid_token\"")));
        req.context().register(principal);
        Scope needed = RouteScopes.required(req.prologue().method().text(), template);
        if (!principal.may(needed)) {
            throw new HttpProblem("forbidden", "this API key lacks the scope " + needed.text() + " that "
                                               + req.prologue().method().text() + " "
                                               + (template.equals("unmatched") ? "on this path" : template) + " needs");
        }
        long wait = limiter.acquire(principal.caller());
        if (wait > 0) {
            throw new HttpProblem("rate-limited", "this API key is over its request rate; retry in " + wait + " s",
                    Map.of("Retry-After", String.valueOf(wait)));
        }
    }
}
