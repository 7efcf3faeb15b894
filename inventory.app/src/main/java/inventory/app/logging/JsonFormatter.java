package inventory.app.logging;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;

import jakarta.json.Json;
import jakarta.json.stream.JsonGenerator;
import jakarta.json.stream.JsonGeneratorFactory;

import inventory.web.RequestLog;

/**
 * One JSON object per line: {@code timestamp, level, logger, message, requestId, thread}, the record's structured
 * fields (the access log's {@code method, route, status, durationMs, bytes, apiKeyId, client}), and for a failure
 * the whole stack trace in one field, {@code error}, so a line never breaks.
 */
public final class JsonFormatter extends Formatter {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);
    private static final JsonGeneratorFactory JSON = Json.createGeneratorFactory(Map.of());

    @Override
    public String format(LogRecord record) {
        StringWriter out = new StringWriter(256);
        Map<?, ?> fields = fields(record);
        if (fields != null && fields.containsKey("_aws")) {
            // an Embedded Metric Format document is the whole line, as CloudWatch expects it
            try (JsonGenerator g = JSON.createGenerator(out)) {
                value(g, null, fields);
            }
            return out.append('\n').toString();
        }
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject()
                    .write("timestamp", TIME.format(Instant.ofEpochMilli(record.getMillis())))
                    .write("level", level(record))
                    .write("logger", record.getLoggerName() == null ? "" : record.getLoggerName())
                    .write("message", message(this, record));
            Object requestId = fields != null && fields.get("requestId") != null ? fields.get("requestId")
                    : RequestLog.requestId().orElse(null);
            if (requestId != null) {
                g.write("requestId", requestId.toString());
            }
            g.write("thread", Thread.currentThread().getName());
            if (fields != null) {
                fields.forEach((k, v) -> {
                    String key = String.valueOf(k);
                    if (key.equals("requestId")) {
                        return;
                    }
                    switch (v) {
                        case null -> g.writeNull(key);
                        case Integer i -> g.write(key, i);
                        case Long l -> g.write(key, l);
                        case Double d -> g.write(key, d);
                        case Boolean b -> g.write(key, b);
                        default -> g.write(key, v.toString());
                    }
                });
            }
            if (record.getThrown() != null) {
                g.write("error", stackTrace(record.getThrown()));
            }
            g.writeEnd();
        }
        return out.append('\n').toString();
    }

    private static void value(JsonGenerator g, String key, Object v) {
        switch (v) {
            case null -> {
                if (key == null) {
                    g.writeNull();
                } else {
                    g.writeNull(key);
                }
            }
            case Map<?, ?> m -> {
                if (key == null) {
                    g.writeStartObject();
                } else {
                    g.writeStartObject(key);
                }
                m.forEach((k, x) -> value(g, String.valueOf(k), x));
                g.writeEnd();
            }
            case java.util.Collection<?> c -> {
                if (key == null) {
                    g.writeStartArray();
                } else {
                    g.writeStartArray(key);
                }
                c.forEach(x -> value(g, null, x));
                g.writeEnd();
            }
            case Long l -> {
                if (key == null) {
                    g.write(l);
                } else {
                    g.write(key, l);
                }
            }
            case Integer i -> {
                if (key == null) {
                    g.write(i);
                } else {
                    g.write(key, i);
                }
            }
            case Double d -> {
                if (key == null) {
                    g.write(d);
                } else {
                    g.write(key, d);
                }
            }
            default -> {
                if (key == null) {
                    g.write(v.toString());
                } else {
                    g.write(key, v.toString());
                }
            }
        }
    }

    static Map<?, ?> fields(LogRecord record) {
        Object[] params = record.getParameters();
        return params != null && params.length == 1 && params[0] instanceof Map<?, ?> m ? m : null;
    }

    static String message(Formatter formatter, LogRecord record) {
        if (fields(record) != null) {
            return record.getMessage() == null ? "" : record.getMessage();
        }
        String message = formatter.formatMessage(record);
        return message == null ? "" : message;
    }

    static String level(LogRecord record) {
        int v = record.getLevel().intValue();
        return v >= 1000 ? "ERROR" : v >= 900 ? "WARN" : v >= 800 ? "INFO" : v >= 500 ? "DEBUG" : "TRACE";
    }

    static String stackTrace(Throwable t) {
        StringWriter sw = new StringWriter();
        try (PrintWriter pw = new PrintWriter(sw)) {
            t.printStackTrace(pw);
        }
        return sw.toString();
    }
}
