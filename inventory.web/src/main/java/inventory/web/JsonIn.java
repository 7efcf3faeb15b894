package inventory.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

import io.helidon.http.HttpMediaType;
import io.helidon.http.RequestException;
import io.helidon.webserver.http.ServerRequest;

import inventory.core.Violations;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonException;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.stream.JsonParser;
import jakarta.json.stream.JsonParserFactory;

/**
 * Reading request bodies: media type ({@code 415}), size ({@code 413}) and syntax ({@code malformed-json}) are
 * checked before any work; then {@link Fields} reads typed fields, recording every bad one.
 */
final class JsonIn {

    /** Body limit of single-resource requests. */
    static final int SMALL = 64 * 1024;
    /** Body limit of batches and reservations. */
    static final int LARGE = 1024 * 1024;

    /** Deepest nesting of a body: the deepest body of the API (a batch line) is 3 levels. */
    static final int MAX_DEPTH = 32;
    /**
     * Longest number in a body, in characters (Parsson's default, made explicit): a longer one is refused while
     * parsing, before any arithmetic on it (the digits of a 1 MiB number cost seconds of CPU to normalise).
     */
    static final int MAX_NUMBER_LENGTH = 1100;

    private static final JsonParserFactory JSON = Json.createParserFactory(Map.of(
            "org.eclipse.parsson.rejectDuplicateKeys", true,
            "org.eclipse.parsson.maxDepth", MAX_DEPTH,
            "org.eclipse.parsson.maxBigDecimalLength", MAX_NUMBER_LENGTH));

    private JsonIn() {
    }

    /**
     * A parsed body.
     *
     * @param object the JSON object
     */
    record Body(JsonObject object) {
        /**
         * Its fingerprint, for idempotency: computed when asked (only a request with an {@code Idempotency-Key} needs
         * one), so other writes do not pay for the canonical form and its digest.
         *
         * @return SHA-256 of the canonical form: keys sorted, numbers normalised
         */
        String fingerprint() {
            return JsonIn.fingerprint(object);
        }
    }

    /**
     * A body that may be left out: no body reads as {@code {}}.
     */
    static Body readOptional(ServerRequest req, int limit) {
        if (!req.content().hasEntity()) {
            JsonObject empty = JsonValue.EMPTY_JSON_OBJECT;
            return new Body(empty);
        }
        return read(req, limit, false);
    }

    static Body read(ServerRequest req, int limit, boolean mergePatch) {
        HttpMediaType type = contentType(req);
        if (type == null || !acceptable(type, mergePatch)) {
            throw new HttpProblem("unsupported-media-type", mergePatch
                    ? "send the body as application/json or application/merge-patch+json"
                    : "send the body as application/json");
        }
        long length = req.headers().contentLength().orElse(-1);
        if (length > limit) {
            throw tooLarge(limit);
        }
        byte[] bytes;
        try (InputStream in = req.content().inputStream()) {
            // with a Content-Length, exactly that many bytes (the server's reader ends the body there): readNBytes
            // of the limit would allocate a 16 KB buffer for every body, however small
            bytes = in.readNBytes(length >= 0 ? (int) length : limit + 1);
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new HttpProblem("malformed-json", "the request body could not be read");
        } catch (RequestException e) {
            throw e; // the server's own refusal (its body limit): its direct handler answers with a problem
        } catch (RuntimeException e) {
            // the body ended before its Content-Length, or its chunked framing is broken (a chunk size that is no
            // hex number, no last chunk): the server's reader throws unchecked exceptions for these
            throw new HttpProblem("malformed-json", "the request body could not be read");
        }
        if (bytes.length > limit) {
            throw tooLarge(limit);
        }
        JsonValue value = parse(bytes);
        if (!(value instanceof JsonObject object)) {
            throw new inventory.core.InventoryException.ValidationFailed("body", "must be a JSON object");
        }
        return new Body(object);
    }

