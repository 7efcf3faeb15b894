package inventory.core;

import java.util.Optional;

/**
 * A page request of the product list. Filters combine with AND.
 *
 * @param limit    page size, 1 to 200
 * @param cursor   opaque cursor from the previous page
 * @param status   only this status
 * @param q        SKU prefix or word prefix of the name, case-insensitive, taken literally
 * @param lowStock only products with {@code available <= lowStockThreshold}
 * @param location only products stocked at this location, showing its figures
 */
public record ProductQuery(int limit,
                           Optional<String> cursor,
                           Optional<ProductStatus> status,
                           Optional<String> q,
                           boolean lowStock,
                           Optional<String> location) {
}
