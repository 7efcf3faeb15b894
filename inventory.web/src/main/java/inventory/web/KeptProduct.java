package inventory.web;

import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.locks.StampedLock;

import inventory.core.Event;
import inventory.core.Product;

/**
 * A product's answer to {@code GET /v1/products/{id}} as the read cache keeps it: its JSON and version, kept
 * current through the product's sales.
 * <p>
 * An answer read from the database (or made by a creation) is the product's JSON whole. A sale changes it in
 * place: from then on the answer is that JSON up to its stock figures, which a sale cannot change, followed by the
 * stock figures, version and times after the sale, rendered into a buffer of the answer's own. So a sale allocates
 * nothing that outlives it. A kept answer lives seconds between two sales of its product, long enough to be
 * promoted to the old generation, where every byte of it stays until a full collection: a new answer per sale, or
 * even a new buffer of figures per sale, is what grew the old generation under sales, and with it the peak RSS
 * (docs/performance.md).
 * <p>
 * Sales are applied one at a time (the read cache applies a record's changes in its map's {@code compute}); reads
 * run alongside them and each gets one version whole: they read optimistically and read again under a read lock
 * when a sale came in between. Whatever is kept, {@link #answer()} is byte for byte what
 * {@link ProductJson#write(Product)} writes for the product at that version: at the first sale the figures'
 * rendering is checked against the bytes the whole JSON has there, and the answer is given up (the cache forgets
 * it) if they differ.
 * <p>
 * It keeps the product's JSON and the few figures a sale needs, not the {@link Product}, whose strings, attributes
 * and numbers the JSON already holds: kept answers live in the old generation, and without their products the
 * peak RSS under the benchmark's {@code mixed} load (10,000 products kept) fell by about 6 MiB.
 */
public final class KeptProduct {

    /**
     * One version of the answer.
     *
     * @param version the product's version
     * @param body    its JSON; may be the kept array itself, so do not change it
     */
    record Answer(long version, byte[] body) {
    }

    /** {@link ProductJson#write(Product)} of the product as read. */
    private final byte[] json;
    /** The product's creation time, which every sale's figures repeat. */
    private final Instant createdAt;
    /** The product's on-hand and last change as read: what the first sale checks the figures' rendering with. */
    private final long onHandRead;
    private final Instant updatedAtRead;
    private final boolean reservedRead;
    private final StampedLock lock = new StampedLock();
    // The fields below are written under the lock's write lock and read optimistically.
    /** How many bytes of {@link #json} begin the answer: all of it until the first sale. */
    private int headLength;
    /** The rest of the answer, in its first {@link #figuresLength} bytes: none until the first sale. */
    private byte[] figures;
    private int figuresLength;
    private long version;

    /**
     * An answer with its JSON whole.
     *
     * @param product the product
     * @param json    {@link ProductJson#write(Product)} of it
     */
    KeptProduct(Product product, byte[] json) {
        this.json = json;
        this.createdAt = product.createdAt();
        this.onHandRead = product.stock().onHand();
        this.updatedAtRead = product.updatedAt();
        this.reservedRead = product.stock().reserved() != 0;
        this.headLength = json.length;
        this.version = product.version();
    }

    /**
     * @return the product's version now
     */
    public long version() {
        long stamp = lock.tryOptimisticRead();
        long v = version;
        if (lock.validate(stamp)) {
            return v;
        }
        stamp = lock.readLock();
        try {
            return version;
        } finally {
            lock.unlockRead(stamp);
        }
    }

    /**
     * @return the answer now: its version and JSON, of the same sale
     */
    Answer answer() {
        long stamp = lock.tryOptimisticRead();
        if (stamp != 0) {
            Answer a = read();
            if (a != null && lock.validate(stamp)) {
                return a;
            }
        }
        stamp = lock.readLock();
        try {
            return read();
        } finally {
            lock.unlockRead(stamp);
        }
    }

    /** The answer from the fields as they are read: torn (or null) if a sale is being applied meanwhile. */
    private Answer read() {
        int n = headLength;
        byte[] f = figures;
        int fn = figuresLength;
        long v = version;
        if (f == null) {
            return new Answer(v, json);
        }
        if (n > json.length || fn > f.length) {
            return null; // torn: only under an optimistic read, which will not validate
        }
        byte[] b = new byte[n + fn];
        System.arraycopy(json, 0, b, 0, n);
        System.arraycopy(f, 0, b, n, fn);
        return new Answer(v, b);
    }

    /**
     * Applies a sale in place. Call one at a time, each with the change after the version this answer shows.
     *
     * @param change an adjustment of the stock alone, the next change of this product
     * @return this answer, now after the change, or null when the product would not be kept (something of it is
     * reserved, so it changes by itself when a hold expires; or the figures' rendering does not match): then it
     * is unchanged
     */
    KeptProduct adjusted(Event.StockChanged change) {
        var total = change.stock().total();
        if (total.reserved() != 0) {
            return null;
        }
        byte[] after = ProductJson.stockFigures(total.onHand(), change.stock().version(), createdAt, change.at());
        long stamp = lock.writeLock();
        try {
            if (figures == null && !startFigures()) {
                return null;
            }
            if (after.length > figures.length) {
                figures = Arrays.copyOf(after, after.length + 16);
            } else {
                System.arraycopy(after, 0, figures, 0, after.length);
            }
            figuresLength = after.length;
            version = change.stock().version();
        } finally {
            lock.unlockWrite(stamp);
        }
        return this;
    }

    /** At the first sale: finds where the stock figures begin and checks that they render as the whole JSON has
     * them; true if they do, and then the answer keeps figures of its own from here. */
    private boolean startFigures() {
        int at = ProductJson.stockFiguresAt(json);
        if (at < 0 || reservedRead) {
            return false;
        }
        byte[] own = ProductJson.stockFigures(onHandRead, version, createdAt, updatedAtRead);
        if (!Arrays.equals(json, at, json.length, own, 0, own.length)) {
            return false; // cannot happen while ProductJson writes both the same way
        }
        figures = new byte[own.length + 16];
        headLength = at;
        return true;
    }

    /** @return how many bytes of the answer are the JSON read whole: all of it until the first sale */
    int sharedBytes() {
        long stamp = lock.readLock();
        try {
            return headLength;
        } finally {
            lock.unlockRead(stamp);
        }
    }
}
