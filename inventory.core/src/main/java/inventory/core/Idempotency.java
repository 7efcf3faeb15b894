package inventory.core;

import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Runs a write at most once per idempotency key. The key's answer is stored in the same transaction as the
 * change, so a crash leaves either both or neither. A second request with the key while the first runs gets
 * {@code idempotency-key-in-progress}; after it, the stored answer; with another body,
 * {@code idempotency-key-reused}. The operation's own refusals ({@link InventoryException#replayable()}) are
 * stored too; other failures are not, so the client may fix the request and retry under the same key.
 */
public final class Idempotency {

    private final Transactions transactions;
    private final IdempotencyStore store;

    /**
     * @param transactions transactions
     * @param store        stored answers
     */
    public Idempotency(Transactions transactions, IdempotencyStore store) {
        this.transactions = transactions;
        this.store = store;
    }

    /**
     * Runs the operation, or replays its stored answer.
     *
     * @param request    the key, or empty to just run the operation in a transaction
     * @param operation  the write
     * @param render     turns the operation's result into the answer
     * @param renderFail turns a replayable refusal into the answer that is stored
     * @param <T>        result type
     * @return the answer, and whether it was replayed
     */
    public <T> Outcome execute(Optional<IdempotentRequest> request,
                               Supplier<T> operation,
                               Function<T, StoredResponse> render,
                               Function<InventoryException, StoredResponse> renderFail) {
        return execute(request, operation, render, render, renderFail);
    }

    /**
     * Runs the operation, or replays its stored answer; the answer stored for replays may differ from the one
     * sent the first time (a new API key's secret is sent once and never stored).
     *
     * @param request     the key, or empty to just run the operation in a transaction
     * @param operation   the write
     * @param render      turns the operation's result into the answer
     * @param renderStored turns the operation's result into the answer kept for replays
     * @param renderFail  turns a replayable refusal into the answer that is stored
     * @param <T>         result type
     * @return the answer, and whether it was replayed
     */
    public <T> Outcome execute(Optional<IdempotentRequest> request,
                               Supplier<T> operation,
                               Function<T, StoredResponse> render,
                               Function<T, StoredResponse> renderStored,
                               Function<InventoryException, StoredResponse> renderFail) {
        if (request.isEmpty()) {
            return new Outcome(transactions.inTransaction(() -> render.apply(operation.get())), false);
        }
        IdempotentRequest req = request.get();
        return transactions.inTransaction(() -> {
            if (!store.tryLock(req)) {
                throw new InventoryException.IdempotencyKeyInProgress();
            }
            Optional<IdempotencyStore.Stored> stored = store.find(req);
            if (stored.isPresent()) {
                if (!stored.get().fingerprint().equals(req.fingerprint())) {
                    throw new InventoryException.IdempotencyKeyReused();
                }
                return new Outcome(stored.get().response(), true);
            }
            store.savepoint();
            StoredResponse response;
            StoredResponse kept;
            try {
                T result = operation.get();
                response = render.apply(result);
                kept = renderStored == render ? response : renderStored.apply(result);
            } catch (InventoryException e) {
                if (!e.replayable()) {
                    throw e;
                }
                store.rollbackToSavepoint();
                response = renderFail.apply(e);
                kept = response;
            }
            store.save(req, kept);
            return new Outcome(response, false);
        });
    }

    /**
     * The answer to send.
     *
     * @param response the answer
     * @param replayed whether it is a stored answer sent again
     */
    public record Outcome(StoredResponse response, boolean replayed) {
    }
}
