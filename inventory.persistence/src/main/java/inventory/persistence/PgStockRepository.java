package inventory.persistence;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

import io.helidon.dbclient.DbExecute;
import io.helidon.dbclient.DbRow;

import inventory.core.Batch;
import inventory.core.InventoryException;
import inventory.core.LocationStock;
import inventory.core.Movement;
import inventory.core.MovementReason;
import inventory.core.Page;
import inventory.core.ProductStock;
import inventory.core.Stock;
import inventory.core.StockCount;
import inventory.core.StockPlan;
import inventory.core.StockRepository;
import inventory.core.Adjustment;

/**
 * Stock levels and the ledger in PostgreSQL.
 * <p>
 * Lock order, the same for every change so none deadlocks: the product rows first (ascending id), then their
 * level rows. A single adjustment is one conditional {@code UPDATE ... RETURNING} on the product (its totals and
 * version), one conditional update of the level, and the ledger insert, in one transaction: no read-then-write.
 */
public final class PgStockRepository implements StockRepository {

    private static final String STOCK = """
            SELECT p.on_hand, p.reserved, p.version, l.location, l.on_hand AS l_on_hand, l.reserved AS l_reserved
              FROM products p LEFT JOIN stock_levels l ON l.product_id = p.id
             WHERE p.id = CAST(? AS uuid) AND p.deleted_at IS NULL
             ORDER BY l.location""";

    private static final String TAKE_TOTAL = """
            UPDATE products SET on_hand = on_hand + ?, version = version + 1, updated_at = ?
             WHERE id = CAST(? AS uuid) AND deleted_at IS NULL AND on_hand + ? >= reserved""";

    private static final String ADD_LEVEL = """
            INSERT INTO stock_levels (product_id, location, on_hand)
            SELECT CAST(? AS uuid), code, ? FROM locations WHERE code = ?
            ON CONFLICT (product_id, location) DO UPDATE SET on_hand = stock_levels.on_hand + EXCLUDED.on_hand
            RETURNING on_hand, reserved""";

    private static final String TAKE_LEVEL = """
            UPDATE stock_levels SET on_hand = on_hand + ?
             WHERE product_id = CAST(? AS uuid) AND location = ? AND on_hand + ? >= reserved
            RETURNING on_hand, reserved""";

    private final PgDatabase db;

    /**
     * @param db the database
     */
    public PgStockRepository(PgDatabase db) {
        this.db = db;
    }

    @Override
    public Optional<ProductStock> stock(UUID productId) {
        return db.inTransaction(() -> read(db.execute(), productId));
    }

    @Override
    public StockChange adjust(UUID productId, Adjustment a, OptionalLong ifMatch, UUID movementId, Instant now) {
        return db.inTransaction(() -> {
            DbExecute exec = db.execute();
            String sql = TAKE_TOTAL + (ifMatch.isPresent() ? " AND version = ?" : "") + " RETURNING version";
            List<Object> params = new ArrayList<>(List.of(a.delta(), Rows.time(now), productId.toString(), a.delta()));
            ifMatch.ifPresent(params::add);
            if (exec.get(sql, params.toArray()).isEmpty()) {
                throw refusal(exec, productId, ifMatch, a.location(), a.delta());
            }
            Optional<DbRow> level = a.delta() > 0
                    ? exec.get(ADD_LEVEL, productId, a.delta(), a.location())
                    : exec.get(TAKE_LEVEL, a.delta(), productId, a.location(), a.delta());
            if (level.isEmpty()) {
                throw refusal(exec, productId, OptionalLong.empty(), a.location(), a.delta());
            }
            Movement m = new Movement(movementId, productId, a.location(), a.delta(), a.reason(),
                    Rows.longValue(level.get(), "on_hand"), a.reference(), a.note(), null, now);
            Ledger.insert(exec, m);
            return new StockChange(m, read(exec, productId).orElseThrow());
        });
    }

