package inventory.persistence;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

import io.helidon.dbclient.DbExecute;
import io.helidon.dbclient.DbRow;

import inventory.core.Event;
import inventory.core.EventLog;
import inventory.core.StoredEvent;

/**
 * The event feed in PostgreSQL: a change's transaction writes its events to {@code event_inbox}; the sequencer
 * moves committed inbox rows to {@code events} numbering them {@code max(seq)+1, +2, ...}, one sequencer at a time
 * across all instances (a transaction-scoped advisory lock), so {@code seq} is gap-free whatever the writers do.
 */
public final class PgEventLog implements EventLog {

    /** Advisory lock key of the sequencer ("inventory events" in ASCII, trimmed to a long). */
    private static final long SEQUENCER_LOCK = 0x696e765f65767473L;
    private static final int MOVE_BATCH = 1000;
    private static final int INSERT_BATCH = 500;

    private static final String STATE = """
            SELECT (SELECT id FROM event_inbox WHERE id > ? ORDER BY id LIMIT 1) IS NOT NULL AS pending,
                   (SELECT coalesce(max(seq), 0) FROM events) AS latest""";

    private static final String MOVE = """
            WITH moved AS (
                DELETE FROM event_inbox WHERE id IN (SELECT id FROM event_inbox WHERE id > ? ORDER BY id LIMIT ?)
                RETURNING id, type, product_id, reservation_id, data, at),
            base AS (SELECT coalesce(max(seq), 0) AS seq FROM events),
            numbered AS (
                INSERT INTO events (seq, type, product_id, reservation_id, data, at)
                SELECT base.seq + row_number() OVER (ORDER BY moved.id), moved.type, moved.product_id,
                       moved.reservation_id, moved.data, moved.at
                  FROM moved, base
                RETURNING seq)
            SELECT count(*) AS moved, (SELECT seq FROM base) + count(*) AS latest,
                   (SELECT coalesce(max(id), 0) FROM moved) AS top FROM numbered""";

    /**
     * How far below the highest inbox id moved here a look for pending rows starts. The inbox's moved rows stay in
     * its index as dead entries until VACUUM, and a look from the lowest id walked all of them: under a stream of
     * writes each move cost more than the last (12 ms each, a quarter of a millisecond per event, after a minute).
     * A row whose transaction committed more than this many inbox rows after it took its id is found by the next
     * {@link #FULL_LOOK} instead: later, never lost.
     */
    private static final long WINDOW = 2000;
    /** How often the look for pending rows starts from the lowest id. */
    private static final long FULL_LOOK = java.util.concurrent.TimeUnit.SECONDS.toNanos(1);

    private final PgDatabase db;
    private final Function<Event, String> encoder;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

    /**
     * @param db      the database
     * @param encoder writes an event's data as JSON text
     */
    public PgEventLog(PgDatabase db, Function<Event, String> encoder) {
        this.db = db;
        this.encoder = encoder;
    }

    @Override
    public void append(List<Event> events) {
        if (events.isEmpty()) {
            return;
        }
        DbExecute exec = db.execute();
        for (int from = 0; from < events.size(); from += INSERT_BATCH) {
            List<Event> part = events.subList(from, Math.min(events.size(), from + INSERT_BATCH));
            StringBuilder sql = new StringBuilder("INSERT INTO event_inbox (type, product_id, reservation_id, data, at) VALUES ");
            List<Object> params = new ArrayList<>(part.size() * 5);
            for (int i = 0; i < part.size(); i++) {
                Event e = part.get(i);
                sql.append(i == 0 ? "" : ", ").append("(?, CAST(? AS uuid), CAST(? AS uuid), CAST(? AS json), ?)");
                params.add(e.type());
                params.add(e.productId());
                params.add(e.reservationId());
                params.add(encoder.apply(e));
                params.add(Rows.time(e.at()));
            }
            exec.dml(sql.toString(), params.toArray());
        }
        db.afterCommit(() -> listeners.forEach(Runnable::run));
        java.util.function.Consumer<Event> listener = committed;
        if (listener != null) {
            // every change of a product writes an event of it, so these tell every product the transaction changed
            db.afterCommit(() -> events.forEach(listener));
        }
    }

    private volatile java.util.function.Consumer<Event> committed;

    /**
     * Asks to be told of the events appended, in order, once their transaction committed and before its caller
     * goes on.
     *
     * @param listener gets each event
     */
    public void onCommitted(java.util.function.Consumer<Event> listener) {
        this.committed = listener;
    }

    /** The highest inbox id moved by this instance. */
    private final java.util.concurrent.atomic.AtomicLong movedUpTo = new java.util.concurrent.atomic.AtomicLong();
    private volatile long lastFullLook = System.nanoTime() - FULL_LOOK;

    @Override
    public long sequence() {
        long started = System.nanoTime();
        boolean full = started - lastFullLook >= FULL_LOOK;
        long from = full ? 0 : Math.max(0, movedUpTo.get() - WINDOW);
        long latest = db.inTransaction(() -> {
            DbExecute exec = db.execute();
            // the inbox looks empty to the planner (it is, but for dead rows not yet vacuumed), so it would scan
            // every dead row's page rather than the index from `from`
            exec.dml("SET LOCAL enable_seqscan = off");
            DbRow state = exec.get(STATE, from).orElseThrow();
            if (!Boolean.TRUE.equals(Rows.raw(state, "pending"))) {
                return Rows.longValue(state, "latest");
            }
            exec.get("SELECT pg_advisory_xact_lock(?) IS NULL AS locked", SEQUENCER_LOCK);
            long last;
            long moved;
            do {
                DbRow row = exec.get(MOVE, from, MOVE_BATCH).orElseThrow();
                moved = Rows.longValue(row, "moved");
                last = Rows.longValue(row, "latest");
                long top = Rows.longValue(row, "top");
                db.afterCommit(() -> movedUpTo.accumulateAndGet(top, Math::max));
            } while (moved == MOVE_BATCH);
            return last;
        });
        if (full) {
            lastFullLook = started;
        }
        return latest;
    }

    @Override
    public List<StoredEvent> after(long after, int limit) {
        return db.inTransaction(() -> Rows.query(db.execute(),
                "SELECT seq, type, product_id, reservation_id, data::text AS data, at FROM events"
                + " WHERE seq > ? ORDER BY seq LIMIT ?",
                r -> new StoredEvent(Rows.longValue(r, "seq"), Rows.string(r, "type"), Rows.uuid(r, "product_id"),
                        Rows.uuid(r, "reservation_id"), Rows.string(r, "data"), Rows.instant(r, "at")),
                after, limit));
    }

    @Override
    public long latest() {
        return db.inTransaction(() -> Rows.longValue(db.execute().get("SELECT coalesce(max(seq), 0) AS latest FROM events")
                .orElseThrow(), "latest"));
    }

    @Override
    public void onAppended(Runnable listener) {
        listeners.add(listener);
    }
}
