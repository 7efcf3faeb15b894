package inventory.persistence;

import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;

import io.helidon.dbclient.DbExecute;
import io.helidon.dbclient.DbRow;

import inventory.core.LocationStock;
import inventory.core.ProductStock;
import inventory.core.Stock;

/**
 * A product locked for a change, with its expired holds removed: the figures every stock change starts from.
 *
 * @param id              product id
 * @param sku             SKU
 * @param onHand          total on-hand
 * @param reserved        total reserved (live holds only)
 * @param version         version, expiries included
 * @param threshold       low-stock threshold or null
 * @param expired         what removing its expired holds freed
 */
record Locked(UUID id, String sku, long onHand, long reserved, long version, Integer threshold, Holds.Expired expired) {

    private static final String COLUMNS = "id, sku, on_hand, reserved, version, low_stock_threshold";

    long available() {
        return onHand - reserved;
    }

    /**
     * Locks one live product and removes its expired holds.
     *
     * @param exec      the transaction
     * @param productId product
     * @return it, or empty if there is no such live product
     */
    static Optional<Locked> one(DbExecute exec, UUID productId) {
        return exec.get("SELECT " + COLUMNS + " FROM products WHERE id = CAST(? AS uuid) AND deleted_at IS NULL FOR UPDATE",
                productId).map(r -> settle(exec, r));
    }

    /**
     * Locks live products in ascending id order (so two changes never wait for each other in a cycle) and removes
     * their expired holds.
     *
     * @param exec the transaction
     * @param ids  products
     * @return the live ones by id, ascending
     */
    static Map<UUID, Locked> all(DbExecute exec, Collection<UUID> ids) {
        Map<UUID, Locked> locked = new LinkedHashMap<>();
        if (ids.isEmpty()) {
            return locked;
        }
        List<DbRow> rows = Rows.query(exec, "SELECT " + COLUMNS + " FROM products"
                                            + " WHERE id = ANY(CAST(string_to_array(?, ',') AS uuid[])) AND deleted_at IS NULL"
                                            + " ORDER BY id FOR UPDATE", r -> r, join(ids));
        rows.forEach(r -> {
            Locked l = settle(exec, r);
            locked.put(l.id(), l);
        });
        return locked;
    }

    /**
     * @param exec the transaction
     * @param skus SKUs, any case
     * @return live product ids by lower-case SKU
     */
    static Map<String, UUID> bySku(DbExecute exec, Set<String> skus) {
        Map<String, UUID> bySku = new HashMap<>();
        if (!skus.isEmpty()) {
            Rows.query(exec, "SELECT id, lower(sku) AS sku FROM products WHERE lower(sku) = ANY(string_to_array(?, ','))"
                             + " AND deleted_at IS NULL", r -> r,
                            String.join(",", skus.stream().map(s -> s.toLowerCase(Locale.ROOT)).toList()))
                    .forEach(r -> bySku.put(Rows.string(r, "sku"), Rows.uuid(r, "id")));
        }
        return bySku;
    }

    private static Locked settle(DbExecute exec, DbRow r) {
        UUID id = Rows.uuid(r, "id");
        long reserved = Rows.longValue(r, "reserved");
        Holds.Expired expired = reserved > 0 ? Holds.expire(exec, id) : Holds.Expired.NONE;
        return new Locked(id, Rows.string(r, "sku"), Rows.longValue(r, "on_hand"), reserved - expired.units(),
                Rows.longValue(r, "version") + expired.reservations(), Rows.integer(r, "low_stock_threshold"), expired);
    }

    /** Refuses a write whose {@code If-Match} is not this version. */
    void checkVersion(OptionalLong ifMatch) {
        PgProductRepository.checkVersion(ifMatch, version);
    }

    static final String STOCK = "SELECT p.on_hand, p.reserved - x.q AS reserved, p.version + x.n AS version,"
            + " p.low_stock_threshold, l.location, l.on_hand AS l_on_hand, l.reserved - lx.q AS l_reserved"
            + " FROM products p" + Holds.EXPIRED_OF_PRODUCT
            + " LEFT JOIN stock_levels l ON l.product_id = p.id" + Holds.EXPIRED_OF_LEVEL
            + " WHERE p.id = CAST(? AS uuid) AND p.deleted_at IS NULL ORDER BY l.location";

    /**
     * A product's stock as of now, expired holds not counted.
     *
     * @param exec      the transaction or client
     * @param productId product
     * @return its stock, or empty if there is no such live product
     */
    static Optional<ProductStock> stock(DbExecute exec, UUID productId) {
        List<DbRow> rows = Rows.query(exec, STOCK, r -> r, productId);
        if (rows.isEmpty()) {
            return Optional.empty();
        }
        DbRow first = rows.getFirst();
        List<LocationStock> locations = rows.stream()
                .filter(r -> Rows.string(r, "location") != null)
                .map(r -> new LocationStock(Rows.string(r, "location"),
                        new Stock(Rows.longValue(r, "l_on_hand"), Rows.longValue(r, "l_reserved"))))
                .toList();
        return Optional.of(new ProductStock(productId, new Stock(Rows.longValue(first, "on_hand"),
                Rows.longValue(first, "reserved")), Rows.longValue(first, "version"), locations));
    }

    static String join(Collection<UUID> ids) {
        return String.join(",", ids.stream().map(UUID::toString).toList());
    }
}
