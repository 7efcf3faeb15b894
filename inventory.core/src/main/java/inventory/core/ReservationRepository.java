package inventory.core;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Reservations and their holds. Each call is one transaction that locks the products it holds or frees in
 * ascending id order (after the reservation row, when there is one), like every stock change, so none deadlocks.
 * Expiry needs no writer: from {@code expiresAt} on, every read treats the reservation as expired, and every
 * write to one of its products first removes its expired holds.
 */
public interface ReservationRepository {

    /**
     * Holds every line or none. Lines on the same product and location are checked together, in order.
     *
     * @param id  the new reservation's id
     * @param req the request
     * @return the reservation and what it did to each product
     * @throws InventoryException.ValidationFailed  naming lines whose product or location does not exist
     * @throws InventoryException.InsufficientStock naming every short line
     */
    Change create(UUID id, NewReservation req);

    /**
     * @param id reservation id
     * @return it, with its status as of now
     */
    Optional<Reservation> find(UUID id);

    /**
     * Turns each line into a {@code SOLD} movement.
     *
     * @param id          reservation id
     * @param ifMatch     version the client expects
     * @param movementIds makes one movement id per line
     * @param now         time of the movements
     * @return the committed reservation and what it did to each product
     * @throws InventoryException.ReservationNotActive unless it is active
     */
    Change commit(UUID id, OptionalLong ifMatch, Supplier<UUID> movementIds, Instant now);

    /**
     * Lets the units go.
     *
     * @param id      reservation id
     * @param ifMatch version the client expects
     * @return the released reservation and what it did to each product
     * @throws InventoryException.ReservationNotActive unless it is active
     */
    Change release(UUID id, OptionalLong ifMatch);

    /**
     * Marks reservations past their expiry {@code EXPIRED}. Rows another caller is working on are skipped, so
     * several instances may sweep at once and each reservation expires once.
     *
     * @param limit most reservations to mark
     * @return the reservations marked, now {@code EXPIRED}
     */
    List<Reservation> markExpired(int limit);

    /**
     * Removes the holds of expired reservations from their products (under the products' locks); each product
     * whose stock this frees is reported to the database's expiry listener, in this transaction.
     *
     * @param reservationIds expired reservations
     */
    void releaseExpiredHolds(List<UUID> reservationIds);

    /**
     * A reservation after a change, and what the change did to each product.
     *
     * @param reservation the reservation after it
     * @param products    one entry per product whose stock changed, ascending id
     */
    record Change(Reservation reservation, List<ProductChange> products) {
        /**
         * Copies the list.
         */
        public Change {
            products = List.copyOf(products);
        }
    }
}
