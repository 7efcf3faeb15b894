package inventory.core;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An RFC 7396 merge patch of a product: an absent field stays, {@code null} clears ({@code description},
 * {@code lowStockThreshold}); {@code attributes} merges key by key and a {@code null} value removes that key.
 *
 * @param name              new name
 * @param description       new description, null value clears
 * @param price             new price (decimal string)
 * @param currency          new currency
 * @param lowStockThreshold new threshold, null value clears
 * @param attributes        attributes to merge; a null value removes the key
 * @param status            new status
 */
public record ProductPatch(Optional<Change<String>> name,
                           Optional<Change<String>> description,
                           Optional<Change<String>> price,
                           Optional<Change<String>> currency,
                           Optional<Change<Long>> lowStockThreshold,
                           Optional<Change<Map<String, String>>> attributes,
                           Optional<Change<String>> status) {

    /**
     * Validates every field present.
     *
     * @throws InventoryException.ValidationFailed naming every bad field
     */
    public ProductPatch {
        Violations v = new Violations();
        name.ifPresent(c -> {
            if (c.value() == null) {
                v.add("name", "cannot be null");
            } else {
                Rules.text(v, "name", c.value(), 1, Rules.NAME_MAX, true);
            }
        });
        description.ifPresent(c -> Rules.text(v, "description", c.value(), 0, Rules.DESCRIPTION_MAX, false));
        price.ifPresent(c -> {
            if (c.value() == null) {
                v.add("price", "cannot be null");
            } else if (Rules.money(c.value()).isEmpty()) {
                v.add("price", "must be a decimal string >= 0 with at most 10 integer and 4 fraction digits");
            }
        });
        currency.ifPresent(c -> {
            if (c.value() == null) {
                v.add("currency", "cannot be null");
            } else if (!Rules.currency(c.value())) {
                v.add("currency", "must be an ISO 4217 code such as \"USD\"");
            }
        });
        lowStockThreshold.ifPresent(c -> {
            if (c.value() != null && (c.value() < 0 || c.value() > Integer.MAX_VALUE)) {
                v.add("lowStockThreshold", "must be an integer between 0 and " + Integer.MAX_VALUE);
            }
        });
        attributes.ifPresent(c -> {
            if (c.value() == null) {
                v.add("attributes", "cannot be null; send {} to change nothing or a key with null to remove it");
            } else {
                Rules.attributes(v, "attributes", c.value(), true);
            }
        });
        status.ifPresent(c -> {
            if (c.value() == null) {
                v.add("status", "cannot be null");
            } else if (!c.value().equals("ACTIVE") && !c.value().equals("DISCONTINUED")) {
                v.add("status", "must be ACTIVE or DISCONTINUED");
            }
        });
        v.throwIfAny();
    }

    /**
     * Applies the patch. The result keeps the version and timestamps; the caller decides whether anything changed.
     *
     * @param p current product
     * @param now time of the change
     * @return the patched product, with {@code updatedAt} set to {@code now}
     * @throws InventoryException.ValidationFailed if the merged attributes exceed the limit
     */
    public Product applyTo(Product p, Instant now) {
        Map<String, String> merged = new HashMap<>(p.attributes());
        attributes.ifPresent(c -> c.value().forEach((k, val) -> {
            if (val == null) {
                merged.remove(k);
            } else {
                merged.put(k, val);
            }
        }));
        if (merged.size() > Rules.ATTRIBUTES_MAX) {
            throw new InventoryException.ValidationFailed("attributes",
                    "the product would have more than " + Rules.ATTRIBUTES_MAX + " attributes");
        }
        return new Product(p.id(), p.sku(),
                name.map(Change::value).orElse(p.name()),
                description.isPresent() ? description.get().value() : p.description(),
                price.map(c -> Rules.money(c.value()).orElseThrow()).orElse(p.price()),
                currency.map(Change::value).orElse(p.currency()),
                status.map(c -> ProductStatus.valueOf(c.value())).orElse(p.status()),
                lowStockThreshold.isPresent()
                        ? (lowStockThreshold.get().value() == null ? null : lowStockThreshold.get().value().intValue())
                        : p.lowStockThreshold(),
                merged, p.stock(), p.version(), p.createdAt(), now);
    }

    /**
     * Whether two products differ in a field a patch can change.
     *
     * @param a one
     * @param b other
     * @return true if a patch turned one into the other with an effect
     */
    public static boolean differs(Product a, Product b) {
        return !a.name().equals(b.name())
               || !Objects.equals(a.description(), b.description())
               || a.price().compareTo(b.price()) != 0
               || !a.currency().equals(b.currency())
               || a.status() != b.status()
               || !Objects.equals(a.lowStockThreshold(), b.lowStockThreshold())
               || !a.attributes().equals(b.attributes());
    }

    /**
     * A field that is present in the patch; its value may be null.
     *
     * @param value the new value, or null to clear
     * @param <T>   value type
     */
    public record Change<T>(T value) {
    }
}
