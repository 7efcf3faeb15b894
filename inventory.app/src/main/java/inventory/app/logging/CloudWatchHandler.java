package inventory.app.logging;

import java.time.Duration;
import java.util.logging.ErrorManager;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * A JUL handler that formats each record as the console does and hands it to a {@link CloudWatchShipper}: one
 * record is one CloudWatch event (a stack trace stays with its line). Publishing never waits for CloudWatch and
 * never throws into the logging call.
 * <p>
 * Records logged on the shipper's own sender thread are not shipped, except the shipper's reports: whatever the
 * SDK may log while it sends must not become more lines to send.
 */
public final class CloudWatchHandler extends Handler {

    private static final String SHIPPER = CloudWatchShipper.class.getName();

    private final CloudWatchShipper shipper;

    /**
     * @param shipper   where the lines go; {@link #close()} closes it
     * @param formatter how a record becomes a line (the console's, so both say the same)
     */
    public CloudWatchHandler(CloudWatchShipper shipper, Formatter formatter) {
        this.shipper = shipper;
        setFormatter(formatter);
        setLevel(Level.ALL);
    }

    /**
     * @return the shipper behind this handler
     */
    public CloudWatchShipper shipper() {
        return shipper;
    }

    @Override
    public void publish(LogRecord record) {
        try {
            if (record == null || !isLoggable(record)) {
                return;
            }
            if (shipper.isSenderThread() && !SHIPPER.equals(record.getLoggerName())) {
                return;
            }
            String line = getFormatter().format(record);
            int end = line.length();
            while (end > 0 && (line.charAt(end - 1) == '\n' || line.charAt(end - 1) == '\r')) {
                end--;
            }
            shipper.offer(record.getMillis(), end == line.length() ? line : line.substring(0, end));
        } catch (RuntimeException e) {
            reportError("a log record could not be formatted for CloudWatch", e, ErrorManager.FORMAT_FAILURE);
        }
    }

    /**
     * Asks the shipper to send what it has now; does not wait for CloudWatch ({@link #close()} does, briefly).
     */
    @Override
    public void flush() {
        shipper.flush(Duration.ZERO);
    }

    /**
     * Sends what is buffered (at most {@link CloudWatchShipper#CLOSE_TIMEOUT}) and closes the shipper. A second call
     * does nothing.
     */
    @Override
    public void close() {
        shipper.close();
    }
}
