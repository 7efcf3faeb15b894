package inventory.web;

import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;

import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpException;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import inventory.core.InventoryException;
import inventory.core.StoredResponse;

/**
 * The HTTP routing of the API: request ids and metrics on every request, the resource services, error handlers
 * that turn every failure into a problem (the catch-all keeps exception messages away from clients), and
 * problems for what no route matches.
 */
public final class InventoryRouting {

    /**
     * Longest request line (method, target with its query, version) the server reads: 8 KiB, the limit of the
     * common proxies (nginx, Apache). The longest line the API needs is far shorter (a {@code q} of 100 characters,
     * percent-encoded, with a cursor and the other filters is under 2 KiB); a longer one is
     * {@code 414 uri-too-long} before any work.
     */
    public static final int MAX_REQUEST_LINE = 8 * 1024;
    /**
     * Most bytes of all request headers together: 16 KiB. A client sends a key, a request id, an idempotency key and
     * a few standard headers (well under 1 KiB); the rest is room for what proxies and tracing add. More is
     * {@code 431 headers-too-large} before any work.
     */
    public static final int MAX_HEADERS = 16 * 1024;
    /**
     * Largest request body the server reads at all: 2 MiB, twice the largest the API accepts (1 MiB), so a body over
     * an endpoint's own limit is refused by that endpoint ({@code 413 payload-too-large} naming its limit), and one
     * over this by the server before it reads a byte of it.
     */
    public static final long MAX_BODY = 2L * 1024 * 1024;

    private static final System.Logger LOG = System.getLogger(InventoryRouting.class.getName());

    private InventoryRouting() {
    }

    /**
     * Adds the API's routes and error handling to a routing.
     *
     * @param routing   the routing to add to
     * @param products  {@code /v1/products}
     * @param stock     stock routes under {@code /v1}
     * @param locations {@code /v1/locations}
     * @param reservations {@code /v1/reservations}
     * @param events    {@code /v1/events}
     * @param apiKeys   {@code /v1/api-keys}
     * @param security  API keys, scopes, rate limits and CORS, checked before any {@code /v1} handler
     * @param metrics   request metrics
     */
    public static void configure(HttpRouting.Builder routing, ProductHandler products, StockHandler stock,
                                 LocationHandler locations, ReservationHandler reservations, EventHandler events,
                                 ApiKeyHandler apiKeys, Security security, HttpMetrics metrics) {
        byte[] openapi = openapi();
        routing.addFilter((chain, req, res) -> filter(chain, req, res, metrics, security))
                .register("/v1/products", products)
                .register("/v1", stock)
                .register("/v1/locations", locations)
                .register("/v1/reservations", reservations)
                .register("/v1/events", events)
                .register("/v1/api-keys", apiKeys)
                .get("/openapi", (req, res) -> {
                    res.header(HeaderNames.CONTENT_TYPE, "application/yaml");
                    res.send(openapi);
                })
                .any("/openapi", Routes.notAllowed("GET"))
                .any("/v1", InventoryRouting::unknownPath)
                .any("/v1/*", InventoryRouting::unknownPath)
                .error(InventoryException.class, (req, res, e) -> send(req, res, Problems.of(e, Http.path(req),
                        Http.requestId(req))))
                .error(HttpProblem.class, (req, res, e) -> {
                    e.headers().forEach(res::header);
                    send(req, res, Problems.of(e.code(), e.getMessage(), Http.path(req), Http.requestId(req), null,
                            null));
                })
                .error(Throwable.class, InventoryRouting::unexpected);
    }

    private static void filter(FilterChain chain, RoutingRequest req, RoutingResponse res, HttpMetrics metrics,
                               Security security) {
        long start = System.nanoTime();
        String requestId = Http.requestId(req);
        String path = Http.path(req);
        String template = Routes.template(path);
        res.header(Http.REQUEST_ID, requestId);
        Http.securityHeaders(res, path, false);
        String method = req.prologue().method().text();
        res.whenSent(() -> {
            long nanos = System.nanoTime() - start;
            int status = res.status().code();
            metrics.record(method, template, status, nanos);
            RequestLog.access(requestId, method, template, status, nanos, res.bytesWritten(),
                    Security.principal(req).map(inventory.core.ApiKeys.Principal::caller).orElse(null), client(req));
        });
        ScopedValue.where(RequestLog.REQUEST_ID, requestId).run(() -> {
            if (security.cors(req, res)) {
                return;
            }
            if (path.equals("/v1") || path.startsWith("/v1/")) {
                security.check(req, template);
            }
            chain.proceed();
        });
    }

    /** The client's address: the first X-Forwarded-For entry behind a load balancer, else the peer. */
    private static String client(ServerRequest req) {
        String forwarded = req.headers().first(io.helidon.http.HeaderNames.X_FORWARDED_FOR).orElse("");
        int comma = forwarded.indexOf(',');
        String first = (comma < 0 ? forwarded : forwarded.substring(0, comma)).trim();
        if (!first.isEmpty() && first.length() <= 64) {
            return first;
        }
        return req.remotePeer().host();
    }

