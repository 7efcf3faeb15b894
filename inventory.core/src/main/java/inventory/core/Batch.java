package inventory.core;

import java.util.List;
import java.util.UUID;

/**
 * Stock changes on many products and locations, applied all or none.
 *
 * @param reason    reason of every movement
 * @param reference caller's reference or null
 * @param lines     the lines, 1 to {@link Rules#BATCH_LINES_MAX}
 */
public record Batch(MovementReason reason, String reference, List<Line> lines) {

    /**
     * Copies the lines.
     */
    public Batch {
        lines = List.copyOf(lines);
    }

    /**
     * Validates raw values and names every bad field, nested ones as {@code lines[3].delta}.
     *
     * @param reason    reason name
     * @param reference reference or null
     * @param lines     raw lines, null if missing
     * @param v         errors found while reading the request, merged into the answer
     * @return the batch
     */
    public static Batch of(String reason, String reference, List<RawLine> lines, Violations v) {
        Violations mine = new Violations();
        MovementReason r = Rules.reason(mine, "reason", reason);
        Rules.text(mine, "reference", reference, 1, Rules.REFERENCE_MAX, false);
        if (lines == null) {
            mine.add("lines", "is required");
        } else if (lines.isEmpty() || lines.size() > Rules.BATCH_LINES_MAX) {
            mine.add("lines", "must have 1 to " + Rules.BATCH_LINES_MAX + " lines");
        } else {
            for (int i = 0; i < lines.size(); i++) {
                RawLine line = lines.get(i);
                String prefix = "lines[" + i + "].";
                if (line == null) {
                    continue;
                }
                if ((line.productId() == null) == (line.sku() == null) && !v.has(prefix + "productId")
                    && !v.has(prefix + "sku")) {
                    mine.add(prefix + "productId", "give exactly one of productId and sku");
                }
                if (line.sku() != null && !Rules.SKU.matcher(line.sku()).matches()) {
                    mine.add(prefix + "sku", "no product has this SKU");
                }
                Rules.delta(mine, prefix + "delta", line.delta());
                Rules.location(mine, prefix + "location", line.location());
            }
        }
        v.addAll(mine);
        v.throwIfAny();
        return new Batch(r, reference, lines.stream()
                .map(l -> new Line(l.productId(), l.sku(), l.delta(), l.location() == null ? Location.MAIN : l.location()))
                .toList());
    }

    /**
     * A line as read from the request, before validation.
     *
     * @param productId product id or null
     * @param sku       SKU or null
     * @param delta     units or null
     * @param location  location or null
     */
    public record RawLine(UUID productId, String sku, Long delta, String location) {
    }

    /**
     * A valid line: exactly one of {@code productId} and {@code sku}.
     *
     * @param productId product id or null
     * @param sku       SKU or null
     * @param delta     units
     * @param location  location code
     */
    public record Line(UUID productId, String sku, long delta, String location) {
    }
}
