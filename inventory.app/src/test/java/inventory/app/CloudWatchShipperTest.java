package inventory.app;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import inventory.app.FakeCloudWatchLogs.Reply;
import inventory.app.logging.CloudWatchHandler;
import inventory.app.logging.CloudWatchShipper;
import inventory.app.logging.LogStreams;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.startsWith;

/**
 * Shipping the log to CloudWatch Logs: the real SDK client, pointed at {@link FakeCloudWatchLogs} on a local port.
 * Every line arrives, in order, in batches within the service's limits; throttling and 5xx are retried; a lost log
 * stream is made again; an endpoint that never answers costs the logging call (and a request) nothing and the
 * dropped lines are counted; closing, and SIGTERM in a real process, sends what is buffered.
 */
class CloudWatchShipperTest {

    private static final String GROUP = "inventory-test";
    private static final Map<String, String> AWS_PROPERTIES = Map.of(
            "aws.accessKeyId", "AKIDTESTTESTTESTTEST",
            "aws.secretAccessKey", "test-secret-key-not-a-real-one",
            "aws.region", "us-east-1",
            // never ask an instance metadata endpoint for anything
            "aws.disableEc2Metadata", "true");

    @BeforeAll
    static void fakeCredentials() {
        AWS_PROPERTIES.forEach(System::setProperty);
    }

    @AfterAll
    static void forgetCredentials() {
        AWS_PROPERTIES.keySet().forEach(System::clearProperty);
    }

    private static CloudWatchShipper.Settings settings(URI endpoint, String stream, int capacity, Duration flush) {
        return new CloudWatchShipper.Settings(GROUP, stream, Optional.of(endpoint), Optional.of("us-east-1"), capacity,
                flush);
    }

    private static String stream(String name) {
        return "inventory/test/" + name + "-" + System.nanoTime();
    }

    // ---- every line, in order, in batches ------------------------------------------------------------------------

    @Test
    void everyLineArrivesInOrderWithItsRequestId() throws Exception {
        try (FakeCloudWatchLogs fake = FakeCloudWatchLogs.start()) {
            String stream = stream("order");
            Logger logger = Logger.getLogger("inventory.test.cloudwatch.order");
            logger.setUseParentHandlers(false);
            CloudWatchShipper shipper = CloudWatchShipper.start(settings(fake.endpoint(), stream, 50_000,
                    Duration.ofMillis(200)));
            CloudWatchHandler handler = new CloudWatchHandler(shipper, new SimpleFormatter() {
                @Override
                public String format(LogRecord r) {
                    return r.getLevel() + " " + r.getLoggerName() + ": " + formatMessage(r) + System.lineSeparator();
                }
            });
            logger.addHandler(handler);
            try {
                for (int i = 0; i < 1_000; i++) {
                    logger.info("GET /v1/products/" + i + " 200 requestId=rid-" + i + "-\u00e9\u20ac\uD83D\uDE00");
                    if (i == 500) {
                        Thread.sleep(400); // a second batch, after the flush interval
                    }
                }
            } finally {
                handler.close();
                logger.removeHandler(handler);
            }
            List<String> expected = IntStream.range(0, 1_000)
                    .mapToObj(i -> "INFO inventory.test.cloudwatch.order: GET /v1/products/" + i + " 200 requestId=rid-"
                                   + i + "-\u00e9\u20ac\uD83D\uDE00")
                    .toList();
            assertThat(fake.violations(), is(empty()));
            assertThat(fake.messages(stream), is(expected));
            assertThat(fake.streams(), hasItem(stream));
            assertThat(fake.batches().size(), greaterThanOrEqualTo(2));
            assertThat(shipper.dropped(), is(0L));
            System.out.println("CloudWatchShipperTest: 1,000 lines in " + fake.batches().size() + " batches");
        }
    }

