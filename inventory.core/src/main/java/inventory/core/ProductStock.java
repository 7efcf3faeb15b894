package inventory.core;

import java.util.List;
import java.util.UUID;

/**
 * A product's stock in total and per location.
 *
 * @param productId the product
 * @param total     the sum over all locations
 * @param version   the product's version (stock changes change it)
 * @param locations per location, ordered by code
 */
public record ProductStock(UUID productId, Stock total, long version, List<LocationStock> locations) {
    /**
     * Copies the list.
     */
    public ProductStock {
        locations = List.copyOf(locations);
    }
}
