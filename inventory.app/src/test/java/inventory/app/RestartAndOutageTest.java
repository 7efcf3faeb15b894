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
            String id = server.product(TestServer.sku("OUT"), 5).getString("id");
            pg.close();

            var read = server.get("/v1/products/" + id);
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
