package inventory.app;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/**
 * The stock invariants, checked in the database itself: the ledger sums to on-hand at every product and location,
 * the product totals are the sums of its levels, and nothing is below zero or reserved beyond on-hand. Reservations:
 * what is reserved is exactly what the holds hold, only active reservations hold anything, an unexpired active
 * reservation holds exactly its lines, and a committed one has sold exactly its lines. Events: {@code seq} is
 * 1..max without a gap.
 */
final class Invariants {

    private Invariants() {
    }

    static void check(TestServer server) throws SQLException {
        try (Connection c = server.jdbc()) {
            check(c);
        }
    }

    /** Checks the invariants on a connection of the caller's (they only read, so the service's login will do). */
    static void check(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            assertThat("ledger rows whose sum differs from the level's on-hand",
                    count(s, """
                            SELECT count(*) FROM stock_levels l
                             WHERE l.on_hand <> (SELECT coalesce(sum(m.delta), 0) FROM stock_movements m
                                                  WHERE m.product_id = l.product_id AND m.location = l.location)"""),
                    is(0L));
            assertThat("ledger rows without a level that hold stock",
                    count(s, """
                            SELECT count(*) FROM (SELECT product_id, location, sum(delta) AS total FROM stock_movements
                                                   GROUP BY product_id, location) m
                             WHERE m.total <> 0 AND NOT EXISTS (SELECT 1 FROM stock_levels l WHERE l.product_id = m.product_id
                                                                 AND l.location = m.location)"""),
                    is(0L));
            assertThat("products whose totals differ from their levels",
                    count(s, """
                            SELECT count(*) FROM products p
                             WHERE p.on_hand <> (SELECT coalesce(sum(on_hand), 0) FROM stock_levels l WHERE l.product_id = p.id)
                                OR p.reserved <> (SELECT coalesce(sum(reserved), 0) FROM stock_levels l WHERE l.product_id = p.id)"""),
                    is(0L));
            assertThat("stock below zero or reserved above on-hand",
                    count(s, "SELECT count(*) FROM stock_levels WHERE on_hand < 0 OR reserved < 0 OR reserved > on_hand"),
                    is(0L));
            assertThat("stock levels whose reserved differs from the sum of their holds",
                    count(s, """
                            SELECT count(*) FROM stock_levels l
                             WHERE l.reserved <> (SELECT coalesce(sum(h.quantity), 0) FROM holds h
                                                   WHERE h.product_id = l.product_id AND h.location = l.location)"""),
                    is(0L));
            assertThat("products whose reserved differs from the sum of their holds",
                    count(s, """
                            SELECT count(*) FROM products p
                             WHERE p.reserved <> (SELECT coalesce(sum(h.quantity), 0) FROM holds h WHERE h.product_id = p.id)"""),
                    is(0L));
            assertThat("holds of reservations that are not active",
                    count(s, """
                            SELECT count(*) FROM holds h JOIN reservations r ON r.id = h.reservation_id
                             WHERE r.status <> 'ACTIVE'"""),
                    is(0L));
            assertThat("unexpired active reservations whose holds differ from their lines",
                    count(s, """
                            SELECT count(*) FROM (SELECT l.reservation_id, l.product_id, l.location, sum(l.quantity) AS q
                                                    FROM reservation_lines l JOIN reservations r ON r.id = l.reservation_id
                                                   WHERE r.status = 'ACTIVE' AND r.expires_at > now()
                                                   GROUP BY l.reservation_id, l.product_id, l.location) x
                             WHERE x.q <> coalesce((SELECT h.quantity FROM holds h WHERE h.reservation_id = x.reservation_id
                                                     AND h.product_id = x.product_id AND h.location = x.location), 0)"""),
                    is(0L));
            assertThat("committed reservations whose movements differ from their lines",
                    count(s, """
                            SELECT count(*) FROM (SELECT l.reservation_id, l.product_id, l.location, sum(l.quantity) AS q
                                                    FROM reservation_lines l JOIN reservations r ON r.id = l.reservation_id
                                                   WHERE r.status = 'COMMITTED'
                                                   GROUP BY l.reservation_id, l.product_id, l.location) x
                             WHERE -x.q <> (SELECT coalesce(sum(m.delta), 0) FROM stock_movements m
                                             WHERE m.reservation_id = x.reservation_id AND m.product_id = x.product_id
                                               AND m.location = x.location AND m.reason = 'SOLD')"""),
                    is(0L));
            assertThat("movements of reservations that were not committed",
                    count(s, """
                            SELECT count(*) FROM stock_movements m
                             WHERE m.reservation_id IS NOT NULL
                               AND NOT EXISTS (SELECT 1 FROM reservations r WHERE r.id = m.reservation_id
                                                AND r.status = 'COMMITTED')"""),
                    is(0L));
            assertThat("event seqs that are not exactly 1..max",
                    count(s, """
                            SELECT CASE WHEN count(*) = coalesce(max(seq), 0) AND coalesce(min(seq), 1) = 1 THEN 0 ELSE 1 END
                              FROM events"""),
                    is(0L));
        }
    }

    static long count(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static long count(TestServer server, String sql) throws SQLException {
        try (Connection c = server.jdbc(); Statement s = c.createStatement()) {
            return count(s, sql);
        }
    }

    static java.util.List<Long> longs(TestServer server, String sql) throws SQLException {
        java.util.List<Long> values = new java.util.ArrayList<>();
        try (Connection c = server.jdbc(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                values.add(rs.getLong(1));
            }
        }
        return values;
    }
}
