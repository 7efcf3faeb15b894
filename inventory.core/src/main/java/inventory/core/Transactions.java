package inventory.core;

import java.util.function.Supplier;

/**
 * Runs work in one database transaction: repository calls made inside it join it. It commits when the work
 * returns and rolls back when it throws.
 */
public interface Transactions {

    /**
     * @param work the work
     * @param <T>  result type
     * @return what the work returned
     */
    <T> T inTransaction(Supplier<T> work);
}
