package inventory.app.logging;

import java.time.Duration;

/**
 * Keeps logging open at shutdown until the service has stopped.
 * <p>
 * JUL resets logging in a shutdown hook of its own, which runs at the same time as the service's: the handlers are
 * removed from the loggers while the server is still finishing its requests, and every line logged after that (the
 * last requests, "stopped") reaches neither the console nor CloudWatch. {@link #install()}, called before anything
 * logs, makes {@link ShutdownLogManager} the log manager; its reset in JUL's hook waits (at most
 * {@link #MAX_WAIT}) while someone {@linkplain #hold() holds} logging open. The service holds it from its start to
 * the end of its close. Any other reset (reading the configuration at start, say) happens as usual.
 * <p>
 * This class is not the log manager itself: initializing a subclass of {@code LogManager} initializes
 * {@code LogManager}, which reads {@code java.util.logging.manager} then, before {@link #install()} could set it.
 */
public final class LogShutdown {

    /** The longest JUL's shutdown hook waits for the holders. */
    public static final Duration MAX_WAIT = Duration.ofSeconds(30);

    private static final String PROPERTY = "java.util.logging.manager";
    private static final Object MONITOR = new Object();
    private static int holds;

    private LogShutdown() {
    }

    /**
     * Makes {@link ShutdownLogManager} the log manager, unless one is named already. Works only before the first use
     * of JUL (including {@link System#getLogger}), so it is the first thing {@code main} does.
     */
    public static void install() {
        if (System.getProperty(PROPERTY) == null) {
            System.setProperty(PROPERTY, ShutdownLogManager.class.getName()); // a class literal initializes nothing
        }
    }

    /**
     * Keeps the handlers open at shutdown until {@link #release()}. Only counts when {@link ShutdownLogManager} is not
     * the log manager.
     */
    public static void hold() {
        synchronized (MONITOR) {
            holds++;
        }
    }

    /**
     * Ends one {@link #hold()}.
     */
    public static void release() {
        synchronized (MONITOR) {
            holds = Math.max(0, holds - 1);
            MONITOR.notifyAll();
        }
    }

    /** Waits until nobody holds logging open, at most {@link #MAX_WAIT}. */
    static void awaitRelease() {
        long deadline = System.nanoTime() + MAX_WAIT.toNanos();
        synchronized (MONITOR) {
            long left;
            while (holds > 0 && (left = deadline - System.nanoTime()) > 0) {
                try {
                    MONITOR.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
