package inventory.core;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The virtual thread of a background loop (a poller, a sweeper) and its stop. {@link #stop} ends the loop's pause at
 * once and waits for the round in progress to finish instead of interrupting it: an interrupt closes the socket of
 * a JDBC connection under a running statement, which the pool then logs as a broken connection, and a transaction
 * cut off that way is rolled back half done. Only a round still running after the grace period is interrupted.
 */
public final class BackgroundLoop {

    private final String name;
    private final CountDownLatch stopping = new CountDownLatch(1);
    private volatile Thread thread;

    /**
     * @param name the thread's name
     */
    public BackgroundLoop(String name) {
        this.name = name;
    }

    /**
     * Runs the loop on a new virtual thread.
     *
     * @param body the loop; it goes on while {@link #pause} returns true
     */
    public void start(Runnable body) {
        thread = Thread.ofVirtual().name(name).start(body);
    }

    /**
     * Waits between two rounds.
     *
     * @param pause how long
     * @return false once the loop is stopping (or its thread interrupted): the loop should end
     */
    public boolean pause(Duration pause) {
        try {
            return !stopping.await(pause.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * @return whether {@link #stop} was called
     */
    public boolean stopping() {
        return stopping.getCount() == 0;
    }

    /**
     * Ends the loop: its pause ends now, the round in progress may finish within {@code grace}, after which the
     * thread is interrupted.
     *
     * @param grace how long a round in progress may take to finish
     */
    public void stop(Duration grace) {
        stopping.countDown();
        Thread t = thread;
        if (t == null || t == Thread.currentThread()) {
            return;
        }
        try {
            if (!t.join(grace)) {
                t.interrupt();
                t.join(grace);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