    @Override
    public StockChange count(UUID productId, StockCount c, OptionalLong ifMatch, UUID movementId, Instant now) {
        return db.inTransaction(() -> {
            DbExecute exec = db.execute();
            DbRow product = exec.get("SELECT sku, version FROM products WHERE id = CAST(? AS uuid) AND deleted_at IS NULL"
                                     + " FOR UPDATE", productId)
                    .orElseThrow(() -> PgProductRepository.notFound(productId));
            PgProductRepository.checkVersion(ifMatch, Rows.longValue(product, "version"));
            requireLocation(exec, c.location(), "location");
            Stock level = exec.get("SELECT on_hand, reserved FROM stock_levels WHERE product_id = CAST(? AS uuid)"
                                   + " AND location = ?", productId, c.location())
                    .map(PgStockRepository::stockOf)
                    .orElse(Stock.EMPTY);
            if (c.onHand() < level.reserved()) {
                throw new InventoryException.InsufficientStock(List.of(new InventoryException.Shortage(null, productId,
                        Rows.string(product, "sku"), c.location(), level.onHand() - c.onHand(), level.available())));
            }
            long delta = c.onHand() - level.onHand();
            exec.dml("""
                    INSERT INTO stock_levels (product_id, location, on_hand) VALUES (CAST(? AS uuid), ?, ?)
                    ON CONFLICT (product_id, location) DO UPDATE SET on_hand = EXCLUDED.on_hand""",
                    productId, c.location(), c.onHand());
            exec.dml("UPDATE products SET on_hand = on_hand + ?, version = version + 1, updated_at = ?"
                     + " WHERE id = CAST(? AS uuid)", delta, Rows.time(now), productId);
            Movement m = new Movement(movementId, productId, c.location(), delta, MovementReason.COUNT, c.onHand(), null,
                    c.note(), null, now);
            Ledger.insert(exec, m);
            return new StockChange(m, read(exec, productId).orElseThrow());
        });
    }

    @Override
    public List<Movement> batch(Batch batch, Supplier<UUID> movementIds, Instant now) {
        return db.inTransaction(() -> {
            DbExecute exec = db.execute();
            List<Batch.Line> lines = batch.lines();
            Map<String, UUID> bySku = new HashMap<>();
            Set<String> skus = new LinkedHashSet<>();
            lines.stream().filter(l -> l.sku() != null).forEach(l -> skus.add(l.sku().toLowerCase(Locale.ROOT)));
            if (!skus.isEmpty()) {
                Rows.query(exec, "SELECT id, lower(sku) AS sku FROM products WHERE lower(sku) = ANY(string_to_array(?, ','))"
                                 + " AND deleted_at IS NULL", r -> r, String.join(",", skus))
                        .forEach(r -> bySku.put(Rows.string(r, "sku"), Rows.uuid(r, "id")));
            }
            Set<UUID> ids = new LinkedHashSet<>();
            for (Batch.Line l : lines) {
                UUID id = l.productId() != null ? l.productId() : bySku.get(l.sku().toLowerCase(Locale.ROOT));
                if (id != null) {
                    ids.add(id);
                }
            }
            // Lock every product of the batch in ascending id order: opposite-order batches queue, never deadlock.
            Map<UUID, String> locked = new LinkedHashMap<>();
            if (!ids.isEmpty()) {
                Rows.query(exec, "SELECT id, sku FROM products WHERE id = ANY(CAST(string_to_array(?, ',') AS uuid[]))"
                                 + " AND deleted_at IS NULL ORDER BY id FOR UPDATE", r -> r,
                                join(ids))
                        .forEach(r -> locked.put(Rows.uuid(r, "id"), Rows.string(r, "sku")));
            }
            Set<String> codes = new LinkedHashSet<>();
            lines.forEach(l -> codes.add(l.location()));
            Set<String> known = new java.util.HashSet<>(Rows.query(exec,
                    "SELECT code FROM locations WHERE code = ANY(string_to_array(?, ','))", r -> Rows.string(r, "code"),
                    String.join(",", codes)));
            inventory.core.Violations v = new inventory.core.Violations();
            List<StockPlan.Resolved> resolved = new ArrayList<>();
            for (int i = 0; i < lines.size(); i++) {
                Batch.Line l = lines.get(i);
                UUID id = l.productId() != null ? l.productId() : bySku.get(l.sku().toLowerCase(Locale.ROOT));
                if (id == null || !locked.containsKey(id)) {
                    v.add("lines[" + i + "]." + (l.productId() != null ? "productId" : "sku"), "no such product");
                }
                if (!known.contains(l.location())) {
                    v.add("lines[" + i + "].location", "no such location");
                }
                resolved.add(new StockPlan.Resolved(id, id == null ? l.sku() : locked.get(id), l.location(), l.delta()));
            }
            v.throwIfAny();
            Map<StockPlan.Key, Stock> current = new HashMap<>();
            Rows.query(exec, "SELECT product_id, location, on_hand, reserved FROM stock_levels"
                             + " WHERE product_id = ANY(CAST(string_to_array(?, ',') AS uuid[]))", r -> r, join(locked.keySet()))
                    .forEach(r -> current.put(new StockPlan.Key(Rows.uuid(r, "product_id"), Rows.string(r, "location")),
                            stockOf(r)));
            StockPlan.Result plan = StockPlan.plan(resolved, current);
            if (!plan.shortages().isEmpty()) {
                throw new InventoryException.InsufficientStock(plan.shortages());
            }
            List<Movement> movements = new ArrayList<>(lines.size());
            Map<UUID, Long> totals = new LinkedHashMap<>();
            for (int i = 0; i < resolved.size(); i++) {
                StockPlan.Resolved r = resolved.get(i);
                if (r.delta() > 0) {
                    exec.dml("""
                            INSERT INTO stock_levels (product_id, location, on_hand) VALUES (CAST(? AS uuid), ?, ?)
                            ON CONFLICT (product_id, location) DO UPDATE SET on_hand = stock_levels.on_hand + EXCLUDED.on_hand""",
                            r.productId(), r.location(), r.delta());
                } else {
                    // the plan found the units available, so the level exists (a proposed INSERT row with a negative
                    // on-hand would fail its CHECK before ON CONFLICT is considered)
                    exec.dml("UPDATE stock_levels SET on_hand = on_hand + ? WHERE product_id = CAST(? AS uuid) AND location = ?",
                            r.delta(), r.productId(), r.location());
                }
                Movement m = new Movement(movementIds.get(), r.productId(), r.location(), r.delta(), batch.reason(),
                        plan.onHandAfter().get(i), batch.reference(), null, null, now);
                Ledger.insert(exec, m);
                movements.add(m);
                totals.merge(r.productId(), r.delta(), Long::sum);
            }
            new java.util.TreeMap<>(totals).forEach((id, delta) -> exec.dml(
                    "UPDATE products SET on_hand = on_hand + ?, version = version + 1, updated_at = ?"
                    + " WHERE id = CAST(? AS uuid)", delta, Rows.time(now), id));
            return movements;
        });
    }

