package inventory.core;

/**
 * Where a reservation is in its life. Only {@link #ACTIVE} holds stock.
 */
public enum ReservationStatus {
    /** Holding its units until committed, released or expired. */
    ACTIVE,
    /** Sold: its units left on-hand as {@code SOLD} movements. */
    COMMITTED,
    /** Let go by the client: its units are available again. */
    RELEASED,
    /** Reached {@code expiresAt} while active: its units are available again. */
    EXPIRED
}
