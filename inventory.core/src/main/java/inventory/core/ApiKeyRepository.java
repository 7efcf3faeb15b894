package inventory.core;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Stored API keys: only a hash of each secret is kept.
 */
public interface ApiKeyRepository {

    /**
     * @param key        the key
     * @param secretHash SHA-256 of its secret
     * @param bootstrap  whether it is the generated bootstrap admin key (at most one exists)
     * @return false if it is a bootstrap key and one exists already
     */
    boolean create(ApiKey key, byte[] secretHash, boolean bootstrap);

    /**
     * @return every key, oldest first, revoked ones included
     */
    List<ApiKey> list();

    /**
     * @return every key that works (not revoked), with its secret's hash
     */
    List<Stored> active();

    /**
     * @param id key id
     * @return the key and its secret's hash
     */
    Optional<Stored> find(UUID id);

    /**
     * @param id key id
     * @return false if there is no such key that works
     */
    boolean revoke(UUID id);

    /**
     * A stored key.
     *
     * @param key        the key
     * @param secretHash SHA-256 of its secret
     */
    record Stored(ApiKey key, byte[] secretHash) {
    }
}
