package inventory.web;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The route template of a path: the metrics' and the access log's label, which must never hold an id.
 */
class RoutesTest {

    @Test
    void everyRouteHasItsTemplate() {
        String id = "01a20a3e-3699-72ea-bc26-a75495a11b49";
        assertEquals("/v1/products", Routes.template("/v1/products"));
        assertEquals("/v1/products", Routes.template("/v1/products/"));
        assertEquals("/v1/products/by-sku/{sku}", Routes.template("/v1/products/by-sku/MUG-1"));
        assertEquals("/v1/products/{id}", Routes.template("/v1/products/" + id));
        assertEquals("/v1/products/{id}/stock", Routes.template("/v1/products/" + id + "/stock"));
        assertEquals("/v1/products/{id}/stock/adjustments", Routes.template("/v1/products/" + id + "/stock/adjustments"));
        assertEquals("/v1/products/{id}/stock/counts", Routes.template("/v1/products/" + id + "/stock/counts"));
        assertEquals("/v1/products/{id}/stock/movements", Routes.template("/v1/products/" + id + "/stock/movements"));
        assertEquals("/v1/stock/batch", Routes.template("/v1/stock/batch"));
        assertEquals("/v1/reservations", Routes.template("/v1/reservations/"));
        assertEquals("/v1/reservations/{id}/commit", Routes.template("/v1/reservations/" + id + "/commit"));
        assertEquals("/v1/reservations/{id}/release", Routes.template("/v1/reservations/" + id + "/release"));
        assertEquals("/v1/events", Routes.template("/v1/events"));
        assertEquals("/v1/events/stream", Routes.template("/v1/events/stream"));
        assertEquals("/v1/api-keys/{id}", Routes.template("/v1/api-keys/" + id));
        assertEquals("/v1/locations/{code}", Routes.template("/v1/locations/main"));
        assertEquals("/health", Routes.template("/health/"));
        assertEquals("/health/ready", Routes.template("/health/ready"));
        assertEquals("/metrics", Routes.template("/metrics"));
        assertEquals("/openapi", Routes.template("/openapi"));
    }

    @Test
    void anythingElseIsUnmatched() {
        for (String path : new String[] {"/", "", "v1/products", "/v1/products//stock", "/v1/products/x/", "/v1/stock",
                "/v1/products/x/stock/adjustments/", "/metrics/", "/v1/products/x/y", "/v2/products"}) {
            assertEquals("unmatched", Routes.template(path), path);
        }
    }
}
