package inventory.web;

import java.util.List;
import java.util.regex.Pattern;

import io.helidon.common.uri.UriQuery;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Handler;

import inventory.core.Violations;

/**
 * Shared routing pieces: {@code 405} with {@code Allow}, paging parameters, and the route template of a path
 * (for metrics, so a label never holds an id).
 */
final class Routes {

    private static final List<Template> TEMPLATES = List.of(
            new Template("^/v1/products/?$", "/v1/products"),
            new Template("^/v1/products/by-sku/[^/]+$", "/v1/products/by-sku/{sku}"),
            new Template("^/v1/products/[^/]+$", "/v1/products/{id}"),
            new Template("^/v1/products/[^/]+/stock$", "/v1/products/{id}/stock"),
            new Template("^/v1/products/[^/]+/stock/adjustments$", "/v1/products/{id}/stock/adjustments"),
            new Template("^/v1/products/[^/]+/stock/counts$", "/v1/products/{id}/stock/counts"),
            new Template("^/v1/products/[^/]+/stock/movements$", "/v1/products/{id}/stock/movements"),
            new Template("^/v1/stock/batch$", "/v1/stock/batch"),
            new Template("^/v1/reservations/?$", "/v1/reservations"),
            new Template("^/v1/reservations/[^/]+$", "/v1/reservations/{id}"),
            new Template("^/v1/reservations/[^/]+/commit$", "/v1/reservations/{id}/commit"),
            new Template("^/v1/reservations/[^/]+/release$", "/v1/reservations/{id}/release"),
            new Template("^/v1/events/?$", "/v1/events"),
            new Template("^/v1/events/stream$", "/v1/events/stream"),
            new Template("^/v1/api-keys/?$", "/v1/api-keys"),
            new Template("^/v1/api-keys/[^/]+$", "/v1/api-keys/{id}"),
            new Template("^/v1/locations/?$", "/v1/locations"),
            new Template("^/v1/locations/[^/]+$", "/v1/locations/{code}"),
            new Template("^/health/live$", "/health/live"),
            new Template("^/health/ready$", "/health/ready"),
            new Template("^/health/?$", "/health"),
            new Template("^/metrics$", "/metrics"),
            new Template("^/openapi$", "/openapi"));

    private Routes() {
    }

    private record Template(Pattern pattern, String template) {
        Template(String regex, String template) {
            this(Pattern.compile(regex), template);
        }
    }

    static String template(String path) {
        for (Template t : TEMPLATES) {
            if (t.pattern().matcher(path).matches()) {
                return t.template();
            }
        }
        return "unmatched";
    }

    static Handler notAllowed(String allow) {
        return (req, res) -> {
            throw new HttpProblem("method-not-allowed", req.prologue().method().text() + " is not allowed here; use "
                                                        + allow, java.util.Map.of(HeaderNames.ALLOW.defaultCase(), allow));
        };
    }

    static int limit(UriQuery query, Violations v) {
        var text = query.first("limit").asOptional();
        if (text.isEmpty()) {
            return 50;
        }
        try {
            int limit = Integer.parseInt(text.get());
            if (limit >= 1 && limit <= 200) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        v.add("limit", "must be an integer from 1 to 200");
        return 50;
    }
}