    @Test
    void batchesStayWithinTheCountAndByteLimits() throws Exception {
        try (FakeCloudWatchLogs fake = FakeCloudWatchLogs.start()) {
            String stream = stream("limits");
            long t0 = System.currentTimeMillis();
            try (CloudWatchShipper shipper = CloudWatchShipper.start(settings(fake.endpoint(), stream, 100_000,
                    Duration.ofSeconds(5)))) {
                for (int i = 0; i < 25_000; i++) {
                    shipper.offer(t0, "small line " + i);
                }
                assertThat(shipper.flush(Duration.ofSeconds(30)), is(true));
                int small = fake.batches().size();
                assertThat(small, greaterThanOrEqualTo(3));
                assertThat(fake.batches().stream().map(b -> b.events().size()).toList(),
                        everyItem(lessThanOrEqualTo(10_000)));

                String tenth = "x".repeat(100 * 1024);
                for (int i = 0; i < 12; i++) {
                    shipper.offer(t0 + 1, i + tenth);
                }
                assertThat(shipper.flush(Duration.ofSeconds(30)), is(true));
                List<FakeCloudWatchLogs.Batch> big = fake.batches().subList(small, fake.batches().size());
                assertThat(big.size(), greaterThanOrEqualTo(2));
                assertThat(big.stream().map(FakeCloudWatchLogs.Batch::bytes).toList(),
                        everyItem(lessThanOrEqualTo(1_048_576)));
                System.out.println("CloudWatchShipperTest: 25,000 small lines in " + small + " batches "
                                   + fake.batches().subList(0, small).stream().map(b -> b.events().size()).toList()
                                   + "; 12 lines of 100 KiB in " + big.size() + " batches of "
                                   + big.stream().map(FakeCloudWatchLogs.Batch::bytes).toList() + " bytes");
            }
            List<String> expected = new ArrayList<>();
            IntStream.range(0, 25_000).forEach(i -> expected.add("small line " + i));
            IntStream.range(0, 12).forEach(i -> expected.add(i + "x".repeat(100 * 1024)));
            assertThat(fake.messages(stream), is(expected));
            assertThat(fake.violations(), is(empty()));
        }
    }

    @Test
    void aLineOverTheEventLimitIsCutAndSaysSo() throws Exception {
        try (FakeCloudWatchLogs fake = FakeCloudWatchLogs.start()) {
            String stream = stream("cut");
            try (CloudWatchShipper shipper = CloudWatchShipper.start(settings(fake.endpoint(), stream, 1_000,
                    Duration.ofSeconds(5)))) {
                shipper.offer(System.currentTimeMillis(), "\u20ac".repeat(100_000)); // 300,000 bytes
                shipper.offer(System.currentTimeMillis(), "after");
            }
            List<String> got = fake.messages(stream);
            assertThat(got.size(), is(2));
            assertThat(got.get(0), startsWith("\u20ac\u20ac\u20ac"));
            assertThat(got.get(0), endsWith("[cut by the log shipper: the line had 300000 bytes, CloudWatch takes 262118]"));
            assertThat(got.get(0).getBytes(StandardCharsets.UTF_8).length + 26, lessThanOrEqualTo(256 * 1024));
            assertThat(got.get(1), is("after"));
            assertThat(fake.violations(), is(empty()));
        }
    }

    @Test
    void aBatchSpansLessThanADayAndIsInTimeOrder() throws Exception {
        try (FakeCloudWatchLogs fake = FakeCloudWatchLogs.start()) {
            String stream = stream("span");
            long t0 = System.currentTimeMillis() - TimeUnit.HOURS.toMillis(30);
            try (CloudWatchShipper shipper = CloudWatchShipper.start(settings(fake.endpoint(), stream, 1_000,
                    Duration.ofSeconds(5)))) {
                shipper.offer(t0 + 5, "b");
                shipper.offer(t0, "a"); // logged out of order by another thread
                shipper.offer(t0 + TimeUnit.HOURS.toMillis(23), "c");
                shipper.offer(t0 + TimeUnit.HOURS.toMillis(25), "d");
            }
            assertThat(fake.violations(), is(empty()));
            assertThat(fake.batches().size(), is(2));
            assertThat(fake.messages(stream), contains("a", "b", "c", "d"));
        }
    }

    // ---- failures ------------------------------------------------------------------------------------------------

    @Test
    void throttlingAndServerErrorsAreRetriedWithNothingLost() throws Exception {
        try (FakeCloudWatchLogs fake = FakeCloudWatchLogs.start()) {
            fake.fail(Reply.THROTTLING, Reply.THROTTLING, Reply.INTERNAL, new Reply(503, "ServiceUnavailableException",
                    "Service unavailable"));
            String stream = stream("retry");
            long started = System.nanoTime();
            try (CloudWatchShipper shipper = CloudWatchShipper.start(settings(fake.endpoint(), stream, 10_000,
                    Duration.ofMillis(100)))) {
                for (int i = 0; i < 100; i++) {
                    shipper.offer(System.currentTimeMillis(), "line " + i);
                }
                assertThat(shipper.flush(Duration.ofSeconds(20)), is(true));
                assertThat(shipper.dropped(), is(0L));
            }
            assertThat(fake.messages(stream), is(IntStream.range(0, 100).mapToObj(i -> "line " + i).toList()));
            assertThat(fake.putCalls(), is(5)); // 4 failures, then success
            assertThat(fake.violations(), is(empty()));
            System.out.println("CloudWatchShipperTest: 2 throttlings, a 500 and a 503 retried; delivered after "
                               + Duration.ofNanos(System.nanoTime() - started).toMillis() + " ms");
        }
    }

