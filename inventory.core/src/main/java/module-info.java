/**
 * The inventory domain: products, stock levels per location, the append-only stock ledger, and the use
 * cases that change them. Everything that decides whether a change is allowed lives here, so the rules
 * read the same whichever adapter calls them.
 * <p>
 * This module depends on no framework, JDBC or JSON library: the persistence and web modules adapt to
 * it through the ports ({@code ProductRepository}, {@code StockRepository}, {@code LocationRepository},
 * {@code Transactions}, {@code IdempotencyStore}) it declares.
 */
module inventory.core {
    exports inventory.core;
}
