package inventory.core;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;

/**
 * Product use cases: create (with an optional initial quantity received at {@code main}), read, list, patch
 * and delete.
 */
public final class ProductService {

    private final ProductRepository products;
    private final Transactions transactions;
    private final EventLog events;
    private final UuidV7 ids;
    private final Clock clock;
    private final Combiner<ProductRepository.Creation, Product> combiner;
    /** Most products created in one group commit. */
    private static final int MAX_BATCH = 64;
    /** Most group-commit transactions at the same time (as {@link StockService}'s). */
    private static final int LANES = 2;

    /**
     * @param products     stored products
     * @param transactions transactions, so a change and its event commit together
     * @param events       the event feed
     * @param ids          id generator
     * @param clock        clock
     */
    public ProductService(ProductRepository products, Transactions transactions, EventLog events, UuidV7 ids,
                          Clock clock) {
        this.products = products;
        this.transactions = transactions;
        this.events = events;
        this.ids = ids;
        this.clock = clock;
        this.combiner = new Combiner<>(this::write, this::writeAll, MAX_BATCH, LANES);
    }

    /**
     * Creates a product, version 1; an initial quantity becomes a {@code RECEIVED} movement at {@code main}.
     *
     * @param cmd the validated request
     * @return the product
     */
    public Product create(NewProduct cmd) {
        return write(creation(cmd));
    }

    /**
     * Creates a product like {@link #create}, written together with others that arrive while earlier ones are being
     * written (group commit): the answer is the same, decided in arrival order.
     *
     * @param cmd the validated request
     * @return the product
     */
    public Product createCombined(NewProduct cmd) {
        return combiner.submit(creation(cmd));
    }

    private ProductRepository.Creation creation(NewProduct cmd) {
        Instant now = now(clock);
        UUID id = ids.next();
        long quantity = cmd.quantity();
        Optional<Movement> initial = quantity > 0
                ? Optional.of(new Movement(ids.next(), id, Location.MAIN, quantity, MovementReason.RECEIVED, quantity,
                null, "initial quantity", null, now))
                : Optional.empty();
        Product product = new Product(id, cmd.sku(), cmd.name(), cmd.description(), cmd.priceAmount(), cmd.currency(),
                ProductStatus.ACTIVE,
                cmd.lowStockThreshold() == null ? null : cmd.lowStockThreshold().intValue(),
                cmd.attributes(), new Stock(quantity, 0), 1, now, now);
        return new ProductRepository.Creation(product, initial);
    }

    private Product write(ProductRepository.Creation c) {
        return transactions.inTransaction(() -> {
            Product created = products.create(c.product(), c.initial());
            events.append(List.of(new Event.ProductCreated(created, created.createdAt())));
            return created;
        });
    }

    private List<Object> writeAll(List<ProductRepository.Creation> creations) {
        return transactions.inTransaction(() -> {
            List<Object> results = products.createAll(creations);
            List<Event> created = new java.util.ArrayList<>();
            for (Object r : results) {
                if (r instanceof Product p) {
                    created.add(new Event.ProductCreated(p, p.createdAt()));
                }
            }
            events.append(created);
            return results;
        });
    }

    /**
     * @param id product id
     * @return the product
     * @throws InventoryException.NotFound if there is none
     */
    public Product get(UUID id) {
        return products.find(id).orElseThrow(() -> notFound(id));
    }

    /**
     * @param sku SKU, any case
     * @return the product
     * @throws InventoryException.NotFound if there is none
     */
    public Product bySku(String sku) {
        if (!Rules.SKU.matcher(sku).matches()) {
            throw new InventoryException.NotFound("no product has the SKU " + sku);
        }
        return products.findBySku(sku).orElseThrow(() -> new InventoryException.NotFound("no product has the SKU " + sku));
    }

    /**
     * @param query filters and paging
     * @return a page, oldest first
     */
    public Page<Product> list(ProductQuery query) {
        return products.list(query);
    }

    /**
     * @param query filters and paging, no location
     * @return the page as ids and versions
     */
    public Page<ProductRepository.ProductVersion> listVersions(ProductQuery query) {
        return products.listVersions(query);
    }

    /**
     * @param ids products
     * @return the live ones among them, in any order
     */
    public java.util.List<Product> getAll(java.util.Collection<UUID> ids) {
        return ids.isEmpty() ? java.util.List.of() : products.findAll(ids);
    }

    /**
     * Applies a merge patch; a patch that changes nothing keeps the version.
     *
     * @param id      product id
     * @param patch   the patch
     * @param ifMatch version the client expects
     * @return the product after the patch
     */
    public Product patch(UUID id, ProductPatch patch, OptionalLong ifMatch) {
        Instant now = now(clock);
        return transactions.inTransaction(() -> {
            long[] before = new long[1];
            Product after = products.update(id, ifMatch, current -> {
                before[0] = current.version();
                Product next = patch.applyTo(current, now);
                return ProductPatch.differs(current, next) ? next : current;
            });
            if (after.version() != before[0]) {
                events.append(List.of(new Event.ProductUpdated(after, now)));
            }
            return after;
        });
    }

    /**
     * Deletes a product; its movements stay in the ledger.
     *
     * @param id      product id
     * @param ifMatch version the client expects
     */
    public void delete(UUID id, OptionalLong ifMatch) {
        transactions.inTransaction(() -> {
            Product deleted = products.delete(id, ifMatch);
            events.append(List.of(new Event.ProductDeleted(id, deleted.sku(), deleted.version() + 1, now(clock))));
            return null;
        });
    }

    static InventoryException.NotFound notFound(UUID id) {
        return new InventoryException.NotFound("no product with id " + id);
    }

    static Instant now(Clock clock) {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
