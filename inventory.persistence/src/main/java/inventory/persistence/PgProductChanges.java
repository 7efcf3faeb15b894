package inventory.persistence;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.function.ObjLongConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.helidon.dbclient.DbRow;

/**
 * Hears every committed change of a product, whichever instance made it, by following the event feed: every change
 * of a product writes an event of it, and the feed numbers committed events without gaps, so reading
 * {@code events} past the last {@code seq} seen names every product changed since, by this instance or another.
 * <p>
 * A change made by another instance is heard once its events are numbered (its own instance does that within
 * milliseconds of the commit; any instance within a second) and the next poll runs. While the feed cannot be read,
 * changes may be missed: the listener says so ({@code deaf}) and, once it reads again, that it hears
 * ({@code hearing}). A PostgreSQL {@code LISTEN/NOTIFY} would be faster, but {@code NOTIFY} takes a database-wide
 * lock at every commit and, measured, cut concurrent adjustments from about 1,000/s to 470/s.
 */
public final class PgProductChanges implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(PgProductChanges.class.getName());
    private static final int PAGE = 2000;
    /** {@link inventory.core.Event.ProductCreated#type()}. */
    private static final String CREATED = "product.created";

    private final PgDatabase db;
    private final Duration poll;
    private final ObjLongConsumer<UUID> changed;
    private final Runnable created;
    private final Runnable hearing;
    private final Runnable deaf;
    private final inventory.core.BackgroundLoop loop = new inventory.core.BackgroundLoop("product-changes");

    /**
     * @param db      the database
     * @param poll    how often to look for changes (how stale another instance's change may be seen here)
     * @param changed gets each changed product's id and its version after the change (not a creation's: nothing
     *                can be kept of a new id)
     * @param created run for each creation of a product
     * @param hearing run when changes can be heard (again)
     * @param deaf    run when changes may be missed from now on
     */
    public PgProductChanges(PgDatabase db, Duration poll, ObjLongConsumer<UUID> changed, Runnable created,
                            Runnable hearing, Runnable deaf) {
        this.db = db;
        this.poll = poll;
        this.changed = changed;
        this.created = created;
        this.hearing = hearing;
        this.deaf = deaf;
    }

    /**
     * Starts polling on a virtual thread.
     *
     * @return this
     */
    public PgProductChanges start() {
        loop.start(this::run);
        return this;
    }

    private void run() {
        long position = -1;
        boolean warned = false;
        boolean going = true;
        while (going) {
            try {
                if (position < 0) {
                    position = latest();
                    hearing.run();
                    if (warned) {
                        LOG.info("reading product changes again; the read cache is on");
                        warned = false;
                    }
                }
                int read;
                do {
                    List<DbRow> rows = next(position);
                    read = rows.size();
                    for (DbRow row : rows) {
                        position = Rows.longValue(row, "seq");
                        UUID product = Rows.uuid(row, "product_id");
                        // a creation changes nothing kept: its id is new (and the instance that made it keeps it)
                        if (CREATED.equals(Rows.string(row, "type"))) {
                            created.run();
                        } else if (product != null) {
                            Object version = Rows.raw(row, "version");
                            changed.accept(product, version == null ? Long.MAX_VALUE : ((Number) version).longValue());
                        }
                    }
                } while (read == PAGE && !loop.stopping());
                going = loop.pause(poll);
            } catch (RuntimeException e) {
                deaf.run();
                position = -1;
                if (loop.stopping()) {
                    break;
                }
                if (!warned) {
                    LOG.log(Level.WARNING, "cannot read product changes (" + e.getMessage()
                                           + "); reads go to the database until it can; retrying every second");
                    warned = true;
                }
                going = loop.pause(Duration.ofSeconds(1));
            }
        }
        deaf.run();
    }

    private long latest() {
        return db.inTransaction(() -> Rows.longValue(
                db.execute().get("SELECT coalesce(max(seq), 0) AS seq FROM events").orElseThrow(), "seq"));
    }

    private List<DbRow> next(long after) {
        return db.inTransaction(() -> Rows.query(db.execute(),
                "SELECT seq, product_id, type, (data ->> 'version')::bigint AS version FROM events WHERE seq > ? ORDER BY seq LIMIT ?", r -> r, after, PAGE));
    }

    /** Stops polling: a read in progress finishes first (within two seconds). */
    @Override
    public void close() {
        loop.stop(Duration.ofSeconds(2));
    }
}
