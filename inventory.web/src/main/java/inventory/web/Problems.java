package inventory.web;

import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Map;

import inventory.core.InventoryException;
import inventory.core.StoredResponse;

import jakarta.json.Json;
import jakarta.json.stream.JsonGenerator;
import jakarta.json.stream.JsonGeneratorFactory;

/**
 * Writes RFC 9457 problems: {@code type}, {@code title}, {@code status}, {@code detail}, {@code code},
 * {@code instance}, {@code requestId}, and for validation {@code errors}, for stock {@code shortages}.
 */
public final class Problems {

    /** Media type of every error body. */
    public static final String MEDIA_TYPE = "application/problem+json";

    private static final JsonGeneratorFactory JSON = Json.createGeneratorFactory(Map.of());

    private static final Map<String, Integer> STATUS = Map.ofEntries(
            Map.entry("malformed-json", 400),
            Map.entry("validation-failed", 400),
            Map.entry("unauthorized", 401),
            Map.entry("forbidden", 403),
            Map.entry("not-found", 404),
            Map.entry("method-not-allowed", 405),
            Map.entry("sku-conflict", 409),
            Map.entry("insufficient-stock", 409),
            Map.entry("location-not-empty", 409),
            Map.entry("location-conflict", 409),
            Map.entry("location-required", 409),
            Map.entry("reservation-not-active", 409),
            Map.entry("product-has-reservations", 409),
            Map.entry("idempotency-key-in-progress", 409),
            Map.entry("version-mismatch", 412),
            Map.entry("payload-too-large", 413),
            Map.entry("uri-too-long", 414),
            Map.entry("unsupported-media-type", 415),
            Map.entry("idempotency-key-reused", 422),
            Map.entry("rate-limited", 429),
            Map.entry("headers-too-large", 431),
            Map.entry("internal", 500),
            Map.entry("not-implemented", 501),
            Map.entry("unavailable", 503));

    private static final Map<String, String> TITLE = Map.ofEntries(
            Map.entry("malformed-json", "Malformed JSON"),
            Map.entry("validation-failed", "Validation failed"),
            Map.entry("unauthorized", "Unauthorized"),
            Map.entry("forbidden", "Forbidden"),
            Map.entry("not-found", "Not found"),
            Map.entry("method-not-allowed", "Method not allowed"),
            Map.entry("sku-conflict", "SKU conflict"),
            Map.entry("insufficient-stock", "Insufficient stock"),
            Map.entry("location-not-empty", "Location not empty"),
            Map.entry("location-conflict", "Location exists"),
            Map.entry("location-required", "Location required"),
            Map.entry("reservation-not-active", "Reservation not active"),
            Map.entry("product-has-reservations", "Product has reservations"),
            Map.entry("idempotency-key-in-progress", "Idempotency key in progress"),
            Map.entry("version-mismatch", "Version mismatch"),
            Map.entry("payload-too-large", "Payload too large"),
            Map.entry("uri-too-long", "Request line too long"),
            Map.entry("headers-too-large", "Request headers too large"),
            Map.entry("unsupported-media-type", "Unsupported media type"),
            Map.entry("idempotency-key-reused", "Idempotency key reused"),
            Map.entry("rate-limited", "Rate limited"),
            Map.entry("internal", "Internal error"),
            Map.entry("not-implemented", "Not implemented"),
            Map.entry("unavailable", "Service unavailable"));

    private Problems() {
    }

    /**
     * @param code problem code
     * @return its HTTP status
     */
    public static int status(String code) {
        return STATUS.getOrDefault(code, 500);
    }

    /**
     * The code for a bare HTTP status, for errors raised by the server before or outside our handlers.
     *
     * @param status HTTP status
     * @return problem code
     */
    public static String codeOf(int status) {
        return switch (status) {
            case 400 -> "validation-failed";
            case 404 -> "not-found";
            case 405 -> "method-not-allowed";
            case 413 -> "payload-too-large";
            case 414 -> "uri-too-long";
            case 415 -> "unsupported-media-type";
            case 431 -> "headers-too-large";
            case 501 -> "not-implemented";
            case 503 -> "unavailable";
            default -> status >= 500 ? "internal" : "validation-failed";
        };
    }

    /**
     * Renders a core refusal.
     *
     * @param e         the refusal
     * @param instance  request path
     * @param requestId request id
     * @return the answer
     */
    public static StoredResponse of(InventoryException e, String instance, String requestId) {
        List<InventoryException.FieldError> errors = e instanceof InventoryException.ValidationFailed v ? v.errors() : null;
        List<InventoryException.Shortage> shortages = e instanceof InventoryException.InsufficientStock s
                ? s.shortages() : null;
        if (shortages != null) {
            BusinessMetrics.global().insufficientStock();
        }
        return of(e.code(), e.getMessage(), instance, requestId, errors, shortages);
    }

    /**
     * Renders a problem.
     *
     * @param code      problem code
     * @param detail    human-readable detail, no internals
     * @param instance  request path
     * @param requestId request id
     * @param errors    bad fields, or null
     * @param shortages short lines, or null
     * @return the answer
     */
    public static StoredResponse of(String code, String detail, String instance, String requestId,
                                    List<InventoryException.FieldError> errors,
                                    List<InventoryException.Shortage> shortages) {
        int status = status(code);
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject()
                    .write("type", "urn:inventory:problem:" + code)
                    .write("title", TITLE.getOrDefault(code, "Error"))
                    .write("status", status)
                    .write("detail", detail == null ? TITLE.getOrDefault(code, "Error") : detail)
                    .write("code", code);
            if (instance != null) {
                g.write("instance", instance);
            }
            g.write("requestId", requestId);
            if (errors != null) {
                g.writeStartArray("errors");
                errors.forEach(err -> g.writeStartObject().write("field", err.field()).write("message", err.message())
                        .writeEnd());
                g.writeEnd();
            }
            if (shortages != null) {
                g.writeStartArray("shortages");
                for (InventoryException.Shortage s : shortages) {
                    g.writeStartObject();
                    if (s.line() == null) {
                        g.writeNull("line");
                    } else {
                        g.write("line", s.line());
                    }
                    JsonOut.nullable(g, "productId", s.productId() == null ? null : s.productId().toString());
                    JsonOut.nullable(g, "sku", s.sku());
                    g.write("location", s.location())
                            .write("requested", s.requested())
                            .write("available", s.available())
                            .writeEnd();
                }
                g.writeEnd();
            }
            g.writeEnd();
        }
        return new StoredResponse(status, MEDIA_TYPE, null, null, out.toByteArray());
    }
}
