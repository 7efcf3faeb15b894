package inventory.web;

import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.util.Map;

import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpException;
import io.helidon.http.Method;
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
     * @param metrics   request metrics
     */
    public static void configure(HttpRouting.Builder routing, ProductHandler products, StockHandler stock,
                                 LocationHandler locations, ReservationHandler reservations, EventHandler events,
                                 HttpMetrics metrics) {
        byte[] openapi = openapi();
        routing.addFilter((chain, req, res) -> filter(chain, req, res, metrics))
                .register("/v1/products", products)
                .register("/v1", stock)
                .register("/v1/locations", locations)
                .register("/v1/reservations", reservations)
                .register("/v1/events", events)
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

    private static void filter(FilterChain chain, RoutingRequest req, RoutingResponse res, HttpMetrics metrics) {
        long start = System.nanoTime();
        String requestId = Http.requestId(req);
        res.header(Http.REQUEST_ID, requestId);
        Http.securityHeaders(res, Http.path(req), false);
        res.whenSent(() -> metrics.record(req.prologue().method().text(), Routes.template(Http.path(req)),
                res.status().code(), System.nanoTime() - start));
        chain.proceed();
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
        LOG.log(Level.ERROR, "request " + requestId + " " + req.prologue().method().text() + " " + Http.path(req)
                             + " failed", e);
        send(req, res, Problems.of("internal", "an unexpected error occurred; quote request id " + requestId,
                Http.path(req), requestId, null, null));
    }

    private static void send(ServerRequest req, ServerResponse res, StoredResponse problem) {
        res.header(Http.REQUEST_ID, Http.requestId(req));
        Http.securityHeaders(res, Http.path(req), true);
        Http.send(res, problem);
    }

    /**
     * Answers errors the server raises before routing (bad request line, headers too large) as problems, with the
     * security headers (the routing filter never ran for them).
     *
     * @return the handler
     */
    public static DirectHandler directHandler() {
        return (request, eventType, status, headers, message) -> {
            // the request line and headers may be known (e.g. a body over the server's limit): keep the client's
            // request id and the path as the contract asks of every answer
            String requestId = Http.requestId(request.headers().first(Http.REQUEST_ID));
            String path = request.path();
            int query = path == null ? -1 : path.indexOf('?');
            String instance = path == null || path.isEmpty() ? null : query < 0 ? path : path.substring(0, query);
            int code = status.code();
            String problemCode = Problems.codeOf(code);
            StoredResponse problem = Problems.of(problemCode, code == 413 ? "the request is too large"
                            : code >= 500 ? "an unexpected error occurred; quote request id " + requestId
                            : "the request could not be parsed", instance, requestId, null, null);
            if (code >= 500) {
                LOG.log(Level.ERROR, "request " + requestId + " failed before routing: " + eventType + " " + message);
            }
            headers.set(HeaderNames.CONTENT_TYPE, Problems.MEDIA_TYPE);
            headers.set(Http.REQUEST_ID, requestId);
            // answered before (or instead of) the routing and its filter: the security headers are set here
            headers.set(Http.NOSNIFF);
            headers.set(Http.NO_STORE);
            return DirectHandler.TransportResponse.builder()
                    .status(Status.create(problem.status()))
                    .headers(headers)
                    .entity(problem.body())
                    .build();
        };
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
