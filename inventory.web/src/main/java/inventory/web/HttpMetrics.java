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
    }
}
