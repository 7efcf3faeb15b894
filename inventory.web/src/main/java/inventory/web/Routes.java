package inventory.web;

import java.util.List;
import java.util.stream.Stream;

import io.helidon.common.uri.UriQuery;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Handler;

import inventory.core.Violations;

/**
 * Shared routing pieces: {@code 405} with {@code Allow}, paging parameters, and the route template of a path
 * (for metrics, so a label never holds an id).
 */
final class Routes {

    /** Route templates; a trailing {@code /?} also matches the path with one trailing slash. */
    private static final List<Template> TEMPLATES = Stream.of(
            "/v1/products/?", "/v1/products/by-sku/{sku}", "/v1/products/{id}", "/v1/products/{id}/stock",
            "/v1/products/{id}/stock/adjustments", "/v1/products/{id}/stock/counts",
            "/v1/products/{id}/stock/movements", "/v1/stock/batch", "/v1/reservations/?", "/v1/reservations/{id}",
            "/v1/reservations/{id}/commit", "/v1/reservations/{id}/release", "/v1/events/?", "/v1/events/stream",
            "/v1/api-keys/?", "/v1/api-keys/{id}", "/v1/locations/?", "/v1/locations/{code}", "/health/live",
            "/health/ready", "/health/?", "/metrics", "/openapi").map(Template::of).toList();

    private Routes() {
    }

    /**
     * @param segments the template's segments after the leading slash; {@code {name}} matches any non-empty one
     * @param slash    whether one trailing slash is allowed
     * @param template the template as a label
     */
    private record Template(String[] segments, boolean slash, String template) {
        static Template of(String spec) {
            boolean slash = spec.endsWith("/?");
            String template = slash ? spec.substring(0, spec.length() - 2) : spec;
            return new Template(template.substring(1).split("/"), slash, template);
        }

        boolean matches(String[] path, boolean trailingSlash) {
            if (path.length != segments.length || (trailingSlash && !slash)) {
                return false;
            }
            for (int i = 0; i < segments.length; i++) {
                String s = segments[i];
                if (s.startsWith("{") ? path[i].isEmpty() : !s.equals(path[i])) {
                    return false;
                }
            }
            return true;
        }
    }

    /**
     * @param path a request path
     * @return its route template, or {@code unmatched}: compared segment by segment, which a regular expression per
     *         template (up to five per request) cost several percent of a request's CPU
     */
    static String template(String path) {
        if (!path.startsWith("/")) {
            return "unmatched";
        }
        boolean trailingSlash = path.length() > 1 && path.endsWith("/");
        String[] segments = path.substring(1, trailingSlash ? path.length() - 1 : path.length()).split("/", -1);
        for (Template t : TEMPLATES) {
            if (t.matches(segments, trailingSlash)) {
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
