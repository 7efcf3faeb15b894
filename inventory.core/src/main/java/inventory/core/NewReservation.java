package inventory.core;

import java.util.List;
import java.util.UUID;

/**
 * A validated request to hold stock.
 *
 * @param lines      1 to {@link Rules#BATCH_LINES_MAX} lines
 * @param ttlSeconds seconds until it expires, 1 to {@link #TTL_MAX}
 * @param reference  caller's reference or null
 */
public record NewReservation(List<Line> lines, int ttlSeconds, String reference) {

    /** Longest hold: one day. */
    public static final int TTL_MAX = 86_400;
    /** Hold when the client names none: 15 minutes. */
    public static final int TTL_DEFAULT = 900;

    /**
     * Copies the lines.
     */
    public NewReservation {
        lines = List.copyOf(lines);
    }

    /**
     * Validates raw values and names every bad field, nested ones as {@code lines[3].quantity}.
     *
     * @param lines      raw lines, null if missing
     * @param ttlSeconds seconds or null for the default
     * @param reference  reference or null
     * @param v          errors found while reading the request, merged into the answer
     * @return the request
     */
    public static NewReservation of(List<RawLine> lines, Long ttlSeconds, String reference, Violations v) {
        Violations mine = new Violations();
        if (ttlSeconds != null && (ttlSeconds < 1 || ttlSeconds > TTL_MAX)) {
            mine.add("ttlSeconds", "must be an integer from 1 to " + TTL_MAX);
        }
        Rules.text(mine, "reference", reference, 1, Rules.REFERENCE_MAX, false);
        if (lines == null) {
            if (!v.has("lines")) {
                mine.add("lines", "is required");
            }
        } else if (lines.isEmpty() || lines.size() > Rules.BATCH_LINES_MAX) {
            mine.add("lines", "must have 1 to " + Rules.BATCH_LINES_MAX + " lines");
        } else {
            for (int i = 0; i < lines.size(); i++) {
                RawLine line = lines.get(i);
                if (line == null) {
                    continue;
                }
                String prefix = "lines[" + i + "].";
                if ((line.productId() == null) == (line.sku() == null) && !v.has(prefix + "productId")
                    && !v.has(prefix + "sku")) {
                    mine.add(prefix + "productId", "give exactly one of productId and sku");
                }
                if (line.sku() != null && !Rules.SKU.matcher(line.sku()).matches()) {
                    mine.add(prefix + "sku", "no product has this SKU");
                }
                if (line.quantity() == null) {
                    if (!v.has(prefix + "quantity")) {
                        mine.add(prefix + "quantity", "is required");
                    }
                } else if (line.quantity() < 1 || line.quantity() > Rules.MAX_DELTA) {
                    mine.add(prefix + "quantity", "must be an integer from 1 to " + Rules.MAX_DELTA);
                }
                Rules.location(mine, prefix + "location", line.location());
            }
        }
        v.addAll(mine);
        v.throwIfAny();
        return new NewReservation(lines.stream()
                .map(l -> new Line(l.productId(), l.sku(), l.quantity(),
                        l.location() == null ? Location.MAIN : l.location()))
                .toList(), ttlSeconds == null ? TTL_DEFAULT : ttlSeconds.intValue(), reference);
    }

    /**
     * A line as read from the request, before validation.
     *
     * @param productId product id or null
     * @param sku       SKU or null
     * @param quantity  units or null
     * @param location  location or null
     */
    public record RawLine(UUID productId, String sku, Long quantity, String location) {
    }

    /**
     * A valid line: exactly one of {@code productId} and {@code sku}.
     *
     * @param productId product id or null
     * @param sku       SKU or null
     * @param quantity  units, at least 1
     * @param location  location code
     */
    public record Line(UUID productId, String sku, long quantity, String location) {
    }
}
