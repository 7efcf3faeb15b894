package inventory.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.function.BiFunction;

/**
 * Group commit: requests on the same key that arrive while one of them is being written are written together, in
 * one transaction, in the order they arrived. Nobody waits for a timer: the first request on an idle key is written
 * at once (alone); the requests that queue behind it meanwhile form the next batch, led by the first of them.
 * <p>
 * For a row every writer must lock (one product under a storm of sales), the lock and the commit's flush are then
 * paid once per batch instead of once per request, while each request still gets its own result, computed as if
 * the batch's requests had run one after another.
 *
 * @param <K> what requests contend on
 * @param <R> a request
 * @param <T> its result
 */
public final class Combiner<K, R, T> {

    /**
     * Writes a batch.
     *
     * @param <K> key
     * @param <R> request
     */
    @FunctionalInterface
    public interface Batch<K, R> {
        /**
         * @param key      the key
         * @param requests two or more, in arrival order
         * @return per request, in order, its result or the {@link RuntimeException} it fails with
         */
        List<Object> write(K key, List<R> requests);
    }

    private static final Object LEAD = new Object();

    private final ConcurrentHashMap<K, Lane> lanes = new ConcurrentHashMap<>();
    private final BiFunction<K, R, T> single;
    private final Batch<K, R> batch;
    private final int maxBatch;

    /**
     * @param single   writes one request alone (its failure is thrown)
     * @param batch    writes several in one transaction
     * @param maxBatch most requests in one batch
     */
    public Combiner(BiFunction<K, R, T> single, Batch<K, R> batch, int maxBatch) {
        this.single = single;
        this.batch = batch;
        this.maxBatch = maxBatch;
    }

    private final class Lane {
        final ArrayDeque<Waiter> queue = new ArrayDeque<>();
        boolean busy;
    }

    private final class Waiter {
        final R request;
        final CompletableFuture<Object> done = new CompletableFuture<>();

        Waiter(R request) {
            this.request = request;
        }
    }

    /**
     * Writes the request, alone or with others on the same key.
     *
     * @param key     what it contends on
     * @param request the request
     * @return its result
     */
    @SuppressWarnings("unchecked")
    public T submit(K key, R request) {
        Lane lane = lanes.computeIfAbsent(key, k -> new Lane());
        Waiter me = new Waiter(request);
        boolean lead;
        synchronized (lane) {
            lead = !lane.busy;
            if (lead) {
                lane.busy = true;
            } else {
                lane.queue.add(me);
            }
        }
        if (lead) {
            // the key was idle: write at once, alone
            try {
                return single.apply(key, request);
            } finally {
                handOver(key, lane);
            }
        }
        Object outcome = await(me);
        if (outcome != LEAD) {
            return result(outcome);
        }
        List<Waiter> mine = new ArrayList<>();
        synchronized (lane) {
            while (!lane.queue.isEmpty() && mine.size() < maxBatch) {
                mine.add(lane.queue.poll()); // this request first: it was at the head when it was handed the lead
            }
        }
        Object own;
        try {
            if (mine.size() == 1) {
                try {
                    own = single.apply(key, request);
                } catch (RuntimeException e) {
                    own = e;
                }
            } else {
                List<Object> results;
                try {
                    results = batch.write(key, mine.stream().map(w -> w.request).toList());
                } catch (RuntimeException e) {
                    results = java.util.Collections.nCopies(mine.size(), e);
                }
                own = results.get(0);
                for (int i = 1; i < mine.size(); i++) {
                    mine.get(i).done.complete(results.get(i));
                }
            }
        } finally {
            for (int i = 1; i < mine.size(); i++) {
                // only if the batch ended in an Error: nobody may wait forever
                mine.get(i).done.complete(new InventoryException.Unavailable("the write did not finish"));
            }
            handOver(key, lane);
        }
        return result(own);
    }

    /** Passes the lead to the first request that queued meanwhile, or leaves the key idle. */
    private void handOver(K key, Lane lane) {
        synchronized (lane) {
            Waiter next = lane.queue.peek();
            if (next == null) {
                lane.busy = false;
                lanes.remove(key, lane);
            } else {
                next.done.complete(LEAD);
            }
        }
    }

    private Object await(Waiter w) {
        try {
            return w.done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InventoryException.Unavailable("interrupted while waiting to be written");
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    @SuppressWarnings("unchecked")
    private T result(Object outcome) {
        if (outcome instanceof RuntimeException e) {
            throw e;
        }
        return (T) outcome;
    }
}
