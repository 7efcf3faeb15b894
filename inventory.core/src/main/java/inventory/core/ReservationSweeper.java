package inventory.core;

import java.lang.System.Logger.Level;
import java.time.Duration;

/**
 * Writes down expiries on a virtual thread: every interval it expires what is due, in batches, until nothing is.
 * Expiry is exact without it (reads and writes treat a reservation past {@code expiresAt} as expired); the sweep
 * makes it permanent, frees the rows and records {@code reservation.expired}. Several instances may sweep at once:
 * each batch skips reservations another holds.
 */
public final class ReservationSweeper implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ReservationSweeper.class.getName());
    private static final int BATCH = 100;

    private final ReservationService reservations;
    private final Duration interval;
    private volatile boolean closed;
    private Thread thread;

    /**
     * @param reservations reservation use cases
     * @param interval     time between sweeps
     */
    public ReservationSweeper(ReservationService reservations, Duration interval) {
        this.reservations = reservations;
        this.interval = interval;
    }

    /**
     * Starts sweeping, unless the interval is zero.
     */
    public void start() {
        if (interval.isZero() || interval.isNegative()) {
            return;
        }
        thread = Thread.ofVirtual().name("reservation-sweeper").start(this::run);
    }

    /**
     * Expires everything that is due now.
     *
     * @return how many reservations were expired
     */
    public int sweep() {
        int total = 0;
        int n;
        do {
            n = reservations.expireDue(BATCH);
            total += n;
        } while (n == BATCH && !closed);
        return total;
    }

    private void run() {
        boolean failing = false;
        while (!closed) {
            try {
                Thread.sleep(interval);
                sweep();
                if (failing) {
                    LOG.log(Level.INFO, "reservation sweep: database reachable again");
                    failing = false;
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                if (!failing && !closed) {
                    LOG.log(Level.WARNING, "reservation sweep failed, retrying: " + e.getMessage());
                    failing = true;
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        if (thread != null) {
            thread.interrupt();
        }
    }
}