    private static void unknownPath(ServerRequest req, ServerResponse res) {
        throw new InventoryException.NotFound("no resource at " + Http.path(req));
    }

    private static void unexpected(ServerRequest req, ServerResponse res, Throwable e) {
        String requestId = Http.requestId(req);
        if (e instanceof HttpException http) {
            int status = http.status().code();
            String code = Problems.codeOf(status);
            String detail = status == 404 ? "no resource at " + Http.path(req) : Status.create(status).reasonPhrase();
            send(req, res, Problems.of(code, detail, Http.path(req), requestId, null, null));
            return;
        }
        ScopedValue.where(RequestLog.REQUEST_ID, requestId).run(() -> LOG.log(Level.ERROR, "request " + requestId + " "
                + req.prologue().method().text() + " " + Http.path(req) + " failed", e));
        send(req, res, Problems.of("internal", "an unexpected error occurred; quote request id " + requestId,
                Http.path(req), requestId, null, null));
    }

    private static void send(ServerRequest req, ServerResponse res, StoredResponse problem) {
        res.header(Http.REQUEST_ID, Http.requestId(req));
        req.context().get(Security.Cors.class).ifPresent(c -> c.apply(res));
        Http.securityHeaders(res, Http.path(req), true);
        Http.send(res, problem);
    }

    /**
     * Answers errors the server raises before routing (bad request line, headers too large, a body over the server's
     * limit) as problems, with the security headers (the routing filter never ran for them).
     *
     * @return the handler
     */
    public static DirectHandler directHandler() {
        return new DirectHandler() {
            @Override
            public TransportResponse handle(TransportRequest request, EventType eventType, Status defaultStatus,
                                            ServerResponseHeaders responseHeaders, Throwable thrown,
                                            System.Logger logger) {
                return answer(request, eventType, status(defaultStatus, thrown), responseHeaders, null, thrown);
            }

            @Override
            public TransportResponse handle(TransportRequest request, EventType eventType, Status status,
                                            ServerResponseHeaders responseHeaders, String message) {
                return answer(request, eventType, status, responseHeaders, message, null);
            }
        };
    }

    /**
     * The status of an error Helidon (4.1.7) raised before routing, where Helidon's own is wrong: request headers
     * over the limit are a bare {@code 400} (here {@code 431}), and a method token with a control character fails
     * the connection's catch-all as a {@code 500} (here {@code 400}: it is an {@link IllegalArgumentException} from
     * parsing the client's bytes; our own code's failures never reach that catch-all, the routing's error handlers
     * answer them).
     */
    static Status status(Status status, Throwable thrown) {
        Throwable cause = thrown == null ? null : thrown.getCause();
        if (status.code() == 400 && cause instanceof IllegalStateException
            && "Header size exceeded".equals(cause.getMessage())) {
            return Status.create(431, "Request Header Fields Too Large");
        }
        if (status.code() == 500 && cause instanceof IllegalArgumentException) {
            return Status.BAD_REQUEST_400;
        }
        return status;
    }

    private static DirectHandler.TransportResponse answer(DirectHandler.TransportRequest request,
                                                          DirectHandler.EventType eventType, Status status,
                                                          ServerResponseHeaders headers, String message,
                                                          Throwable thrown) {
        // the request line and headers may be known (e.g. a body over the server's limit): keep the client's
        // request id and the path as the contract asks of every answer
        String requestId = Http.requestId(request.headers().first(Http.REQUEST_ID));
        String path = request.path();
        int query = path == null ? -1 : path.indexOf('?');
        String instance = path == null || path.isEmpty() ? null : query < 0 ? path : path.substring(0, query);
        int code = status.code();
        String problemCode = Problems.codeOf(code);
        String detail = switch (code) {
            case 413 -> "the request is too large";
            case 414 -> "the request line is longer than " + (MAX_REQUEST_LINE / 1024) + " KiB";
            case 431 -> "the request headers are larger than " + (MAX_HEADERS / 1024) + " KiB";
            default -> code >= 500 ? "an unexpected error occurred; quote request id " + requestId
                    : "the request could not be parsed";
        };
        StoredResponse problem = Problems.of(problemCode, detail, instance, requestId, null, null);
        if (code >= 500) {
            // logged, never sent: Helidon's messages may quote the request's bytes or its own internals
            LOG.log(Level.ERROR, "request " + requestId + " failed before routing: " + eventType
                                 + (message == null ? "" : " " + message), thrown);
        }
        headers.set(HeaderNames.CONTENT_TYPE, Problems.MEDIA_TYPE);
        headers.set(Http.REQUEST_ID, requestId);
        // answered before (or instead of) the routing and its filter: the security headers are set here
        headers.set(Http.NOSNIFF);
        headers.set(Http.NO_STORE);
        return DirectHandler.TransportResponse.builder()
                .status(status.code() == problem.status() ? status : Status.create(problem.status()))
                .headers(headers)
                .entity(problem.body())
                .build();
    }

    private static byte[] openapi() {
        try (InputStream in = InventoryRouting.class.getResourceAsStream("/openapi.yaml")) {
            if (in == null) {
                throw new IllegalStateException("openapi.yaml is missing from inventory.web");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

}
