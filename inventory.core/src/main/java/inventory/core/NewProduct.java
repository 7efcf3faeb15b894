package inventory.core;

import java.math.BigDecimal;
import java.util.Map;

/**
 * A request to create a product. The constructor checks every field and names every bad one at once.
 *
 * @param sku               SKU
 * @param name              name
 * @param description       description or null
 * @param price             decimal string
 * @param currency          ISO 4217 code
 * @param lowStockThreshold threshold or null
 * @param attributes        attributes or null for none
 * @param initialQuantity   units received at {@code main}, or null for none
 */
public record NewProduct(String sku,
                         String name,
                         String description,
                         String price,
                         String currency,
                         Long lowStockThreshold,
                         Map<String, String> attributes,
                         Long initialQuantity) {

    /**
     * Validates.
     *
     * @throws InventoryException.ValidationFailed naming every bad field
     */
    public NewProduct {
        Violations v = new Violations();
        if (sku == null) {
            v.add("sku", "is required");
        } else if (!Rules.SKU.matcher(sku).matches()) {
            v.add("sku", "must match ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$");
        }
        Rules.text(v, "name", name, 1, Rules.NAME_MAX, true);
        Rules.text(v, "description", description, 0, Rules.DESCRIPTION_MAX, false);
        if (price == null) {
            v.add("price", "is required");
        } else if (Rules.money(price).isEmpty()) {
            v.add("price", "must be a decimal string >= 0 with at most 10 integer and 4 fraction digits, e.g. \"19.99\"");
        }
        if (currency == null) {
            v.add("currency", "is required");
        } else if (!Rules.currency(currency)) {
            v.add("currency", "must be an ISO 4217 code such as \"USD\"");
        }
        if (lowStockThreshold != null && (lowStockThreshold < 0 || lowStockThreshold > Integer.MAX_VALUE)) {
            v.add("lowStockThreshold", "must be an integer between 0 and " + Integer.MAX_VALUE);
        }
        Rules.attributes(v, "attributes", attributes, false);
        if (initialQuantity != null && (initialQuantity < 0 || initialQuantity > Rules.MAX_DELTA)) {
            v.add("initialQuantity", "must be an integer between 0 and " + Rules.MAX_DELTA);
        }
        v.throwIfAny();
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
    }

    /**
     * @return the price as a number
     */
    public BigDecimal priceAmount() {
        return Rules.money(price).orElseThrow();
    }

    /**
     * @return the initial quantity, 0 if none
     */
    public long quantity() {
        return initialQuantity == null ? 0 : initialQuantity;
    }
}
