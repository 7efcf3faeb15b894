package inventory.persistence;

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

    static Movement movement(DbRow row) {
        return new Movement(Rows.uuid(row, "id"), Rows.uuid(row, "product_id"), Rows.string(row, "location"),
                Rows.longValue(row, "delta"), MovementReason.valueOf(Rows.string(row, "reason")),
                Rows.longValue(row, "on_hand_after"), Rows.string(row, "reference"), Rows.string(row, "note"),
                Rows.uuid(row, "reservation_id"), Rows.instant(row, "created_at"));
    }
}
