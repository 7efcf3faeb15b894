/**
 * The HTTP face of the inventory: one Helidon SE {@code HttpService} per resource, hand-written JSON mapping with
 * jakarta.json, RFC 9457 problems for every error, request ids, conditional requests, idempotency keys and
 * request metrics. Handlers parse and validate, call one core service method and write the answer; no SQL, no
 * rules.
 */
module inventory.web {
    requires transitive inventory.core;
    requires transitive io.helidon.webserver;
    requires io.helidon.http;
    requires io.helidon.metrics.api;
    requires jakarta.json;

    exports inventory.web;
}
