package inventory.core;

import java.util.List;
import java.util.Objects;

/**
 * A request the inventory refuses, named by the contract's problem {@link #code()}. The web module maps each
 * code to its HTTP status; nothing else here knows about HTTP.
 */
public sealed class InventoryException extends RuntimeException {

    private final String code;

    private InventoryException(String code, String detail) {
        super(detail, null, false, false);
        this.code = code;
    }

    /**
     * The contract's problem code, e.g. {@code insufficient-stock}.
     *
     * @return code
     */
    public String code() {
        return code;
    }

    /**
     * Whether this is the operation's own answer that an idempotency key stores and replays (the contract's
     * 409, 412 and 422 answers) rather than a problem with the request the client may fix and retry.
     *
     * @return true for answers that are stored with the idempotency key
     */
    public boolean replayable() {
        return false;
    }

    /** No such resource, or a deleted one. */
    public static final class NotFound extends InventoryException {
        /**
         * @param detail what was not found
         */
        public NotFound(String detail) {
            super("not-found", detail);
        }
    }

    /** One or more fields are missing, of the wrong type, out of range or unknown. */
    public static final class ValidationFailed extends InventoryException {
        private final List<FieldError> errors;

        /**
         * @param errors every bad field, at least one
         */
        public ValidationFailed(List<FieldError> errors) {
            super("validation-failed", errors.size() == 1
                    ? errors.getFirst().field() + ": " + errors.getFirst().message()
                    : errors.size() + " fields are invalid");
            this.errors = List.copyOf(errors);
        }

        /**
         * @param field   the bad field
         * @param message what is wrong with it
         */
        public ValidationFailed(String field, String message) {
            this(List.of(new FieldError(field, message)));
        }

        /**
         * @return every bad field
         */
        public List<FieldError> errors() {
            return errors;
        }
    }

    /** Another live product has that SKU, ignoring case. */
    public static final class SkuConflict extends InventoryException {
        /**
         * @param sku the SKU asked for
         */
        public SkuConflict(String sku) {
            super("sku-conflict", "another product has the SKU " + sku);
        }

        @Override
        public boolean replayable() {
            return true;
        }
    }

    /** The change would make {@code available} negative, or a count would go below {@code reserved}. */
    public static final class InsufficientStock extends InventoryException {
        private final List<Shortage> shortages;

        /**
         * @param shortages one per short line
         */
        public InsufficientStock(List<Shortage> shortages) {
            super("insufficient-stock", shortages.size() == 1
                    ? "not enough stock: " + shortages.getFirst().requested() + " requested, "
                      + shortages.getFirst().available() + " available at " + shortages.getFirst().location()
                    : shortages.size() + " lines are short of stock");
            this.shortages = List.copyOf(shortages);
        }

        /**
         * @return one entry per short line
         */
        public List<Shortage> shortages() {
            return shortages;
        }

        @Override
        public boolean replayable() {
            return true;
        }
    }

    /** The location holds stock or reservations. */
    public static final class LocationNotEmpty extends InventoryException {
        /**
         * @param code the location
         */
        public LocationNotEmpty(String code) {
            super("location-not-empty", "location " + code + " still holds stock or reservations");
        }

        @Override
        public boolean replayable() {
            return true;
        }
    }

    /** A location with that code exists already (not named by the contract; documented in the OpenAPI document). */
    public static final class LocationConflict extends InventoryException {
        /**
         * @param code the location code
         */
        public LocationConflict(String code) {
            super("location-conflict", "location " + code + " exists already");
        }

        @Override
        public boolean replayable() {
            return true;
        }
    }

    /** The default location {@code main} cannot be deleted (not named by the contract; documented in OpenAPI). */
    public static final class LocationRequired extends InventoryException {
        /**
         * @param code the location code
         */
        public LocationRequired(String code) {
            super("location-required", "location " + code + " is the default location and cannot be deleted");
        }
    }

    /** The product still has active reservations. */
    public static final class ProductHasReservations extends InventoryException {
        /**
         * @param detail which product
         */
        public ProductHasReservations(String detail) {
            super("product-has-reservations", detail);
        }

        @Override
        public boolean replayable() {
            return true;
        }
    }

    /** Commit or release of a reservation that is committed, released or expired. */
    public static final class ReservationNotActive extends InventoryException {
        /**
         * @param id     the reservation
         * @param status what it is now
         */
        public ReservationNotActive(java.util.UUID id, ReservationStatus status) {
            super("reservation-not-active", "reservation " + id + " is " + status + ", not ACTIVE");
        }

        @Override
        public boolean replayable() {
            return true;
        }
    }

    /** {@code If-Match} did not match the current version. */
    public static final class VersionMismatch extends InventoryException {
        /**
         * @param expected the version the client sent
         * @param actual   the current version
         */
        public VersionMismatch(long expected, long actual) {
            super("version-mismatch", "If-Match names version " + expected + " but the current version is " + actual);
        }

        /**
         * @param detail what did not match
         */
        public VersionMismatch(String detail) {
            super("version-mismatch", detail);
        }

        @Override
        public boolean replayable() {
            return true;
        }
    }

    /** Another request with the same idempotency key is still running. */
    public static final class IdempotencyKeyInProgress extends InventoryException {
        /** A request with the same key is still running. */
        public IdempotencyKeyInProgress() {
            super("idempotency-key-in-progress", "a request with this Idempotency-Key is still in progress; retry later");
        }
    }

    /** The idempotency key was used before with another body. */
    public static final class IdempotencyKeyReused extends InventoryException {
        /** The key was used before with another request body. */
        public IdempotencyKeyReused() {
            super("idempotency-key-reused", "this Idempotency-Key was used before with a different request body");
        }
    }

    /** The database cannot be reached; nothing was written. */
    public static final class Unavailable extends InventoryException {
        /**
         * @param detail what failed, without internals
         */
        public Unavailable(String detail) {
            super("unavailable", detail);
        }
    }

    /**
     * One bad field of a request.
     *
     * @param field   the field's path, e.g. {@code lines[3].quantity}
     * @param message what is wrong with it
     */
    public record FieldError(String field, String message) {
        /**
         * Checks both parts are present.
         */
        public FieldError {
            Objects.requireNonNull(field);
            Objects.requireNonNull(message);
        }
    }

    /**
     * One line that is short of stock.
     *
     * @param line      the 0-based index in {@code lines}, {@code null} for single-product calls
     * @param productId the product
     * @param sku       its SKU
     * @param location  the location
     * @param requested the units asked for, positive
     * @param available the units available there
     */
    public record Shortage(Integer line, java.util.UUID productId, String sku, String location, long requested,
                           long available) {
    }
}
