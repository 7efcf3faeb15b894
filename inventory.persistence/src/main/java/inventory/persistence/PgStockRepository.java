package inventory.persistence;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Supplier;

import io.helidon.dbclient.DbExecute;
import io.helidon.dbclient.DbRow;

import inventory.core.Batch;
import inventory.core.InventoryException;
import inventory.core.Movement;
import inventory.core.MovementReason;
import inventory.core.Page;
import inventory.core.ProductChange;
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
 * level rows. A single adjustment of a product with nothing reserved is one conditional {@code UPDATE ... RETURNING}
 * on the product (its totals and version), one conditional update of the level, and the ledger insert, in one
 * transaction: no read-then-write. A product with reservations is locked first and its expired holds removed, so
 * the checks see what a reader sees.
 */
public final class PgStockRepository implements StockRepository {

    /** The fast path: a product with nothing reserved cannot have expired holds to remove first. */
    private static final String TAKE_TOTAL_UNRESERVED = """
            UPDATE products SET on_hand = on_hand + ?, version = version + 1, updated_at = ?
             WHERE id = CAST(? AS uuid) AND deleted_at IS NULL AND reserved = 0 AND on_hand + ? >= 0""";

    private static final String TAKE_TOTAL_LOCKED = """
            UPDATE products SET on_hand = on_hand + ?, version = version + 1, updated_at = ?
             WHERE id = CAST(? AS uuid) AND on_hand + ? >= reserved""";

    private static final String RETURNING = " RETURNING on_hand, reserved, low_stock_threshold";

    private static String take(boolean ifMatch) {
        return """
                WITH p AS (
                    UPDATE products SET on_hand = on_hand + ?, version = version + 1, updated_at = ?
                     WHERE id = CAST(? AS uuid) AND deleted_at IS NULL AND reserved = 0 AND on_hand + ? >= 0"""
               + (ifMatch ? " AND version = ?" : "") + """

                    RETURNING id, on_hand, reserved, version, low_stock_threshold),
                t AS (
                    UPDATE stock_levels l SET on_hand = l.on_hand + ? FROM p
                     WHERE l.product_id = p.id AND l.location = ? AND l.on_hand + ? >= l.reserved
                    RETURNING l.location, l.on_hand, l.reserved),
                m AS (
                    INSERT INTO stock_movements (id, product_id, location, delta, reason, on_hand_after, reference, note,
                                                 reservation_id, created_at)
                    SELECT CAST(? AS uuid), p.id, t.location, ?, ?, t.on_hand, ?, ?, NULL, ? FROM p, t
                    RETURNING on_hand_after)
                SELECT p.on_hand, p.reserved, p.version, p.low_stock_threshold, (SELECT on_hand_after FROM m) AS taken,
                       l.location,
                       CASE WHEN l.location = t.location THEN t.on_hand ELSE l.on_hand END AS l_on_hand,
                       CASE WHEN l.location = t.location THEN t.reserved ELSE l.reserved END AS l_reserved
                  FROM p LEFT JOIN stock_levels l ON l.product_id = p.id LEFT JOIN t ON true
                 ORDER BY l.location""";
    }

