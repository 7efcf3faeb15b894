package inventory.persistence;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.function.Supplier;


import io.helidon.dbclient.DbClient;
import io.helidon.dbclient.DbExecute;
import io.helidon.dbclient.DbTransaction;

import inventory.core.Transactions;

/**
 * The database: a helidon-dbclient over a HikariCP pool, the transaction scope repositories join, and a bounded
 * liveness probe. The schema is {@link PgSchema}'s.
 * <p>
 * A transaction is bound to the calling (virtual) thread with a {@link ScopedValue} for the duration of the work,
 * so repositories called inside it run on its connection without passing it around.
 */
public final class PgDatabase implements Transactions, AutoCloseable {

    private static final ScopedValue<Tx> CURRENT = ScopedValue.newInstance();
    /** Longest wait for a connection while all are busy with live work (a burst, not an outage). */
    private static final Duration BUSY_WAIT = Duration.ofSeconds(10);
    /** Pools opened in this process: each gets its own name (in HikariCP's log lines and thread names). */
    private static final java.util.concurrent.atomic.AtomicInteger POOLS = new java.util.concurrent.atomic.AtomicInteger();

    static {
        // before the pool's first login (see Logins)
        Pbkdf2HmacSha256.install();
    }

    private final DbClient client;
    private final com.zaxxer.hikari.HikariDataSource pool;
    private final Settings settings;
    private final String poolName;
    private final java.util.concurrent.atomic.AtomicLong poolTimeouts = new java.util.concurrent.atomic.AtomicLong();

    /**
     * Admission to the pool: at most as many transactions as connections ask HikariCP for one, the rest wait here in
     * arrival order. HikariCP hands a returned connection to a waiting thread by spinning ({@code Thread.yield})
     * until the waiter takes it; with dozens of virtual threads waiting that spin took more CPU than the SQL
     * (measured: 0.7 ms of service CPU per adjustment at 64 concurrent callers, with connections left idle).
     */
    private final java.util.concurrent.Semaphore admission;

    private PgDatabase(DbClient client, com.zaxxer.hikari.HikariDataSource pool, Settings settings, String poolName) {
        this.client = client;
        this.pool = pool;
        this.settings = settings;
        this.poolName = poolName;
        this.admission = new java.util.concurrent.Semaphore(settings.poolSize(), true);
    }

    /**
     * Connection settings.
     *
     * @param url            JDBC URL
     * @param user           user
     * @param password       password
     * @param poolSize       maximum pool size
     * @param connectTimeout longest wait for a connection before a request fails as unavailable
     */
    public record Settings(String url, String user, String password, int poolSize, Duration connectTimeout) {

        /** The service's connect timeout: a login, and a request's wait for a connection, longer than this fails. */
        public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    }

    /**
     * Checks that the database answers, with a bounded wait.
     *
     * @param settings connection settings
     * @throws SQLException if it does not
     */
    public static void probe(Settings settings) throws SQLException {
        probe(settings, 5);
    }

    /**
     * Checks that the database answers, on a connection of its own.
     *
     * @param settings connection settings
     * @param seconds  longest wait to connect and for the answer
     * @throws SQLException if it does not answer
     */
    static void probe(Settings settings, int seconds) throws SQLException {
        try (Connection c = Logins.open(settings, seconds, seconds * 2)) {
            if (!c.isValid(seconds)) {
                throw new SQLException("the database did not answer");
            }
        }
    }

    /**
     * Connections the pool keeps open at first: none, so it connects only when first used (which, at start-up, is
     * after the migrations, which may create the service's login); the rest up to the pool size come with
     * {@link #warmUp()} or on demand. Every connection costs a login (SCRAM-SHA-256: 4096 rounds of PBKDF2, then
     * hundreds of milliseconds for a JVM that had not compiled the JDK's; tens with {@link Pbkdf2HmacSha256}), and
     * sixteen of them during start-up took the CPU the start needs: on 2 cores, the first 200 on /health/ready of a
     * new database came after 4.7 s with 16 connections opened at once and 2.1 s with 1 (before that derivation).
     */
    private static final int FIRST_CONNECTIONS = 0;

