package inventory.app.logging;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ResourceBundle;
import java.util.function.LongSupplier;

/**
 * Writes the key figures, once a minute, as a CloudWatch Embedded Metric Format log line: shipped with the other
 * log lines, CloudWatch turns it into metrics (namespace {@code Inventory}, dimension {@code Service}) that alarms
 * can watch, with no extra API call and no Prometheus server.
 */
public final class EmfReporter implements AutoCloseable {

    /** The logger of the metric lines. */
    public static final String LOGGER = "inventory.metrics";

    private static final System.Logger LOG = System.getLogger(LOGGER);

    private final Duration interval;
    private final Runnable before;
    private final Map<String, Source> sources;
    private final Map<String, Long> last = new LinkedHashMap<>();
    private volatile boolean closed;
    private Thread thread;

    /**
     * A figure: a gauge (its value now) or a counter (reported as the increase since the last line).
     *
     * @param unit    CloudWatch unit, e.g. {@code Count} or {@code Milliseconds}
     * @param counter whether to report increases
     * @param value   reads the value
     */
    public record Source(String unit, boolean counter, java.util.function.DoubleSupplier value) {
        /**
         * @param value reads the count
         * @return an increasing count
         */
        public static Source counter(LongSupplier value) {
            return new Source("Count", true, value::getAsLong);
        }
    }

    /**
     * @param interval time between lines
     * @param before   runs before each line is read (e.g. to take a window of request figures)
     * @param sources  metric name to its source, in the order they are written
     */
    public EmfReporter(Duration interval, Runnable before, Map<String, Source> sources) {
        this.interval = interval;
        this.before = before;
        this.sources = sources;
    }

    /**
     * Starts writing on a virtual thread.
     */
    public void start() {
        sources.forEach((name, s) -> {
            if (s.counter()) {
                last.put(name, (long) s.value().getAsDouble());
            }
        });
        thread = Thread.ofVirtual().name("emf-reporter").start(() -> {
            while (!closed) {
                try {
                    Thread.sleep(interval);
                    report();
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "metric line not written: " + e.getMessage());
                }
            }
        });
    }

    /**
     * Writes one line now.
     */
    public void report() {
        before.run();
        Map<String, Object> doc = new LinkedHashMap<>();
        List<Map<String, Object>> metrics = new java.util.ArrayList<>();
        Map<String, Object> values = new LinkedHashMap<>();
        sources.forEach((name, s) -> {
            double v = s.value().getAsDouble();
            if (s.counter()) {
                long now = (long) v;
                long before = last.getOrDefault(name, now);
                last.put(name, now);
                values.put(name, Math.max(0, now - before));
            } else {
                values.put(name, v);
            }
            metrics.add(Map.of("Name", name, "Unit", s.unit()));
        });
        doc.put("_aws", Map.of("Timestamp", System.currentTimeMillis(),
                "CloudWatchMetrics", List.of(Map.of("Namespace", "Inventory",
                        "Dimensions", List.of(List.of("Service")), "Metrics", metrics))));
        doc.put("Service", "inventory");
        doc.putAll(values);
        LOG.log(Level.INFO, (ResourceBundle) null, "metrics", doc);
    }

    @Override
    public void close() {
        closed = true;
        if (thread != null) {
            thread.interrupt();
        }
    }
}