    /**
     * Parses exactly one JSON value from strict UTF-8: invalid byte sequences and anything after the value are
     * {@code malformed-json} (a lenient decoder would store U+FFFD, a lenient reader would ignore the rest), and so
     * is nesting deeper than the parser allows (its refusal is a bare {@code RuntimeException}, which would
     * otherwise be a 500).
     */
    private static JsonValue parse(byte[] bytes) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new HttpProblem("malformed-json", "the request body is not valid UTF-8");
        }
        try (JsonParser parser = JSON.createParser(new StringReader(text))) {
            if (!parser.hasNext()) {
                throw new HttpProblem("malformed-json", "the request body is empty");
            }
            parser.next();
            JsonValue value = parser.getValue();
            if (parser.hasNext()) {
                throw new HttpProblem("malformed-json", "the request body has more after the JSON value");
            }
            return value;
        } catch (JsonException e) {
            throw new HttpProblem("malformed-json", "the request body is not valid JSON");
        } catch (HttpProblem e) {
            throw e;
        } catch (RuntimeException e) {
            // Parsson refuses nesting over its depth and numbers over its length with unchecked exceptions
            throw new HttpProblem("malformed-json", "the request body is not valid JSON, is nested deeper than "
                                                    + MAX_DEPTH + " levels or has a number of more than "
                                                    + MAX_NUMBER_LENGTH + " characters");
        }
    }

    /**
     * The request's media type, or null if it has none or one the server cannot parse ({@code json},
     * {@code application/json; charset}, {@code a/b; q="}): Helidon parses it on access and throws unchecked
     * exceptions for those, which would otherwise be a 500.
     */
    private static HttpMediaType contentType(ServerRequest req) {
        try {
            return req.headers().contentType().orElse(null);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static boolean acceptable(HttpMediaType type, boolean mergePatch) {
        String charset = type.charset().orElse("utf-8");
        if (!charset.equalsIgnoreCase("utf-8")) {
            return false;
        }
        String media = type.mediaType().text().toLowerCase(java.util.Locale.ROOT);
        return media.equals("application/json") || mergePatch && media.equals("application/merge-patch+json");
    }

    private static HttpProblem tooLarge(int limit) {
        return new HttpProblem("payload-too-large", "the request body is larger than " + (limit / 1024) + " KiB");
    }

    private static String fingerprint(JsonValue value) {
        StringBuilder sb = new StringBuilder();
        canonical(value, sb);
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(digest.digest(sb.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void canonical(JsonValue value, StringBuilder sb) {
        switch (value.getValueType()) {
            case OBJECT -> {
                sb.append('{');
                new TreeMap<>(value.asJsonObject()).forEach((k, v) -> {
                    sb.append(Json.createValue(k)).append(':');
                    canonical(v, sb);
                    sb.append(',');
                });
                sb.append('}');
            }
            case ARRAY -> {
                sb.append('[');
                value.asJsonArray().forEach(v -> {
                    canonical(v, sb);
                    sb.append(',');
                });
                sb.append(']');
            }
            case NUMBER -> {
                BigDecimal n = ((JsonNumber) value).bigDecimalValue();
                sb.append(n.signum() == 0 ? "0" : n.stripTrailingZeros().toString());
            }
            default -> sb.append(value);
        }
    }

    /**
     * Typed access to the fields of one JSON object. Wrong types and unknown fields are recorded, never thrown,
     * so one answer names every bad field.
     */
    static final class Fields {
        private final JsonObject object;
        private final String prefix;
        private final Violations violations;

        Fields(JsonObject object, String prefix, Violations violations, Set<String> allowed) {
            this.object = object;
            this.prefix = prefix;
            this.violations = violations;
            object.keySet().stream().filter(k -> !allowed.contains(k))
                    .forEach(k -> violations.add(prefix + k, "is not a known field"));
        }

        boolean present(String name) {
            return object.containsKey(name);
        }

        boolean isNull(String name) {
            return object.containsKey(name) && object.get(name).getValueType() == JsonValue.ValueType.NULL;
        }

        String string(String name) {
            JsonValue v = object.get(name);
            if (v == null || v.getValueType() == JsonValue.ValueType.NULL) {
                return null;
            }
            if (v instanceof JsonString s) {
                return s.getString();
            }
            violations.add(prefix + name, v.getValueType() == JsonValue.ValueType.NUMBER && name.equals("price")
                    ? "must be a decimal string such as \"19.99\", not a number" : "must be a string");
            return null;
        }

        Long integer(String name) {
            JsonValue v = object.get(name);
            if (v == null || v.getValueType() == JsonValue.ValueType.NULL) {
                return null;
            }
            if (!(v instanceof JsonNumber n)) {
                violations.add(prefix + name, "must be an integer");
                return null;
            }
            BigDecimal d = n.bigDecimalValue();
            // in long arithmetic: with an exponent near the int range (1e2147483647) the int difference overflows,
            // passes as small, and longValue() of such a number is 0
            if ((long) d.precision() - d.scale() > 18) {
                violations.add(prefix + name, "is out of range");
                return null;
            }
            if (d.scale() > 0 && d.stripTrailingZeros().scale() > 0) {
                violations.add(prefix + name, "must be an integer");
                return null;
            }
            return d.longValue();
        }

        UUID uuid(String name) {
            String text = string(name);
            if (text == null) {
                return null;
            }
            return inventory.core.UuidV7.parse(text).orElseGet(() -> {
                violations.add(prefix + name, "must be a UUID");
                return null;
            });
        }

        JsonArray array(String name) {
            JsonValue v = object.get(name);
            if (v == null || v.getValueType() == JsonValue.ValueType.NULL) {
                return null;
            }
            if (v instanceof JsonArray a) {
                return a;
            }
            violations.add(prefix + name, "must be an array");
            return null;
        }

        /**
         * Reads an object of strings; {@code null} values are kept as null entries when allowed (merge patch).
         */
        Map<String, String> stringMap(String name, boolean nullValues) {
            JsonValue v = object.get(name);
            if (v == null || v.getValueType() == JsonValue.ValueType.NULL) {
                return null;
            }
            if (!(v instanceof JsonObject o)) {
                violations.add(prefix + name, "must be an object of strings");
                return null;
            }
            Map<String, String> map = new LinkedHashMap<>();
            o.forEach((k, val) -> {
                if (val instanceof JsonString s) {
                    map.put(k, s.getString());
                } else if (nullValues && val.getValueType() == JsonValue.ValueType.NULL) {
                    map.put(k, null);
                } else {
                    violations.add(prefix + name + "." + k, "must be a string");
                }
            });
            return map;
        }
    }
}
