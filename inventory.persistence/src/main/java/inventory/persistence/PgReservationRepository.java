package inventory.persistence;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Supplier;

import io.helidon.dbclient.DbExecute;
import io.helidon.dbclient.DbRow;

import inventory.core.InventoryException;
import inventory.core.Movement;
import inventory.core.MovementReason;
import inventory.core.NewReservation;
import inventory.core.ProductChange;
import inventory.core.Reservation;
import inventory.core.ReservationRepository;
import inventory.core.ReservationStatus;
import inventory.core.StockPlan;

/**
 * Reservations in PostgreSQL. A reservation's lines are kept as sent; what it still holds is in {@code holds}, one
 * row per product and location, whose sums are the {@code reserved} figures of {@code stock_levels} and
 * {@code products}. Times of reservations are the database's, so every instance agrees on when one expires.
 * <p>
 * Lock order: the reservation row (when there is one), then its products in ascending id order, then their levels.
 */
public final class PgReservationRepository implements ReservationRepository {

    /** Status and version as of now: an active reservation past its expiry reads as expired, one version on. */
    private static final String HEAD = """
            SELECT r.id, r.reference, r.expires_at, r.created_at,
                   CASE WHEN r.status = 'ACTIVE' AND r.expires_at <= statement_timestamp() THEN 'EXPIRED' ELSE r.status END
                       AS status,
                   r.version + CASE WHEN r.status = 'ACTIVE' AND r.expires_at <= statement_timestamp() THEN 1 ELSE 0 END
                       AS version
              FROM reservations r WHERE r.id = CAST(? AS uuid)""";

    private static final String LINES = """
            SELECT l.product_id, p.sku, l.location, l.quantity FROM reservation_lines l JOIN products p ON p.id = l.product_id
             WHERE l.reservation_id = CAST(? AS uuid) ORDER BY l.line""";

    private final PgDatabase db;

    /**
     * @param db the database
     */
    public PgReservationRepository(PgDatabase db) {
        this.db = db;
    }

    @Override
    public Change create(UUID id, NewReservation req) {
        return db.inTransaction(() -> {
            DbExecute exec = db.execute();
            Lines resolved = Lines.lock(exec, req.lines().stream()
                    .map(l -> new Lines.Ref(l.productId(), l.sku(), l.location(), -l.quantity()))
                    .toList());
            StockPlan.Result plan = StockPlan.plan(resolved.lines(), resolved.levels());
            if (!plan.shortages().isEmpty()) {
                throw new InventoryException.InsufficientStock(plan.shortages());
            }
            DbRow head = exec.get("""
                    INSERT INTO reservations (id, status, reference, expires_at, created_at, updated_at, version)
                    SELECT CAST(? AS uuid), 'ACTIVE', ?, t + make_interval(secs => ?), t, t, 1
                      FROM (SELECT date_trunc('milliseconds', statement_timestamp()) AS t) now
                    RETURNING expires_at, created_at""", id, req.reference(), req.ttlSeconds()).orElseThrow();
            List<StockPlan.Resolved> lines = resolved.lines();
            exec.dml("""
                    INSERT INTO reservation_lines (reservation_id, line, product_id, location, quantity)
                    SELECT CAST(? AS uuid), t.ord - 1, t.product_id, t.location, t.quantity
                      FROM unnest(CAST(string_to_array(?, ',') AS uuid[]), string_to_array(?, ','),
                                  CAST(string_to_array(?, ',') AS bigint[])) WITH ORDINALITY AS t(product_id, location, quantity, ord)""",
                    id, join(lines, l -> l.productId().toString()), join(lines, StockPlan.Resolved::location),
                    join(lines, l -> String.valueOf(-l.delta())));
            // one hold per product and location, the sum of its lines
            Map<StockPlan.Key, Long> held = new LinkedHashMap<>();
            lines.forEach(l -> held.merge(new StockPlan.Key(l.productId(), l.location()), -l.delta(), Long::sum));
            List<StockPlan.Key> keys = List.copyOf(held.keySet());
            String productIds = String.join(",", keys.stream().map(k -> k.productId().toString()).toList());
            String locations = String.join(",", keys.stream().map(StockPlan.Key::location).toList());
            String quantities = String.join(",", keys.stream().map(k -> String.valueOf(held.get(k))).toList());
            exec.dml("""
                    INSERT INTO holds (reservation_id, product_id, location, quantity, expires_at)
                    SELECT CAST(? AS uuid), t.product_id, t.location, t.quantity, ?
                      FROM unnest(CAST(string_to_array(?, ',') AS uuid[]), string_to_array(?, ','),
                                  CAST(string_to_array(?, ',') AS bigint[])) AS t(product_id, location, quantity)""",
                    id, head.column("expires_at").get(Object.class), productIds, locations, quantities);
            exec.dml("""
                    UPDATE stock_levels l SET reserved = l.reserved + t.quantity
                      FROM unnest(CAST(string_to_array(?, ',') AS uuid[]), string_to_array(?, ','),
                                  CAST(string_to_array(?, ',') AS bigint[])) AS t(product_id, location, quantity)
                     WHERE l.product_id = t.product_id AND l.location = t.location""", productIds, locations, quantities);
            Map<UUID, Long> perProduct = new TreeMap<>();
            held.forEach((k, q) -> perProduct.merge(k.productId(), q, Long::sum));
            List<ProductChange> changes = new ArrayList<>(perProduct.size());
            perProduct.forEach((productId, q) -> {
                exec.dml("UPDATE products SET reserved = reserved + ?, version = version + 1,"
                         + " updated_at = date_trunc('milliseconds', statement_timestamp()) WHERE id = CAST(? AS uuid)",
                        q, productId);
                Locked before = resolved.products().get(productId);
                changes.add(new ProductChange(Locked.stock(exec, productId).orElseThrow(), before.available(),
                        before.threshold(), List.of()));
            });
            Reservation r = new Reservation(id, ReservationStatus.ACTIVE, lines.stream()
                    .map(l -> new Reservation.Line(l.productId(), l.sku(), l.location(), -l.delta()))
                    .toList(), req.reference(), Rows.instant(head, "expires_at"), Rows.instant(head, "created_at"), 1);
            return new Change(r, changes);
        });
    }

