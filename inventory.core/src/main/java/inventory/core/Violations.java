package inventory.core;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects every bad field of a request so that one answer names them all.
 */
public final class Violations {

    private final List<InventoryException.FieldError> errors = new ArrayList<>();

    /**
     * Records a bad field.
     *
     * @param field   path of the field
     * @param message what is wrong
     * @return this collector
     */
    public Violations add(String field, String message) {
        errors.add(new InventoryException.FieldError(field, message));
        return this;
    }

    /**
     * Whether the field already has an error, so a later check does not report it twice.
     *
     * @param field path of the field
     * @return true if reported
     */
    public boolean has(String field) {
        return errors.stream().anyMatch(e -> e.field().equals(field));
    }

    /**
     * Adds the errors of another collector.
     *
     * @param other another collector
     */
    public void addAll(Violations other) {
        other.errors.stream().filter(e -> !has(e.field())).forEach(errors::add);
    }

    /**
     * @return whether no error was recorded
     */
    public boolean isEmpty() {
        return errors.isEmpty();
    }

    /**
     * Throws {@link InventoryException.ValidationFailed} naming every recorded field, if there is any.
     */
    public void throwIfAny() {
        if (!errors.isEmpty()) {
            throw new InventoryException.ValidationFailed(errors);
        }
    }
}
