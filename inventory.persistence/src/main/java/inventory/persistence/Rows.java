package inventory.persistence;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Stream;

import io.helidon.dbclient.DbExecute;
import io.helidon.dbclient.DbRow;

/**
 * Reading columns and running statements. Query streams hold a connection until closed, so every query here
 * closes its stream.
 */
final class Rows {

    private Rows() {
    }

    static <T> List<T> query(DbExecute exec, String sql, Function<DbRow, T> mapper, Object... params) {
        try (Stream<DbRow> rows = exec.query(sql, params)) {
            return rows.map(mapper).toList();
        }
    }

    static <T> java.util.Optional<T> one(DbExecute exec, String sql, Function<DbRow, T> mapper, Object... params) {
        return exec.get(sql, params).map(mapper);
    }

    static Object raw(DbRow row, String column) {
        return row.column(column).get(Object.class);
    }

    static String string(DbRow row, String column) {
        Object value = raw(row, column);
        return value == null ? null : value.toString();
    }

    static long longValue(DbRow row, String column) {
        return ((Number) raw(row, column)).longValue();
    }

    static Integer integer(DbRow row, String column) {
        Object value = raw(row, column);
        return value == null ? null : ((Number) value).intValue();
    }

    static UUID uuid(DbRow row, String column) {
        Object value = raw(row, column);
        return value == null ? null : value instanceof UUID u ? u : UUID.fromString(value.toString());
    }

    static java.math.BigDecimal decimal(DbRow row, String column) {
        return (java.math.BigDecimal) raw(row, column);
    }

    static Instant instant(DbRow row, String column) {
        Object value = raw(row, column);
        return switch (value) {
            case null -> null;
            case Timestamp ts -> ts.toInstant();
            case OffsetDateTime odt -> odt.toInstant();
            case Instant i -> i;
            default -> throw new IllegalStateException("not a timestamp: " + value.getClass());
        };
    }

    private static final jakarta.json.JsonReaderFactory JSON = jakarta.json.Json.createReaderFactory(Map.of());

    /**
     * Reads a jsonb object of strings (selected as text) into a map.
     */
    static Map<String, String> stringMap(DbRow row, String column) {
        String text = string(row, column);
        Map<String, String> map = new LinkedHashMap<>();
        if (text == null) {
            return map;
        }
        try (var reader = JSON.createReader(new java.io.StringReader(text))) {
            reader.readObject().forEach((k, v) -> map.put(k, ((jakarta.json.JsonString) v).getString()));
        }
        return map;
    }

    /**
     * Writes a map of strings as JSON text, for a {@code CAST(? AS jsonb)} parameter.
     */
    static String json(Map<String, String> map) {
        var builder = jakarta.json.Json.createObjectBuilder();
        map.forEach(builder::add);
        return builder.build().toString();
    }

    static OffsetDateTime time(Instant instant) {
        return instant.atOffset(java.time.ZoneOffset.UTC);
    }
}
