package inventory.app.logging;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.cloudwatchlogs.model.InputLogEvent;

import static inventory.app.logging.LogEvents.EVENT_OVERHEAD;
import static inventory.app.logging.LogEvents.MAX_BATCH_BYTES;
import static inventory.app.logging.LogEvents.MAX_BATCH_EVENTS;
import static inventory.app.logging.LogEvents.MAX_EVENT_BYTES;
import static inventory.app.logging.LogEvents.MAX_SPAN_MILLIS;
import static inventory.app.logging.LogEvents.truncate;
import static inventory.app.logging.LogEvents.utf8Length;

/**
 * Ships log lines to a CloudWatch Logs stream, asynchronously and in batches.
 * <p>
 * {@link #offer} only appends to a bounded buffer in memory: it never waits for CloudWatch, never throws, and when
 * the buffer is full it drops the oldest line and counts it ({@link #dropped()}). One background virtual thread
 * sends the buffer with {@code PutLogEvents}, in batches within the service's limits (at most 10,000 events and
 * 1,048,576 bytes, counting 26 bytes per event; events in time order; spanning less than 24 hours; one event at
 * most 256 KiB, longer lines are cut), at least every flush interval (at most 5 s) and sooner when a full batch is
 * waiting. Throttling, 5xx answers, time-outs and connection failures are retried with exponential backoff and
 * jitter; the batch goes back to the front of the buffer meanwhile, so while CloudWatch is slow or unreachable the
 * buffer fills and the oldest lines are the ones dropped. The log stream is created at the first send and again
 * when {@code PutLogEvents} answers {@code ResourceNotFoundException}; the log group must exist.
 * <p>
 * The shipper reports drops, cut lines and failures in its own log ({@code inventory.app.logging.CloudWatchShipper})
 * at most once a minute; {@link CloudWatchHandler} ships those lines too, and nothing else logged on the sender
 * thread (the SDK's own logging), so shipping cannot feed itself.
 */
public final class CloudWatchShipper implements AutoCloseable {

    /** The buffer's bound in bytes, whatever its bound in lines: a few huge lines must not take the heap. */
    static final long MAX_BUFFERED_BYTES = 32L * 1024 * 1024;
    /** How long {@link #close()} waits for the buffer to go out. */
    static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
    /** Own-log reports at most this often. */
    static final Duration REPORT_INTERVAL = Duration.ofMinutes(1);

    static final Duration BACKOFF_BASE = Duration.ofMillis(200);
    static final Duration BACKOFF_MAX = Duration.ofSeconds(20);

    private static final Logger LOG = Logger.getLogger(CloudWatchShipper.class.getName());

    /**
     * Where and how to ship.
     *
     * @param logGroup      the log group (it must exist)
     * @param logStream     the log stream, created when missing; {@link LogStreams#forThisTask} makes one per task
     * @param endpoint      another endpoint than the region's, for tests and local stand-ins
     * @param region        the AWS region; empty: the SDK's default region chain ({@code AWS_REGION})
     * @param capacity      the buffer's bound in lines; beyond it the oldest line is dropped
     * @param flushInterval the longest a line waits before it is sent, more than 0 and at most 5 s
     */
    public record Settings(String logGroup, String logStream, Optional<URI> endpoint, Optional<String> region,
                           int capacity, Duration flushInterval) {

        /**
         * Checks the values.
         */
        public Settings {
            Objects.requireNonNull(logGroup, "logGroup");
            Objects.requireNonNull(logStream, "logStream");
            Objects.requireNonNull(endpoint, "endpoint");
            Objects.requireNonNull(region, "region");
            if (capacity < 1) {
                throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
            }
            if (flushInterval.isNegative() || flushInterval.isZero() || flushInterval.compareTo(Duration.ofSeconds(5)) > 0) {
                throw new IllegalArgumentException("flushInterval must be more than 0 and at most 5 s, got " + flushInterval);
            }
        }

        /**
         * The service's settings: a stream of its own for this task, 50,000 lines, flushed every 5 s.
         *
         * @param logGroup the log group
         * @param endpoint another endpoint, or empty for the region's
         * @param region   the region, or empty for the SDK's default region chain
         * @return the settings
         */
        public static Settings of(String logGroup, Optional<URI> endpoint, Optional<String> region) {
            String stream = LogStreams.forThisTask(System.getenv(), Instant.now(), ThreadLocalRandom.current());
            return new Settings(logGroup, stream, endpoint, region, 50_000, Duration.ofSeconds(5));
        }
    }

