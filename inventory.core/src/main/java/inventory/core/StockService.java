package inventory.core;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;

/**
 * Stock use cases: read, adjust, count, batch and the ledger.
 */
public final class StockService {

    private final StockRepository stock;
    private final Transactions transactions;
    private final EventLog events;
    private final UuidV7 ids;
    private final Clock clock;
    private final Combiner<StockRepository.ProductAdjustment, StockRepository.StockChange> combiner;
    /** Most adjustments written in one group commit. */
    private static final int MAX_BATCH = 64;
    /**
     * Most group-commit transactions at the same time: one can be in PostgreSQL while the other's answers are being
     * sent; more only split the queue into smaller batches.
     */
    private static final int LANES = 2;

    /**
     * @param stock        stored stock
     * @param transactions transactions, so a change and its events commit together
     * @param events       the event feed
     * @param ids          id generator
     * @param clock        clock
     */
    public StockService(StockRepository stock, Transactions transactions, EventLog events, UuidV7 ids, Clock clock) {
        this.stock = stock;
        this.transactions = transactions;
        this.events = events;
        this.ids = ids;
        this.clock = clock;
        this.combiner = new Combiner<>(a -> adjust(a.productId(), a.adjustment(), OptionalLong.empty()), this::adjustAll,
                MAX_BATCH, LANES);
    }

    /**
     * Records that expired holds on a product were removed, inside the transaction that removed them: an expiry
     * is a change of the product's stock like any other.
     *
     * @param productId     product
     * @param reservationId the reservation that ended, or null if several
     */
    public void holdsExpired(UUID productId, UUID reservationId) {
        stock.stock(productId).ifPresent(s -> events.append(List.of(new Event.StockChanged(s, "reservation.expired",
                reservationId, List.of(), ProductService.now(clock)))));
    }

    /**
     * @param productId product
     * @return its stock per location
     */
    public ProductStock get(UUID productId) {
        return stock.stock(productId).orElseThrow(() -> ProductService.notFound(productId));
    }

    /**
     * @param productId  product
     * @param adjustment the change
     * @param ifMatch    version the client expects
     * @return the movement and the stock after it
     */
    public StockRepository.StockChange adjust(UUID productId, Adjustment adjustment, OptionalLong ifMatch) {
        Instant now = ProductService.now(clock);
        return transactions.inTransaction(() -> {
            StockRepository.StockChange change = stock.adjust(productId, adjustment, ifMatch, ids.next(), now);
            events.append(Event.ofStock("adjustment", null, List.of(change.change()), now));
            return change;
        });
    }

    /**
     * An adjustment without {@code If-Match}, written together with others (of any product) that arrive while earlier
     * ones are being written (group commit): the answer is the same as {@link #adjust}'s, computed in arrival order.
     *
     * @param productId  product
     * @param adjustment the change
     * @return the movement and the stock after it
     */
    public StockRepository.StockChange adjustCombined(UUID productId, Adjustment adjustment) {
        return combiner.submit(new StockRepository.ProductAdjustment(productId, adjustment));
    }

    private List<Object> adjustAll(List<StockRepository.ProductAdjustment> adjustments) {
        Instant now = ProductService.now(clock);
        List<UUID> movementIds = new java.util.ArrayList<>(adjustments.size());
        adjustments.forEach(a -> movementIds.add(ids.next()));
        return transactions.inTransaction(() -> {
            List<Object> results = stock.adjustAll(adjustments, movementIds, now);
            List<Event> appended = new java.util.ArrayList<>();
            for (Object r : results) {
                if (r instanceof StockRepository.StockChange change) {
                    appended.addAll(Event.ofStock("adjustment", null, List.of(change.change()), now));
                }
            }
            events.append(appended);
            return results;
        });
    }

    /**
     * @param productId product
     * @param count     the count
     * @param ifMatch   version the client expects
     * @return the movement and the stock after it
     */
    public StockRepository.StockChange count(UUID productId, StockCount count, OptionalLong ifMatch) {
        Instant now = ProductService.now(clock);
        return transactions.inTransaction(() -> {
            StockRepository.StockChange change = stock.count(productId, count, ifMatch, ids.next(), now);
            events.append(Event.ofStock("count", null, List.of(change.change()), now));
            return change;
        });
    }

    /**
     * @param batch the lines
     * @return one movement per line
     */
    public List<Movement> batch(Batch batch) {
        Instant now = ProductService.now(clock);
        return transactions.inTransaction(() -> {
            StockRepository.BatchResult result = stock.batch(batch, ids::next, now);
            events.append(Event.ofStock("batch", null, result.products(), now));
            return result.movements();
        });
    }

    /**
     * @param productId product
     * @param limit     page size
     * @param cursor    cursor of the previous page
     * @return movements, newest first
     */
    public Page<Movement> movements(UUID productId, int limit, Optional<String> cursor) {
        return stock.movements(productId, limit, cursor);
    }
}
