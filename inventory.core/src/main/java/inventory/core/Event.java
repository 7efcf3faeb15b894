package inventory.core;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A change the world around inventory hears of through the event feed. Written in the transaction of the change.
 */
public sealed interface Event {

    /**
     * @return the contract's type, e.g. {@code stock.changed}
     */
    String type();

    /**
     * @return the product it concerns, or null
     */
    UUID productId();

    /**
     * @return the reservation it concerns, or null
     */
    UUID reservationId();

    /**
     * @return when it happened
     */
    Instant at();

    /**
     * The stock events of a change: one {@code stock.changed} per product, then a {@code stock.low} for each product
     * whose available crossed its threshold downwards.
     *
     * @param cause         what changed the stock, e.g. {@code adjustment} or {@code reservation.committed}
     * @param reservationId the reservation that caused it, or null
     * @param changes       the products changed
     * @param at            when
     * @return the events, in order
     */
    static List<Event> ofStock(String cause, UUID reservationId, List<ProductChange> changes, Instant at) {
        List<Event> events = new ArrayList<>(changes.size() + 1);
        changes.forEach(c -> events.add(new StockChanged(c.after(), cause, reservationId, c.movementIds(), at)));
        changes.stream().filter(ProductChange::crossedLowStock).forEach(c -> events.add(
                new StockLow(c.after().productId(), c.after().total(), c.lowStockThreshold(), c.after().version(), at)));
        return events;
    }

    /**
     * @param product the product as created
     * @param at      when
     */
    record ProductCreated(Product product, Instant at) implements Event {
        @Override
        public String type() {
            return "product.created";
        }

        @Override
        public UUID productId() {
            return product.id();
        }

        @Override
        public UUID reservationId() {
            return null;
        }
    }

    /**
     * @param product the product after the change
     * @param at      when
     */
    record ProductUpdated(Product product, Instant at) implements Event {
        @Override
        public String type() {
            return "product.updated";
        }

        @Override
        public UUID productId() {
            return product.id();
        }

        @Override
        public UUID reservationId() {
            return null;
        }
    }

    /**
     * @param productId the product
     * @param sku       its SKU, now free
     * @param version   its last version
     * @param at        when
     */
    record ProductDeleted(UUID productId, String sku, long version, Instant at) implements Event {
        @Override
        public String type() {
            return "product.deleted";
        }

        @Override
        public UUID reservationId() {
            return null;
        }
    }

    /**
     * @param stock         the product's stock after the change
     * @param cause         what changed it
     * @param reservationId the reservation that caused it, or null
     * @param movementIds   the movements written
     * @param at            when
     */
    record StockChanged(ProductStock stock, String cause, UUID reservationId, List<UUID> movementIds, Instant at)
            implements Event {
        /**
         * Copies the ids.
         */
        public StockChanged {
            movementIds = List.copyOf(movementIds);
        }

        @Override
        public String type() {
            return "stock.changed";
        }

        @Override
        public UUID productId() {
            return stock.productId();
        }
    }

    /**
     * @param productId the product
     * @param stock     its total stock after the change
     * @param threshold its low-stock threshold
     * @param version   its version after the change
     * @param at        when
     */
    record StockLow(UUID productId, Stock stock, int threshold, long version, Instant at) implements Event {
        @Override
        public String type() {
            return "stock.low";
        }

        @Override
        public UUID reservationId() {
            return null;
        }
    }

    /**
     * {@code reservation.created}, {@code .committed}, {@code .released} or {@code .expired}.
     *
     * @param type        the type
     * @param reservation the reservation after the change
     * @param at          when
     */
    record ReservationChanged(String type, Reservation reservation, Instant at) implements Event {
        @Override
        public UUID productId() {
            return null;
        }

        @Override
        public UUID reservationId() {
            return reservation.id();
        }
    }
}
