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
     * Puts the formatter of {@code format} on every handler of the root logger, and writes the console in batches
     * ({@link BufferedConsoleHandler}).
     *
     * @param format {@code text} or {@code json}
     * @return the formatter, for handlers added later
     */
    public static Formatter configure(String format) {
        Formatter formatter = format.equals("json") ? new JsonFormatter() : new TextFormatter();
        Logger root = Logger.getLogger("");
        for (Handler h : root.getHandlers()) {
            if (h instanceof java.util.logging.StreamHandler && !(h instanceof BufferedConsoleHandler)) {
                // the console handler of logging.properties: replaced by one that writes in batches
                root.removeHandler(h);
                BufferedConsoleHandler console = new BufferedConsoleHandler();
                console.setLevel(h.getLevel());
                console.setFormatter(formatter);
                root.addHandler(console);
                h.flush(); // not close(): that would close System.out
            } else {
                h.setFormatter(formatter);
            }
        }
        return formatter;
    }
}
