package inventory.app;

import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonStructure;

/**
 * A real inventory service on a real (embedded) PostgreSQL, reached over a socket, as the tests' client sees it.
 * {@link #shared()} is one server for the whole test run; tests that restart or break the database start their own
 * with {@link #start(Path)}.
 */
final class TestServer implements AutoCloseable {

    /** The bootstrap admin key of every test server; {@link #send} sends it unless a request names its own. */
    static final String ADMIN_KEY = "test-admin-key-0123456789abcdef0123456789abcdef";
    /** Pass as the value of an {@code Authorization} header to send none at all. */
    static final String NO_AUTH = "\u0000none";

    private static TestServer shared;

    private final InventoryServer server;
    private final HttpClient client;
    private final URI base;

    private TestServer(InventoryServer server) {
        this.server = server;
        this.client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                .executor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()).build();
        this.base = URI.create("http://localhost:" + server.port());
    }

    static synchronized TestServer shared() {
        if (shared == null) {
            shared = start(dataDir("shared"));
            Runtime.getRuntime().addShutdownHook(new Thread(shared::close));
        }
        return shared;
    }

    static Path dataDir(String name) {
        try {
            Path root = Path.of("target", "test-data");
            Files.createDirectories(root);
            return Files.createTempDirectory(root, name + "-");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static TestServer start(Path dataDir) {
        return start(dataDir, c -> c);
    }

    /** Starts a server on an embedded database in {@code dataDir}, with changes to the default configuration. */
    static TestServer start(Path dataDir, java.util.function.UnaryOperator<InventoryConfig> tune) {
        return new TestServer(InventoryServer.start(tune.apply(
                InventoryConfig.of(0, Optional.empty(), 16, dataDir).withAdminKey(ADMIN_KEY))));
    }

    static TestServer start(String jdbcUrl, int poolSize) {
        return start(jdbcUrl, poolSize, c -> c);
    }

    /** Starts a server on an existing database, with changes to the default configuration. */
    static TestServer start(String jdbcUrl, int poolSize, java.util.function.UnaryOperator<InventoryConfig> tune) {
        return new TestServer(InventoryServer.start(tune.apply(
                InventoryConfig.of(0, Optional.of(jdbcUrl), poolSize, Path.of("target", "unused")).withAdminKey(ADMIN_KEY))));
    }

    int port() {
        return server.port();
    }

    /** Log lines the CloudWatch shipping dropped (0 without it). */
    long logLinesDropped() {
        return server.logLinesDropped();
    }

    URI uri(String path) {
        return base.resolve(path);
    }

    /** The database's JDBC URL; on the embedded database it logs in as the owner, postgres. */
    String databaseUrl() {
        return server.databaseUrl();
    }

    /**
     * A new, empty database on the shared test server's PostgreSQL (named {@code prefix} and this process's id,
     * dropped first if a killed run left it); its URL logs in as the owner.
     */
    static String newDatabase(String prefix) throws SQLException {
        String base = shared().databaseUrl();
        String name = prefix + "_" + ProcessHandle.current().pid();
        try (Connection c = DriverManager.getConnection(base); var s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            s.execute("CREATE DATABASE " + name);
        }
        return base.replaceFirst("/[^/?]+(\\?|$)", "/" + name + "$1");
    }

    /** Drops a database {@link #newDatabase(String)} made. */
    static void dropDatabase(String url) throws SQLException {
        String name = url.replaceFirst("^.*/([^/?]+)(\\?.*)?$", "$1");
        try (Connection c = DriverManager.getConnection(shared().databaseUrl()); var s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        }
    }

    /** The login of the service's pool: inventory_app on the embedded database. */
    String serviceUser() {
        return server.serviceUser();
    }

    /** A connection as the database's owner (on the embedded database), for checks and set-up behind the API. */
    Connection jdbc() throws SQLException {
        return DriverManager.getConnection(server.databaseUrl());
    }

    /** Runs a {@code SELECT count(*) ...} (or any single-number query) in the service's database. */
    long count(String sql, Object... params) throws SQLException {
        try (Connection c = jdbc(); java.sql.PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                s.setObject(i + 1, params[i]);
            }
            try (java.sql.ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** An answer: status, headers and body. */
    record Response(int status, java.net.http.HttpHeaders headers, String body) {
        JsonObject json() {
            try (var reader = Json.createReader(new StringReader(body))) {
                return reader.readObject();
            }
        }

        Optional<String> header(String name) {
            return headers.firstValue(name);
        }

        String code() {
            return json().getString("code");
        }
    }

    Response send(String method, String path, String body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30));
        boolean contentType = false;
        boolean auth = false;
        for (int i = 0; i < headers.length; i += 2) {
            auth |= headers[i].equalsIgnoreCase("Authorization");
            if (!headers[i + 1].equals(NO_AUTH)) {
                b.header(headers[i], headers[i + 1]);
            }
            contentType |= headers[i].equalsIgnoreCase("Content-Type");
        }
        if (!auth) {
            b.header("Authorization", "Bearer " + ADMIN_KEY);
        }
        if (body != null && !contentType) {
            b.header("Content-Type", "application/json");
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        try {
            HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), r.headers(), r.body());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    Response get(String path, String... headers) {
        return send("GET", path, null, headers);
    }

    Response post(String path, String body, String... headers) {
        return send("POST", path, body, headers);
    }

    Response patch(String path, String body, String... headers) {
        return send("PATCH", path, body, headers);
    }

    Response delete(String path, String... headers) {
        return send("DELETE", path, null, headers);
    }

    /** A SKU no other test uses. */
    static String sku(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 13);
    }

    /** Creates a product with the given initial quantity and returns it. */
    JsonObject product(String sku, long initialQuantity) {
        Response r = post("/v1/products", "{\"sku\":\"" + sku + "\",\"name\":\"Test " + sku + "\",\"price\":\"9.99\","
                                          + "\"currency\":\"EUR\",\"initialQuantity\":" + initialQuantity + "}");
        if (r.status() != 201) {
            throw new IllegalStateException("create failed: " + r.status() + " " + r.body());
        }
        return r.json();
    }

    static String json(JsonStructure value) {
        return value.toString();
    }

    @Override
    public void close() {
        server.close();
    }
}
