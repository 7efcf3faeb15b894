package inventory.app;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import inventory.persistence.PgDatabase;
import inventory.persistence.PgSchema;

/**
 * Migrations begun by {@link Main} before Helidon's configuration was read, on a thread of their own.
 *
 * @param owner    the login they run as
 * @param task     their outcome: the number of scripts applied
 * @param started  {@link System#nanoTime()} when they began
 * @param loggedIn completed once the database took their login and answered, before the scripts run
 */
record EarlyMigration(PgDatabase.Settings owner, java.util.concurrent.FutureTask<Integer> task, long started,
                      java.util.concurrent.CompletableFuture<Void> loggedIn) {

    /** Whether these migrations are the ones {@code wanted} asks for: same database, same login. */
    boolean serves(PgDatabase.Settings wanted) {
        return owner.url().equals(wanted.url()) && Objects.equals(owner.user(), wanted.user())
               && Objects.equals(owner.password(), wanted.password());
    }

    /** Waits for them, whatever their outcome (they are not the configured ones). */
    void awaitQuietly() {
        try {
            task.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            // the configured migrations report their own failure
        }
    }

    /**
     * Begins the migrations as the very first thing of the start, when the environment names the database: the
     * first login (SCRAM-SHA-256, a cold JVM's most expensive single step) and the scripts then run while Helidon
     * reads its configuration and builds the web server, instead of after the configuration. Only the environment is
     * read here, with the names {@link InventoryConfig} gives those settings; when a system property could override
     * one of them ({@code inventory.db.*}), or the URL is not a PostgreSQL one (the configuration then fails with
     * exit code 2), nothing begins early. {@link InventoryServer#start(InventoryConfig, Optional)} adopts them only
     * if the configuration names the same database and login.
     *
     * @param env        the environment
     * @param properties the system properties
     * @return the migrations begun, or empty
     */
    static Optional<EarlyMigration> begin(Map<String, String> env, java.util.Properties properties) {
        String url = env.get("INVENTORY_DB_URL");
        if (url == null || !url.trim().startsWith("jdbc:postgresql:")
            || properties.stringPropertyNames().stream().anyMatch(k -> k.startsWith("inventory.db."))) {
            return Optional.empty();
        }
        Optional<String> migrationUser = nonBlank(env.get("INVENTORY_DB_MIGRATION_USER"));
        // not InventoryServer's: initializing it looks up its logger, which costs the start 40 ms before this began
        java.time.Duration timeout = PgDatabase.Settings.CONNECT_TIMEOUT;
        PgDatabase.Settings owner = migrationUser.isPresent()
                ? new PgDatabase.Settings(url.trim(), migrationUser.get(),
                        nonBlank(env.get("INVENTORY_DB_MIGRATION_PASSWORD")).orElse(null), 1, timeout)
                : new PgDatabase.Settings(url.trim(), nonBlank(env.get("INVENTORY_DB_USER")).orElse(null),
                        nonBlank(env.get("INVENTORY_DB_PASSWORD")).orElse(null), 1, timeout);
        var loggedIn = new java.util.concurrent.CompletableFuture<Void>();
        java.util.concurrent.FutureTask<Integer> task = new java.util.concurrent.FutureTask<>(
                () -> PgSchema.migrate(owner, () -> loggedIn.complete(null)));
        long started = System.nanoTime();
        Thread.ofPlatform().name("migrate").daemon(true).start(task);
        return Optional.of(new EarlyMigration(owner, task, started, loggedIn));
    }

    private static Optional<String> nonBlank(String value) {
        return Optional.ofNullable(value).map(String::trim).filter(v -> !v.isEmpty());
    }
}