    /**
     * Opens the pool. Connections are made lazily, so the pool opens even while the database is away; at first it
     * keeps none, {@link #warmUp()} asks for the whole pool.
     *
     * @param settings connection settings
     * @return the database
     */
    public static PgDatabase open(Settings settings) {
        long timeoutMs = settings.connectTimeout().toMillis();
        int n = POOLS.incrementAndGet();
        String poolName = n == 1 ? "inventory" : "inventory-" + n;
        // HikariCP directly rather than through helidon-dbclient-hikari's configuration, so that the pool registers
        // no MBeans: creating the platform MBean server at start-up cost about 40 ms of the main thread (a fifth of
        // its work before the server listened), and the pool's figures are read from the pool itself
        com.zaxxer.hikari.HikariConfig hikari = new com.zaxxer.hikari.HikariConfig();
        hikari.setJdbcUrl(settings.url());
        hikari.setPoolName(poolName);
        hikari.setMaximumPoolSize(settings.poolSize());
        hikari.setMinimumIdle(Math.min(FIRST_CONNECTIONS, settings.poolSize()));
        hikari.setConnectionTimeout(Math.max(250, timeoutMs));
        hikari.setValidationTimeout(Math.max(250, Math.min(timeoutMs, 1000)));
        hikari.setInitializationFailTimeout(-1);
        hikari.setRegisterMbeans(false);
        hikari.addDataSourceProperty("tcpKeepAlive", "true");
        hikari.addDataSourceProperty("socketTimeout", "30");
        hikari.addDataSourceProperty("connectTimeout", String.valueOf(Math.max(1, timeoutMs / 1000)));
        hikari.addDataSourceProperty("ApplicationName", "inventory");
        if (settings.user() != null) {
            hikari.setUsername(settings.user());
        }
        if (settings.password() != null) {
            hikari.setPassword(settings.password());
        }
        com.zaxxer.hikari.HikariDataSource pool = new com.zaxxer.hikari.HikariDataSource(hikari);
        io.helidon.dbclient.jdbc.CloseableJdbcConnectionPool connections =
                new io.helidon.dbclient.jdbc.CloseableJdbcConnectionPool() {
                    @Override
                    public Connection connection() {
                        try {
                            return pool.getConnection();
                        } catch (SQLException e) {
                            // as helidon-dbclient-hikari reports it
                            throw new io.helidon.dbclient.DbClientException(
                                    "Failed to create a connection to " + pool.getJdbcUrl(), e);
                        }
                    }

                    @Override
                    public String dbType() {
                        return "postgresql";
                    }

                    @Override
                    public void close() {
                        pool.close();
                    }
                };
        DbClient client = io.helidon.dbclient.jdbc.JdbcClientBuilder.create().connectionPool(connections).build();
        return new PgDatabase(client, pool, settings, poolName);
    }

    /**
     * Asks the pool to keep all its connections open from now on (it opens the missing ones in the background at
     * its next housekeeping, within 30 s, or earlier when requests need them). Called once the service is ready.
     */
    public void warmUp() {
        try {
            pool.getHikariConfigMXBean().setMinimumIdle(settings.poolSize());
        } catch (RuntimeException e) {
            // the pool then keeps growing on demand only
        }
    }

    /**
     * Runs the work in a transaction, or in the one already running on this thread.
     *
     * @param work the work
     * @param <T>  result type
     * @return its result
     */
    @Override
    public <T> T inTransaction(Supplier<T> work) {
        if (CURRENT.isBound()) {
            return work.get();
        }
        long deadline = System.nanoTime() + BUSY_WAIT.toNanos();
        admit();
        try {
            return attemptUntil(work, deadline);
        } finally {
            admission.release();
        }
    }

