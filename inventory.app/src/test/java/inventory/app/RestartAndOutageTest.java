package inventory.app;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import jakarta.json.JsonObject;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

/**
 * Services of their own: a restart on the same data directory, and a database that goes away mid-run.
 */
class RestartAndOutageTest {

    @Test
    void restartOnTheSameDataDirectoryKeepsEveryProductAndMovement() throws Exception {
        Path dir = TestServer.dataDir("restart");
        String id;
        String sku = TestServer.sku("KEEP");
        try (TestServer first = TestServer.start(dir)) {
            id = first.product(sku, 10).getString("id");
            assertThat(first.post("/v1/products/" + id + "/stock/adjustments", "{\"delta\": -4, \"reason\": \"SOLD\"}")
                    .status(), is(201));
            assertThat(first.post("/v1/locations", "{\"code\": \"backroom\", \"name\": \"Back room\"}").status(), is(201));
        }
        try (TestServer second = TestServer.start(dir)) {
            JsonObject p = second.get("/v1/products/by-sku/" + sku).json();
            assertThat(p.getString("id"), is(id));
            assertThat(p.getJsonObject("stock").getInt("onHand"), is(6));
            assertThat(p.getInt("version"), is(2));
            assertThat(second.get("/v1/products/" + id + "/stock/movements").json().getJsonArray("items").size(), is(2));
            assertThat(second.get("/v1/locations").body(), containsString("backroom"));
            Invariants.check(second);
        }
    }

    @Test
    void lostDatabaseAnswers503AndTheServiceRecoversByItself() throws Exception {
        Path dir = TestServer.dataDir("outage");
        int port = freePort();
        EmbeddedPostgres pg = postgres(dir, port);
        try (TestServer server = TestServer.start(pg.getJdbcUrl("postgres", "postgres"), 4)) {
            String sku = TestServer.sku("OUT");
            String id = server.product(sku, 5).getString("id");
            pg.close();

            // a read that needs the database (by SKU: never answered from memory)
            var read = server.get("/v1/products/by-sku/" + sku);
            assertThat(read.body(), read.status(), is(503));
            assertThat(read.code(), is("unavailable"));
            assertThat(read.header("Retry-After").isPresent(), is(true));
            assertThat(read.body().contains("postgresql"), is(false));
            var write = server.post("/v1/products/" + id + "/stock/adjustments", "{\"delta\": -1, \"reason\": \"SOLD\"}");
            assertThat(write.status(), is(503));
            var ready = server.get("/health/ready");
            assertThat(ready.status(), is(503));
            assertThat(ready.body(), containsString("DOWN"));
            assertThat(server.get("/health/live").status(), is(200));
            // the product was kept in memory at its creation; once the service notices it cannot hear changes any
            // more (its next poll of the event feed, 0.1 s), reads by id stop answering from memory too
            long noticed = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            int byId;
            while ((byId = server.get("/v1/products/" + id).status()) != 503 && System.nanoTime() < noticed) {
                Thread.sleep(20);
            }
            assertThat(byId, is(503));

            pg = postgres(dir, port);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            int status = 0;
            while (System.nanoTime() < deadline && (status = server.get("/health/ready").status()) != 200) {
                Thread.sleep(200);
            }
            assertThat(status, is(200));
            JsonObject p = server.get("/v1/products/" + id).json();
            assertThat("the write during the outage left nothing behind", p.getJsonObject("stock").getInt("onHand"), is(5));
            assertThat(server.post("/v1/products/" + id + "/stock/adjustments", "{\"delta\": -1, \"reason\": \"SOLD\"}")
                    .status(), is(201));
            Invariants.check(server);
        } finally {
            pg.close();
        }
    }

    /**
     * A stop while the background pollers wait for the database: they finish their statement instead of being
     * interrupted, which closed their connection's socket under it (logged by the pool as a broken connection, with
     * an exception, at the end of every unlucky stop).
     */
    @Test
    void aStopLetsTheBackgroundPollersFinishTheirStatements() throws Exception {
        java.util.List<java.util.logging.LogRecord> warnings = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                if (r.getLevel().intValue() >= java.util.logging.Level.WARNING.intValue()) {
                    warnings.add(r);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        TestServer server = TestServer.start(TestServer.dataDir("stop"));
        Thread stopping = null;
        try (var blocker = server.jdbc()) {
            blocker.setAutoCommit(false);
            try (var s = blocker.createStatement()) {
                // the product-changes poller reads events every 100 ms: its next read waits for this lock
                s.execute("LOCK TABLE events IN ACCESS EXCLUSIVE MODE");
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (server.count("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND usename = ?",
                    server.serviceUser()) == 0) {
                assertThat("a poller waits for the lock", System.nanoTime() < deadline, is(true));
                Thread.sleep(20);
            }
            root.addHandler(capture);
            stopping = Thread.ofVirtual().start(server::close);
            Thread.sleep(500);
            assertThat("the stop waits for the statement in progress", stopping.isAlive(), is(true));
            blocker.rollback();
            stopping.join(Duration.ofSeconds(20));
            assertThat("stopped", stopping.isAlive(), is(false));
        } finally {
            root.removeHandler(capture);
            if (stopping == null) {
                server.close();
            }
        }
        assertThat(warnings.stream().map(r -> r.getLoggerName() + ": " + r.getMessage() + " " + r.getThrown()).toList()
                .toString(), warnings.isEmpty(), is(true));
    }

    private static EmbeddedPostgres postgres(Path dir, int port) throws IOException {
        return EmbeddedPostgres.builder().setDataDirectory(dir.resolve("pg")).setCleanDataDirectory(false)
                .setPort(port).setRegisterShutdownHook(false).start();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
