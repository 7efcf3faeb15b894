package inventory.app.logging;

import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Logger;

/**
 * Sets the format of the process's log: {@code text} for people, {@code json} for CloudWatch Logs Insights.
 */
public final class Logs {

    private Logs() {
    }

    /**
     * Puts the formatter of {@code format} on every handler of the root logger.
     *
     * @param format {@code text} or {@code json}
     * @return the formatter, for handlers added later
     */
    public static Formatter configure(String format) {
        Formatter formatter = format.equals("json") ? new JsonFormatter() : new TextFormatter();
        for (Handler h : Logger.getLogger("").getHandlers()) {
            h.setFormatter(formatter);
        }
        return formatter;
    }
}