    @Override
    public Page<Movement> movements(UUID productId, int limit, Optional<String> cursor) {
        Optional<Long> before = Cursors.number("m", cursor);
        return db.inTransaction(() -> {
            DbExecute exec = db.execute();
            if (exec.get("SELECT 1 AS one FROM products WHERE id = CAST(? AS uuid) AND deleted_at IS NULL", productId)
                    .isEmpty()) {
                throw PgProductRepository.notFound(productId);
            }
            List<DbRow> rows = Rows.query(exec, "SELECT " + Ledger.COLUMNS + " FROM stock_movements"
                                                + " WHERE product_id = CAST(? AS uuid) AND seq < ? ORDER BY seq DESC LIMIT ?",
                    r -> r, productId, before.orElse(Long.MAX_VALUE), limit + 1);
            List<Movement> items = rows.stream().limit(limit).map(Ledger::movement).toList();
            Optional<String> next = rows.size() > limit
                    ? Optional.of(Cursors.encode("m", String.valueOf(Rows.longValue(rows.get(limit - 1), "seq"))))
                    : Optional.empty();
            return new Page<>(items, next);
        });
    }

    private static Optional<ProductStock> read(DbExecute exec, UUID productId) {
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
        return Optional.of(new ProductStock(productId, stockOf(first), Rows.longValue(first, "version"), locations));
    }

    /**
     * Says why a conditional update found no row: no product, another version, no location, or not enough stock.
     */
    private static InventoryException refusal(DbExecute exec, UUID productId, OptionalLong ifMatch, String location,
                                              long delta) {
        DbRow product = exec.get("SELECT sku, version FROM products WHERE id = CAST(? AS uuid) AND deleted_at IS NULL",
                        productId)
                .orElseThrow(() -> PgProductRepository.notFound(productId));
        PgProductRepository.checkVersion(ifMatch, Rows.longValue(product, "version"));
        requireLocation(exec, location, "location");
        Stock level = exec.get("SELECT on_hand, reserved FROM stock_levels WHERE product_id = CAST(? AS uuid)"
                               + " AND location = ?", productId, location)
                .map(PgStockRepository::stockOf)
                .orElse(Stock.EMPTY);
        return new InventoryException.InsufficientStock(List.of(new InventoryException.Shortage(null, productId,
                Rows.string(product, "sku"), location, -delta, level.available())));
    }

    private static void requireLocation(DbExecute exec, String location, String field) {
        if (exec.get("SELECT code FROM locations WHERE code = ?", location).isEmpty()) {
            throw new InventoryException.ValidationFailed(field, "no such location");
        }
    }

    private static Stock stockOf(DbRow row) {
        return new Stock(Rows.longValue(row, "on_hand"), Rows.longValue(row, "reserved"));
    }

    private static String join(Set<UUID> ids) {
        return String.join(",", ids.stream().map(UUID::toString).toList());
    }
}
