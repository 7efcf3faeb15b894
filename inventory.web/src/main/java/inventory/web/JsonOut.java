package inventory.web;

import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.function.Consumer;

import jakarta.json.Json;
import jakarta.json.stream.JsonGenerator;
import jakarta.json.stream.JsonGeneratorFactory;

/**
 * Writing JSON bodies with a streaming generator: no intermediate object tree.
 */
final class JsonOut {

    static final String MEDIA_TYPE = "application/json";

    private static final JsonGeneratorFactory JSON = Json.createGeneratorFactory(Map.of());
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    private JsonOut() {
    }

    static byte[] write(Consumer<JsonGenerator> body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            body.accept(g);
        }
        return out.toByteArray();
    }

    static String time(Instant instant) {
        return TIME.format(instant);
    }

    static void nullable(JsonGenerator g, String name, String value) {
        if (value == null) {
            g.writeNull(name);
        } else {
            g.write(name, value);
        }
    }

    static void nullable(JsonGenerator g, String name, Integer value) {
        if (value == null) {
            g.writeNull(name);
        } else {
            g.write(name, value);
        }
    }
}
