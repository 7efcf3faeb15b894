package inventory.core;

import java.util.List;
import java.util.Optional;

/**
 * One page of a cursor-paginated list.
 *
 * @param items      the items
 * @param nextCursor opaque cursor of the next page, empty on the last page
 * @param <T>        item type
 */
public record Page<T>(List<T> items, Optional<String> nextCursor) {
    /**
     * Copies the list.
     */
    public Page {
        items = List.copyOf(items);
    }
}
