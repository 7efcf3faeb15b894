package inventory.core;

/**
 * A request to create a location.
 *
 * @param code code
 * @param name name
 */
public record NewLocation(String code, String name) {
    /**
     * Validates and names every bad field.
     */
    public NewLocation {
        Violations v = new Violations();
        if (code == null) {
            v.add("code", "is required");
        } else {
            Rules.location(v, "code", code);
        }
        Rules.text(v, "name", name, 1, Rules.NAME_MAX, true);
        v.throwIfAny();
    }
}