    /** A line waiting to be sent: its timestamp, its text (already cut to fit) and its size as CloudWatch counts. */
    private record Line(long millis, String text, int bytes) {
    }

    private final Settings settings;
    private final CloudWatchStream stream;
    private final Thread sender;

    private final ReentrantLock lock = new ReentrantLock();
    /** The sender waits on it for lines, a flush request or the flush interval. */
    private final Condition wake = lock.newCondition();
    /** {@link #flush} waits on it for lines to be handled. */
    private final Condition progress = lock.newCondition();
    /** The sender's backoff waits on it, so that close cuts the wait short. */
    private final Condition stopping = lock.newCondition();
    // all guarded by lock
    private final ArrayDeque<Line> buffer = new ArrayDeque<>();
    private long bufferedBytes;
    private long offered;
    /** Lines that left: sent, rejected by CloudWatch or dropped. */
    private long handled;
    private long flushTarget;
    private long dropped;
    private long droppedReported;
    private long rejected;
    private long rejectedReported;
    private long truncated;
    private long truncatedReported;
    private boolean retryPending;
    private boolean closing;
    private boolean stopped;
    private volatile long sent;
    private volatile long batches;
    // the sender's own
    private volatile int failures;
    private volatile String lastFailure;
    private String lastFailureReported;
    private long lastReportNanos;

    private CloudWatchShipper(Settings settings, CloudWatchStream stream) {
        this.settings = settings;
        this.stream = stream;
        this.sender = Thread.ofVirtual().name("cloudwatch-shipper").unstarted(this::run);
        this.lastReportNanos = System.nanoTime() - REPORT_INTERVAL.toNanos();
    }

    /**
     * Builds the client and starts the sender, which creates the log stream first (and again before the first batch
     * if that failed). Returns at once: nothing here waits for CloudWatch.
     *
     * @param settings where and how to ship
     * @return the running shipper
     */
    public static CloudWatchShipper start(Settings settings) {
        CloudWatchShipper shipper = new CloudWatchShipper(settings, CloudWatchStream.of(settings));
        shipper.sender.start();
        return shipper;
    }

    /**
     * @return the settings this shipper runs with
     */
    public Settings settings() {
        return settings;
    }

    /**
     * Buffers a line. Never waits for CloudWatch and never throws: when the buffer is full, the oldest line is
     * dropped and counted. A line longer than CloudWatch takes is cut, and says so at its end.
     *
     * @param epochMillis the line's timestamp
     * @param line        the line, without a trailing newline
     */
    public void offer(long epochMillis, String line) {
        try {
            if (line == null) {
                return;
            }
            String text = line.isEmpty() ? " " : line;
            int bytes = utf8Length(text);
            boolean cut = false;
            if (bytes + EVENT_OVERHEAD > MAX_EVENT_BYTES) {
                text = truncate(text, bytes);
                bytes = utf8Length(text);
                cut = true;
            }
            Line l = new Line(epochMillis, text, bytes + EVENT_OVERHEAD);
            lock.lock();
            try {
                if (stopped) {
                    dropped++;
                    return;
                }
                if (cut) {
                    truncated++;
                }
                buffer.addLast(l);
                bufferedBytes += l.bytes();
                offered++;
                trim();
                if (buffer.size() >= MAX_BATCH_EVENTS || bufferedBytes >= MAX_BATCH_BYTES) {
                    wake.signal();
                }
            } finally {
                lock.unlock();
            }
        } catch (RuntimeException | OutOfMemoryError e) {
            // the service's request must not fail for its log line
        }
    }

    /** Drops the oldest lines while the buffer is over its bounds; called with the lock held. */
    private void trim() {
        boolean any = false;
        while (buffer.size() > settings.capacity() || (bufferedBytes > MAX_BUFFERED_BYTES && buffer.size() > 1)) {
            Line old = buffer.pollFirst();
            bufferedBytes -= old.bytes();
            dropped++;
            handled++;
            any = true;
        }
        if (any) {
            progress.signalAll();
        }
    }

