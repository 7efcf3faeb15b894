package inventory.core;

/**
 * Why stock moved. {@link #COUNT} is written only by physical counts and reservation commits write {@link #SOLD}.
 */
public enum MovementReason {
    /** Goods received from a supplier. */
    RECEIVED,
    /** Sold to a customer. */
    SOLD,
    /** Returned by a customer. */
    RETURNED,
    /** Damaged, written off. */
    DAMAGED,
    /** Lost or stolen. */
    LOST,
    /** A manual correction. */
    CORRECTION,
    /** The difference found by a physical count. */
    COUNT;

    /**
     * @return whether a client may name this reason in an adjustment or batch
     */
    public boolean adjustable() {
        return this != COUNT;
    }
}
