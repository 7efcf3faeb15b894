package inventory.core;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * A token bucket per caller: {@code rps} tokens a second, at most one second's worth saved up.
 */
public final class RateLimiter {

    private static final long SECOND = 1_000_000_000L;

    private final int rps;
    private final LongSupplier nanoTime;
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

    /**
     * @param rps      requests per second per caller; 0 for no limit
     * @param nanoTime monotonic clock in nanoseconds
     */
    public RateLimiter(int rps, LongSupplier nanoTime) {
        this.rps = rps;
        this.nanoTime = nanoTime;
    }

    /**
     * Takes one token for the caller.
     *
     * @param caller the API key
     * @return 0 if the request may go ahead, else the whole seconds until a token is there (at least 1)
     */
    public long acquire(String caller) {
        if (rps <= 0) {
            return 0;
        }
        return buckets.computeIfAbsent(caller, c -> new Bucket(rps, nanoTime.getAsLong())).take(rps, nanoTime.getAsLong());
    }

    private static final class Bucket {
        /** Tokens, in billionths, so refills are exact. */
        private long tokens;
        private long last;

        Bucket(int rps, long now) {
            this.tokens = rps * SECOND;
            this.last = now;
        }

        synchronized long take(int rps, long now) {
            long capacity = rps * SECOND;
            long elapsed = Math.max(0, now - last);
            last = now;
            // elapsed * rps can overflow only after centuries of idleness; cap it first
            tokens = Math.min(capacity, tokens + Math.min(elapsed, SECOND) * rps);
            if (tokens >= SECOND) {
                tokens -= SECOND;
                return 0;
            }
            long missing = SECOND - tokens;
            long waitNanos = (missing + rps - 1) / rps;
            return Math.max(1, (waitNanos + SECOND - 1) / SECOND);
        }
    }
}
