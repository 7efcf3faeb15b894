package inventory.app;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

/**
 * The contract's exit codes, from a real process: 2 for bad configuration naming the variable, 3 for a database
 * that cannot be reached.
 */
class MainExitCodeTest {

    @Test
    void badConfigurationExitsTwoNamingTheVariable() throws Exception {
        Result r = run(Map.of("INVENTORY_PORT", "eighty"));
        assertThat(r.output(), r.code(), is(2));
        assertThat(r.output(), containsString("INVENTORY_PORT"));
        Result pool = run(Map.of("INVENTORY_DB_POOL_SIZE", "0"));
        assertThat(pool.code(), is(2));
        assertThat(pool.output(), containsString("INVENTORY_DB_POOL_SIZE"));
        Result format = run(Map.of("INVENTORY_LOG_FORMAT", "xml"));
        assertThat(format.code(), is(2));
        assertThat(format.output(), containsString("INVENTORY_LOG_FORMAT"));
    }

    @Test
    void badCloudWatchSettingsExitTwoNamingTheVariable() throws Exception {
        Result endpoint = run(Map.of("INVENTORY_CLOUDWATCH_ENDPOINT", "ftp://logs.example.com"));
        assertThat(endpoint.output(), endpoint.code(), is(2));
        assertThat(endpoint.output(), containsString("INVENTORY_CLOUDWATCH_ENDPOINT"));
        Result group = run(Map.of("INVENTORY_CLOUDWATCH_LOG_GROUP", "no spaces allowed", "AWS_REGION", "eu-west-1"));
        assertThat(group.output(), group.code(), is(2));
        assertThat(group.output(), containsString("INVENTORY_CLOUDWATCH_LOG_GROUP"));
        Result region = run(Map.of("INVENTORY_CLOUDWATCH_LOG_GROUP", "/ecs/inventory"));
        assertThat(region.output(), region.code(), is(2));
        assertThat(region.output(), containsString("AWS_REGION"));
    }

    @Test
    void unreachableDatabaseExitsThree() throws Exception {
        Result r = run(Map.of("INVENTORY_DB_URL", "jdbc:postgresql://127.0.0.1:1/nothing", "INVENTORY_PORT", "0"));
        assertThat(r.output(), r.code(), is(3));
        assertThat(r.output(), containsString("database"));
    }

    @Test
    void aPortInUseExitsTwoNamingTheVariable() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0)) {
            Path data = java.nio.file.Files.createTempDirectory("inventory-port-in-use");
            Result r = run(Map.of("INVENTORY_PORT", String.valueOf(taken.getLocalPort()),
                    "INVENTORY_DATA_DIR", data.toString(), "INVENTORY_ADMIN_KEY", "k".repeat(40)));
            try {
                assertThat(r.output(), r.code(), is(2));
                assertThat(r.output(), containsString("INVENTORY_PORT"));
            } finally {
                try (var files = java.nio.file.Files.walk(data)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                }
            }
        }
    }

    private record Result(int code, String output) {
    }

    private static Result run(Map<String, String> env) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                "inventory.app.Main")).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("INVENTORY_") || k.startsWith("AWS_"));
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the service did not exit");
        }
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }
}
