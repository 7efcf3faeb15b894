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
    private final BackgroundLoop loop = new BackgroundLoop("reservation-sweeper");

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
        loop.start(this::run);
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
        } while (n == BATCH && !loop.stopping());
        return total;
    }

    private void run() {
        boolean failing = false;
        while (loop.pause(interval)) {
            try {
                sweep();
                if (failing) {
                    LOG.log(Level.INFO, "reservation sweep: database reachable again");
                    failing = false;
                }
            } catch (RuntimeException e) {
                if (!failing && !loop.stopping()) {
                    LOG.log(Level.WARNING, "reservation sweep failed, retrying: " + e.getMessage());
                    failing = true;
                }
            }
        }
    }

    /** Stops sweeping: a sweep in progress finishes its batch first (within two seconds). */
    @Override
    public void close() {
        loop.stop(Duration.ofSeconds(2));
    }
}
