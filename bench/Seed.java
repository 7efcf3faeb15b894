// The benchmark's helper for bench/run, run with the JDK 25 source launcher (no build, no dependencies):
//
//   java bench/Seed.java seed  BASE_URL KEY COUNT IDS_FILE TAG   creates COUNT products through the API (32 at a time,
//                                                               initialQuantity 1,000,000, SKU bench-TAG-n) and writes
//                                                               their ids to IDS_FILE, one a line
//   java bench/Seed.java stock BASE_URL KEY [ID]                 prints the sum of onHand over all products, or ID's
//   java bench/Seed.java page  BASE_URL KEY                      prints how many items GET /v1/products?limit=50 has
//   java -cp <pgjdbc jar> bench/Seed.java vacuum JDBC_URL USER PASSWORD
//                                                               VACUUM ANALYZE, then prints the number of warnings
//                                                               (tables skipped because USER does not own them)
//
// Everything goes through the public API with the key sent as "Authorization: Bearer KEY", as the scenarios do,
// except vacuum, which needs the database. Any unexpected answer is an error (exit code 1) that names it.

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLWarning;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

private static final Pattern ID = Pattern.compile("^\\{\"id\":\"([0-9a-f-]{36})\"");
private static final Pattern ON_HAND = Pattern.compile("\"stock\":\\{\"onHand\":(-?\\d+)");
private static final Pattern CURSOR = Pattern.compile("\"nextCursor\":\"([^\"]+)\"");
private static final Pattern SKU = Pattern.compile("\"sku\":");

private static HttpClient client;
private static String base;
private static String key;

void main(String[] args) throws Exception {
    if (args.length < 1) {
        usage();
    }
    if (args[0].equals("vacuum")) {
        if (args.length != 4) {
            usage();
        }
        vacuum(args[1], args[2], args[3]);
        return;
    }
    if (args.length < 3) {
        usage();
    }
    base = args[1].replaceAll("/+$", "");
    key = args[2];
    client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    switch (args[0]) {
        case "seed" -> {
            if (args.length != 6) {
                usage();
            }
            seed(Integer.parseInt(args[3]), Path.of(args[4]), args[5]);
        }
        case "stock" -> IO.println(args.length > 3 ? onHand(args[3]) : totalOnHand());
        case "page" -> IO.println(count(SKU, get("/v1/products?limit=50")));
        default -> usage();
    }
}

void usage() {
    System.err.println("usage: java bench/Seed.java seed BASE_URL KEY COUNT IDS_FILE TAG | stock BASE_URL KEY [ID]"
                       + " | page BASE_URL KEY | vacuum JDBC_URL USER PASSWORD");
    System.exit(2);
}

void seed(int count, Path idsFile, String tag) throws Exception {
    String[] ids = new String[count];
    Semaphore inFlight = new Semaphore(32);
    long start = System.nanoTime();
    try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
        List<Future<?>> done = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int n = i;
            inFlight.acquire();
            done.add(executor.submit(() -> {
                try {
                    String body = """
                            {"sku":"bench-%s-%d","name":"Bench product %d","price":"9.99","currency":"EUR",\
                            "initialQuantity":1000000}""".formatted(tag, n, n);
                    HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(base + "/v1/products"))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(body)));
                    if (r.statusCode() != 201) {
                        throw new IllegalStateException("POST /v1/products answered " + r.statusCode() + ": " + r.body());
                    }
                    Matcher m = ID.matcher(r.body());
                    if (!m.find()) {
                        throw new IllegalStateException("no id in the created product: " + r.body());
                    }
                    ids[n] = m.group(1);
                    return null;
                } finally {
                    inFlight.release();
                }
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
    }
    Files.write(idsFile, List.of(ids));
    System.err.printf("seed: %d products in %.1f s%n", count, (System.nanoTime() - start) / 1e9);
}

long totalOnHand() throws Exception {
    long sum = 0;
    String cursor = null;
    do {
        String page = get("/v1/products?limit=200" + (cursor == null ? "" : "&cursor=" + cursor));
        Matcher m = ON_HAND.matcher(page);
        while (m.find()) {
            sum += Long.parseLong(m.group(1));
        }
        Matcher c = CURSOR.matcher(page);
        cursor = c.find() ? java.net.URLEncoder.encode(c.group(1), java.nio.charset.StandardCharsets.UTF_8) : null;
    } while (cursor != null);
    return sum;
}

long onHand(String id) throws Exception {
    Matcher m = ON_HAND.matcher(get("/v1/products/" + id));
    if (!m.find()) {
        throw new IllegalStateException("no stock.onHand in product " + id);
    }
    return Long.parseLong(m.group(1));
}

static int count(Pattern p, String s) {
    return (int) p.matcher(s).results().count();
}

static String get(String path) throws Exception {
    HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(base + path)).GET());
    if (r.statusCode() != 200) {
        throw new IllegalStateException("GET " + path + " answered " + r.statusCode() + ": " + r.body());
    }
    return r.body();
}

static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return client.send(request.header("Authorization", "Bearer " + key).timeout(Duration.ofSeconds(30)).build(),
                       HttpResponse.BodyHandlers.ofString());
}

void vacuum(String url, String user, String password) throws Exception {
    try (var c = DriverManager.getConnection(url, user, password); var s = c.createStatement()) {
        s.execute("VACUUM ANALYZE");
        int warnings = 0;
        for (SQLWarning w = s.getWarnings(); w != null; w = w.getNextWarning()) {
            warnings++;
        }
        IO.println(warnings);
    }
}
