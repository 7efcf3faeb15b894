package inventory.core;

import java.math.BigDecimal;
import java.util.Currency;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The contract's field rules, in one place so commands, filters and the schema's CHECKs agree.
 */
public final class Rules {

    /** SKU format. */
    public static final Pattern SKU = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$");
    /** Location code format. */
    public static final Pattern LOCATION_CODE = Pattern.compile("^[a-z0-9-]{1,32}$");
    /** A decimal string with at most 10 integer and 4 fraction digits. */
    private static final Pattern MONEY = Pattern.compile("^[0-9]{1,10}(\\.[0-9]{1,4})?$");
    /** Largest |delta| of one adjustment or line. */
    public static final long MAX_DELTA = 1_000_000_000L;
    /** Largest quantity a product may be created with or counted at. */
    public static final long MAX_QUANTITY = 1_000_000_000_000L;
    /** Longest name. */
    public static final int NAME_MAX = 200;
    /** Longest description. */
    public static final int DESCRIPTION_MAX = 2000;
    /** Most attributes. */
    public static final int ATTRIBUTES_MAX = 50;
    /** Longest attribute key. */
    public static final int ATTRIBUTE_KEY_MAX = 64;
    /** Longest attribute value. */
    public static final int ATTRIBUTE_VALUE_MAX = 256;
    /** Longest movement reference. */
    public static final int REFERENCE_MAX = 200;
    /** Longest movement note. */
    public static final int NOTE_MAX = 2000;
    /** Most lines in a batch. */
    public static final int BATCH_LINES_MAX = 500;

    private Rules() {
    }

    /**
     * Parses a money string.
     *
     * @param text decimal string
     * @return the amount, or empty if the text is not a valid amount
     */
    public static Optional<BigDecimal> money(String text) {
        if (text == null || !MONEY.matcher(text).matches()) {
            return Optional.empty();
        }
        return Optional.of(new BigDecimal(text));
    }

    /**
     * The canonical form of an amount: trailing zeros dropped, then at least two fraction digits.
     *
     * @param amount amount
     * @return e.g. {@code "19.90"}, {@code "19.905"}, {@code "7.00"}
     */
    public static String money(BigDecimal amount) {
        BigDecimal stripped = amount.stripTrailingZeros();
        if (stripped.scale() < 2) {
            stripped = stripped.setScale(2);
        }
        return stripped.toPlainString();
    }

    /**
     * @param code three letters
     * @return whether it is an ISO 4217 currency code
     */
    public static boolean currency(String code) {
        if (code == null || !code.matches("^[A-Z]{3}$")) {
            return false;
        }
        try {
            Currency.getInstance(code);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    static void text(Violations v, String field, String value, int min, int max, boolean required) {
        if (value == null) {
            if (required) {
                v.add(field, "is required");
            }
            return;
        }
        int length = value.codePointCount(0, value.length());
        if (length < min || length > max) {
            v.add(field, min == max ? "must be " + min + " characters" : "must be " + min + " to " + max + " characters");
        } else if (value.indexOf('\0') >= 0) {
            v.add(field, "must not contain NUL characters");
        }
    }

    static void attributes(Violations v, String field, Map<String, String> attributes, boolean nullValuesAllowed) {
        if (attributes == null) {
            return;
        }
        if (attributes.size() > ATTRIBUTES_MAX) {
            v.add(field, "must have at most " + ATTRIBUTES_MAX + " entries");
            return;
        }
        attributes.forEach((key, value) -> {
            String path = field + "." + key;
            if (key.isEmpty() || key.length() > ATTRIBUTE_KEY_MAX || key.indexOf('\0') >= 0) {
                v.add(path, "keys must be 1 to " + ATTRIBUTE_KEY_MAX + " characters");
            } else if (value == null) {
                if (!nullValuesAllowed) {
                    v.add(path, "must be a string");
                }
            } else if (value.length() > ATTRIBUTE_VALUE_MAX || value.indexOf('\0') >= 0) {
                v.add(path, "must be at most " + ATTRIBUTE_VALUE_MAX + " characters");
            }
        });
    }

    static void location(Violations v, String field, String location) {
        if (location != null && !LOCATION_CODE.matcher(location).matches()) {
            v.add(field, "must match ^[a-z0-9-]{1,32}$");
        }
    }

    static void delta(Violations v, String field, Long delta) {
        if (delta == null) {
            v.add(field, "is required");
        } else if (delta == 0 || Math.abs(delta) > MAX_DELTA) {
            v.add(field, "must be a non-zero integer between -" + MAX_DELTA + " and " + MAX_DELTA);
        }
    }

    static MovementReason reason(Violations v, String field, String reason) {
        if (reason == null) {
            v.add(field, "is required");
            return null;
        }
        for (MovementReason r : MovementReason.values()) {
            if (r.adjustable() && r.name().equals(reason)) {
                return r;
            }
        }
        v.add(field, "must be one of RECEIVED, SOLD, RETURNED, DAMAGED, LOST, CORRECTION");
        return null;
    }
}
