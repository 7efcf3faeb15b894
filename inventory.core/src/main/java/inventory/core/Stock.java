package inventory.core;

/**
 * Stock figures of a product, in total or at one location.
 *
 * @param onHand   units physically held
 * @param reserved units held for checkouts, {@code 0 <= reserved <= onHand}
 */
public record Stock(long onHand, long reserved) {

    /** No stock. */
    public static final Stock EMPTY = new Stock(0, 0);

    /**
     * @return units that can be sold or reserved: {@code onHand - reserved}, never negative
     */
    public long available() {
        return onHand - reserved;
    }
}
