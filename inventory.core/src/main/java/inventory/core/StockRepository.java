package inventory.core;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Stock levels and the ledger. Each change locks the product row first, then its level rows in location order,
 * so no two changes deadlock, and writes the level, the product's totals and version, and the movement together.
 */
public interface StockRepository {

    /**
     * @param productId product
     * @return its stock per location, empty if there is no such live product
     */
    Optional<ProductStock> stock(UUID productId);

    /**
     * Adds {@code delta} at one location, if {@code available} there stays {@code >= 0}.
     *
     * @param productId  product
     * @param adjustment the change
     * @param ifMatch    version the client expects
     * @param movementId id of the movement
     * @param now        time of the change
     * @return the movement and the stock after it
     */
    StockChange adjust(UUID productId, Adjustment adjustment, OptionalLong ifMatch, UUID movementId, Instant now);

    /**
     * An adjustment of a product.
     *
     * @param productId  product
     * @param adjustment the change
     */
    record ProductAdjustment(UUID productId, Adjustment adjustment) {
    }

    /**
     * Several adjustments, of one product or of many, in one transaction, decided one after another in the given
     * order exactly as {@link #adjust} would decide them one at a time: each gets its own movement, version and stock
     * after it, or its own refusal, which changes nothing.
     *
     * @param adjustments the changes, in order
     * @param movementIds an id per change
     * @param now         time of the changes
     * @return per change, its {@link StockChange} or the {@link InventoryException} refusing it (among them
     *         {@link InventoryException.NotFound} for a product that is not there)
     */
    java.util.List<Object> adjustAll(java.util.List<ProductAdjustment> adjustments, java.util.List<UUID> movementIds,
                                     Instant now);

    /**
     * Sets on-hand at one location from a count, if it stays {@code >= reserved}.
     *
     * @param productId  product
     * @param count      the count
     * @param ifMatch    version the client expects
     * @param movementId id of the movement
     * @param now        time of the change
     * @return the {@code COUNT} movement and the stock after it
     */
    StockChange count(UUID productId, StockCount count, OptionalLong ifMatch, UUID movementId, Instant now);

    /**
     * Applies every line or none.
     *
     * @param batch       the lines
     * @param movementIds makes one movement id per line
     * @param now         time of the change
     * @return one movement per line, in line order, and what the batch did to each product
     * @throws InventoryException.ValidationFailed  naming lines whose product or location does not exist
     * @throws InventoryException.InsufficientStock naming every short line
     */
    BatchResult batch(Batch batch, Supplier<UUID> movementIds, Instant now);

    /**
     * The ledger of a product, newest first.
     *
     * @param productId product
     * @param limit     page size
     * @param cursor    cursor from the previous page
     * @return the page
     */
    Page<Movement> movements(UUID productId, int limit, Optional<String> cursor);

    /**
     * A stock change: the movement written and the stock after it.
     *
     * @param movement          movement
     * @param stock             stock after
     * @param availableBefore   total available before
     * @param lowStockThreshold the product's threshold or null
     */
    record StockChange(Movement movement, ProductStock stock, long availableBefore, Integer lowStockThreshold) {

        /**
         * @return the change for the product's events
         */
        public ProductChange change() {
            return new ProductChange(stock, availableBefore, lowStockThreshold, List.of(movement.id()));
        }
    }

    /**
     * What a batch wrote.
     *
     * @param movements one per line, in line order
     * @param products  one per product, ascending id
     */
    record BatchResult(List<Movement> movements, List<ProductChange> products) {
        /**
         * Copies the lists.
         */
        public BatchResult {
            movements = List.copyOf(movements);
            products = List.copyOf(products);
        }
    }
}
