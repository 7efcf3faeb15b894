package inventory.web;

import java.util.HexFormat;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.regex.Pattern;

import io.helidon.http.Header;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import inventory.core.Idempotency;
import inventory.core.IdempotentRequest;
import inventory.core.InventoryException;
import inventory.core.StoredResponse;
import inventory.core.UuidV7;

/**
 * Request ids, path ids, conditional requests, idempotency keys and sending stored answers.
 */
final class Http {

    static final HeaderName REQUEST_ID = HeaderNames.create("X-Request-Id");
    static final HeaderName IDEMPOTENCY_KEY = HeaderNames.create("Idempotency-Key");
    static final Header REPLAYED = HeaderValues.create("Idempotent-Replayed", "true");
    /** A browser must take our content types as they are, never sniff HTML or script out of a body. */
    static final Header NOSNIFF = HeaderValues.createCached("X-Content-Type-Options", "nosniff");
    /** Stock figures are stale a moment later, and no shared cache may keep what one API key was shown. */
    static final Header NO_STORE = HeaderValues.createCached(HeaderNames.CACHE_CONTROL, "no-store");

    private static final Pattern REQUEST_ID_FORMAT = Pattern.compile("^[A-Za-z0-9._-]{1,128}$");
    private static final Pattern IDEMPOTENCY_KEY_FORMAT = Pattern.compile("^[\\x20-\\x7E]{1,255}$");

    private Http() {
    }

    /**
     * The request's id: the client's if it is 1-128 characters of {@code [A-Za-z0-9._-]}, else a new one.
     */
    record RequestId(String value) {
    }

    /**
     * The headers every answer carries: {@code X-Content-Type-Options: nosniff} always, {@code Cache-Control:
     * no-store} under {@code /v1} and on every error (the operations endpoints set their own, {@code /openapi} may be
     * cached). Set by the routing filter, and again by the error handlers (an error handler starts from a reset
     * response, which has lost them).
     *
     * @param res   the answer
     * @param path  the request's path
     * @param error whether the answer is an error
     */
    static void securityHeaders(ServerResponse res, String path, boolean error) {
        res.header(NOSNIFF);
        if (error || path.equals("/v1") || path.startsWith("/v1/")) {
            res.header(NO_STORE);
        }
    }

    /**
     * A request id only has to be unique enough to find a request's lines, not unguessable: {@code SecureRandom}
     * read {@code /dev/urandom} under one lock that every request took (3.5 % of a cached read's CPU).
     */
    static String newRequestId() {
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        HexFormat hex = HexFormat.of();
        return hex.toHexDigits(random.nextLong()) + hex.toHexDigits(random.nextInt());
    }

    static String requestId(ServerRequest req) {
        return req.context().get(RequestId.class).map(RequestId::value).orElseGet(() -> {
            String id = requestId(req.headers().first(REQUEST_ID));
            req.context().register(new RequestId(id));
            return id;
        });
    }

    /**
     * @param header the client's {@code X-Request-Id}, if any
     * @return it if it is 1-128 characters of {@code [A-Za-z0-9._-]}, else a new id
     */
    static String requestId(Optional<String> header) {
        return header.filter(v -> REQUEST_ID_FORMAT.matcher(v).matches()).orElseGet(Http::newRequestId);
    }

    /**
     * The request's absolute path (a service sees its path relative to where it is mounted).
     */
    static String path(ServerRequest req) {
        return req.path().absolute().rawPath();
    }

    static UUID id(ServerRequest req, String param, String what) {
        String text = req.path().pathParameters().get(param);
        return UuidV7.parse(text).orElseThrow(() -> new InventoryException.NotFound("no " + what + " with id " + text));
    }

    static String etag(long version) {
        return "\"" + version + "\"";
    }

    /**
     * {@code If-Match}: a list of strong entity tags or {@code *}. Empty when absent or {@code *} (any version).
     */
    static OptionalLong ifMatch(ServerRequest req) {
        Optional<String> header = req.headers().first(HeaderNames.IF_MATCH);
        if (header.isEmpty() || header.get().trim().equals("*")) {
            return OptionalLong.empty();
        }
        for (String tag : header.get().split(",")) {
            String t = tag.trim();
            if (t.startsWith("\"") && t.endsWith("\"") && t.length() > 2) {
                try {
                    return OptionalLong.of(Long.parseLong(t.substring(1, t.length() - 1)));
                } catch (NumberFormatException e) {
                    // not one of our tags: cannot match any version
                }
            }
        }
        throw new InventoryException.VersionMismatch("If-Match " + header.get() + " matches no version of this resource");
    }

    /**
     * {@code If-None-Match} with weak comparison: true if the client's copy is current.
     */
    static boolean notModified(ServerRequest req, long version) {
        Optional<String> header = req.headers().first(HeaderNames.IF_NONE_MATCH);
        if (header.isEmpty()) {
            return false;
        }
        String current = etag(version);
        for (String tag : header.get().split(",")) {
            String t = tag.trim();
            if (t.startsWith("W/")) {
                t = t.substring(2);
            }
            if (t.equals("*") || t.equals(current)) {
                return true;
            }
        }
        return false;
    }

    static void notModified(ServerResponse res, long version) {
        res.status(Status.NOT_MODIFIED_304).header(HeaderNames.ETAG, etag(version)).send();
    }

    /**
     * The idempotency key of a POST, scoped to the caller, method and path.
     */
    static Optional<IdempotentRequest> idempotency(ServerRequest req, JsonIn.Body body) {
        Optional<String> key = req.headers().first(IDEMPOTENCY_KEY);
        if (key.isEmpty()) {
            return Optional.empty();
        }
        if (!IDEMPOTENCY_KEY_FORMAT.matcher(key.get()).matches()) {
            throw new InventoryException.ValidationFailed("Idempotency-Key", "must be 1 to 255 printable ASCII characters");
        }
        String caller = Security.principal(req).map(inventory.core.ApiKeys.Principal::caller).orElse("");
        return Optional.of(new IdempotentRequest(caller, req.prologue().method().text(), Http.path(req), key.get(),
                body.fingerprint()));
    }

    static StoredResponse json(int status, String etag, String location, byte[] body) {
        return new StoredResponse(status, JsonOut.MEDIA_TYPE, etag, location, body);
    }

    static void send(ServerResponse res, Idempotency.Outcome outcome) {
        if (outcome.replayed()) {
            res.header(REPLAYED);
            BusinessMetrics.global().replayed();
        }
        send(res, outcome.response());
    }

    static void send(ServerResponse res, StoredResponse r) {
        res.status(Status.create(r.status()));
        res.header(HeaderNames.CONTENT_TYPE, r.contentType());
        if (r.etag() != null) {
            res.header(HeaderNames.ETAG, r.etag());
        }
        if (r.location() != null) {
            res.header(HeaderNames.LOCATION, r.location());
        }
        if (r.status() == 503) {
            res.header(HeaderNames.RETRY_AFTER, "1");
        }
        res.send(r.body());
    }
}
