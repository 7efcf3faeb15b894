package inventory.persistence;

import java.util.List;

import io.helidon.dbclient.DbExecute;
import io.helidon.dbclient.DbRow;

import inventory.core.Movement;
import inventory.core.MovementReason;

/**
 * Writing and reading ledger rows.
 */
final class Ledger {

    static final String COLUMNS = "seq, id, product_id, location, delta, reason, on_hand_after, reference, note,"
                                  + " reservation_id, created_at";

    private Ledger() {
    }

    static void insert(DbExecute exec, Movement m) {
        exec.dml("""
                INSERT INTO stock_movements (id, product_id, location, delta, reason, on_hand_after, reference, note,
                                             reservation_id, created_at)
                VALUES (CAST(? AS uuid), CAST(? AS uuid), ?, ?, ?, ?, ?, ?, CAST(? AS uuid), ?)""",
                m.id(), m.productId(), m.location(), m.delta(), m.reason().name(), m.onHandAfter(), m.reference(),
                m.note(), m.reservationId(), Rows.time(m.createdAt()));
    }

    /**
     * Inserts movements in one statement, in order (their {@code seq} follows the list).
     */
    static void insertAll(DbExecute exec, List<Movement> movements) {
        StringBuilder sql = new StringBuilder("INSERT INTO stock_movements (id, product_id, location, delta, reason,"
                                              + " on_hand_after, reference, note, reservation_id, created_at) VALUES ");
        List<Object> params = new java.util.ArrayList<>(movements.size() * 10);
        for (int i = 0; i < movements.size(); i++) {
            Movement m = movements.get(i);
            sql.append(i == 0 ? "" : ", ")
                    .append("(CAST(? AS uuid), CAST(? AS uuid), ?, ?, ?, ?, ?, ?, CAST(? AS uuid), ?)");
            params.addAll(java.util.Arrays.asList(m.id(), m.productId(), m.location(), m.delta(), m.reason().name(),
                    m.onHandAfter(), m.reference(), m.note(), m.reservationId(), Rows.time(m.createdAt())));
        }
        exec.dml(sql.toString(), params.toArray());
    }

    static Movement movement(DbRow row) {
        return new Movement(Rows.uuid(row, "id"), Rows.uuid(row, "product_id"), Rows.string(row, "location"),
                Rows.longValue(row, "delta"), MovementReason.valueOf(Rows.string(row, "reason")),
                Rows.longValue(row, "on_hand_after"), Rows.string(row, "reference"), Rows.string(row, "note"),
                Rows.uuid(row, "reservation_id"), Rows.instant(row, "created_at"));
    }
}
