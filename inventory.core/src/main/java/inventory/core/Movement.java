package inventory.core;

import java.time.Instant;
import java.util.UUID;

/**
 * One entry of the append-only stock ledger. For every product and location the deltas sum to on-hand.
 *
 * @param id            time-ordered id
 * @param productId     the product
 * @param location      location code
 * @param delta         units added (positive) or removed (negative); 0 only for a count that found no difference
 * @param reason        why
 * @param onHandAfter   on-hand at the location after this movement
 * @param reference     caller's reference (order number, delivery note), or null
 * @param note          free text, or null
 * @param reservationId the reservation a sale came from, or null
 * @param createdAt     when it was written
 */
public record Movement(UUID id,
                       UUID productId,
                       String location,
                       long delta,
                       MovementReason reason,
                       long onHandAfter,
                       String reference,
                       String note,
                       UUID reservationId,
                       Instant createdAt) {
}
