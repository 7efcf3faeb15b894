package inventory.persistence;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import io.helidon.dbclient.DbRow;

import inventory.core.ApiKey;
import inventory.core.ApiKeyRepository;
import inventory.core.Scope;

/**
 * API keys in PostgreSQL.
 */
public final class PgApiKeyRepository implements ApiKeyRepository {

    private static final String COLUMNS = "id, name, array_to_string(scopes, ',') AS scopes, created_at, revoked_at";

    private final PgDatabase db;

    /**
     * @param db the database
     */
    public PgApiKeyRepository(PgDatabase db) {
        this.db = db;
    }

    @Override
    public boolean create(ApiKey key, byte[] secretHash, boolean bootstrap) {
        return db.inTransaction(() -> db.execute().get("""
                INSERT INTO api_keys (id, name, scopes, secret_hash, bootstrap, created_at)
                VALUES (CAST(? AS uuid), ?, string_to_array(?, ','), ?, ?, ?)
                ON CONFLICT DO NOTHING RETURNING id""", key.id(), key.name(),
                key.scopes().stream().map(Scope::text).sorted().collect(Collectors.joining(",")), secretHash,
                bootstrap, Rows.time(key.createdAt())).isPresent());
    }

    @Override
    public List<ApiKey> list() {
        return db.inTransaction(() -> Rows.query(db.execute(), "SELECT " + COLUMNS + " FROM api_keys ORDER BY id",
                PgApiKeyRepository::key));
    }

    @Override
    public List<Stored> active() {
        return db.inTransaction(() -> Rows.query(db.execute(), "SELECT " + COLUMNS + ", secret_hash FROM api_keys"
                                                              + " WHERE revoked_at IS NULL",
                r -> new Stored(key(r), (byte[]) Rows.raw(r, "secret_hash"))));
    }

    @Override
    public Optional<Stored> find(UUID id) {
        return db.inTransaction(() -> Rows.one(db.execute(), "SELECT " + COLUMNS + ", secret_hash FROM api_keys"
                                                            + " WHERE id = CAST(? AS uuid)",
                r -> new Stored(key(r), (byte[]) Rows.raw(r, "secret_hash")), id));
    }

    @Override
    public boolean revoke(UUID id) {
        return db.inTransaction(() -> db.execute().dml("UPDATE api_keys SET revoked_at = now()"
                                                       + " WHERE id = CAST(? AS uuid) AND revoked_at IS NULL", id) == 1);
    }

    private static ApiKey key(DbRow r) {
        Set<Scope> scopes = EnumSet.noneOf(Scope.class);
        Arrays.stream(Rows.string(r, "scopes").split(",")).map(Scope::of).flatMap(Optional::stream).forEach(scopes::add);
        return new ApiKey(Rows.uuid(r, "id"), Rows.string(r, "name"), scopes, Rows.instant(r, "created_at"),
                Rows.instant(r, "revoked_at"));
    }
}
