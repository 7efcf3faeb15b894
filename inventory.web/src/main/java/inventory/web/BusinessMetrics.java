package inventory.web;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;

import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.Gauge;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Tag;

import inventory.core.MovementReason;

/**
 * What the service does for the shop, counted: movements by reason, refusals for lack of stock, replayed answers,
 * plus gauges the application supplies (active reservations, log lines dropped).
 */
public final class BusinessMetrics {

    private static volatile BusinessMetrics global;

    private final MeterRegistry registry;
    private final Map<MovementReason, Counter> movements = new ConcurrentHashMap<>();
    private final Counter insufficient;
    private final Counter replays;

    /**
     * @param registry where the meters live
     */
    public BusinessMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.insufficient = registry.getOrCreate(Counter.builder("inventory.stock.insufficient")
                .description("requests refused with 409 insufficient-stock"));
        this.replays = registry.getOrCreate(Counter.builder("inventory.idempotency.replays")
                .description("answers replayed for a repeated Idempotency-Key"));
        for (MovementReason r : MovementReason.values()) {
            movements.put(r, registry.getOrCreate(Counter.builder("inventory.stock.movements")
                    .description("stock movements written, by reason")
                    .tags(List.of(Tag.create("reason", r.name())))));
        }
    }

    /**
     * The meters of this process (the metrics registry is one per process too).
     *
     * @return them
     */
    public static BusinessMetrics global() {
        BusinessMetrics m = global;
        if (m == null) {
            synchronized (BusinessMetrics.class) {
                if (global == null) {
                    global = new BusinessMetrics(io.helidon.metrics.api.Metrics.globalRegistry());
                }
                m = global;
            }
        }
        return m;
    }

    /**
     * Registers a counter whose value the application reads on demand.
     *
     * @param name        meter name
     * @param description what it means
     * @param source      the object read
     * @param value       reads the count
     * @param <T>         source type
     */
    public <T> void counter(String name, String description, T source, java.util.function.Function<T, Long> value) {
        registry.getOrCreate(io.helidon.metrics.api.FunctionalCounter.builder(name, source, value).description(description));
    }

    /**
     * Registers a gauge whose value the application reads on demand.
     *
     * @param name        meter name
     * @param description what it means
     * @param source      the object read
     * @param value       reads the value
     * @param <T>         source type
     */
    public <T> void gauge(String name, String description, T source, ToDoubleFunction<T> value) {
        registry.getOrCreate(Gauge.builder(name, source, value).description(description));
    }

    void movements(MovementReason reason, long n) {
        movements.get(reason).increment(n);
    }

    void insufficientStock() {
        insufficient.increment();
    }

    void replayed() {
        replays.increment();
    }

    /**
     * @return movements written so far, all reasons
     */
    public long movementsTotal() {
        return movements.values().stream().mapToLong(Counter::count).sum();
    }

    /**
     * @return insufficient-stock refusals so far
     */
    public long insufficientTotal() {
        return insufficient.count();
    }

    /**
     * @return replayed answers so far
     */
    public long replaysTotal() {
        return replays.count();
    }
}
