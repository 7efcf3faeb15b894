package inventory.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;

/**
 * Group commit: requests that arrive while all the lanes are busy writing are written together, in one transaction,
 * in the order they arrived. Nobody waits for a timer: a request that finds a lane free is written at once (alone);
 * the requests that queue meanwhile form the next batch, led by the first of them, which writes them when a lane
 * comes free.
 * <p>
 * The commit's flush, the round trips and the per-statement work are then paid once per batch instead of once per
 * request, and for a row every writer must lock (one product under a storm of sales) the lock is too, while each
 * request still gets its own result, computed as if the batch's requests had run one after another.
 *
 * @param <R> a request
 * @param <T> its result
 */
public final class Combiner<R, T> {

    /**
     * Writes a batch.
     *
     * @param <R> request
     */
    @FunctionalInterface
    public interface Batch<R> {
        /**
         * @param requests two or more, in arrival order
         * @return per request, in order, its result or the {@link RuntimeException} it fails with
         */
        List<Object> write(List<R> requests);
    }

    /** Handed to the first waiter of a batch: it writes them all. */
    private record Lead(List<?> batch) {
    }

    private final ArrayDeque<Waiter> queue = new ArrayDeque<>();
    private final Function<R, T> single;
    private final Batch<R> batch;
    private final int maxBatch;
    private final int lanes;
    /** Lanes writing now; below {@link #lanes} only while the queue is empty. */
    private int busy;

    /**
     * @param single   writes one request alone (its failure is thrown)
     * @param batch    writes several in one transaction
     * @param maxBatch most requests in one batch
     * @param lanes    most writes (alone or batches) at the same time
     */
    public Combiner(Function<R, T> single, Batch<R> batch, int maxBatch, int lanes) {
        if (maxBatch < 1 || lanes < 1) {
            throw new IllegalArgumentException("maxBatch and lanes must be at least 1");
        }
        this.single = single;
        this.batch = batch;
        this.maxBatch = maxBatch;
        this.lanes = lanes;
    }

    final class Waiter {
        final R request;
        final CompletableFuture<Object> done = new CompletableFuture<>();

        Waiter(R request) {
            this.request = request;
        }
    }

    /**
     * Writes the request, alone or with others.
     *
     * @param request the request
     * @return its result
     */
    @SuppressWarnings("unchecked")
    public T submit(R request) {
        Waiter me = new Waiter(request);
        boolean lead;
        synchronized (queue) {
            lead = busy < lanes;
            if (lead) {
                busy++;
            } else {
                queue.add(me);
            }
        }
        if (lead) {
            // a lane was free: write at once, alone
            try {
                return single.apply(request);
            } finally {
                handOver();
            }
        }
        Object outcome = await(me);
        if (!(outcome instanceof Lead(List<?> led))) {
            return result(outcome);
        }
        List<Waiter> mine = (List<Waiter>) led; // this request first
        Object own;
        try {
            if (mine.size() == 1) {
                try {
                    own = single.apply(request);
                } catch (RuntimeException e) {
                    own = e;
                }
            } else {
                List<Object> results;
                try {
                    results = batch.write(mine.stream().map(w -> w.request).toList());
                } catch (RuntimeException e) {
                    results = Collections.nCopies(mine.size(), e);
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
            handOver();
        }
        return result(own);
    }

    /** Passes the lane to the requests that queued meanwhile, as one batch, or frees it. */
    private void handOver() {
        List<Waiter> next;
        synchronized (queue) {
            if (queue.isEmpty()) {
                busy--;
                return;
            }
            next = new ArrayList<>(Math.min(queue.size(), maxBatch));
            while (!queue.isEmpty() && next.size() < maxBatch) {
                next.add(queue.poll());
            }
        }
        next.getFirst().done.complete(new Lead(List.copyOf(next)));
    }

    private Object await(Waiter w) {
        try {
            return w.done.get();
        } catch (InterruptedException e) {
            synchronized (queue) {
                if (queue.remove(w)) {
                    Thread.currentThread().interrupt();
                    throw new InventoryException.Unavailable("interrupted while waiting to be written");
                }
            }
            // already taken into a batch: its outcome (or the lane, which must be passed on) is coming
            Object outcome = w.done.join();
            Thread.currentThread().interrupt();
            return outcome;
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
