package inventory.core;

/**
 * A product's stock at one location.
 *
 * @param location location code
 * @param stock    figures there
 */
public record LocationStock(String location, Stock stock) {
}
