package inventory.web;

import java.lang.System.Logger.Level;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.ResourceBundle;

/**
 * What the service says about requests: the id of the request being served (bound for the handling of each
 * request, so every log line written meanwhile can carry it) and one access-log line per request.
 * <p>
 * Structured fields travel to the log formatter as the single parameter of the log record, a
 * {@code Map<String, Object>}; a text formatter prints the message, a JSON formatter adds the fields.
 */
public final class RequestLog {

    /** The id of the request the current thread is serving. */
    public static final ScopedValue<String> REQUEST_ID = ScopedValue.newInstance();
    /** The logger of the access log. */
    public static final String ACCESS_LOGGER = "inventory.access";

    private static final System.Logger ACCESS = System.getLogger(ACCESS_LOGGER);

    private RequestLog() {
    }

    /**
     * @return the id of the request this thread is serving, if any
     */
    public static Optional<String> requestId() {
        return REQUEST_ID.isBound() ? Optional.of(REQUEST_ID.get()) : Optional.empty();
    }

    static void access(String requestId, String method, String route, int status, long nanos, long bytes, String keyId,
                       String client) {
        if (!ACCESS.isLoggable(Level.INFO)) {
            return;
        }
        double ms = nanos / 1_000_000.0;
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("requestId", requestId);
        fields.put("method", method);
        fields.put("route", route);
        fields.put("status", status);
        fields.put("durationMs", Math.round(ms * 1000) / 1000.0);
        fields.put("bytes", bytes);
        fields.put("apiKeyId", keyId);
        fields.put("client", client);
        ACCESS.log(Level.INFO, (ResourceBundle) null, method + " " + route + " " + status + " "
                                                     + String.format("%.1f", ms) + " ms " + bytes + " B key=" + keyId
                                                     + " client=" + client + " id=" + requestId, fields);
    }
}