    @Test
    void aMissingLogStreamIsCreatedAgain() throws Exception {
        try (FakeCloudWatchLogs fake = FakeCloudWatchLogs.start()) {
            String stream = stream("recreate");
            fake.createStream(stream); // an earlier start made it: ResourceAlreadyExistsException is fine
            try (CloudWatchShipper shipper = CloudWatchShipper.start(settings(fake.endpoint(), stream, 10_000,
                    Duration.ofMillis(100)))) {
                shipper.offer(System.currentTimeMillis(), "first");
                assertThat(shipper.flush(Duration.ofSeconds(10)), is(true));
                fake.deleteStream(stream);
                shipper.offer(System.currentTimeMillis(), "second");
                assertThat(shipper.flush(Duration.ofSeconds(10)), is(true));
            }
            assertThat(fake.messages(stream), contains("first", "second"));
            assertThat(fake.createCalls(), is(2));
            assertThat(fake.streams(), hasItem(stream));
        }
    }

    @Test
    void aSilentEndpointCostsTheCallerNothingAndDropsAreCounted() throws Exception {
        try (FakeCloudWatchLogs.Silent silent = new FakeCloudWatchLogs.Silent()) {
            CloudWatchShipper shipper = CloudWatchShipper.start(settings(silent.endpoint(), stream("silent"), 1_000,
                    Duration.ofMillis(100)));
            for (int i = 0; i < 10_000; i++) { // warm-up
                shipper.offer(System.currentTimeMillis(), "warm-up line " + i);
            }
            long started = System.nanoTime();
            for (int i = 0; i < 100_000; i++) {
                shipper.offer(System.currentTimeMillis(), "GET /v1/locations 200 requestId=r-" + i);
            }
            long tookMs = Duration.ofNanos(System.nanoTime() - started).toMillis();
            assertThat(tookMs, lessThan(1_000L));
            // all but the buffer (1,000 lines) and the batch the sender holds (at most 1,000) are dropped
            assertThat(shipper.dropped(), greaterThanOrEqualTo(110_000L - 2_000));
            assertThat(shipper.dropped(), lessThanOrEqualTo(110_000L - 1_000));
            long closing = System.nanoTime();
            shipper.close();
            long closeMs = Duration.ofNanos(System.nanoTime() - closing).toMillis();
            assertThat(closeMs, lessThan(9_000L));
            assertThat(silent.connections(), greaterThanOrEqualTo(1));
            System.out.println("CloudWatchShipperTest: 100,000 offers to a silent endpoint in " + tookMs + " ms, "
                               + shipper.dropped() + " dropped, close took " + closeMs + " ms");
        }
    }

    @Test
    void aServersJsonLogReachesCloudWatchWithTheRequestIdOnItsAccessLine() throws Exception {
        Logger root = Logger.getLogger("");
        java.util.Map<java.util.logging.Handler, java.util.logging.Formatter> before = new java.util.HashMap<>();
        Arrays.stream(root.getHandlers()).forEach(h -> before.put(h, h.getFormatter()));
        try (FakeCloudWatchLogs fake = FakeCloudWatchLogs.start();
             TestServer s = TestServer.start(TestServer.dataDir("cloudwatch-json"),
                     c -> c.withCloudWatch(GROUP, fake.endpoint()))) {
            inventory.app.logging.Logs.configure("json");
            try {
                assertThat(s.get("/v1/locations", "X-Request-Id", "cloudwatch-request-7").status(), is(200));
                assertThat(s.get("/v1/products/not-a-uuid", "X-Request-Id", "cloudwatch-request-8").status(), is(404));
                long deadline = System.nanoTime() + java.time.Duration.ofSeconds(15).toNanos();
                List<jakarta.json.JsonObject> access = List.of();
                while (access.size() < 2 && System.nanoTime() < deadline) {
                    Thread.sleep(200);
                    access = fake.messages().stream().filter(m -> m.startsWith("{"))
                            .map(m -> jakarta.json.Json.createReader(new java.io.StringReader(m)).readObject())
                            .filter(o -> o.getString("logger", "").equals("inventory.access"))
                            .filter(o -> o.getString("requestId", "").startsWith("cloudwatch-request-"))
                            .toList();
                }
                assertThat(access.toString(), access.size(), is(2));
                assertThat(access.get(0).getString("requestId"), is("cloudwatch-request-7"));
                assertThat(access.get(0).getString("route"), is("/v1/locations"));
                assertThat(access.get(1).getString("requestId"), is("cloudwatch-request-8"));
                assertThat(access.get(1).getInt("status"), is(404));
                assertThat(fake.violations().toString(), fake.violations().isEmpty(), is(true));
            } finally {
                before.forEach(java.util.logging.Handler::setFormatter);
            }
        }
    }

