package inventory.core;

import java.time.Instant;
import java.util.Set;
import java.util.UUID;

/**
 * An API key as listed: never its secret.
 *
 * @param id        id
 * @param name      what it is for
 * @param scopes    what it may do
 * @param createdAt creation time
 * @param revokedAt revocation time, or null while it works
 */
public record ApiKey(UUID id, String name, Set<Scope> scopes, Instant createdAt, Instant revokedAt) {

    /**
     * Copies the scopes.
     */
    public ApiKey {
        scopes = Set.copyOf(scopes);
    }
}