    /**
     * @return active reservations not yet past their expiry, in the whole database
     */
    public long activeCount() {
        return db.inTransaction(() -> Rows.longValue(db.execute().get(
                "SELECT count(*) AS n FROM reservations WHERE status = 'ACTIVE' AND expires_at > statement_timestamp()")
                .orElseThrow(), "n"));
    }

    @Override
    public Optional<Reservation> find(UUID id) {
        return db.inTransaction(() -> read(db.execute(), id));
    }

    @Override
    public Change commit(UUID id, OptionalLong ifMatch, Supplier<UUID> movementIds, Instant now) {
        return end(id, ifMatch, ReservationStatus.COMMITTED, movementIds, now);
    }

    @Override
    public Change release(UUID id, OptionalLong ifMatch) {
        return end(id, ifMatch, ReservationStatus.RELEASED, null, null);
    }

    /**
     * Commits or releases: locks the reservation, then its products (removing their expired holds, its own ones
     * included if it has expired meanwhile), then takes its holds away; if any is gone, it expired and nothing
     * changes.
     */
    private Change end(UUID id, OptionalLong ifMatch, ReservationStatus to, Supplier<UUID> movementIds, Instant now) {
        return db.inTransaction(() -> {
            DbExecute exec = db.execute();
            DbRow head = exec.get(HEAD + " FOR UPDATE", id)
                    .orElseThrow(() -> notFound(id));
            PgProductRepository.checkVersion(ifMatch, Rows.longValue(head, "version"));
            ReservationStatus status = ReservationStatus.valueOf(Rows.string(head, "status"));
            if (status != ReservationStatus.ACTIVE) {
                throw new InventoryException.ReservationNotActive(id, status);
            }
            List<DbRow> lines = Rows.query(exec, LINES, r -> r, id);
            TreeSet<UUID> productIds = new TreeSet<>();
            lines.forEach(l -> productIds.add(Rows.uuid(l, "product_id")));
            Map<UUID, Locked> locked = Locked.all(exec, productIds);
            List<DbRow> holds = Rows.query(exec, "DELETE FROM holds WHERE reservation_id = CAST(? AS uuid)"
                                                 + " RETURNING product_id, location, quantity", r -> r, id);
            long linesHeld = lines.stream().map(l -> Rows.uuid(l, "product_id") + "/" + Rows.string(l, "location"))
                    .distinct().count();
            if (holds.size() != linesHeld) {
                // its holds expired between the status check and the product locks
                throw new InventoryException.ReservationNotActive(id, ReservationStatus.EXPIRED);
            }
            boolean commit = to == ReservationStatus.COMMITTED;
            Map<UUID, Long> perProduct = new TreeMap<>();
            Map<StockPlan.Key, Long> onHand = new HashMap<>();
            for (DbRow h : holds) {
                long q = Rows.longValue(h, "quantity");
                UUID productId = Rows.uuid(h, "product_id");
                String location = Rows.string(h, "location");
                DbRow level = exec.get("UPDATE stock_levels SET reserved = reserved - ?"
                                       + (commit ? ", on_hand = on_hand - ?" : "")
                                       + " WHERE product_id = CAST(? AS uuid) AND location = ? RETURNING on_hand",
                        commit ? new Object[] {q, q, productId, location} : new Object[] {q, productId, location})
                        .orElseThrow();
                // the level's on-hand before this commit, for each line's onHandAfter below
                onHand.put(new StockPlan.Key(productId, location), Rows.longValue(level, "on_hand") + (commit ? q : 0));
                perProduct.merge(productId, q, Long::sum);
            }
            Map<UUID, List<UUID>> movements = new HashMap<>();
            if (commit) {
                String reference = Rows.string(head, "reference");
                for (DbRow l : lines) {
                    UUID productId = Rows.uuid(l, "product_id");
                    String location = Rows.string(l, "location");
                    long q = Rows.longValue(l, "quantity");
                    long after = onHand.merge(new StockPlan.Key(productId, location), -q, Long::sum);
                    Movement m = new Movement(movementIds.get(), productId, location, -q, MovementReason.SOLD, after,
                            reference, null, id, now);
                    Ledger.insert(exec, m);
                    movements.computeIfAbsent(productId, k -> new ArrayList<>()).add(m.id());
                }
            }
            List<ProductChange> changes = new ArrayList<>(perProduct.size());
            perProduct.forEach((productId, q) -> {
                exec.dml("UPDATE products SET reserved = reserved - ?" + (commit ? ", on_hand = on_hand - ?" : "")
                         + ", version = version + 1, updated_at = date_trunc('milliseconds', statement_timestamp())"
                         + " WHERE id = CAST(? AS uuid)", commit ? new Object[] {q, q, productId} : new Object[] {q, productId});
                Locked before = locked.get(productId);
                changes.add(new ProductChange(Locked.stock(exec, productId).orElseThrow(), before.available(),
                        before.threshold(), movements.getOrDefault(productId, List.of())));
            });
            // the last statement looks at the clock once more: a reservation that expired while this ran stays expired
            if (exec.dml("UPDATE reservations SET status = ?, version = version + 1,"
                         + " updated_at = date_trunc('milliseconds', statement_timestamp())"
                         + " WHERE id = CAST(? AS uuid) AND expires_at > statement_timestamp()", to.name(), id) == 0) {
                throw new InventoryException.ReservationNotActive(id, ReservationStatus.EXPIRED);
            }
            Reservation ended = new Reservation(id, to, lines.stream().map(PgReservationRepository::line).toList(),
                    Rows.string(head, "reference"), Rows.instant(head, "expires_at"), Rows.instant(head, "created_at"),
                    Rows.longValue(head, "version") + 1);
            return new Change(ended, changes);
        });
    }

