package inventory.app.logging;

import java.util.logging.LogManager;

/**
 * JUL's {@link LogManager}, except that its own shutdown hook waits for the service to stop before it closes the
 * handlers: see {@link LogShutdown}, which makes this class the log manager.
 */
public final class ShutdownLogManager extends LogManager {

    private static final String JUL_SHUTDOWN_HOOK = LogManager.class.getName() + "$Cleaner";

    /**
     * Made by {@link LogManager} itself, from the {@code java.util.logging.manager} system property.
     */
    public ShutdownLogManager() {
        super();
    }

    @Override
    public void reset() {
        if (Thread.currentThread().getClass().getName().equals(JUL_SHUTDOWN_HOOK)) {
            LogShutdown.awaitRelease();
        }
        super.reset();
    }
}