    @Test
    void requestLatencyWithASilentEndpointStaysWithinTwiceNormal() throws Exception {
        TestServer plain = TestServer.shared();
        try (FakeCloudWatchLogs.Silent silent = new FakeCloudWatchLogs.Silent();
             TestServer shipping = TestServer.start(TestServer.dataDir("cloudwatch-silent"),
                     c -> c.withCloudWatch(GROUP, silent.endpoint()))) {
            Logger root = Logger.getLogger("");
            CloudWatchHandler handler = Arrays.stream(root.getHandlers())
                    .filter(h -> h instanceof CloudWatchHandler).map(h -> (CloudWatchHandler) h)
                    .findFirst().orElseThrow();
            // more lines than the buffer holds, straight into the handler (not the console): the buffer is full and
            // drops while the requests below are measured
            Logger flood = Logger.getLogger("inventory.test.cloudwatch.flood");
            flood.setUseParentHandlers(false);
            flood.addHandler(handler);
            try {
                for (int i = 0; i < 60_000; i++) {
                    flood.info("flood line " + i);
                }
            } finally {
                flood.removeHandler(handler);
            }
            assertThat(shipping.logLinesDropped(), greaterThan(0L));

            // each request logs a line, as an access log does: through the root logger's handlers (the console and
            // CloudWatch) for the shipping server, through the console handlers alone for the plain one; the two
            // alternate, so that both see the same machine
            Logger access = Logger.getLogger("inventory.test.cloudwatch.access");
            Logger consoleOnly = Logger.getLogger("inventory.test.cloudwatch.access.console");
            consoleOnly.setUseParentHandlers(false);
            Arrays.stream(root.getHandlers()).filter(h -> !(h instanceof CloudWatchHandler)).forEach(consoleOnly::addHandler);
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            long[] without = new long[200];
            long[] with = new long[200];
            for (int round = 0; round < 2; round++) { // the first round warms up
                for (int i = 0; i < 200; i++) {
                    without[i] = timedGet(client, plain.uri("/health/live"), consoleOnly);
                    with[i] = timedGet(client, shipping.uri("/health/live"), access);
                }
            }
            Arrays.stream(consoleOnly.getHandlers()).forEach(consoleOnly::removeHandler);
            long dropped = shipping.logLinesDropped();
            Arrays.sort(without);
            Arrays.sort(with);
            double plainMedian = without[100] / 1e6;
            double shippingMedian = with[100] / 1e6;
            System.out.printf("CloudWatchShipperTest: median GET /health/live %.3f ms without CloudWatch, %.3f ms with a"
                              + " silent endpoint (p90 %.3f / %.3f ms); %d lines dropped%n", plainMedian, shippingMedian,
                    without[180] / 1e6, with[180] / 1e6, dropped);
            assertThat(shippingMedian + " ms vs " + plainMedian + " ms", shippingMedian <= 2 * plainMedian, is(true));
            assertThat(silent.connections(), greaterThanOrEqualTo(1));
        }
    }

    private static long timedGet(HttpClient client, URI uri, Logger access) throws IOException, InterruptedException {
        long started = System.nanoTime();
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        access.info("GET " + uri.getPath() + " " + r.statusCode() + " requestId=latency");
        long took = System.nanoTime() - started;
        assertThat(r.statusCode(), is(200));
        return took;
    }

    // ---- shutdown ------------------------------------------------------------------------------------------------

    @Test
    void closeSendsWhatIsBufferedAtOnce() throws Exception {
        try (FakeCloudWatchLogs fake = FakeCloudWatchLogs.start()) {
            String stream = stream("close");
            CloudWatchShipper shipper = CloudWatchShipper.start(settings(fake.endpoint(), stream, 10_000,
                    Duration.ofSeconds(5)));
            for (int i = 0; i < 500; i++) {
                shipper.offer(System.currentTimeMillis(), "buffered " + i);
            }
            long started = System.nanoTime();
            shipper.close();
            long tookMs = Duration.ofNanos(System.nanoTime() - started).toMillis();
            assertThat(fake.messages(stream), is(IntStream.range(0, 500).mapToObj(i -> "buffered " + i).toList()));
            assertThat(tookMs, lessThan(4_000L));
            shipper.offer(System.currentTimeMillis(), "after close");
            assertThat(shipper.dropped(), is(1L));
        }
    }

