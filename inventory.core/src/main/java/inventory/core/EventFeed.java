package inventory.core;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Numbers committed events and fans them out to live subscribers.
 * <p>
 * One virtual thread (the pump) runs the sequencer as soon as this process commits events (and every second in
 * case another process left some), reads what is new once, and hands each event to every subscriber's queue. So
 * any number of stream clients cost one query per batch of events, not a database connection each. A subscriber
 * that resumes from an older {@code seq}, or falls behind by more than its queue holds, reads the gap from the
 * database in pages, then continues from its queue: nothing is lost or repeated.
 */
public final class EventFeed implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(EventFeed.class.getName());
    private static final int PAGE = 500;
    private static final int QUEUE_LIMIT = 10_000;
    private static final Duration COALESCE = Duration.ofMillis(5);
    private static final StoredEvent CLOSED = new StoredEvent(-1, "", null, null, "", java.time.Instant.EPOCH);

    private final EventLog log;
    private final Duration poll;
    private final Object lock = new Object();
    private final List<Subscription> subscribers = new ArrayList<>();
    private final Object signal = new Object();
    private boolean signalled;
    private long position;
    private volatile boolean closed;
    private final BackgroundLoop pump = new BackgroundLoop("event-pump");

    /**
     * @param log  stored events
     * @param poll how often to look for events of other processes while someone listens
     */
    public EventFeed(EventLog log, Duration poll) {
        this.log = log;
        this.poll = poll;
    }

    /**
     * Starts the pump at the feed's current end.
     */
    public void start() {
        position = log.sequence();
        log.onAppended(this::wake);
        pump.start(this::run);
    }

    /**
     * Numbers what has committed so far, so a read that follows a write sees its events.
     *
     * @return the highest {@code seq} now
     */
    public long flush() {
        long latest = log.sequence();
        wake();
        return latest;
    }

    /**
     * A page of the feed, with everything committed before the call numbered first.
     *
     * @param after the last {@code seq} the reader has
     * @param limit most events
     * @return the events after it, ascending
     */
    public Page read(long after, int limit) {
        long latest = flush();
        List<StoredEvent> items = log.after(after, limit);
        long last = items.isEmpty() ? after : items.getLast().seq();
        return new Page(items, last, items.isEmpty() ? latest : Math.max(latest, last));
    }

    /**
     * A page of the feed.
     *
     * @param items     events, ascending {@code seq}
     * @param nextAfter the last {@code seq} in the page, or the {@code after} asked for when it is empty
     * @param latestSeq the highest {@code seq} now
     */
    public record Page(List<StoredEvent> items, long nextAfter, long latestSeq) {
        /**
         * Copies the items.
         */
        public Page {
            items = List.copyOf(items);
        }
    }

    /**
     * @param after the last {@code seq} the subscriber has
     * @return a subscription delivering every later event, in order
     */
    public Subscription subscribe(long after) {
        Subscription s = new Subscription(after);
        s.register();
        wake();
        return s;
    }

    private void wake() {
        synchronized (signal) {
            signalled = true;
            signal.notifyAll();
        }
    }

    private void run() {
        boolean failing = false;
        while (!closed) {
            try {
                boolean woken;
                synchronized (signal) {
                    if (!signalled) {
                        signal.wait(hasSubscribers() ? poll.toMillis() : Math.max(poll.toMillis(), 1000));
                    }
                    woken = signalled;
                    signalled = false;
                }
                if (closed) {
                    return;
                }
                if (woken) {
                    // let a burst of commits gather: one sequencer transaction numbers them all
                    Thread.sleep(COALESCE);
                }
                long latest = log.sequence();
                dispatch(latest);
                if (failing) {
                    LOG.log(Level.INFO, "event feed: database reachable again");
                    failing = false;
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                if (!failing) {
                    LOG.log(Level.WARNING, "event feed: cannot reach the database, retrying: " + e.getMessage());
                    failing = true;
                }
                if (!pump.pause(Duration.ofSeconds(1))) {
                    return;
                }
            }
        }
    }

    private boolean hasSubscribers() {
        synchronized (lock) {
            return !subscribers.isEmpty();
        }
    }

    /** Hands every event after {@link #position} up to {@code latest} to the subscribers. */
    private void dispatch(long latest) {
        while (true) {
            long from;
            synchronized (lock) {
                if (subscribers.isEmpty()) {
                    // nobody to hand anything to: a new subscriber reads what came before it from the database
                    position = Math.max(position, latest);
                    return;
                }
                from = position;
            }
            if (from >= latest) {
                // another process may have numbered events meanwhile: look once more while someone listens
                List<StoredEvent> more = log.after(from, PAGE);
                if (more.isEmpty()) {
                    return;
                }
                hand(more);
                if (more.size() < PAGE) {
                    return;
                }
                continue;
            }
            List<StoredEvent> page = log.after(from, PAGE);
            if (page.isEmpty()) {
                return;
            }
            hand(page);
        }
    }

    private void hand(List<StoredEvent> events) {
        synchronized (lock) {
            for (StoredEvent e : events) {
                if (e.seq() != position + 1) {
                    continue;
                }
                position = e.seq();
                subscribers.removeIf(s -> !s.offer(e));
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        // the pump ends at its next look at closed; a sequencing in progress commits first (within two seconds)
        wake();
        pump.stop(Duration.ofSeconds(2));
        synchronized (lock) {
            subscribers.forEach(s -> s.queue.add(CLOSED));
            subscribers.clear();
        }
    }

    /**
     * Events for one reader, in {@code seq} order from where it started.
     */
    public final class Subscription implements AutoCloseable {

        private final LinkedBlockingQueue<StoredEvent> queue = new LinkedBlockingQueue<>();
        private final ArrayDeque<StoredEvent> pages = new ArrayDeque<>();
        private long lastSent;
        private long catchUpTo;
        private volatile boolean behind;
        private boolean ended;

        private Subscription(long after) {
            this.lastSent = after;
        }

        private void register() {
            synchronized (lock) {
                queue.clear();
                behind = false;
                catchUpTo = position;
                if (closed) {
                    queue.add(CLOSED);
                } else {
                    subscribers.add(this);
                }
            }
        }

        /** Called under the feed's lock; false drops the subscriber, which then catches up from the database. */
        private boolean offer(StoredEvent e) {
            if (queue.size() >= QUEUE_LIMIT) {
                behind = true;
                return false;
            }
            queue.add(e);
            return true;
        }

        /**
         * The next event, waiting at most {@code timeout}.
         *
         * @param timeout longest wait
         * @return the event, or null if none came in time
         * @throws InterruptedException if interrupted
         * @throws IllegalStateException once the feed has closed
         */
        public StoredEvent next(Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                if (ended) {
                    throw new IllegalStateException("the event feed has closed");
                }
                StoredEvent paged = pages.poll();
                if (paged != null) {
                    lastSent = paged.seq();
                    return paged;
                }
                if (lastSent < catchUpTo) {
                    log.after(lastSent, (int) Math.min(PAGE, catchUpTo - lastSent)).stream()
                            .filter(e -> e.seq() <= catchUpTo)
                            .forEach(pages::add);
                    if (pages.isEmpty()) {
                        catchUpTo = lastSent;
                    }
                    continue;
                }
                if (behind) {
                    register();
                    continue;
                }
                StoredEvent e = queue.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (e == null) {
                    return null;
                }
                if (e == CLOSED) {
                    ended = true;
                    continue;
                }
                if (e.seq() > lastSent) {
                    lastSent = e.seq();
                    return e;
                }
            }
        }

        /**
         * Events already waiting, without blocking: lets a writer flush once per burst.
         *
         * @return true if {@link #next} would return at once
         */
        public boolean ready() {
            return !pages.isEmpty() || lastSent < catchUpTo || !queue.isEmpty();
        }

        @Override
        public void close() {
            synchronized (lock) {
                subscribers.remove(this);
            }
        }
    }
}
