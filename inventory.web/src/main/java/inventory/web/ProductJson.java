package inventory.web;

import java.nio.charset.StandardCharsets;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import inventory.core.InventoryException;
import inventory.core.NewProduct;
import inventory.core.Page;
import inventory.core.Product;
import inventory.core.ProductPatch;
import inventory.core.Rules;
import inventory.core.Violations;

import jakarta.json.JsonObject;
import jakarta.json.stream.JsonGenerator;

/**
 * Products to and from JSON.
 */
final class ProductJson {

    private static final Set<String> CREATE_FIELDS = Set.of("sku", "name", "description", "price", "currency",
            "lowStockThreshold", "attributes", "initialQuantity");
    private static final Set<String> PATCH_FIELDS = Set.of("name", "description", "price", "currency",
            "lowStockThreshold", "attributes", "status", "sku", "stock", "id", "version");

    private ProductJson() {
    }

    static NewProduct readNew(JsonObject o) {
        Violations v = new Violations();
        JsonIn.Fields f = new JsonIn.Fields(o, "", v, CREATE_FIELDS);
        String sku = f.string("sku");
        String name = f.string("name");
        String description = f.string("description");
        String price = f.string("price");
        String currency = f.string("currency");
        Long threshold = f.integer("lowStockThreshold");
        Map<String, String> attributes = f.stringMap("attributes", false);
        Long initial = f.integer("initialQuantity");
        return Validated.build(v, () -> new NewProduct(sku, name, description, price, currency, threshold, attributes,
                initial));
    }

    static ProductPatch readPatch(JsonObject o) {
        Violations v = new Violations();
        JsonIn.Fields f = new JsonIn.Fields(o, "", v, PATCH_FIELDS);
        for (String immutable : List.of("sku", "stock", "id", "version")) {
            if (f.present(immutable)) {
                v.add(immutable, "cannot be changed");
            }
        }
        var name = change(f, "name", f.string("name"));
        var description = change(f, "description", f.string("description"));
        var price = change(f, "price", f.string("price"));
        var currency = change(f, "currency", f.string("currency"));
        var threshold = change(f, "lowStockThreshold", f.integer("lowStockThreshold"));
        var attributes = change(f, "attributes", f.stringMap("attributes", true));
        var status = change(f, "status", f.string("status"));
        return Validated.build(v, () -> new ProductPatch(name, description, price, currency, threshold, attributes,
                status));
    }

    private static <T> Optional<ProductPatch.Change<T>> change(JsonIn.Fields f, String name, T value) {
        if (!f.present(name)) {
            return Optional.empty();
        }
        if (value == null && !f.isNull(name)) {
            return Optional.empty(); // wrong type, already recorded
        }
        return Optional.of(new ProductPatch.Change<>(value));
    }

    static byte[] write(Product p) {
        return JsonOut.write(g -> write(g, null, p));
    }

    static byte[] write(Page<Product> page) {
        return JsonOut.write(g -> {
            g.writeStartObject().writeStartArray("items");
            page.items().forEach(p -> write(g, null, p));
            g.writeEnd();
            JsonOut.nullable(g, "nextCursor", page.nextCursor().orElse(null));
            g.writeEnd();
        });
    }

    /**
     * A page of products from their rendered JSON, byte for byte what {@link #write(Page)} writes.
     */
    static byte[] page(byte[][] items, String nextCursor) {
        int size = 32 + (nextCursor == null ? 0 : nextCursor.length());
        for (byte[] item : items) {
            size += item.length + 1;
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(size);
        out.writeBytes(ITEMS);
        for (int i = 0; i < items.length; i++) {
            if (i > 0) {
                out.write(',');
            }
            out.writeBytes(items[i]);
        }
        out.writeBytes(NEXT_CURSOR);
        // a cursor is base64url: nothing in it needs escaping
        out.writeBytes((nextCursor == null ? "null" : "\"" + nextCursor + "\"").getBytes(StandardCharsets.US_ASCII));
        out.write('}');
        return out.toByteArray();
    }

    private static final byte[] STOCK = ",\"stock\":{".getBytes(StandardCharsets.US_ASCII);

    /**
     * Where a product's stock figures begin in its JSON: everything before is what an adjustment cannot change.
     * The last match is the stock field, since the fields after it hold numbers and times only; a string value
     * cannot hold it, since its quotes are escaped.
     *
     * @param json {@link #write(Product)} of a product
     * @return the offset of {@code ,"stock":{}, or -1
     */
    static int stockFiguresAt(byte[] json) {
        for (int i = json.length - STOCK.length; i >= 0; i--) {
            if (Arrays.equals(json, i, i + STOCK.length, STOCK, 0, STOCK.length)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * A product's JSON from its stock figures to its end, as {@link #write(Product)} ends it when nothing is
     * reserved: what a sale changes. ASCII only (numbers and times).
     *
     * @param onHand    units on hand, none reserved
     * @param version   the product's version
     * @param createdAt its creation time
     * @param updatedAt its update time
     * @return the bytes from {@code ,"stock":{} to the closing brace
     */
    static byte[] stockFigures(long onHand, long version, java.time.Instant createdAt, java.time.Instant updatedAt) {
        return (",\"stock\":{\"onHand\":" + onHand + ",\"reserved\":0,\"available\":" + onHand
                + "},\"version\":" + version + ",\"createdAt\":\"" + JsonOut.time(createdAt)
                + "\",\"updatedAt\":\"" + JsonOut.time(updatedAt) + "\"}").getBytes(StandardCharsets.US_ASCII);
    }

    private static final byte[] ITEMS = "{\"items\":[".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NEXT_CURSOR = "],\"nextCursor\":".getBytes(StandardCharsets.US_ASCII);

    static void write(JsonGenerator g, String name, Product p) {
        if (name == null) {
            g.writeStartObject();
        } else {
            g.writeStartObject(name);
        }
        g.write("id", p.id().toString())
                .write("sku", p.sku())
                .write("name", p.name());
        JsonOut.nullable(g, "description", p.description());
        g.write("price", Rules.money(p.price()))
                .write("currency", p.currency())
                .write("status", p.status().name());
        JsonOut.nullable(g, "lowStockThreshold", p.lowStockThreshold());
        g.writeStartObject("attributes");
        new java.util.TreeMap<>(p.attributes()).forEach(g::write);
        g.writeEnd();
        g.writeStartObject("stock")
                .write("onHand", p.stock().onHand())
                .write("reserved", p.stock().reserved())
                .write("available", p.stock().available())
                .writeEnd();
        g.write("version", p.version())
                .write("createdAt", JsonOut.time(p.createdAt()))
                .write("updatedAt", JsonOut.time(p.updatedAt()))
                .writeEnd();
    }

    /**
     * Builds a command after the JSON was read, naming the JSON's type errors and the command's rule errors in one
     * answer.
     */
    static final class Validated {
        private Validated() {
        }

        static <T> T build(Violations typeErrors, java.util.function.Supplier<T> command) {
            try {
                T result = command.get();
                typeErrors.throwIfAny();
                return result;
            } catch (InventoryException.ValidationFailed e) {
                Violations all = new Violations();
                all.addAll(typeErrors);
                Violations rules = new Violations();
                e.errors().forEach(err -> rules.add(err.field(), err.message()));
                all.addAll(rules);
                all.throwIfAny();
                throw e;
            }
        }
    }
}
