package inventory.core;

import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.function.UnaryOperator;

/**
 * Stored products. Every method is atomic; inside {@link Transactions#inTransaction} it joins that transaction.
 */
public interface ProductRepository {

    /**
     * Stores a new product; with {@code initial} also its stock at {@code main} and that movement.
     *
     * @param product the product, version 1, stock as after the initial movement
     * @param initial the {@code RECEIVED} movement of the initial quantity, if any
     * @return the product as stored
     * @throws InventoryException.SkuConflict if another live product has the SKU
     */
    Product create(Product product, Optional<Movement> initial);

    /**
     * A product to create and its first movement, if it starts with stock.
     *
     * @param product the product
     * @param initial its {@code RECEIVED} movement
     */
    record Creation(Product product, Optional<Movement> initial) {
    }

    /**
     * Creates several products in one transaction, in the given order, exactly as {@link #create} would one at a
     * time: a SKU taken by a live product, or by an earlier one of these, refuses only that one.
     *
     * @param creations the products, in order
     * @return per product, in order, the product as stored or the {@link InventoryException.SkuConflict} refusing it
     */
    java.util.List<Object> createAll(java.util.List<Creation> creations);

    /**
     * @param id product id
     * @return the live product
     */
    Optional<Product> find(UUID id);

    /**
     * @param sku SKU, any case
     * @return the live product with that SKU
     */
    Optional<Product> findBySku(String sku);

    /**
     * A page of live products, oldest first.
     *
     * @param query filters and paging
     * @return the page
     * @throws InventoryException.ValidationFailed for an unknown location or a bad cursor
     */
    Page<Product> list(ProductQuery query);

    /**
     * What {@link #list} would answer, as each product's id, version and reserved units only: with a cache of
     * products by version, a page needs only the products that changed since they were kept.
     *
     * @param query filters and paging (no location: a location's list shows that location's stock)
     * @return the page
     */
    Page<ProductVersion> listVersions(ProductQuery query);

    /**
     * @param ids products
     * @return those of them that are live, in any order
     */
    java.util.List<Product> findAll(java.util.Collection<UUID> ids);

    /**
     * A product's identity and version, as of a read.
     *
     * @param id       the product
     * @param version  its version
     * @param reserved units it has reserved now
     */
    record ProductVersion(UUID id, long version, long reserved) {
    }

    /**
     * Changes a product under its row lock: {@code change} gets the current product and returns the new one, or
     * the same instance when nothing changes (then nothing is written and the version stays).
     *
     * @param id      product id
     * @param ifMatch version the client expects
     * @param change  the change
     * @return the product after the change
     */
    Product update(UUID id, OptionalLong ifMatch, UnaryOperator<Product> change);

    /**
     * Deletes a product: afterwards it is not found and its SKU is free; its movements stay.
     *
     * @param id      product id
     * @param ifMatch version the client expects
     * @throws InventoryException.ProductHasReservations if units are reserved
     * @return the product as it was, with the version of its deletion
     */
    Product delete(UUID id, OptionalLong ifMatch);
}
