package inventory.web;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import inventory.core.Adjustment;
import inventory.core.Batch;
import inventory.core.Movement;
import inventory.core.Page;
import inventory.core.ProductStock;
import inventory.core.StockCount;
import inventory.core.StockRepository;
import inventory.core.Violations;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import jakarta.json.stream.JsonGenerator;

/**
 * Stock, movements, adjustments, counts and batches to and from JSON.
 */
final class StockJson {

    private static final Set<String> ADJUSTMENT_FIELDS = Set.of("delta", "reason", "location", "reference", "note");
    private static final Set<String> COUNT_FIELDS = Set.of("onHand", "location", "note");
    private static final Set<String> BATCH_FIELDS = Set.of("reason", "reference", "lines");
    private static final Set<String> LINE_FIELDS = Set.of("productId", "sku", "delta", "location");

    private StockJson() {
    }

    static Adjustment readAdjustment(JsonObject o) {
        Violations v = new Violations();
        JsonIn.Fields f = new JsonIn.Fields(o, "", v, ADJUSTMENT_FIELDS);
        Long delta = f.integer("delta");
        String reason = f.string("reason");
        String location = f.string("location");
        String reference = f.string("reference");
        String note = f.string("note");
        return ProductJson.Validated.build(v, () -> Adjustment.of(delta, reason, location, reference, note));
    }

    static StockCount readCount(JsonObject o) {
        Violations v = new Violations();
        JsonIn.Fields f = new JsonIn.Fields(o, "", v, COUNT_FIELDS);
        Long onHand = f.integer("onHand");
        String location = f.string("location");
        String note = f.string("note");
        return ProductJson.Validated.build(v, () -> StockCount.of(onHand, location, note));
    }

    static Batch readBatch(JsonObject o) {
        Violations v = new Violations();
        JsonIn.Fields f = new JsonIn.Fields(o, "", v, BATCH_FIELDS);
        String reason = f.string("reason");
        String reference = f.string("reference");
        JsonArray array = f.array("lines");
        List<Batch.RawLine> lines = null;
        if (array != null) {
            lines = new ArrayList<>(array.size());
            for (int i = 0; i < array.size() && i <= inventory.core.Rules.BATCH_LINES_MAX; i++) {
                JsonValue value = array.get(i);
                String prefix = "lines[" + i + "].";
                if (!(value instanceof JsonObject line)) {
                    v.add("lines[" + i + "]", "must be an object");
                    lines.add(null);
                    continue;
                }
                JsonIn.Fields lf = new JsonIn.Fields(line, prefix, v, LINE_FIELDS);
                lines.add(new Batch.RawLine(lf.uuid("productId"), lf.string("sku"), lf.integer("delta"),
                        lf.string("location")));
            }
            if (array.size() > inventory.core.Rules.BATCH_LINES_MAX) {
                lines.add(null);
            }
        }
        return Batch.of(reason, reference, lines, v);
    }

    static byte[] write(StockRepository.StockChange change) {
        return JsonOut.write(g -> {
            g.writeStartObject();
            movement(g, "movement", change.movement());
            stock(g, "stock", change.stock());
            g.writeEnd();
        });
    }

    static byte[] write(ProductStock stock) {
        return JsonOut.write(g -> stock(g, null, stock));
    }

    static byte[] writeMovements(List<Movement> movements) {
        return JsonOut.write(g -> {
            g.writeStartObject().writeStartArray("movements");
            movements.forEach(m -> movement(g, null, m));
            g.writeEnd().writeEnd();
        });
    }

    static byte[] write(Page<Movement> page) {
        return JsonOut.write(g -> {
            g.writeStartObject().writeStartArray("items");
            page.items().forEach(m -> movement(g, null, m));
            g.writeEnd();
            JsonOut.nullable(g, "nextCursor", page.nextCursor().orElse(null));
            g.writeEnd();
        });
    }

    static void stock(JsonGenerator g, String name, ProductStock s) {
        if (name == null) {
            g.writeStartObject();
        } else {
            g.writeStartObject(name);
        }
        g.write("productId", s.productId().toString())
                .write("onHand", s.total().onHand())
                .write("reserved", s.total().reserved())
                .write("available", s.total().available())
                .write("version", s.version())
                .writeStartArray("locations");
        s.locations().forEach(l -> g.writeStartObject()
                .write("location", l.location())
                .write("onHand", l.stock().onHand())
                .write("reserved", l.stock().reserved())
                .write("available", l.stock().available())
                .writeEnd());
        g.writeEnd().writeEnd();
    }

    static void movement(JsonGenerator g, String name, Movement m) {
        if (name == null) {
            g.writeStartObject();
        } else {
            g.writeStartObject(name);
        }
        g.write("id", m.id().toString())
                .write("productId", m.productId().toString())
                .write("location", m.location())
                .write("delta", m.delta())
                .write("reason", m.reason().name())
                .write("onHandAfter", m.onHandAfter());
        JsonOut.nullable(g, "reference", m.reference());
        JsonOut.nullable(g, "note", m.note());
        JsonOut.nullable(g, "reservationId", m.reservationId() == null ? null : m.reservationId().toString());
        g.write("createdAt", JsonOut.time(m.createdAt())).writeEnd();
    }
}
