package inventory.core;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A hold on stock for a checkout.
 *
 * @param id        id
 * @param status    status as of now (an active reservation past {@code expiresAt} is {@link ReservationStatus#EXPIRED})
 * @param lines     the lines as the client sent them, in order
 * @param reference caller's reference or null
 * @param expiresAt when the hold ends unless committed or released first
 * @param createdAt creation time
 * @param version   +1 on every change, expiry included
 */
public record Reservation(UUID id, ReservationStatus status, List<Line> lines, String reference, Instant expiresAt,
                          Instant createdAt, long version) {

    /**
     * Copies the lines.
     */
    public Reservation {
        lines = List.copyOf(lines);
    }

    /**
     * One line of a reservation.
     *
     * @param productId product
     * @param sku       its SKU
     * @param location  location code
     * @param quantity  units held
     */
    public record Line(UUID productId, String sku, String location, long quantity) {
    }
}
