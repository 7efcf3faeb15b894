package inventory.core;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * A product as the contract shows it. {@code description} and {@code lowStockThreshold} are {@code null} when
 * empty, as in the API; {@code stock} is the sum over all locations, or one location's figures in a list filtered
 * by location.
 *
 * @param id                time-ordered id
 * @param sku               stock keeping unit, unique among live products ignoring case, immutable
 * @param name              display name
 * @param description       longer text, or null
 * @param price             price, at most 10 integer and 4 fraction digits
 * @param currency          ISO 4217 code
 * @param status            lifecycle status
 * @param lowStockThreshold {@code stock.low} fires at or below this many available units; null for never
 * @param attributes        free string attributes
 * @param stock             on hand and reserved
 * @param version           +1 on every change, stock changes included
 * @param createdAt         creation time
 * @param updatedAt         last change
 */
public record Product(UUID id,
                      String sku,
                      String name,
                      String description,
                      BigDecimal price,
                      String currency,
                      ProductStatus status,
                      Integer lowStockThreshold,
                      Map<String, String> attributes,
                      Stock stock,
                      long version,
                      Instant createdAt,
                      Instant updatedAt) {

    /**
     * Copies the attributes so a product never changes after it is made.
     */
    public Product {
        attributes = Map.copyOf(attributes);
    }

    /**
     * The same product showing other stock figures (a location's instead of the total).
     *
     * @param other figures to show
     * @return a copy
     */
    public Product withStock(Stock other) {
        return new Product(id, sku, name, description, price, currency, status, lowStockThreshold, attributes, other,
                version, createdAt, updatedAt);
    }

    /**
     * The product after a change of its stock alone (an adjustment): its total stock, version and time of change
     * are the change's, everything else stays.
     *
     * @param total   its total stock after the change
     * @param version its version after the change
     * @param at      when the change was made
     * @return a copy
     */
    public Product after(Stock total, long version, Instant at) {
        return new Product(id, sku, name, description, price, currency, status, lowStockThreshold, attributes, total,
                version, createdAt, at);
    }
}
