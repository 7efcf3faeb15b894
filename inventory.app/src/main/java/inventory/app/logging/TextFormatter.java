package inventory.app.logging;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;

import inventory.web.RequestLog;

/**
 * One line per record for people: {@code time LEVEL logger: message [request id]}, a failure's stack trace below.
 */
public final class TextFormatter extends Formatter {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    @Override
    public String format(LogRecord record) {
        StringBuilder sb = new StringBuilder(160)
                .append(TIME.format(Instant.ofEpochMilli(record.getMillis()))).append(' ')
                .append(JsonFormatter.level(record)).append(' ')
                .append(record.getLoggerName()).append(": ")
                .append(JsonFormatter.message(this, record));
        var fields = JsonFormatter.fields(record);
        if (fields == null) {
            RequestLog.requestId().ifPresent(id -> sb.append(" [").append(id).append(']'));
        }
        sb.append('\n');
        if (record.getThrown() != null) {
            sb.append(JsonFormatter.stackTrace(record.getThrown()));
        }
        return sb.toString();
    }
}
