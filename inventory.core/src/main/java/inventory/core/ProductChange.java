package inventory.core;

import java.util.List;

/**
 * What one change did to one product's stock, for its events.
 *
 * @param after             the product's stock after the change
 * @param availableBefore   its total available before the change
 * @param lowStockThreshold its threshold, or null
 * @param movementIds       the movements the change wrote for it, in order
 */
public record ProductChange(ProductStock after, long availableBefore, Integer lowStockThreshold,
                            List<java.util.UUID> movementIds) {

    /**
     * Copies the ids.
     */
    public ProductChange {
        movementIds = List.copyOf(movementIds);
    }

    /**
     * Whether this change took available from above the threshold to at or below it: {@code stock.low} fires once
     * per such crossing, not on every change below the threshold.
     *
     * @return true on a downward crossing
     */
    public boolean crossedLowStock() {
        return lowStockThreshold != null && availableBefore > lowStockThreshold
               && after.total().available() <= lowStockThreshold;
    }
}
