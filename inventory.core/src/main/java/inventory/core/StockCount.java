package inventory.core;

/**
 * A physical count: sets on-hand at one location; the ledger gets a {@code COUNT} movement of the difference.
 *
 * @param onHand   counted units
 * @param location location code
 * @param note     free text or null
 */
public record StockCount(long onHand, String location, String note) {

    /**
     * Validates raw values and names every bad field.
     *
     * @param onHand   counted units
     * @param location location code, null for {@code main}
     * @param note     note or null
     * @return the count
     */
    public static StockCount of(Long onHand, String location, String note) {
        Violations v = new Violations();
        if (onHand == null) {
            v.add("onHand", "is required");
        } else if (onHand < 0 || onHand > Rules.MAX_QUANTITY) {
            v.add("onHand", "must be an integer between 0 and " + Rules.MAX_QUANTITY);
        }
        Rules.location(v, "location", location);
        Rules.text(v, "note", note, 0, Rules.NOTE_MAX, false);
        v.throwIfAny();
        return new StockCount(onHand, location == null ? Location.MAIN : location, note);
    }
}