    /** One statement for taking units of a product with nothing reserved: see {@link #take(DbExecute, UUID,
     * Adjustment, OptionalLong, UUID, Instant)}. */
    private static final String TAKE = take(false);
    private static final String TAKE_IF_MATCH = take(true);

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
        return db.inTransaction(() -> Locked.stock(db.execute(), productId));
    }

    @Override
    public StockChange adjust(UUID productId, Adjustment a, OptionalLong ifMatch, UUID movementId, Instant now) {
        return db.inTransaction(() -> {
            DbExecute exec = db.execute();
            Optional<DbRow> total;
            if (a.delta() < 0) {
                Optional<StockChange> taken = take(exec, productId, a, ifMatch, movementId, now);
                if (taken.isPresent()) {
                    return taken.get();
                }
                total = Optional.empty();
            } else {
                String fast = TAKE_TOTAL_UNRESERVED + (ifMatch.isPresent() ? " AND version = ?" : "") + RETURNING;
                List<Object> params = new ArrayList<>(List.of(a.delta(), Rows.time(now), productId.toString(),
                        a.delta()));
                ifMatch.ifPresent(params::add);
                total = exec.get(fast, params.toArray());
            }
            if (total.isEmpty()) {
                // something is reserved, or the version or the stock is not what the fast path needs: lock, remove
                // expired holds, and decide on the settled figures
                Locked p = Locked.one(exec, productId).orElseThrow(() -> PgProductRepository.notFound(productId));
                p.checkVersion(ifMatch);
                total = exec.get(TAKE_TOTAL_LOCKED + RETURNING, a.delta(), Rows.time(now), productId, a.delta());
                if (total.isEmpty()) {
                    throw shortage(exec, p, a.location(), a.delta());
                }
            }
            Optional<DbRow> level = a.delta() > 0
                    ? exec.get(ADD_LEVEL, productId, a.delta(), a.location())
                    : exec.get(TAKE_LEVEL, a.delta(), productId, a.location(), a.delta());
            if (level.isEmpty()) {
                Locked p = Locked.one(exec, productId).orElseThrow();
                throw shortage(exec, p, a.location(), a.delta());
            }
            Movement m = new Movement(movementId, productId, a.location(), a.delta(), a.reason(),
                    Rows.longValue(level.get(), "on_hand"), a.reference(), a.note(), null, now);
            Ledger.insert(exec, m);
            long availableAfter = Rows.longValue(total.get(), "on_hand") - Rows.longValue(total.get(), "reserved");
            return new StockChange(m, Locked.stock(exec, productId).orElseThrow(), availableAfter - a.delta(),
                    Rows.integer(total.get(), "low_stock_threshold"));
        });
    }

    /**
     * Takes units of a product with nothing reserved in one statement: the conditional update of the product's
     * totals, of the level, the ledger row, and the product's stock as it is afterwards (the other levels are read
     * from the statement's snapshot, which this change does not touch). With nothing reserved there are no holds, so
     * nothing expired to remove first.
     *
     * @return the change, or empty if the product has something reserved, is gone, has not enough in total or is
     *         not at the {@code If-Match} version (the caller decides on the locked path; nothing was changed)
     */
    private static Optional<StockChange> take(DbExecute exec, UUID productId, Adjustment a, OptionalLong ifMatch,
                                              UUID movementId, Instant now) {
        List<Object> params = new ArrayList<>(16);
        params.addAll(List.of(a.delta(), Rows.time(now), productId.toString(), a.delta()));
        ifMatch.ifPresent(params::add);
        params.addAll(List.of(a.delta(), a.location(), a.delta()));
        params.add(movementId.toString());
        params.add(a.delta());
        params.add(a.reason().name());
        params.add(a.reference());
        params.add(a.note());
        params.add(Rows.time(now));
        List<DbRow> rows = Rows.query(exec, ifMatch.isPresent() ? TAKE_IF_MATCH : TAKE, r -> r, params.toArray());
        if (rows.isEmpty()) {
            return Optional.empty();
        }
        DbRow first = rows.getFirst();
        if (Rows.raw(first, "taken") == null) {
            // the total allows it but the location does not have it (or does not exist): undo, say which
            Locked p = Locked.one(exec, productId).orElseThrow();
            throw shortage(exec, p, a.location(), a.delta());
        }
        Movement m = new Movement(movementId, productId, a.location(), a.delta(), a.reason(),
                Rows.longValue(first, "taken"), a.reference(), a.note(), null, now);
        List<inventory.core.LocationStock> levels = rows.stream()
                .filter(r -> Rows.string(r, "location") != null)
                .map(r -> new inventory.core.LocationStock(Rows.string(r, "location"),
                        new Stock(Rows.longValue(r, "l_on_hand"), Rows.longValue(r, "l_reserved"))))
                .toList();
        Stock after = new Stock(Rows.longValue(first, "on_hand"), Rows.longValue(first, "reserved"));
        ProductStock stock = new ProductStock(productId, after, Rows.longValue(first, "version"), levels);
        return Optional.of(new StockChange(m, stock, after.available() - a.delta(),
                Rows.integer(first, "low_stock_threshold")));
    }

    @Override
    public List<Object> adjustAll(List<ProductAdjustment> adjustments, List<UUID> movementIds, Instant now) {
        return db.inTransaction(() -> {
            DbExecute exec = db.execute();
            java.util.SortedSet<UUID> ids = new java.util.TreeSet<>();
            adjustments.forEach(a -> ids.add(a.productId()));
            Map<UUID, Running> products = new HashMap<>();
            Locked.all(exec, ids).forEach((id, p) -> products.put(id, new Running(p)));
            Rows.query(exec, "SELECT product_id, location, on_hand, reserved FROM stock_levels"
                             + " WHERE product_id = ANY(CAST(string_to_array(?, ',') AS uuid[]))", r -> r,
                            Locked.join(products.keySet()))
                    .forEach(r -> products.get(Rows.uuid(r, "product_id")).levels.put(Rows.string(r, "location"),
                            new Stock(Rows.longValue(r, "on_hand"), Rows.longValue(r, "reserved"))));
            java.util.Set<String> known = new java.util.HashSet<>();
            products.values().forEach(p -> known.addAll(p.levels.keySet()));
            java.util.Set<String> asked = new java.util.TreeSet<>();
            adjustments.forEach(a -> asked.add(a.adjustment().location()));
            asked.removeAll(known);
            if (!asked.isEmpty()) {
                Rows.query(exec, "SELECT code FROM locations WHERE code = ANY(string_to_array(?, ','))",
                        r -> Rows.string(r, "code"), String.join(",", asked)).forEach(known::add);
            }
            List<Movement> movements = new ArrayList<>();
            List<Object> results = new ArrayList<>(adjustments.size());
            for (int i = 0; i < adjustments.size(); i++) {
                UUID productId = adjustments.get(i).productId();
                Adjustment a = adjustments.get(i).adjustment();
                Running p = products.get(productId);
                if (p == null) {
                    results.add(PgProductRepository.notFound(productId));
                    continue;
                }
                if (!known.contains(a.location())) {
                    results.add(new InventoryException.ValidationFailed("location", "no such location"));
                    continue;
                }
                Stock level = p.levels.getOrDefault(a.location(), Stock.EMPTY);
                if (level.onHand() + a.delta() < level.reserved()) {
                    results.add(new InventoryException.InsufficientStock(List.of(new InventoryException.Shortage(null,
                            productId, p.locked.sku(), a.location(), -a.delta(), level.available()))));
                    continue;
                }
                long availableBefore = p.onHand - p.locked.reserved();
                level = new Stock(level.onHand() + a.delta(), level.reserved());
                p.levels.put(a.location(), level);
                p.onHand += a.delta();
                p.changes++;
                p.net.merge(a.location(), a.delta(), Long::sum);
                Movement m = new Movement(movementIds.get(i), productId, a.location(), a.delta(), a.reason(),
                        level.onHand(), a.reference(), a.note(), null, now);
                movements.add(m);
                List<inventory.core.LocationStock> after = p.levels.entrySet().stream()
                        .map(e -> new inventory.core.LocationStock(e.getKey(), e.getValue())).toList();
                results.add(new StockChange(m, new ProductStock(productId, new Stock(p.onHand, p.locked.reserved()),
                        p.locked.version() + p.changes, after), availableBefore, p.locked.threshold()));
            }
            if (!movements.isEmpty()) {
                write(exec, products.values().stream().filter(p -> p.changes > 0).toList(), now);
                Ledger.insertAll(exec, movements);
            }
            return results;
        });
    }

    /** A locked product's figures as a batch of adjustments goes through it. */
    private static final class Running {
        final Locked locked;
        final TreeMap<String, Stock> levels = new TreeMap<>();
        /** Net change per location. */
        final Map<String, Long> net = new TreeMap<>();
        long onHand;
        long changes;

        Running(Locked locked) {
            this.locked = locked;
            this.onHand = locked.onHand();
        }
    }

    /** Writes the products' new totals and levels: one statement each for totals, takings and additions. */
    private static void write(DbExecute exec, List<Running> changed, Instant now) {
        StringBuilder totals = new StringBuilder("UPDATE products p SET on_hand = p.on_hand + v.d, version = p.version + v.n,"
                                                 + " updated_at = ? FROM (VALUES ");
        List<Object> totalParams = new ArrayList<>();
        totalParams.add(Rows.time(now));
        StringBuilder take = new StringBuilder("UPDATE stock_levels l SET on_hand = l.on_hand + v.d FROM (VALUES ");
        List<Object> takeParams = new ArrayList<>();
        StringBuilder add = new StringBuilder("INSERT INTO stock_levels (product_id, location, on_hand) VALUES ");
        List<Object> addParams = new ArrayList<>();
        for (Running p : changed) {
            totals.append(totalParams.size() == 1 ? "" : ", ").append("(CAST(? AS uuid), CAST(? AS bigint), CAST(? AS bigint))");
            totalParams.addAll(List.of(p.locked.id(), p.onHand - p.locked.onHand(), p.changes));
            p.net.forEach((location, delta) -> {
                if (delta < 0) {
                    take.append(takeParams.isEmpty() ? "" : ", ").append("(CAST(? AS uuid), CAST(? AS text), CAST(? AS bigint))");
                    takeParams.addAll(List.of(p.locked.id(), location, delta));
                } else if (delta > 0) {
                    add.append(addParams.isEmpty() ? "" : ", ").append("(CAST(? AS uuid), ?, ?)");
                    addParams.addAll(List.of(p.locked.id(), location, delta));
                }
            });
        }
        exec.dml(totals.append(") v(id, d, n) WHERE p.id = v.id").toString(), totalParams.toArray());
        if (!takeParams.isEmpty()) {
            exec.dml(take.append(") v(id, location, d) WHERE l.product_id = v.id AND l.location = v.location").toString(),
                    takeParams.toArray());
        }
        if (!addParams.isEmpty()) {
            exec.dml(add.append(" ON CONFLICT (product_id, location) DO UPDATE SET on_hand = stock_levels.on_hand"
                                + " + EXCLUDED.on_hand").toString(), addParams.toArray());
        }
    }

    @Override
    public StockChange count(UUID productId, StockCount c, OptionalLong ifMatch, UUID movementId, Instant now) {
        return db.inTransaction(() -> {
            DbExecute exec = db.execute();
            Locked p = Locked.one(exec, productId).orElseThrow(() -> PgProductRepository.notFound(productId));
            p.checkVersion(ifMatch);
            requireLocation(exec, c.location(), "location");
            Stock level = level(exec, productId, c.location());
            if (c.onHand() < level.reserved()) {
                throw new InventoryException.InsufficientStock(List.of(new InventoryException.Shortage(null, productId,
                        p.sku(), c.location(), level.onHand() - c.onHand(), level.available())));
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
            return new StockChange(m, Locked.stock(exec, productId).orElseThrow(), p.available(), p.threshold());
        });
    }

    @Override
    public BatchResult batch(Batch batch, Supplier<UUID> movementIds, Instant now) {
        return db.inTransaction(() -> {
            DbExecute exec = db.execute();
            List<Batch.Line> lines = batch.lines();
            Lines resolved = Lines.lock(exec, lines.stream()
                    .map(l -> new Lines.Ref(l.productId(), l.sku(), l.location(), l.delta()))
                    .toList());
            StockPlan.Result plan = StockPlan.plan(resolved.lines(), resolved.levels());
            if (!plan.shortages().isEmpty()) {
                throw new InventoryException.InsufficientStock(plan.shortages());
            }
            List<Movement> movements = new ArrayList<>(lines.size());
            Map<UUID, Long> totals = new TreeMap<>();
            Map<UUID, List<UUID>> byProduct = new HashMap<>();
            for (int i = 0; i < resolved.lines().size(); i++) {
                StockPlan.Resolved r = resolved.lines().get(i);
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
                byProduct.computeIfAbsent(r.productId(), k -> new ArrayList<>()).add(m.id());
            }
            List<ProductChange> changes = new ArrayList<>(totals.size());
            totals.forEach((id, delta) -> {
                exec.dml("UPDATE products SET on_hand = on_hand + ?, version = version + 1, updated_at = ?"
                         + " WHERE id = CAST(? AS uuid)", delta, Rows.time(now), id);
                Locked before = resolved.products().get(id);
                changes.add(new ProductChange(Locked.stock(exec, id).orElseThrow(), before.available(), before.threshold(),
                        byProduct.get(id)));
            });
            return new BatchResult(movements, changes);
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

    /**
     * Says why a change on a locked product cannot be made: no location, or not enough stock there.
     */
    private static InventoryException shortage(DbExecute exec, Locked p, String location, long delta) {
        requireLocation(exec, location, "location");
        return new InventoryException.InsufficientStock(List.of(new InventoryException.Shortage(null, p.id(), p.sku(),
                location, -delta, level(exec, p.id(), location).available())));
    }

    static Stock level(DbExecute exec, UUID productId, String location) {
        return exec.get("SELECT on_hand, reserved FROM stock_levels WHERE product_id = CAST(? AS uuid) AND location = ?",
                        productId, location)
                .map(PgStockRepository::stockOf)
                .orElse(Stock.EMPTY);
    }

    static void requireLocation(DbExecute exec, String location, String field) {
        if (exec.get("SELECT code FROM locations WHERE code = ?", location).isEmpty()) {
            throw new InventoryException.ValidationFailed(field, "no such location");
        }
    }

    static Stock stockOf(DbRow row) {
        return new Stock(Rows.longValue(row, "on_hand"), Rows.longValue(row, "reserved"));
    }
}
