package inventory.core;

import java.util.Optional;

/**
 * What an API key may do. {@link #ADMIN} may do everything; {@link #WRITE} includes {@link #READ}, since a client
 * that may change stock needs to see it.
 */
public enum Scope {
    /** Every {@code GET} under {@code /v1}. */
    READ("inventory:read"),
    /** Every other {@code /v1} call but API keys and locations. */
    WRITE("inventory:write"),
    /** Everything, API keys and locations included. */
    ADMIN("admin");

    private final String text;

    Scope(String text) {
        this.text = text;
    }

    /**
     * @return the name in the API, e.g. {@code inventory:read}
     */
    public String text() {
        return text;
    }

    /**
     * @param text a name in the API
     * @return the scope, if there is one of that name
     */
    public static Optional<Scope> of(String text) {
        for (Scope s : values()) {
            if (s.text.equals(text)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    /**
     * @param needed the scope a call needs
     * @return whether holding this scope allows it
     */
    public boolean allows(Scope needed) {
        return this == ADMIN || this == needed || this == WRITE && needed == READ;
    }
}
