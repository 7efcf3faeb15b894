package inventory.web;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Tag;
import io.helidon.metrics.api.Timer;

/**
 * Request count and latency histogram by method, route template and status.
 */
public final class HttpMetrics {

    private static final Duration[] BUCKETS = {
            Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10),
            Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
            Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
            Duration.ofSeconds(10)};

    private final MeterRegistry registry;
    private final ConcurrentHashMap<Key, Timer> timers = new ConcurrentHashMap<>();
    /** Requests of the current reporting window, per bucket (the last slot: slower than every bucket). */
    private final java.util.concurrent.atomic.AtomicLongArray window =
            new java.util.concurrent.atomic.AtomicLongArray(BUCKETS.length + 1);
    private final java.util.concurrent.atomic.AtomicLong windowErrors = new java.util.concurrent.atomic.AtomicLong();

    /**
     * @param registry where the meters live
     */
    public HttpMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    private record Key(String method, String route, int status) {
    }

    void record(String method, String route, int status, long nanos) {
        timers.computeIfAbsent(new Key(method, route, status), k -> registry.getOrCreate(
                        Timer.builder("http.server.requests")
                                .description("HTTP requests by method, route template and status")
                                .tags(java.util.List.of(Tag.create("method", k.method()), Tag.create("route", k.route()),
                                        Tag.create("status", String.valueOf(k.status()))))
                                .buckets(BUCKETS)))
                .record(Duration.ofNanos(nanos));
        int slot = 0;
        while (slot < BUCKETS.length && nanos > BUCKETS[slot].toNanos()) {
            slot++;
        }
        window.incrementAndGet(slot);
        if (status >= 500) {
            windowErrors.incrementAndGet();
        }
    }

    /**
     * The requests since the last call: their number, how many failed with 5xx, and their 99th percentile
     * latency (the upper bound of the histogram bucket it falls in).
     *
     * @return the window's figures; the next window starts now
     */
    public Window takeWindow() {
        long[] counts = new long[window.length()];
        long total = 0;
        for (int i = 0; i < counts.length; i++) {
            counts[i] = window.getAndSet(i, 0);
            total += counts[i];
        }
        long errors = windowErrors.getAndSet(0);
        double p99 = 0;
        long seen = 0;
        for (int i = 0; i < counts.length && total > 0; i++) {
            seen += counts[i];
            if (seen >= Math.ceil(total * 0.99)) {
                p99 = i < BUCKETS.length ? BUCKETS[i].toNanos() / 1e6 : BUCKETS[BUCKETS.length - 1].toNanos() / 1e6 * 2;
                break;
            }
        }
        return new Window(total, errors, p99);
    }

    /**
     * One reporting window.
     *
     * @param requests  requests answered
     * @param errors5xx of them with a 5xx status
     * @param p99Ms     99th percentile latency in milliseconds (bucket upper bound), 0 without requests
     */
    public record Window(long requests, long errors5xx, double p99Ms) {
    }
}