    @Test
    void sigtermShipsTheLastLinesOfARealProcess() throws Exception {
        try (FakeCloudWatchLogs fake = FakeCloudWatchLogs.start()) {
            Path data = TestServer.dataDir("cloudwatch-sigterm");
            Path out = data.resolveSibling(data.getFileName() + ".log");
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            ProcessBuilder pb = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                    "inventory.app.Main")).redirectErrorStream(true).redirectOutput(out.toFile());
            pb.environment().keySet().removeIf(k -> k.startsWith("INVENTORY_") || k.startsWith("AWS_")
                                                    || k.startsWith("ECS_"));
            pb.environment().putAll(Map.of(
                    "INVENTORY_PORT", "0",
                    "INVENTORY_DATA_DIR", data.toString(),
                    "INVENTORY_ADMIN_KEY", TestServer.ADMIN_KEY,
                    "INVENTORY_CLOUDWATCH_LOG_GROUP", GROUP,
                    "INVENTORY_CLOUDWATCH_ENDPOINT", fake.endpoint().toString(),
                    "AWS_REGION", "us-east-1",
                    "AWS_ACCESS_KEY_ID", "AKIDTESTTESTTESTTEST",
                    "AWS_SECRET_ACCESS_KEY", "test-secret-key-not-a-real-one",
                    "AWS_EC2_METADATA_DISABLED", "true"));
            Process p = pb.start();
            p.getOutputStream().close();
            try {
                assertThat("the ready line reached CloudWatch:\n" + tail(out),
                        fake.await(m -> m.contains("inventory ready on"), Duration.ofSeconds(60)), is(true));
                p.destroy(); // SIGTERM
                assertThat("exited after SIGTERM:\n" + tail(out), p.waitFor(30, TimeUnit.SECONDS), is(true));
                assertThat(tail(out), p.exitValue(), is(0));
            } finally {
                p.destroyForcibly();
            }
            List<String> shipped = fake.messages();
            String console = Files.readString(out);
            assertThat(fake.violations(), is(empty()));
            assertThat(fake.streams().size(), is(1));
            assertThat(fake.streams().iterator().next(), matchesPattern("inventory/[^/]+/\\d{4}-\\d\\d-\\d\\d-\\d\\d-\\d\\d-\\d\\d-[0-9a-f]{4}"));
            assertThat(shipped, hasItem(containsString("shipping the log to CloudWatch Logs group " + GROUP)));
            assertThat(shipped, hasItem(containsString("applied 4 database migration(s)")));
            assertThat(shipped, hasItem(containsString("SIGTERM: finishing in-flight requests")));
            assertThat(shipped.getLast(), containsString("inventory.app.InventoryServer: stopped"));
            // JUL's own shutdown hook no longer takes the console away before the last line either
            assertThat(console, containsString("INFO inventory.app.InventoryServer: stopped"));
            System.out.println("CloudWatchShipperTest: a SIGTERMed process shipped " + shipped.size() + " lines in "
                               + fake.batches().size() + " batches, the last: " + shipped.getLast());
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

    // ---- naming --------------------------------------------------------------------------------------------------

    @Test
    void theLogStreamIsTheTasksOwn() {
        Instant at = Instant.parse("2026-03-04T05:06:07Z");
        assertThat(LogStreams.forThisTask(Map.of("ECS_CONTAINER_METADATA_URI_V4",
                        "http://169.254.170.2/v4/a8f3c2e1b4d54f6e9a0b1c2d3e4f5a6b-3053419913"), at, new Random(1)),
                matchesPattern("inventory/a8f3c2e1b4d54f6e9a0b1c2d3e4f5a6b/2026-03-04-05-06-07-[0-9a-f]{4}"));
        assertThat(LogStreams.forThisTask(Map.of("HOSTNAME", "ip-10-0-1-2.ec2:internal"), at, new Random(1)),
                matchesPattern("inventory/ip-10-0-1-2.ec2-internal/2026-03-04-05-06-07-[0-9a-f]{4}"));
        String a = LogStreams.forThisTask(Map.of("HOSTNAME", "h"), at, new Random(1));
        String b = LogStreams.forThisTask(Map.of("HOSTNAME", "h"), at, new Random(2));
        assertThat(a.equals(b), is(false));
    }
}
