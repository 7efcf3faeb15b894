package inventory.app.logging;

import java.util.concurrent.TimeUnit;

/**
 * What CloudWatch Logs takes in one {@code PutLogEvents} call, and the sizes it counts: the shipper's batches and
 * lines are cut to these.
 */
final class LogEvents {

    /** PutLogEvents: events per call. */
    static final int MAX_BATCH_EVENTS = 10_000;
    /** PutLogEvents: bytes per call, the UTF-8 messages plus {@link #EVENT_OVERHEAD} per event. */
    static final int MAX_BATCH_BYTES = 1_048_576;
    /** What CloudWatch counts for each event on top of its message. */
    static final int EVENT_OVERHEAD = 26;
    /** The largest event, message plus overhead. */
    static final int MAX_EVENT_BYTES = 256 * 1024;
    /** A batch spans less than this, first to last timestamp. */
    static final long MAX_SPAN_MILLIS = TimeUnit.HOURS.toMillis(24) - 1;
    private static final String TRUNCATED = " ... [cut by the log shipper: the line had %d bytes, CloudWatch takes %d]";

    private LogEvents() {
    }

    /** The UTF-8 length of a string, without encoding it (an unpaired surrogate counts as the 3 bytes of '?'...). */
    static int utf8Length(String s) {
        int n = 0;
        for (int i = 0, len = s.length(); i < len; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n++;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < len && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }

    /** Cuts a line so that it, the note saying so and the overhead fit in one event; never splits a surrogate pair. */
    static String truncate(String s, int bytes) {
        String note = String.format(TRUNCATED, bytes, MAX_EVENT_BYTES - EVENT_OVERHEAD);
        int budget = MAX_EVENT_BYTES - EVENT_OVERHEAD - utf8Length(note);
        int n = 0;
        int end = 0;
        while (end < s.length()) {
            char c = s.charAt(end);
            int width = c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
            int chars = 1;
            if (Character.isHighSurrogate(c) && end + 1 < s.length() && Character.isLowSurrogate(s.charAt(end + 1))) {
                width = 4;
                chars = 2;
            }
            if (n + width > budget) {
                break;
            }
            n += width;
            end += chars;
        }
        return s.substring(0, end) + note;
    }
}
