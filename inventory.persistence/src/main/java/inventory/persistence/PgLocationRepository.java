package inventory.persistence;

import java.util.List;

import inventory.core.InventoryException;
import inventory.core.Location;
import inventory.core.LocationRepository;

/**
 * Locations in PostgreSQL. A location is deleted for good once it holds nothing; the ledger keeps its code.
 */
public final class PgLocationRepository implements LocationRepository {

    private final PgDatabase db;

    /**
     * @param db the database
     */
    public PgLocationRepository(PgDatabase db) {
        this.db = db;
    }

    @Override
    public List<Location> list() {
        return db.inTransaction(() -> Rows.query(db.execute(), "SELECT code, name, created_at FROM locations ORDER BY code",
                r -> new Location(Rows.string(r, "code"), Rows.string(r, "name"), Rows.instant(r, "created_at"))));
    }

    @Override
    public Location create(Location location) {
        return db.inTransaction(() -> {
            if (db.execute().get("INSERT INTO locations (code, name, created_at) VALUES (?, ?, ?)"
                                 + " ON CONFLICT (code) DO NOTHING RETURNING code",
                    location.code(), location.name(), Rows.time(location.createdAt())).isEmpty()) {
                throw new InventoryException.LocationConflict(location.code());
            }
            return location;
        });
    }

    @Override
    public void delete(String code) {
        db.inTransaction(() -> {
            var exec = db.execute();
            // expired holds at the location are gone already; remove them (under their products' locks, taken
            // before the location's like every change does) so the levels can go
            Locked.all(exec, Rows.query(exec, "SELECT DISTINCT product_id FROM holds WHERE location = ?",
                    r -> Rows.uuid(r, "product_id"), code));
            if (exec.get("SELECT code FROM locations WHERE code = ? FOR UPDATE", code).isEmpty()) {
                throw new InventoryException.NotFound("no location " + code);
            }
            boolean holds = exec.get("""
                    SELECT 1 AS one FROM stock_levels l JOIN products p ON p.id = l.product_id
                     WHERE l.location = ? AND p.deleted_at IS NULL AND (l.on_hand > 0 OR l.reserved > 0)
                     LIMIT 1""", code).isPresent();
            if (holds) {
                throw new InventoryException.LocationNotEmpty(code);
            }
            exec.dml("DELETE FROM stock_levels WHERE location = ?", code);
            exec.dml("DELETE FROM locations WHERE code = ?", code);
            return null;
        });
    }
}
