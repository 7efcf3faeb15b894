package inventory.core;

/**
 * Lifecycle of a product. Discontinued products keep their stock and can still be adjusted.
 */
public enum ProductStatus {
    /** On sale. */
    ACTIVE,
    /** No longer sold or reordered. */
    DISCONTINUED
}