    /**
     * @return lines dropped so far because the buffer was full (or offered after close)
     */
    public long dropped() {
        lock.lock();
        try {
            return dropped;
        } finally {
            lock.unlock();
        }
    }

    /**
     * @return lines CloudWatch accepted so far
     */
    public long sent() {
        return sent;
    }

    /**
     * @return successful PutLogEvents calls so far
     */
    public long batches() {
        return batches;
    }

    /**
     * Asks the sender to send everything offered so far now, and waits until it has left the buffer (sent,
     * rejected or dropped) or the timeout passed.
     *
     * @param timeout how long to wait; zero only asks
     * @return whether everything offered before the call left the buffer in time
     */
    public boolean flush(Duration timeout) {
        lock.lock();
        try {
            long target = offered;
            flushTarget = Math.max(flushTarget, target);
            wake.signal();
            long left = timeout.toNanos();
            while (handled < target && left > 0 && !stopped) {
                left = progress.awaitNanos(left);
            }
            return handled >= target;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Sends what is buffered (waiting at most {@link #CLOSE_TIMEOUT}), stops the sender and closes the client.
     * Lines offered later are dropped. What could not be sent in time is reported on standard error.
     */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closing) {
                return;
            }
            closing = true;
        } finally {
            lock.unlock();
        }
        report(true);
        boolean all = flush(CLOSE_TIMEOUT);
        long left;
        lock.lock();
        try {
            stopped = true;
            left = offered - handled;
            wake.signalAll();
            stopping.signalAll();
            progress.signalAll();
        } finally {
            lock.unlock();
        }
        sender.interrupt();
        try {
            sender.join(Duration.ofSeconds(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        stream.close();
        if (!all && left > 0) {
            // the handler is going away: stderr is the one place left to say it
            System.err.println(Instant.now() + " WARNING " + CloudWatchShipper.class.getName() + ": " + left
                               + " log lines were not shipped to CloudWatch Logs before shutdown"
                               + (lastFailure == null ? "" : " (last error: " + lastFailure + ")"));
        }
    }

    /**
     * @return whether the calling thread is the sender (whose own logging must not be shipped, but for reports)
     */
    boolean isSenderThread() {
        return Thread.currentThread() == sender;
    }

    // ---- the sender ----------------------------------------------------------------------------------------------

    private void run() {
        try {
            stream.create(); // early, so that the first batch finds it; if this fails, the first batch tries again
        } catch (RuntimeException e) {
            lastFailure = CloudWatchErrors.describe(e);
        }
        long interval = settings.flushInterval().toNanos();
        long due = System.nanoTime() + interval;
        while (true) {
            List<Line> batch;
            lock.lock();
            try {
                while (!stopped && !retryPending && handled >= flushTarget && buffer.size() < MAX_BATCH_EVENTS
                       && bufferedBytes < MAX_BATCH_BYTES && System.nanoTime() - due < 0) {
                    wake.awaitNanos(due - System.nanoTime());
                }
                if (stopped) {
                    return;
                }
                retryPending = false;
                batch = takeBatch();
                if (buffer.isEmpty()) {
                    due = System.nanoTime() + interval;
                }
            } catch (InterruptedException e) {
                if (isStopped()) {
                    return;
                }
                continue;
            } finally {
                lock.unlock();
            }
            if (!batch.isEmpty()) {
                send(batch);
            }
            report(false);
        }
    }

    private boolean isStopped() {
        lock.lock();
        try {
            return stopped;
        } finally {
            lock.unlock();
        }
    }

    /** The next batch from the front of the buffer, in time order; called with the lock held. */
    private List<Line> takeBatch() {
        List<Line> batch = new ArrayList<>(Math.min(buffer.size(), MAX_BATCH_EVENTS));
        long bytes = 0;
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        while (!buffer.isEmpty() && batch.size() < MAX_BATCH_EVENTS) {
            Line next = buffer.peekFirst();
            long lo = Math.min(min, next.millis());
            long hi = Math.max(max, next.millis());
            if (bytes + next.bytes() > MAX_BATCH_BYTES || (!batch.isEmpty() && hi - lo > MAX_SPAN_MILLIS)) {
                break;
            }
            buffer.pollFirst();
            bufferedBytes -= next.bytes();
            bytes += next.bytes();
            min = lo;
            max = hi;
            batch.add(next);
        }
        batch.sort(Comparator.comparingLong(Line::millis)); // stable: lines of one millisecond keep their order
        return batch;
    }

    /** One attempt at a batch; on a failure worth retrying, the batch goes back to the buffer and the sender waits. */
    private void send(List<Line> batch) {
        try {
            List<InputLogEvent> events = new ArrayList<>(batch.size());
            for (Line l : batch) {
                events.add(InputLogEvent.builder().timestamp(l.millis()).message(l.text()).build());
            }
            int refused = stream.put(events);
            sent += batch.size() - refused;
            batches++;
            failures = 0;
            done(batch.size(), refused, null);
        } catch (SdkException e) {
            if (CloudWatchErrors.retryable(e)) {
                retryLater(batch, e);
            } else {
                // CloudWatch will never take this batch (InvalidParameterException, say): drop it rather than stall
                done(batch.size(), batch.size(), CloudWatchErrors.describe(e));
            }
        } catch (RuntimeException e) {
            retryLater(batch, e);
        }
    }

    private void done(int lines, int refused, String failure) {
        lock.lock();
        try {
            handled += lines;
            rejected += refused;
            if (failure != null) {
                lastFailure = failure;
            }
            progress.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void retryLater(List<Line> batch, Exception e) {
        failures++;
        long cap = Math.min(BACKOFF_MAX.toNanos(), BACKOFF_BASE.toNanos() << Math.min(failures - 1, 20));
        long wait = cap / 2 + ThreadLocalRandom.current().nextLong(cap / 2 + 1);
        lock.lock();
        try {
            lastFailure = CloudWatchErrors.describe(e);
            for (int i = batch.size() - 1; i >= 0; i--) {
                Line l = batch.get(i);
                buffer.addFirst(l);
                bufferedBytes += l.bytes();
            }
            trim();
            retryPending = true;
            while (!closing && !stopped && wait > 0) {
                wait = stopping.awaitNanos(wait);
            }
            if (closing && !stopped && wait > 0) {
                // closing: one more try without the rest of the wait, since close waits only so long
                stopping.awaitNanos(Math.min(wait, BACKOFF_BASE.toNanos()));
            }
        } catch (InterruptedException ie) {
            // close() stops the sender; run() sees it
        } finally {
            lock.unlock();
        }
    }

    /**
     * Says in the service's log, at most once a minute (or now, when closing), how many lines were dropped, refused
     * or cut since the last report, and why.
     */
    private void report(boolean now) {
        long droppedNew;
        long rejectedNew;
        long truncatedNew;
        String failure;
        lock.lock();
        try {
            if (!now && System.nanoTime() - lastReportNanos < REPORT_INTERVAL.toNanos()) {
                return;
            }
            droppedNew = dropped - droppedReported;
            rejectedNew = rejected - rejectedReported;
            truncatedNew = truncated - truncatedReported;
            failure = failures > 0 && !Objects.equals(lastFailure, lastFailureReported) ? lastFailure : null;
            if (droppedNew == 0 && rejectedNew == 0 && truncatedNew == 0 && failure == null) {
                return;
            }
            droppedReported = dropped;
            rejectedReported = rejected;
            truncatedReported = truncated;
            lastFailureReported = lastFailure;
            lastReportNanos = System.nanoTime();
        } finally {
            lock.unlock();
        }
        String where = "CloudWatch Logs " + settings.logGroup() + " " + settings.logStream();
        if (droppedNew > 0) {
            LOG.log(Level.WARNING, "dropped " + droppedNew + " log lines: " + where + " did not take them as fast as "
                                   + "they came (buffer of " + settings.capacity() + " lines full"
                                   + (lastFailure == null ? "" : "; last error: " + lastFailure) + ")");
        } else if (failure != null) {
            LOG.log(Level.WARNING, "shipping logs to " + where + " failed, retrying with backoff: " + failure);
        }
        if (rejectedNew > 0) {
            LOG.log(Level.WARNING, where + " refused " + rejectedNew + " log lines"
                                   + (lastFailure == null ? " (too old or too far in the future)" : ": " + lastFailure));
        }
        if (truncatedNew > 0) {
            LOG.log(Level.WARNING, "cut " + truncatedNew + " log lines to the " + MAX_EVENT_BYTES
                                   + " bytes a CloudWatch Logs event may have");
        }
    }
}
