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
     * PBKDF2 with HMAC-SHA256, 4096 rounds. The training database trusts its logins, so without this the cache would
     * hold neither the JCE's classes nor a profile of that loop, which the first login of a start then runs
     * interpreted for a few hundred milliseconds.
     */
    private static void scramKeys() throws IOException {
        try {
            var pbkdf2 = javax.crypto.SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256");
            for (int i = 0; i < 50; i++) {
                pbkdf2.generateSecret(new javax.crypto.spec.PBEKeySpec("training".toCharArray(), new byte[16], 4096,
                        256)).getEncoded();
            }
            var mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(new byte[32], "HmacSHA256"));
            java.security.MessageDigest.getInstance("SHA-256").digest(mac.doFinal(new byte[32]));
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException("PBKDF2 is not available: " + e, e);
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
