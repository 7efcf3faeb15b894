package inventory.core;

import java.time.Instant;
import java.util.UUID;

/**
 * An event as the feed serves it.
 *
 * @param seq           its place in the feed: 1, 2, 3, ... with no gaps
 * @param type          type
 * @param productId     product or null
 * @param reservationId reservation or null
 * @param data          its data as JSON text
 * @param at            when it happened
 */
public record StoredEvent(long seq, String type, UUID productId, UUID reservationId, String data, Instant at) {
}
