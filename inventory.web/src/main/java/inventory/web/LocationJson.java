package inventory.web;

import java.util.List;
import java.util.Set;

import inventory.core.Location;
import inventory.core.NewLocation;
import inventory.core.Violations;

import jakarta.json.JsonObject;
import jakarta.json.stream.JsonGenerator;

/**
 * Locations to and from JSON.
 */
final class LocationJson {

    private static final Set<String> FIELDS = Set.of("code", "name");

    private LocationJson() {
    }

    static NewLocation read(JsonObject o) {
        Violations v = new Violations();
        JsonIn.Fields f = new JsonIn.Fields(o, "", v, FIELDS);
        String code = f.string("code");
        String name = f.string("name");
        return ProductJson.Validated.build(v, () -> new NewLocation(code, name));
    }

    static byte[] write(Location l) {
        return JsonOut.write(g -> write(g, l));
    }

    static byte[] write(List<Location> locations) {
        return JsonOut.write(g -> {
            g.writeStartObject().writeStartArray("items");
            locations.forEach(l -> write(g, l));
            g.writeEnd().writeEnd();
        });
    }

    private static void write(JsonGenerator g, Location l) {
        g.writeStartObject()
                .write("code", l.code())
                .write("name", l.name())
                .write("createdAt", JsonOut.time(l.createdAt()))
                .writeEnd();
    }
}
