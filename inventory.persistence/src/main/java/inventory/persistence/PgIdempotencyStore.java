package inventory.persistence;

import java.time.Duration;
import java.util.Optional;

import inventory.core.IdempotencyStore;
import inventory.core.IdempotentRequest;
import inventory.core.StoredResponse;

/**
 * Stored answers of idempotent requests. The in-progress check is a transaction-scoped advisory lock on the key,
 * taken without waiting: it is released by the commit that stores the answer, so a concurrent request either
 * sees the lock (in progress) or the stored answer, never neither.
 */
public final class PgIdempotencyStore implements IdempotencyStore {

    private static final String SAVEPOINT = "idempotent_operation";

    private final PgDatabase db;

    /**
     * @param db the database
     */
    public PgIdempotencyStore(PgDatabase db) {
        this.db = db;
    }

    @Override
    public boolean tryLock(IdempotentRequest r) {
        return db.execute().get("SELECT pg_try_advisory_xact_lock(hashtextextended(?, 7)) AS locked",
                        r.caller() + '\n' + r.method() + '\n' + r.path() + '\n' + r.key())
                .map(row -> (Boolean) Rows.raw(row, "locked"))
                .orElse(false);
    }

    @Override
    public Optional<Stored> find(IdempotentRequest r) {
        return db.execute().get("""
                        SELECT fingerprint, status, content_type, etag, location, body FROM idempotency_keys
                         WHERE caller = ? AND method = ? AND path = ? AND key = ?""",
                        r.caller(), r.method(), r.path(), r.key())
                .map(row -> new Stored(Rows.string(row, "fingerprint"), new StoredResponse(
                        Rows.integer(row, "status"), Rows.string(row, "content_type"), Rows.string(row, "etag"),
                        Rows.string(row, "location"), (byte[]) Rows.raw(row, "body"))));
    }

    @Override
    public void savepoint() {
        db.execute().dml("SAVEPOINT " + SAVEPOINT);
    }

    @Override
    public void rollbackToSavepoint() {
        db.execute().dml("ROLLBACK TO SAVEPOINT " + SAVEPOINT);
    }

    @Override
    public void save(IdempotentRequest r, StoredResponse s) {
        db.execute().dml("""
                        INSERT INTO idempotency_keys (caller, method, path, key, fingerprint, status, content_type, etag,
                                                      location, body)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                r.caller(), r.method(), r.path(), r.key(), r.fingerprint(), s.status(), s.contentType(), s.etag(),
                s.location(), s.body());
    }

    /**
     * Forgets answers older than the given age; the contract keeps them at least 24 hours.
     *
     * @param age age
     * @return how many were removed
     */
    public long purgeOlderThan(Duration age) {
        return db.inTransaction(() -> db.execute().dml(
                "DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(secs => ?)", age.toSeconds()));
    }
}
