package inventory.core;

import java.util.Optional;

/**
 * Stored answers of requests sent with an {@code Idempotency-Key}. Every method must be called inside
 * {@link Transactions#inTransaction}, so the stored answer commits with the change it guards, or not at all.
 */
public interface IdempotencyStore {

    /**
     * Takes the key's lock for the rest of the transaction without waiting.
     *
     * @param request the key
     * @return false if another transaction holds it
     */
    boolean tryLock(IdempotentRequest request);

    /**
     * @param request the key
     * @return the stored answer and the fingerprint of the request that produced it
     */
    Optional<Stored> find(IdempotentRequest request);

    /**
     * Marks the point to return to when the operation fails with an answer that is stored.
     */
    void savepoint();

    /**
     * Undoes everything since {@link #savepoint()}.
     */
    void rollbackToSavepoint();

    /**
     * Stores the answer.
     *
     * @param request  the key and fingerprint
     * @param response the answer
     */
    void save(IdempotentRequest request, StoredResponse response);

    /**
     * A stored answer.
     *
     * @param fingerprint fingerprint of the request that produced it
     * @param response    the answer
     */
    record Stored(String fingerprint, StoredResponse response) {
    }
}
