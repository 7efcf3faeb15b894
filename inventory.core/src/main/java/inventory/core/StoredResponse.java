package inventory.core;

/**
 * An answer as it is sent and, with an idempotency key, stored and replayed byte for byte.
 *
 * @param status      HTTP status
 * @param contentType media type of the body
 * @param etag        {@code ETag} header or null
 * @param location    {@code Location} header or null
 * @param body        the body
 */
public record StoredResponse(int status, String contentType, String etag, String location, byte[] body) {
}
