package inventory.app;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/**
 * The stock invariants, checked in the database itself: the ledger sums to on-hand at every product and location,
 * the product totals are the sums of its levels, and nothing is below zero or reserved beyond on-hand.
 */
final class Invariants {

    private Invariants() {
    }

    static void check(TestServer server) throws SQLException {
        try (Connection c = server.jdbc(); Statement s = c.createStatement()) {
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
}
