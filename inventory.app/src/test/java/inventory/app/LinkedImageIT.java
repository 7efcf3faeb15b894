package inventory.app;

import java.io.IOException;
import java.io.StringReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

/**
 * The smoke test of what ships: {@code ./jlink.sh --no-build} links the jars that {@code package} made into
 * {@code target/inventory}, and {@code target/inventory/bin/inventory} runs them on the module path of the jlinked
 * runtime, against the embedded PostgreSQL. Only this test proves the module descriptors, the JDK modules picked
 * by jdeps, services found through the module path and resources read from modules (migrations, OpenAPI).
 * The image ships its log to a local CloudWatch Logs stand-in ({@link FakeCloudWatchLogs}): the AWS SDK's
 * automatic modules, its HTTP client and request signing, on the linked runtime.
 */
class LinkedImageIT {

    private static final Path ROOT = Path.of(System.getProperty("inventory.root", "..")).toAbsolutePath().normalize();
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);

    private String adminKey;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private Process service;
    private Path log;
    private FakeCloudWatchLogs cloudWatch;

    @Test
    void linkedImageServesTheApiOnTheModulePathAndStopsCleanlyOnSigterm() throws Exception {
        Path build = Files.createDirectories(ROOT.resolve("inventory.app/target/linked-image-it"));
        Path jlinkLog = build.resolve("jlink.log");
        ProcessBuilder jlinkBuilder = new ProcessBuilder("./jlink.sh", "--no-build")
                .directory(ROOT.toFile())
                .redirectErrorStream(true)
                .redirectOutput(jlinkLog.toFile());
        // jlink.sh prefers the JDK 25 at /usr/lib/jvm/temurin-25-jdk-amd64; elsewhere, the JDK running this test.
        jlinkBuilder.environment().putIfAbsent("JAVA_HOME", System.getProperty("java.home"));
        Process jlink = jlinkBuilder.start();
        jlink.getOutputStream().close();
        boolean linked = jlink.waitFor(5, TimeUnit.MINUTES);
        if (!linked) {
            jlink.destroyForcibly();
        }
        assertThat("jlink.sh --no-build finished:\n" + tail(jlinkLog), linked && jlink.exitValue() == 0, is(true));
        Path launcher = ROOT.resolve("target/inventory/bin/inventory");
        assertThat(Files.isExecutable(launcher), is(true));
        assertThat(Files.isRegularFile(ROOT.resolve("target/inventory/runtime/bin/java")), is(true));
        assertThat("the image's Helidon DataReader is patched", helidonBuffersPatched(), is(true));

        Path dataDir = Files.createTempDirectory(build, "data-");
        int port = freePort();
        log = build.resolve("service.log");
        ProcessBuilder pb = new ProcessBuilder(launcher.toString())
                .directory(build.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().keySet().removeIf(name -> name.startsWith("INVENTORY_") || name.equals("JAVA_OPTS")
                                                   || name.startsWith("AWS_") || name.startsWith("ECS_"));
        pb.environment().put("INVENTORY_PORT", String.valueOf(port));
        pb.environment().put("INVENTORY_DATA_DIR", dataDir.toString());
        // a temporary directory of its own, to see what the service leaves there
        Path tmp = Files.createTempDirectory(build, "tmp-");
        pb.environment().put("JAVA_OPTS", "-Djava.io.tmpdir=" + tmp);
        cloudWatch = FakeCloudWatchLogs.start();
        pb.environment().put("INVENTORY_CLOUDWATCH_LOG_GROUP", "linked-image-it");
        pb.environment().put("INVENTORY_CLOUDWATCH_ENDPOINT", cloudWatch.endpoint().toString());
        pb.environment().put("AWS_REGION", "eu-west-1");
        pb.environment().put("AWS_ACCESS_KEY_ID", "AKIDLINKEDIMAGEIT");
        pb.environment().put("AWS_SECRET_ACCESS_KEY", "linked-image-it-secret");
        pb.environment().put("AWS_EC2_METADATA_DISABLED", "true");
        long started = System.nanoTime();
        service = pb.start();
        service.getOutputStream().close();
        URI base = URI.create("http://localhost:" + port);

        HttpResponse<String> ready = awaitReady(base.resolve("/health/ready"));
        long readyMs = Duration.ofNanos(System.nanoTime() - started).toMillis();
        assertThat(ready.body(), json(ready.body()).getString("status"), is("UP"));
        System.out.println("LinkedImageIT: first 200 on /health/ready " + readyMs + " ms after the launcher started");

        // no INVENTORY_ADMIN_KEY: the first start makes an admin key and prints it once
        java.util.regex.Matcher printed = java.util.regex.Pattern.compile("(?m)^  (inv_[0-9a-f]{32}_[A-Za-z0-9_-]{43})$")
                .matcher(Files.readString(log));
        assertThat("the bootstrap admin key is printed:\n" + tail(log), printed.find(), is(true));
        adminKey = printed.group(1);
        HttpResponse<String> anonymous = client.send(HttpRequest.newBuilder(base.resolve("/v1/products")).GET()
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode(), is(401));
        assertThat(anonymous.headers().firstValue("WWW-Authenticate").orElse(""), startsWith("Bearer"));

        String body = "{\"sku\":\"SMOKE-1\",\"name\":\"Smoke\",\"price\":\"1.00\",\"currency\":\"USD\",\"initialQuantity\":3}";
        HttpResponse<String> created = client.send(HttpRequest.newBuilder(base.resolve("/v1/products"))
                        .header("Content-Type", "application/json")
                        .header("Authorization", "Bearer " + adminKey)
                        .header("X-Request-Id", "linked-image-it")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(created.body(), created.statusCode(), is(201));
        assertThat(created.headers().firstValue("X-Request-Id").orElse(""), is("linked-image-it"));
        assertThat(created.headers().firstValue("ETag").orElse(""), is("\"1\""));
        JsonObject product = json(created.body());
        String id = product.getString("id");
        assertThat(created.headers().firstValue("Location").orElse(""), is("/v1/products/" + id));
        assertThat(product.getString("sku"), is("SMOKE-1"));
        assertThat(product.getString("price"), is("1.00"));
        assertThat(product.getJsonObject("stock").getInt("onHand"), is(3));
        assertThat(product.getJsonObject("stock").getInt("available"), is(3));

        HttpResponse<String> read = get(base.resolve("/v1/products/" + id));
        assertThat(read.body(), read.statusCode(), is(200));
        JsonObject again = json(read.body());
        assertThat(again.getString("id"), is(id));
        assertThat(again.getString("name"), is("Smoke"));
        assertThat(again.getString("currency"), is("USD"));
        assertThat(again.getInt("version"), is(1));
        assertThat(again.getJsonObject("stock").getInt("onHand"), is(3));

        HttpResponse<String> movements = get(base.resolve("/v1/products/" + id + "/stock/movements"));
        assertThat(movements.body(), movements.statusCode(), is(200));
        JsonObject received = json(movements.body()).getJsonArray("items").getJsonObject(0);
        assertThat(received.getString("reason"), is("RECEIVED"));
        assertThat(received.getInt("delta"), is(3));

        HttpResponse<String> openapi = get(base.resolve("/openapi"));
        assertThat(openapi.statusCode(), is(200));
        assertThat(openapi.body(), startsWith("openapi: 3.1"));
        assertThat(openapi.body(), containsString("/v1/products/{id}/stock/adjustments"));

        HttpResponse<String> metrics = get(base.resolve("/metrics"));
        assertThat(metrics.statusCode(), is(200));
        assertThat(metrics.body(), containsString(
                "http_server_requests_seconds_count{method=\"POST\",route=\"/v1/products\",scope=\"application\",status=\"201\",}"));
        assertThat(metrics.body(), containsString("db_pool_max{scope=\"application\",} 16.0"));
        assertThat(metrics.body(), containsString("memory_usedHeap_bytes"));

        HttpResponse<String> problem = get(base.resolve("/v1/products/not-a-uuid"));
        assertThat(problem.statusCode(), is(404));
        assertThat(problem.headers().firstValue("Content-Type").orElse(""), is("application/problem+json"));

        service.destroy(); // SIGTERM
        boolean exited = service.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        assertThat("stopped within " + STOP_TIMEOUT + " of SIGTERM:\n" + tail(log), exited, is(true));
        assertThat("exit code after SIGTERM:\n" + tail(log), service.exitValue(), is(0));
        assertThat("the embedded PostgreSQL stopped with the service",
                Files.exists(dataDir.resolve("pg/postmaster.pid")), is(false));
        try (var left = Files.newDirectoryStream(tmp, "detect_linux_distribution_*.sh")) {
            assertThat("zonky's distribution script is not left in the temporary directory",
                    left.iterator().hasNext(), is(false));
        }
        assertThat(Files.readString(log), not(matchesPattern("(?s).*(\\[error\\]\\[aot\\]|Exception|SEVERE).*")));
        // JUL's own shutdown hook waits for the service's: the lines of the stop reach the console
        assertThat(tail(log), Files.readString(log), containsString("INFO inventory.app.InventoryServer: stopped"));

        // the whole log went to CloudWatch too, the lines logged while stopping included
        List<String> shipped = cloudWatch.messages();
        assertThat(cloudWatch.violations().toString(), cloudWatch.violations().isEmpty(), is(true));
        assertThat(shipped.toString(), shipped.stream().anyMatch(m -> m.contains("inventory ready on")), is(true));
        assertThat(shipped.toString(), shipped.stream().anyMatch(m -> m.contains("SIGTERM: finishing")), is(true));
        assertThat(shipped.getLast(), containsString("inventory.app.InventoryServer: stopped"));
        System.out.println("LinkedImageIT: " + shipped.size() + " log lines shipped to CloudWatch Logs in "
                           + cloudWatch.batches().size() + " batches");

        // the cache's adapter code is used only on the CPU it was trained on (lib/inventory.aot.cpu): elsewhere the
        // launcher has the JVM generate it anew, and the JVM starts with the cache all the same
        Path cpu = ROOT.resolve("target/inventory/lib/inventory.aot.cpu");
        String trainedOn = Files.readString(cpu);
        assertThat(trainedOn, startsWith("flags"));
        assertThat(jvmFlags(launcher, build), not(containsString("-XX:-AOTAdapterCaching")));
        try {
            Files.writeString(cpu, "flags\t\t: fpu sse sse2\n");
            String elsewhere = jvmFlags(launcher, build);
            assertThat(elsewhere, containsString("-XX:-AOTAdapterCaching"));
            assertThat(elsewhere, containsString("-XX:AOTCache="));
        } finally {
            Files.writeString(cpu, trainedOn);
        }
    }

    /**
     * The flags the launcher gives the JVM, which prints them and then stops at the configuration (exit code 2):
     * the JVM itself accepted them with the cache.
     */
    private static String jvmFlags(Path launcher, Path dir) throws IOException, InterruptedException {
        Path out = dir.resolve("flags.log");
        ProcessBuilder pb = new ProcessBuilder(launcher.toString()).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(out.toFile());
        pb.environment().keySet().removeIf(name -> name.startsWith("INVENTORY_") || name.equals("JAVA_OPTS"));
        pb.environment().put("JAVA_OPTS", "-XX:+PrintCommandLineFlags");
        pb.environment().put("INVENTORY_DB_URL", "jdbc:postgresql://127.0.0.1:1/none");
        pb.environment().put("INVENTORY_PORT", "not-a-port");
        Process p = pb.start();
        p.getOutputStream().close();
        assertThat("the launcher exited", p.waitFor(60, TimeUnit.SECONDS), is(true));
        String printed = Files.readString(out);
        assertThat(printed, p.exitValue(), is(2));
        assertThat(printed, containsString("INVENTORY_PORT"));
        return printed;
    }

    /** patches/HelidonDataReaderPatch.java --check on the image's helidon-common-buffers jar. */
    private static boolean helidonBuffersPatched() throws IOException, InterruptedException {
        Path jar;
        try (var jars = Files.newDirectoryStream(ROOT.resolve("target/inventory/lib"), "helidon-common-buffers-*.jar")) {
            jar = jars.iterator().next();
        }
        Process check = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                ROOT.resolve("patches/HelidonDataReaderPatch.java").toString(), "--check", jar.toString())
                .inheritIO()
                .start();
        return check.waitFor(2, TimeUnit.MINUTES) && check.exitValue() == 0;
    }

    @AfterEach
    void stopService() throws InterruptedException {
        if (service != null && service.isAlive()) {
            List<ProcessHandle> children = service.descendants().toList();
            service.destroy();
            if (!service.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                service.destroyForcibly();
            }
            children.forEach(ProcessHandle::destroy);
        }
        if (cloudWatch != null) {
            cloudWatch.close();
        }
    }

    private HttpResponse<String> awaitReady(URI ready) throws Exception {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            if (!service.isAlive()) {
                throw new AssertionError("the service exited with " + service.exitValue() + " before it was ready:\n"
                                         + tail(log));
            }
            try {
                HttpResponse<String> r = get(ready);
                if (r.statusCode() == 200) {
                    return r;
                }
                last = r.statusCode() + " " + r.body();
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no 200 on " + ready + " within " + READY_TIMEOUT + " (last: " + last + "):\n" + tail(log));
    }

    private HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET();
        if (adminKey != null) {
            b.header("Authorization", "Bearer " + adminKey);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonObject json(String body) {
        try (JsonReader reader = Json.createReader(new StringReader(body))) {
            return reader.readObject();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }

    private static String tail(Path file) {
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }
}
