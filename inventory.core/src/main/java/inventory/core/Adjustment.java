package inventory.core;

/**
 * A request to add or remove stock at one location.
 *
 * @param delta     units, non-zero, |delta| at most {@link Rules#MAX_DELTA}
 * @param reason    an adjustable {@link MovementReason}
 * @param location  location code
 * @param reference caller's reference or null
 * @param note      free text or null
 */
public record Adjustment(long delta, MovementReason reason, String location, String reference, String note) {

    /**
     * Validates raw values and names every bad field.
     *
     * @param delta     units
     * @param reason    reason name
     * @param location  location code, null for {@code main}
     * @param reference reference or null
     * @param note      note or null
     * @return the adjustment
     */
    public static Adjustment of(Long delta, String reason, String location, String reference, String note) {
        Violations v = new Violations();
        Rules.delta(v, "delta", delta);
        MovementReason r = Rules.reason(v, "reason", reason);
        Rules.location(v, "location", location);
        Rules.text(v, "reference", reference, 1, Rules.REFERENCE_MAX, false);
        Rules.text(v, "note", note, 0, Rules.NOTE_MAX, false);
        v.throwIfAny();
        return new Adjustment(delta, r, location == null ? Location.MAIN : location, reference, note);
    }
}
