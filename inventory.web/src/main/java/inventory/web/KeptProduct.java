package inventory.web;

import java.time.Instant;
import java.util.Arrays;

import inventory.core.Event;
import inventory.core.Product;
import inventory.core.Stock;

/**
 * A product's answer to {@code GET /v1/products/{id}} as the read cache keeps it: the product and its JSON.
 * <p>
 * An answer read from the database (or made by a creation) keeps the product and its JSON whole. An adjustment's
 * successor, the same product with other stock figures, version and {@code updatedAt}, keeps those three as
 * numbers beside the product it came from, and shares that answer's JSON up to its stock figures, which an
 * adjustment cannot change; of its own JSON it keeps only the rest, about 150 bytes, rendered on its first read.
 * A kept answer lives seconds between two sales of its product, long enough to be promoted to the old generation,
 * where every byte of it stays until a full collection: under sales, a new product and its new kilobyte of JSON
 * per sale were what grew the old generation, and with it the peak RSS (docs/performance.md).
 * <p>
 * Whatever is shared, {@link #body()} is byte for byte what {@link ProductJson#write(Product)} writes for the
 * product: the successor's first rendering is compared with the shared bytes, and kept whole if they differ.
 */
public final class KeptProduct {

    private static final byte[] NONE = new byte[0];

    /** The product; for a successor, with the stock figures, version and update time of the answer it came from. */
    private final Product product;
    /** This answer's units on hand and version (none are reserved: such a product is not kept). */
    private final long onHand;
    private final long version;
    /** A successor's update time, rendered on its first read; 0 for an answer kept whole, which never renders. */
    private final long updatedSecond;
    private final int updatedNano;
    /** The JSON whole, or another answer's whose first {@link #headLength} bytes this answer's JSON begins with. */
    private final byte[] head;
    /** How much of {@link #head} begins this answer's JSON; written before {@link #tail} is published. */
    private int headLength;
    /** The JSON after the head: empty when the head is the JSON whole, null until a successor's first read. Two
     * reads racing both render the same bytes. */
    private volatile byte[] tail;

    /**
     * An answer with its JSON whole.
     *
     * @param product the product
     * @param json    {@link ProductJson#write(Product)} of it
     */
    KeptProduct(Product product, byte[] json) {
        this.product = product;
        this.onHand = product.stock().onHand();
        this.version = product.version();
        this.updatedSecond = 0;
        this.updatedNano = 0;
        this.head = json;
        this.headLength = json.length;
        this.tail = NONE;
    }

    private KeptProduct(Product product, long onHand, long version, Instant updated, byte[] head, int headLength) {
        this.product = product;
        this.onHand = onHand;
        this.version = version;
        this.updatedSecond = updated.getEpochSecond();
        this.updatedNano = updated.getNano();
        this.head = head;
        this.headLength = headLength;
    }

    /**
     * @return the product's version
     */
    public long version() {
        return version;
    }

    /** @return how many bytes of the JSON are another answer's: none for an answer kept whole */
    int sharedBytes() {
        return tail == NONE ? 0 : headLength;
    }

    /** @return the JSON sent; a new array for a successor, so do not change it */
    byte[] body() {
        byte[] t = tail;
        if (t == null) {
            return render();
        }
        int n = headLength;
        if (t.length == 0) {
            return head;
        }
        if (n == 0) {
            return t;
        }
        byte[] b = new byte[n + t.length];
        System.arraycopy(head, 0, b, 0, n);
        System.arraycopy(t, 0, b, n, t.length);
        return b;
    }

    private byte[] render() {
        byte[] whole = ProductJson.write(product.after(new Stock(onHand, 0), version,
                Instant.ofEpochSecond(updatedSecond, updatedNano)));
        int n = headLength;
        if (n > 0 && n <= whole.length && Arrays.equals(whole, 0, n, head, 0, n)) {
            tail = Arrays.copyOfRange(whole, n, whole.length);
        } else {
            // cannot happen while an adjustment changes nothing before the stock figures; kept whole then
            headLength = 0;
            tail = whole;
        }
        return whole;
    }

    /**
     * @param change an adjustment of the stock alone, the next change of this product
     * @return the answer after it, or null when the product would not be kept (something of it is reserved, so
     * it changes by itself when a hold expires)
     */
    KeptProduct adjusted(Event.StockChanged change) {
        var total = change.stock().total();
        if (total.reserved() != 0) {
            return null;
        }
        // the whole JSON's head ends where its stock figures begin; a successor's is already that
        int shared = tail == NONE ? ProductJson.stockFiguresAt(head) : headLength;
        return new KeptProduct(product, total.onHand(), change.stock().version(), change.at(), head,
                Math.max(shared, 0));
    }
}
