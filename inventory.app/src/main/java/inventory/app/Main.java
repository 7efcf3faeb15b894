package inventory.app;

import java.lang.System.Logger.Level;
import java.lang.management.ManagementFactory;

import io.helidon.logging.common.LogConfig;

import inventory.app.logging.LogShutdown;

/**
 * Starts the inventory service. Exit codes: 0 after SIGTERM once in-flight requests finished, 2 for bad
 * configuration (one line naming the variable), 3 when the database cannot be reached or migrated at start.
 */
public final class Main {

    static {
        // before the first logger: JUL's shutdown hook must not close the handlers while the service stops
        LogShutdown.install();
    }

    private Main() {
    }

    /**
     * The logger, looked up when first needed: the first {@link System#getLogger} searches every jar for a
     * {@code LoggerFinder} (about 40 ms), which the start does on its main thread after the migrations began.
     */
    private static System.Logger log() {
        return System.getLogger(Main.class.getName());
    }

    /**
     * @param args ignored (but for {@code --aot-training-passwords URL}, a step of {@code bin/inventory --train-aot});
     *             configuration comes from the environment and {@code application.yaml}
     */
    public static void main(String[] args) {
        if (args.length == 2 && args[0].equals("--aot-training-passwords")) {
            // bin/inventory --train-aot, before the training start: see AotTraining.requirePasswords
            try {
                AotTraining.requirePasswords(args[1]);
            } catch (java.sql.SQLException | InterruptedException e) {
                System.err.println("inventory: the training database could not be made to ask for passwords: " + e);
                System.exit(1);
            }
            System.exit(0);
        }
        // first of all, even before the logging's configuration: the first login and the migrations of the database
        // the environment names run on a thread of their own while Helidon reads its configuration and builds the
        // web server; together they are the longest path of a start
        var early = EarlyMigration.begin(System.getenv(), System.getProperties());
        LogConfig.configureRuntime();
        InventoryConfig config;
        try {
            config = InventoryConfig.from(InventoryConfig.load());
            inventory.app.logging.Logs.configure(config.logFormat());
        } catch (InventoryConfig.Invalid e) {
            // the migrations begun (one transaction) roll back as the connection goes with the process
            early.ifPresent(m -> m.task().cancel(true));
            System.err.println("inventory: " + e.getMessage());
            System.exit(2);
            return;
        }
        InventoryServer server;
        try {
            server = InventoryServer.start(config, early);
        } catch (InventoryServer.DatabaseFailure e) {
            System.err.println("inventory: " + e.getMessage());
            System.exit(3);
            return;
        }
        if (server.port() < 0) {
            // Helidon logs the BindException and carries on without a listener: that is no service
            server.close();
            System.err.println("inventory: INVENTORY_PORT: port " + config.port() + " cannot be listened on (in use?)");
            System.exit(2);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log().log(Level.INFO, "SIGTERM: finishing in-flight requests");
            server.close(); // logs "stopped"
            // the console handler writes in batches (BufferedConsoleHandler): out with the last lines before halt
            for (java.util.logging.Handler h : java.util.logging.Logger.getLogger("").getHandlers()) {
                h.flush();
            }
            System.out.flush();
            System.err.flush();
            Runtime.getRuntime().halt(0);
        }, "shutdown"));
        long uptime = ManagementFactory.getRuntimeMXBean().getUptime();
        log().log(Level.INFO, "inventory ready on http://localhost:" + server.port() + " in " + uptime + " ms ("
                            + (config.dbUrl().isPresent() ? "database " + redact(config.dbUrl().get())
                            : "embedded PostgreSQL in " + config.dataDir().toAbsolutePath().normalize()) + ")");
        if (System.getProperty("inventory.aot.training") != null) {
            // bin/inventory --train-aot: the request path too goes into the AOT cache, written as the JVM exits
            try {
                AotTraining.run(server.port(), config.adminKey().orElseThrow(), 200);
            } catch (java.io.IOException | RuntimeException e) {
                System.err.println("inventory: the AOT training requests failed: " + e);
                System.exit(1);
            }
            System.exit(0);
        }
        if (System.getProperty("exit.on.started") != null) {
            System.exit(0);
        }
    }

    private static String redact(String url) {
        int query = url.indexOf('?');
        return query < 0 ? url : url.substring(0, query);
    }
}