    /** Waits (at most {@link #BUSY_WAIT}) for a turn among the pool's admitted callers; release it when done. */
    private void admit() {
        try {
            if (!admission.tryAcquire(BUSY_WAIT.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS)) {
                poolTimeouts.incrementAndGet();
                throw new inventory.core.InventoryException.Unavailable(
                        "the database is too busy to take this request now; nothing was written");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new inventory.core.InventoryException.Unavailable("interrupted while waiting for the database");
        }
    }

    private <T> T attemptUntil(Supplier<T> work, long deadline) {
        while (true) {
            try {
                return attempt(work);
            } catch (PoolBusy busy) {
                // every connection is in use by live work: the database is slow, not gone, so keep waiting
                // (bounded) instead of answering 503 to a burst larger than the pool
                if (System.nanoTime() > deadline) {
                    poolTimeouts.incrementAndGet();
                    throw new inventory.core.InventoryException.Unavailable(
                            "the database is too busy to take this request now; nothing was written");
                }
            }
        }
    }

    private <T> T attempt(Supplier<T> work) {
        DbTransaction tx;
        try {
            tx = client.transaction();
        } catch (RuntimeException e) {
            throw PgErrors.translate(e);
        }
        Tx scope = new Tx(this, tx, new java.util.ArrayList<>(0));
        T result;
        try {
            result = ScopedValue.where(CURRENT, scope).call(work::get);
        } catch (RuntimeException | Error e) {
            rollbackQuietly(tx, e);
            if (waitedForConnection(e)) {
                if (saturated()) {
                    throw new PoolBusy();
                }
                poolTimeouts.incrementAndGet();
            }
            throw PgErrors.translate(e);
        }
        try {
            tx.commit();
        } catch (RuntimeException e) {
            throw PgErrors.translate(e);
        }
        scope.afterCommit().forEach(Runnable::run);
        return result;
    }

    /** Reads rows of a result set. */
    @FunctionalInterface
    interface RowReader<T> {
        T read(java.sql.ResultSet rs) throws SQLException;
    }

    /**
     * One read-only statement in auto-commit, over plain JDBC: one round trip (no BEGIN and COMMIT) and no
     * helidon-dbclient row mapping, which costs several microseconds per row. For the hottest reads, outside a
     * transaction.
     *
     * @param sql    the query, with {@code ?} parameters
     * @param reader reads one row
     * @param params the parameters
     * @param <T>    row type
     * @return the rows
     */
    <T> java.util.List<T> select(String sql, RowReader<T> reader, Object... params) {
        if (CURRENT.isBound()) {
            throw new IllegalStateException("select() is for reads outside a transaction; inside one use Rows.query");
        }
        admit();
        try (Connection c = client.execute().unwrap(Connection.class);
             java.sql.PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                s.setObject(i + 1, params[i]);
            }
            java.util.List<T> rows = new java.util.ArrayList<>();
            try (java.sql.ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    rows.add(reader.read(rs));
                }
            }
            return rows;
        } catch (SQLException | RuntimeException e) {
            throw PgErrors.translate(e);
        } finally {
            admission.release();
        }
    }

    /**
     * Runs an action once the current transaction has committed (never if it rolls back); outside a transaction,
     * at once.
     *
     * @param action the action; it must not throw
     */
    void afterCommit(Runnable action) {
        if (CURRENT.isBound()) {
            CURRENT.get().afterCommit().add(action);
        } else {
            action.run();
        }
    }

    private record Tx(PgDatabase db, DbTransaction tx, java.util.List<Runnable> afterCommit) {
    }

    private volatile java.util.function.BiConsumer<java.util.UUID, java.util.UUID> holdsExpired = (p, r) -> { };

    /**
     * Asks to be told, inside the transaction, whenever a write removes expired holds of a product (so the expiry
     * can be recorded as a change in that transaction).
     *
     * @param listener gets the product and the reservation whose holds ended (null if several)
     */
    public void onHoldsExpired(java.util.function.BiConsumer<java.util.UUID, java.util.UUID> listener) {
        this.holdsExpired = listener;
    }

    static void holdsExpired(java.util.UUID productId, java.util.UUID reservationId) {
        if (CURRENT.isBound()) {
            CURRENT.get().db().holdsExpired.accept(productId, reservationId);
        }
    }

    /** No connection came within the timeout while every connection was busy. */
    private static final class PoolBusy extends RuntimeException {
        PoolBusy() {
            super(null, null, false, false);
        }
    }

    private static boolean waitedForConnection(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLTransientConnectionException) {
                return true;
            }
        }
        return false;
    }

    private boolean saturated() {
        return poolStats().map(p -> p.total() >= p.max() && p.idle() == 0).orElse(false);
    }

    /**
     * @return the transaction of this thread, or the client for a statement of its own
     */
    DbExecute execute() {
        return CURRENT.isBound() ? CURRENT.get().tx() : client.execute();
    }

    /**
     * @return transactions that gave up waiting for a connection (answered 503) since the pool opened
     */
    public long poolTimeouts() {
        return poolTimeouts.get();
    }

    /**
     * Whether the database answers within the connection timeout.
     *
     * @return true if a trivial query ran
     */
    public boolean ping() {
        if (saturated()) {
            // every pooled connection is busy with live work: waiting for one would make a busy service look dead
            // to its load balancer, so ask the database on a connection of the probe's own
            try {
                probe(settings, 2);
                return true;
            } catch (SQLException | RuntimeException e) {
                return false;
            }
        }
        try {
            return client.execute().get("SELECT 1 AS ok").isPresent();
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * The pool's figures, read from HikariCP.
     *
     * @return active, idle, total and waiting connections, or empty before the pool started or once it is closed
     */
    public java.util.Optional<PoolStats> poolStats() {
        var stats = pool.getHikariPoolMXBean();
        if (stats == null || pool.isClosed()) {
            return java.util.Optional.empty();
        }
        try {
            return java.util.Optional.of(new PoolStats(stats.getActiveConnections(), stats.getIdleConnections(),
                    stats.getTotalConnections(), stats.getThreadsAwaitingConnection(), settings.poolSize()));
        } catch (RuntimeException e) {
            return java.util.Optional.empty();
        }
    }

    /**
     * Connection pool figures.
     *
     * @param active  connections in use
     * @param idle    idle connections
     * @param total   open connections
     * @param pending threads waiting for a connection
     * @param max     maximum pool size
     */
    public record PoolStats(int active, int idle, int total, int pending, int max) {
    }

    @Override
    public void close() {
        try {
            client.close();
        } catch (Exception e) {
            // closing a pool whose database is gone is not worth an error at shutdown
        }
        pool.close(); // once closed, closing again does nothing
    }

    private static void rollbackQuietly(DbTransaction tx, Throwable cause) {
        try {
            tx.rollback();
        } catch (RuntimeException e) {
            cause.addSuppressed(e);
        }
    }
}
