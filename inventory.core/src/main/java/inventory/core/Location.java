package inventory.core;

import java.time.Instant;

/**
 * A place that holds stock: a warehouse, a shop, a shelf.
 *
 * @param code      {@code ^[a-z0-9-]{1,32}$}, the id used in requests
 * @param name      display name
 * @param createdAt creation time
 */
public record Location(String code, String name, Instant createdAt) {
    /** The location that exists from the start and that every request defaults to. */
    public static final String MAIN = "main";
}
