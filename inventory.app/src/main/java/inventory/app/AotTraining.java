package inventory.app;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The workload of the AOT cache's training start ({@code bin/inventory --train-aot}, system property
 * {@code inventory.aot.training}): once the service is ready, a few hundred requests of the kinds a benchmark and
 * a storefront send (readiness, product create/read/list, stock adjustments, metrics), over plain sockets so that
 * no HTTP client lands in the cache. The cache then holds the classes of the request path and their profiles,
 * not only those of the start: the first requests after a start no longer load and link hundreds of classes.
 */
final class AotTraining {

    private static final Pattern LOCATION = Pattern.compile("(?im)^Location: */v1/products/([0-9a-f-]{36})\\s*$");

    private AotTraining() {
    }

    /**
     * @param port     the service's port
     * @param adminKey the admin key ({@code INVENTORY_ADMIN_KEY})
     * @param rounds   how many times the mix of requests runs
     * @throws IOException if a request fails
     */
    static void run(int port, String adminKey, int rounds) throws IOException {
        scramKeys();
        String auth = "Authorization: Bearer " + adminKey + "\r\n";
        String created = send(port, "POST", "/v1/products", auth,
                "{\"sku\":\"AOT-TRAINING-" + System.nanoTime() + "\",\"name\":\"training\",\"price\":\"1.5\","
                + "\"currency\":\"EUR\",\"initialQuantity\":1000000}");
        Matcher m = LOCATION.matcher(created);
        if (!m.find()) {
            throw new IOException("the training product was not created: " + created.lines().findFirst().orElse(""));
        }
        String product = "/v1/products/" + m.group(1);
        for (int i = 0; i < rounds; i++) {
            send(port, "GET", "/health/ready", "", null);
            send(port, "GET", product, auth, null);
            send(port, "GET", product, auth, null);
            send(port, "POST", product + "/stock/adjustments", auth, "{\"delta\":-1,\"reason\":\"SOLD\"}");
            send(port, "GET", "/v1/products?limit=20", auth, null);
            if (i % 10 == 0) {
                send(port, "GET", product + "/stock", auth, null);
                send(port, "GET", "/v1/products/00000000-0000-7000-8000-000000000000", auth, null);
                send(port, "GET", "/metrics", "", null);
            }
        }
    }

    /**
     * What a PostgreSQL login with SCRAM-SHA-256 (PostgreSQL's default password method) computes on the client:
     * PBKDF2 with HMAC-SHA256 (the persistence module's own, installed when the first login was made), then
     * HMAC-SHA256 and SHA-256 from the JDK. The training start's logins do this too; done here as well, so that the
     * cache holds these classes even if the training's logins ever stop asking for a password.
     */
    private static void scramKeys() throws IOException {
        try {
            javax.crypto.SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(
                    new javax.crypto.spec.PBEKeySpec("training".toCharArray(), new byte[16], 4096, 256)).getEncoded();
            var mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(new byte[32], "HmacSHA256"));
            java.security.MessageDigest.getInstance("SHA-256").digest(mac.doFinal(new byte[32]));
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException("PBKDF2 is not available: " + e, e);
        }
    }

    /** The login of the training start, with a password, so that it logs in as production does. */
    static final String LOGIN = "inventory_training";
    /** Its password and database: the training's own, on a database that lives for the training only. */
    static final String PASSWORD = "training-only-not-a-secret";

    /**
     * Makes the training database ask for passwords, as production's does: a login {@link #LOGIN} with a password
     * (SCRAM-SHA-256, PostgreSQL's default), owning a new database of the same name, and a {@code pg_hba.conf} that
     * lets only the superuser in without one. The embedded PostgreSQL trusts every login, so a training start on it
     * would never run pgjdbc's SCRAM client (the ongres classes, SASLprep's tables, the PBKDF2 loop): every real
     * start would then load those classes from the jar and run that code cold on the way to its first login.
     *
     * @param url the training database's JDBC URL, as its superuser {@code postgres}
     * @throws java.sql.SQLException if it cannot be prepared
     * @throws InterruptedException if interrupted while waiting for the new rules
     */
    static void requirePasswords(String url) throws java.sql.SQLException, InterruptedException {
        String hba;
        try (var c = java.sql.DriverManager.getConnection(url, "postgres", null); var s = c.createStatement()) {
            s.execute("CREATE ROLE " + LOGIN + " LOGIN PASSWORD '" + PASSWORD + "'");
            s.execute("CREATE DATABASE " + LOGIN + " OWNER " + LOGIN);
            try (var rs = s.executeQuery("SHOW hba_file")) {
                rs.next();
                hba = rs.getString(1);
            }
            s.execute("COPY (VALUES ('local all all trust'), ('host all postgres 127.0.0.1/32 trust'),"
                      + " ('host all postgres ::1/128 trust'), ('host all all 127.0.0.1/32 scram-sha-256'),"
                      + " ('host all all ::1/128 scram-sha-256')) TO '" + hba.replace("'", "''") + "'");
            s.execute("SELECT pg_reload_conf()");
        }
        // the postmaster rereads the file asynchronously: wait until a wrong password is refused
        String login = url.replaceFirst("/[^/?]*(\\?.*)?$", "/" + LOGIN);
        for (int i = 0; ; i++) {
            try (var c = java.sql.DriverManager.getConnection(login, LOGIN, "wrong")) {
                if (i == 50) {
                    throw new java.sql.SQLException("the training database still trusts every login");
                }
            } catch (java.sql.SQLException refused) {
                if ("28P01".equals(refused.getSQLState())) {
                    return;
                }
                throw refused;
            }
            Thread.sleep(100);
        }
    }

    private static String send(int port, String method, String path, String headers, String body) throws IOException {
        byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        String request = method + " " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n" + headers
                         + (body == null ? "" : "Content-Type: application/json\r\nContent-Length: " + content.length
                                                + "\r\n")
                         + "\r\n";
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.write(content);
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
