package inventory.core;

import java.util.List;

/**
 * The event feed's storage. {@link #append} joins the caller's transaction, so an event is recorded if and only if
 * its change is. Appended events get their {@code seq} from {@link #sequence()}, which numbers them after they
 * commit, one sequencer at a time, so the numbers have no gaps.
 */
public interface EventLog {

    /**
     * Records events in the current transaction, in order.
     *
     * @param events the events
     */
    void append(List<Event> events);

    /**
     * Numbers the committed events that have no {@code seq} yet.
     *
     * @return the highest {@code seq} afterwards
     */
    long sequence();

    /**
     * @param after a {@code seq}
     * @param limit most events to return
     * @return events with a higher {@code seq}, ascending
     */
    List<StoredEvent> after(long after, int limit);

    /**
     * @return the highest {@code seq} now, 0 if none
     */
    long latest();

    /**
     * Asks to be told when events of this process have committed.
     *
     * @param listener called after each commit that appended events
     */
    void onAppended(Runnable listener);
}
