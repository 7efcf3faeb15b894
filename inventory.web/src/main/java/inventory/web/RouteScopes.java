package inventory.web;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import inventory.core.Scope;

/**
 * The scope every route needs, declared in one table and checked in one place (the security filter) before
 * any handler runs. A {@code /v1} route missing from the table is admin-only: a route nobody declared is never
 * open by accident, and the test that walks the OpenAPI document finds it.
 */
public final class RouteScopes {

    /**
     * One declared route.
     *
     * @param method   HTTP method
     * @param template route template, as {@link Routes#template} names it
     * @param scope    the scope it needs
     */
    public record Rule(String method, String template, Scope scope) {
    }

    /** Every route of the API and its scope. */
    public static final List<Rule> RULES = List.of(
            new Rule("GET", "/v1/products", Scope.READ),
            new Rule("POST", "/v1/products", Scope.WRITE),
            new Rule("GET", "/v1/products/by-sku/{sku}", Scope.READ),
            new Rule("GET", "/v1/products/{id}", Scope.READ),
            new Rule("PATCH", "/v1/products/{id}", Scope.WRITE),
            new Rule("DELETE", "/v1/products/{id}", Scope.WRITE),
            new Rule("GET", "/v1/products/{id}/stock", Scope.READ),
            new Rule("POST", "/v1/products/{id}/stock/adjustments", Scope.WRITE),
            new Rule("POST", "/v1/products/{id}/stock/counts", Scope.WRITE),
            new Rule("GET", "/v1/products/{id}/stock/movements", Scope.READ),
            new Rule("POST", "/v1/stock/batch", Scope.WRITE),
            new Rule("POST", "/v1/reservations", Scope.WRITE),
            new Rule("GET", "/v1/reservations/{id}", Scope.READ),
            new Rule("POST", "/v1/reservations/{id}/commit", Scope.WRITE),
            new Rule("POST", "/v1/reservations/{id}/release", Scope.WRITE),
            new Rule("GET", "/v1/events", Scope.READ),
            new Rule("GET", "/v1/events/stream", Scope.READ),
            new Rule("GET", "/v1/locations", Scope.READ),
            new Rule("POST", "/v1/locations", Scope.ADMIN),
            new Rule("DELETE", "/v1/locations/{code}", Scope.ADMIN),
            new Rule("GET", "/v1/api-keys", Scope.ADMIN),
            new Rule("POST", "/v1/api-keys", Scope.ADMIN),
            new Rule("DELETE", "/v1/api-keys/{id}", Scope.ADMIN));

    private static final Map<String, Scope> BY_ROUTE = RULES.stream()
            .collect(Collectors.toMap(r -> r.method() + " " + r.template(), Rule::scope));

    private RouteScopes() {
    }

    /**
     * @param method   HTTP method ({@code HEAD} counts as {@code GET})
     * @param template route template
     * @return the declared scope, if the route is declared
     */
    public static Optional<Scope> declared(String method, String template) {
        return Optional.ofNullable(BY_ROUTE.get((method.equals("HEAD") ? "GET" : method) + " " + template));
    }

    /**
     * @param method   HTTP method
     * @param template route template
     * @return the scope the call needs: the declared one, else {@code admin}
     */
    static Scope required(String method, String template) {
        return declared(method, template).orElse(Scope.ADMIN);
    }
}
