package inventory.web;

import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
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

    /**
     * The generator writes to a {@link StringWriter}, whose text is then encoded once. Given an output stream, the
     * generator wraps it in an {@code OutputStreamWriter}, whose encoder allocates an 8 KB buffer for every body and
     * grows it for large ones: that was a tenth of what a sale allocated (JFR), and more young collections promote
     * more of what lives across them.
     *
     * @param body writes the JSON
     * @return the JSON in UTF-8
     */
    static byte[] write(Consumer<JsonGenerator> body) {
        StringWriter out = new StringWriter(512);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            body.accept(g);
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
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