    @Override
    public List<Reservation> markExpired(int limit) {
        return db.inTransaction(() -> {
            DbExecute exec = db.execute();
            List<UUID> due = Rows.query(exec, """
                    SELECT id FROM reservations WHERE status = 'ACTIVE' AND expires_at <= statement_timestamp()
                     ORDER BY expires_at LIMIT ? FOR UPDATE SKIP LOCKED""", r -> Rows.uuid(r, "id"), limit);
            if (due.isEmpty()) {
                return List.of();
            }
            exec.dml("UPDATE reservations SET status = 'EXPIRED', version = version + 1,"
                     + " updated_at = date_trunc('milliseconds', statement_timestamp())"
                     + " WHERE id = ANY(CAST(string_to_array(?, ',') AS uuid[]))", Locked.join(due));
            return due.stream().map(id -> read(exec, id).orElseThrow()).toList();
        });
    }

    @Override
    public void releaseExpiredHolds(List<UUID> reservationIds) {
        if (reservationIds.isEmpty()) {
            return;
        }
        db.inTransaction(() -> {
            DbExecute exec = db.execute();
            // locking the products removes every expired hold on them, these reservations' ones included
            Locked.all(exec, Rows.query(exec, "SELECT DISTINCT product_id FROM holds"
                                              + " WHERE reservation_id = ANY(CAST(string_to_array(?, ',') AS uuid[]))",
                    r -> Rows.uuid(r, "product_id"), Locked.join(reservationIds)));
            return null;
        });
    }

    private static Reservation.Line line(DbRow l) {
        return new Reservation.Line(Rows.uuid(l, "product_id"), Rows.string(l, "sku"), Rows.string(l, "location"),
                Rows.longValue(l, "quantity"));
    }

    private static Optional<Reservation> read(DbExecute exec, UUID id) {
        return exec.get(HEAD, id).map(head -> new Reservation(id, ReservationStatus.valueOf(Rows.string(head, "status")),
                Rows.query(exec, LINES, PgReservationRepository::line, id),
                Rows.string(head, "reference"), Rows.instant(head, "expires_at"), Rows.instant(head, "created_at"),
                Rows.longValue(head, "version")));
    }

    private static InventoryException.NotFound notFound(UUID id) {
        return new InventoryException.NotFound("no reservation with id " + id);
    }

    private static String join(List<StockPlan.Resolved> lines, java.util.function.Function<StockPlan.Resolved, String> f) {
        return String.join(",", lines.stream().map(f).toList());
    }
}
