package inventory.core;

import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToLongFunction;
import java.util.function.UnaryOperator;

/**
 * What a read of one record answered, kept until something changes that record, so the next read of it needs no
 * database round trip. Correct under concurrent writers, on one instance and on several:
 * <ul>
 *     <li>A reader takes a {@link #stamp()} <em>before</em> it asks the database, and {@link #offer offers} what it
 *     read with that stamp. Every change is noted ({@link #changed changed})
 *     <em>after</em> its transaction committed, with a later stamp: it forgets the record, leaving a tombstone, or,
 *     when the kept value is the state just before the change and the change tells the state after it (a stock
 *     adjustment), keeps that state instead. An offer whose stamp is older than the record's last change may have
 *     read the state before that commit, so it is refused: a stale answer never enters the cache, whatever the
 *     interleaving.</li>
 *     <li>This instance's own writes are noted before their response is sent, so a client reads its own writes.
 *     Other instances' writes are heard from the event feed, about 0.1 s after their commit.</li>
 *     <li>While those notifications cannot be received (the listening connection is down) the cache is
 *     {@link #disable disabled}: every read goes to the database. {@link #enable} starts again from empty, and
 *     refuses offers from readers that began before it.</li>
 * </ul>
 * The cache holds at most {@code capacity} records; when full it starts over empty (a storefront's working set
 * fits, and an emptied cache refills at the pace of reads).
 *
 * @param <V> what is kept per record
 */
public final class ReadCache<V> {

    /** What is kept of a record; {@code changed} is the stamp of its last change: only a read that began at or
     * after it may fill the slot. It stays when a value fills the slot, so a slower reader that began before the
     * change cannot overwrite a newer value with an older one. */
    private sealed interface Slot permits Value, Gone {
        long changed();
    }

    /** A kept value. A change that leaves it kept (it already shows the change, or was changed in place to show
     * it) moves {@code changed} on in the same slot: under sales a slot lives seconds, long enough to be promoted
     * to the old generation, where a new slot per sale would stay until a full collection. Written only inside
     * the map's {@code compute} for its record, which runs one at a time per record. */
    private static final class Value implements Slot {
        private final Object value;
        private volatile long changed;

        Value(Object value, long changed) {
            this.value = value;
            this.changed = changed;
        }

        @Override
        public long changed() {
            return changed;
        }
    }

    private record Gone(long changed) implements Slot {
    }

    private final ConcurrentHashMap<UUID, Slot> slots = new ConcurrentHashMap<>();
    private final AtomicLong clock = new AtomicLong();
    private final int capacity;
    private final ToLongFunction<V> versionOf;
    private volatile boolean enabled;
    /** Offers from readers that began before this stamp are refused (the cache was emptied after they began). */
    private volatile long emptiedAt;

    /**
     * A cache that starts disabled: {@link #enable} it once changes can be heard.
     *
     * @param capacity  most records kept
     * @param versionOf the version of the record a value shows: every committed change of a record raises it, so
     *                  one version is one state
     */
    public ReadCache(int capacity, ToLongFunction<V> versionOf) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive");
        }
        this.capacity = capacity;
        this.versionOf = versionOf;
    }

    /**
     * @return the stamp a reader takes before it reads the database
     */
    public long stamp() {
        return clock.get();
    }

    /**
     * @param id the record
     * @return what was read of it, or null if nothing current is kept
     */
    @SuppressWarnings("unchecked")
    public V get(UUID id) {
        if (!enabled) {
            return null;
        }
        return slots.get(id) instanceof Value v ? (V) v.value : null;
    }

    /**
     * Keeps what a read answered, unless the record changed since the reader's stamp.
     *
     * @param id    the record
     * @param stamp the reader's {@link #stamp()}, taken before it read
     * @param value what it read
     */
    public void offer(UUID id, long stamp, V value) {
        if (!enabled || stamp < emptiedAt) {
            return;
        }
        if (slots.size() >= capacity) {
            empty();
            return;
        }
        slots.compute(id, (k, old) -> old == null ? new Value(value, 0)
                : old.changed() > stamp ? old : new Value(value, old.changed()));
        if (stamp < emptiedAt) {
            slots.remove(id); // emptied while this offer was being made: it may be from before that
        }
    }

    /**
     * Notes a change that committed and took the record to {@code version}, made here or heard of from another
     * instance; call after the commit. A value kept at that version or a later one stays (it already shows the
     * change); one kept at the version just before becomes {@code next} of it, when the caller can tell the new
     * state from the old one and the change (an adjustment: the same product with other stock figures); anything
     * else is forgotten. Either way readers that began before this call cannot fill the slot with what they read.
     * Whatever order the changes of a record are noted in, what is kept is its state at the version it shows.
     *
     * @param id      the record
     * @param version its version after the change
     * @param next    the value at {@code version} from the value at the version before, or null (then forgotten);
     *                may return null, or the value it was given, changed in place to show {@code version} (then
     *                readers holding it see the change: the value must let each of them see one version whole)
     */
    @SuppressWarnings("unchecked")
    public void changed(UUID id, long version, UnaryOperator<V> next) {
        slots.compute(id, (k, old) -> {
            long now = clock.incrementAndGet();
            if (old instanceof Value v) {
                V value = (V) v.value;
                long kept = versionOf.applyAsLong(value);
                if (kept >= version) {
                    v.changed = now;
                    return v;
                }
                if (kept == version - 1 && next != null) {
                    V after = next.apply(value);
                    if (after != null && versionOf.applyAsLong(after) == version) {
                        if (after == value) {
                            v.changed = now;
                            return v;
                        }
                        return new Value(after, now);
                    }
                }
            }
            return new Gone(now);
        });
    }

    /**
     * {@link #changed(UUID, long, UnaryOperator)} without a way to the new state: forgets what is kept unless it
     * shows {@code version} or later.
     *
     * @param id      the record
     * @param version its version after the change
     */
    public void changed(UUID id, long version) {
        changed(id, version, null);
    }

    /**
     * Notes that a record was added (call after it committed): nothing kept changes, since nothing can be kept of a
     * record that did not exist, but what was built from all records by an earlier stamp is out of date.
     */
    public void added() {
        clock.incrementAndGet();
    }

    /** Stops answering from memory (changes can no longer be heard). */
    public void disable() {
        enabled = false;
        empty();
    }

    /** Starts answering from memory, from empty (changes can be heard again; some may have been missed). */
    public void enable() {
        empty();
        enabled = true;
    }

    /**
     * @return whether reads are answered from memory
     */
    public boolean enabled() {
        return enabled;
    }

    /**
     * @return records kept, tombstones included
     */
    public int size() {
        return slots.size();
    }

    private void empty() {
        emptiedAt = clock.incrementAndGet();
        slots.clear();
    }
}
