package inventory.web;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import inventory.core.NewReservation;
import inventory.core.Reservation;
import inventory.core.Rules;
import inventory.core.Violations;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import jakarta.json.stream.JsonGenerator;

/**
 * Reservations to and from JSON.
 */
final class ReservationJson {

    private static final Set<String> FIELDS = Set.of("lines", "ttlSeconds", "reference");
    private static final Set<String> LINE_FIELDS = Set.of("productId", "sku", "quantity", "location");

    private ReservationJson() {
    }

    static NewReservation read(JsonObject o) {
        Violations v = new Violations();
        JsonIn.Fields f = new JsonIn.Fields(o, "", v, FIELDS);
        Long ttl = f.integer("ttlSeconds");
        String reference = f.string("reference");
        JsonArray array = f.array("lines");
        List<NewReservation.RawLine> lines = null;
        if (array != null) {
            lines = new ArrayList<>(Math.min(array.size(), Rules.BATCH_LINES_MAX + 1));
            for (int i = 0; i < array.size() && i <= Rules.BATCH_LINES_MAX; i++) {
                JsonValue value = array.get(i);
                if (!(value instanceof JsonObject line)) {
                    v.add("lines[" + i + "]", "must be an object");
                    lines.add(null);
                    continue;
                }
                JsonIn.Fields lf = new JsonIn.Fields(line, "lines[" + i + "].", v, LINE_FIELDS);
                lines.add(new NewReservation.RawLine(lf.uuid("productId"), lf.string("sku"), lf.integer("quantity"),
                        lf.string("location")));
            }
        }
        List<NewReservation.RawLine> raw = lines;
        return ProductJson.Validated.build(v, () -> NewReservation.of(raw, ttl, reference, v));
    }

    /** Commit and release take no fields; an empty object is fine. */
    static void readEmpty(JsonObject o) {
        Violations v = new Violations();
        new JsonIn.Fields(o, "", v, Set.of());
        v.throwIfAny();
    }

    static byte[] write(Reservation r) {
        return JsonOut.write(g -> write(g, null, r));
    }

    static void write(JsonGenerator g, String name, Reservation r) {
        if (name == null) {
            g.writeStartObject();
        } else {
            g.writeStartObject(name);
        }
        g.write("id", r.id().toString())
                .write("status", r.status().name())
                .writeStartArray("lines");
        r.lines().forEach(l -> g.writeStartObject()
                .write("productId", l.productId().toString())
                .write("sku", l.sku())
                .write("location", l.location())
                .write("quantity", l.quantity())
                .writeEnd());
        g.writeEnd();
        JsonOut.nullable(g, "reference", r.reference());
        g.write("expiresAt", JsonOut.time(r.expiresAt()))
                .write("createdAt", JsonOut.time(r.createdAt()))
                .write("version", r.version())
                .writeEnd();
    }
}
