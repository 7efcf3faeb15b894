package inventory.core;

/**
 * A request sent with an {@code Idempotency-Key}: the key is scoped to the caller, the method and the path.
 *
 * @param caller      who sent it (the API key id once keys exist; empty before)
 * @param method      HTTP method
 * @param path        request path
 * @param key         the client's key, 1 to 255 printable ASCII characters
 * @param fingerprint digest of the body as parsed JSON, so white space and key order do not matter
 */
public record IdempotentRequest(String caller, String method, String path, String key, String fingerprint) {
}
