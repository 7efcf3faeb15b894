package inventory.persistence;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Optional;

import inventory.core.InventoryException;

/**
 * Translates database failures: a lost or unreachable database becomes {@code unavailable}; constraint
 * violations are looked up by their SQLState where a repository expects them.
 */
final class PgErrors {

    private PgErrors() {
    }

    /**
     * @param e a failure from the driver, the pool or the client
     * @return the SQLState of the first {@link SQLException} in the cause chain
     */
    static Optional<String> sqlState(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                return Optional.of(sql.getSQLState());
            }
        }
        return Optional.empty();
    }

    /**
     * @param e failure
     * @return the constraint named in the PostgreSQL error, if any
     */
    static Optional<String> constraint(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof org.postgresql.util.PSQLException pg && pg.getServerErrorMessage() != null) {
                return Optional.ofNullable(pg.getServerErrorMessage().getConstraint());
            }
        }
        return Optional.empty();
    }

    /**
     * Turns connection failures into {@link InventoryException.Unavailable}; passes everything else on.
     *
     * @param e failure
     * @return the exception to throw
     */
    static RuntimeException translate(Throwable e) {
        if (e instanceof InventoryException ie) {
            return ie;
        }
        if (unavailable(e)) {
            return new InventoryException.Unavailable("the database cannot be reached; nothing was written");
        }
        if (e instanceof RuntimeException re) {
            return re;
        }
        if (e instanceof Error err) {
            throw err;
        }
        return new IllegalStateException(e);
    }

    private static boolean unavailable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLTransientConnectionException) {
                return true;
            }
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                String state = sql.getSQLState();
                // 08: connection exception; 57P01-57P03: admin shutdown, crash shutdown, cannot connect now
                if (state.startsWith("08") || state.startsWith("57P")) {
                    return true;
                }
            }
            if (t instanceof java.net.SocketException || t instanceof java.io.EOFException) {
                return true;
            }
        }
        return false;
    }
}
