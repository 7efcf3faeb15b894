package inventory.persistence;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;

import inventory.core.InventoryException;

/**
 * Opaque page cursors: the keyset position of the last item, tagged with the list it belongs to.
 */
final class Cursors {

    private Cursors() {
    }

    static String encode(String list, String position) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((list + ":" + position).getBytes(StandardCharsets.UTF_8));
    }

    static Optional<String> decode(String list, Optional<String> cursor) {
        if (cursor.isEmpty()) {
            return Optional.empty();
        }
        try {
            String text = new String(Base64.getUrlDecoder().decode(cursor.get()), StandardCharsets.UTF_8);
            if (text.startsWith(list + ":")) {
                return Optional.of(text.substring(list.length() + 1));
            }
        } catch (IllegalArgumentException e) {
            // falls through to the validation error
        }
        throw new InventoryException.ValidationFailed("cursor", "is not a cursor of this list");
    }

    static Optional<UUID> uuid(String list, Optional<String> cursor) {
        return decode(list, cursor).map(text -> {
            try {
                return UUID.fromString(text);
            } catch (IllegalArgumentException e) {
                throw new InventoryException.ValidationFailed("cursor", "is not a cursor of this list");
            }
        });
    }

    static Optional<Long> number(String list, Optional<String> cursor) {
        return decode(list, cursor).map(text -> {
            try {
                return Long.parseLong(text);
            } catch (NumberFormatException e) {
                throw new InventoryException.ValidationFailed("cursor", "is not a cursor of this list");
            }
        });
    }
}
