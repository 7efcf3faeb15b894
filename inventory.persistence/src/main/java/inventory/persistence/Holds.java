package inventory.persistence;

import java.util.Optional;
import java.util.UUID;

import io.helidon.dbclient.DbExecute;
import io.helidon.dbclient.DbRow;

/**
 * Expiry without a writer. A hold past its {@code expires_at} is expired at once: reads subtract it from the stored
 * reserved figures (and count one version per expired reservation, the version its removal will write), and every
 * write to its product removes it first, under the product's lock, so stored and shown figures meet again.
 */
final class Holds {

    /**
     * Per product ({@code p}): units of expired holds not yet removed ({@code x.q}) and how many reservations they
     * belong to ({@code x.n}). Looks at the holds table only when the product has anything reserved.
     */
    static final String EXPIRED_OF_PRODUCT = " CROSS JOIN LATERAL (SELECT coalesce(sum(h.quantity), 0) AS q,"
            + " count(DISTINCT h.reservation_id) AS n FROM holds h WHERE p.reserved > 0 AND h.product_id = p.id"
            + " AND h.expires_at <= statement_timestamp()) x ";

    /**
     * Per stock level ({@code l}): units of expired holds not yet removed ({@code lx.q}).
     */
    static final String EXPIRED_OF_LEVEL = " CROSS JOIN LATERAL (SELECT coalesce(sum(h.quantity), 0) AS q FROM holds h"
            + " WHERE l.reserved > 0 AND h.product_id = l.product_id AND h.location = l.location"
            + " AND h.expires_at <= statement_timestamp()) lx ";

    private static final String EXPIRE = """
            WITH gone AS (
                DELETE FROM holds WHERE product_id = CAST(? AS uuid) AND expires_at <= statement_timestamp()
                RETURNING reservation_id, location, quantity),
            levels AS (
                UPDATE stock_levels l SET reserved = l.reserved - g.q
                  FROM (SELECT location, sum(quantity) AS q FROM gone GROUP BY location) g
                 WHERE l.product_id = CAST(? AS uuid) AND l.location = g.location
                RETURNING 1),
            total AS (SELECT coalesce(sum(quantity), 0) AS q, count(DISTINCT reservation_id) AS n,
                             (array_agg(reservation_id))[1] AS one FROM gone)
            UPDATE products p SET reserved = p.reserved - total.q, version = p.version + total.n
              FROM total
             WHERE p.id = CAST(? AS uuid) AND total.n > 0
            RETURNING total.q, total.n, total.one""";

    private Holds() {
    }

    /**
     * Removes the expired holds on a product the caller has locked, lowering its reserved figures, and adds one
     * version per reservation they belonged to.
     *
     * @param exec      the transaction
     * @param productId the locked product
     * @return units freed and reservations expired on it
     */
    static Expired expire(DbExecute exec, UUID productId) {
        Optional<DbRow> row = exec.get(EXPIRE, productId, productId, productId);
        if (row.isEmpty()) {
            return Expired.NONE;
        }
        Expired expired = new Expired(Rows.longValue(row.get(), "q"), Rows.longValue(row.get(), "n"));
        // an expiry changes the product's stock: it is recorded like any other change, before the change that
        // found it (a reservation id only when exactly one reservation ended here)
        PgDatabase.holdsExpired(productId, expired.reservations() == 1 ? Rows.uuid(row.get(), "one") : null);
        return expired;
    }

    /**
     * What {@link #expire} removed.
     *
     * @param units        units no longer reserved
     * @param reservations reservations whose holds on the product ended
     */
    record Expired(long units, long reservations) {
        static final Expired NONE = new Expired(0, 0);
    }
}
