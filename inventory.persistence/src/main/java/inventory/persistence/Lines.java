package inventory.persistence;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import io.helidon.dbclient.DbExecute;

import inventory.core.InventoryException;
import inventory.core.Stock;
import inventory.core.StockPlan;
import inventory.core.Violations;

/**
 * Lines of a batch or a reservation, resolved: SKUs to ids, every product locked (ascending id) with its expired
 * holds removed, every product and location checked, and the levels they touch read under the lock.
 *
 * @param lines    the lines with their product ids and SKUs
 * @param products the locked products by id, ascending
 * @param levels   stock per product and location before the change
 */
record Lines(List<StockPlan.Resolved> lines, Map<UUID, Locked> products, Map<StockPlan.Key, Stock> levels) {

    /**
     * A line as the request names it.
     *
     * @param productId product id or null
     * @param sku       SKU or null
     * @param location  location code
     * @param delta     units, negative to take
     */
    record Ref(UUID productId, String sku, String location, long delta) {
    }

    /**
     * @param exec the transaction
     * @param refs the lines
     * @return them resolved
     * @throws InventoryException.ValidationFailed naming every line whose product or location does not exist
     */
    static Lines lock(DbExecute exec, List<Ref> refs) {
        Set<String> skus = new LinkedHashSet<>();
        refs.stream().filter(l -> l.sku() != null).forEach(l -> skus.add(l.sku()));
        Map<String, UUID> bySku = Locked.bySku(exec, skus);
        Set<UUID> ids = new LinkedHashSet<>();
        for (Ref l : refs) {
            UUID id = l.productId() != null ? l.productId() : bySku.get(l.sku().toLowerCase(Locale.ROOT));
            if (id != null) {
                ids.add(id);
            }
        }
        Map<UUID, Locked> locked = Locked.all(exec, ids);
        Set<String> codes = new LinkedHashSet<>();
        refs.forEach(l -> codes.add(l.location()));
        Set<String> known = new HashSet<>(Rows.query(exec,
                "SELECT code FROM locations WHERE code = ANY(string_to_array(?, ','))", r -> Rows.string(r, "code"),
                String.join(",", codes)));
        Violations v = new Violations();
        List<StockPlan.Resolved> resolved = new ArrayList<>(refs.size());
        for (int i = 0; i < refs.size(); i++) {
            Ref l = refs.get(i);
            UUID id = l.productId() != null ? l.productId() : bySku.get(l.sku().toLowerCase(Locale.ROOT));
            if (id == null || !locked.containsKey(id)) {
                v.add("lines[" + i + "]." + (l.productId() != null ? "productId" : "sku"), "no such product");
            }
            if (!known.contains(l.location())) {
                v.add("lines[" + i + "].location", "no such location");
            }
            resolved.add(new StockPlan.Resolved(id, id == null || !locked.containsKey(id) ? l.sku() : locked.get(id).sku(),
                    l.location(), l.delta()));
        }
        v.throwIfAny();
        Map<StockPlan.Key, Stock> levels = new HashMap<>();
        Rows.query(exec, "SELECT product_id, location, on_hand, reserved FROM stock_levels"
                         + " WHERE product_id = ANY(CAST(string_to_array(?, ',') AS uuid[]))", r -> r,
                        Locked.join(locked.keySet()))
                .forEach(r -> levels.put(new StockPlan.Key(Rows.uuid(r, "product_id"), Rows.string(r, "location")),
                        PgStockRepository.stockOf(r)));
        return new Lines(resolved, locked, levels);
    }
}
