package inventory.app;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import inventory.app.DocSteps.Command;
import inventory.app.DocSteps.Server;
import inventory.app.DocSteps.Step;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import static inventory.app.DocSteps.documents;
import static inventory.app.DocSteps.parse;
import static inventory.app.DocSteps.repositoryRoot;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The doc test: every shell example in {@code README.md} and {@code docs/**}{@code /*.md} that calls the API runs
 * against a live service, and its shown output must match, so a doc that drifts from the code fails the build.
 *
 * <h2>What runs</h2>
 * <ul>
 *   <li>Fenced blocks tagged {@code console} (commands after {@code $ }, followed by their output) and {@code sh},
 *       {@code bash} or {@code shell} (commands only; a line ending in {@code \} continues on the next). A block is an
 *       <em>API example</em> when one of its commands runs {@code curl} or uses {@code $B}; only those run. Every
 *       other shell block is listed in the test's output as "not an API example", never dropped silently.</li>
 *   <li>Each document runs in ONE bash session, its examples in document order, so variables set by one command
 *       ({@code READ=$(curl … | jq -r .key)}) are there for the next. The session has {@code B} (the base URL of
 *       the live server, {@code http://localhost:<port>}), {@code KEY} and {@code ADMIN} (an admin key) and
 *       {@code INVENTORY_DATA_DIR} (the server's data directory; the embedded PostgreSQL is in its {@code pg/}).
 *       Lines of a doc that assign {@code B}, {@code KEY} or {@code ADMIN} themselves (how a reader points the
 *       examples at their own service) are skipped, listed as "set by the test".</li>
 *   <li>A document's first example starts a server on a new embedded database ({@link TestServer}, admin key
 *       {@link TestServer#ADMIN_KEY}, default configuration).</li>
 * </ul>
 *
 * <h2>Markers (HTML comments on a line of their own, outside code blocks; invisible on GitHub)</h2>
 * <ul>
 *   <li>{@code <!-- doctest: env NAME=value ... -->} stops the document's server and starts a new one on a new data
 *       directory for the blocks that follow, with these variables (see {@link #configure}).
 *       {@code INVENTORY_ADMIN_KEY=} (empty) starts without one: the server then makes the bootstrap admin key,
 *       which the test reads from the log line and puts in {@code KEY} and {@code ADMIN}.</li>
 *   <li>{@code <!-- doctest: restart NAME=value ... -->} the same, on the current data directory (a restart).
 *       Either way, variables a marker does not name have their defaults, not the previous server's values, and
 *       {@code KEY}/{@code ADMIN} become {@link TestServer#ADMIN_KEY} unless the marker sets
 *       {@code INVENTORY_ADMIN_KEY}; the session's other variables stay.</li>
 *   <li>{@code <!-- doctest: skip reason -->} the next block does not run; the test prints the reason. Keep it rare:
 *       for what truly cannot run here.</li>
 * </ul>
 *
 * <h2>How output is compared ({@code console} blocks)</h2>
 * A command without shown output (and every line of a {@code sh} block) must exit with status 0, and in a
 * {@code console} block print nothing. A command with shown output is judged by its output ({@code curl --max-time}
 * ending a stream exits with 28, for example):
 * <ul>
 *   <li>Starting with {@code HTTP/} (from {@code curl -i} or {@code -D -}): the status line must be equal; every
 *       header shown must be there with a matching value (headers not shown may be there); the body, if shown, as
 *       below.</li>
 *   <li>A JSON body (shown on one line) is compared as JSON: same fields (exactly, unless the object contains {@code …}, which stands for
 *       omitted fields), same values; in an array, {@code …} stands for any number of items. Numbers, versions,
 *       quantities, statuses, codes, problem types and messages must be equal.</li>
 *   <li>Other text is compared line by line: {@code …} inside a line matches anything on that line; a line of only
 *       {@code …} matches any number of lines.</li>
 *   <li>Masks, for what legitimately differs between runs, applied to both sides: UUIDs, timestamps, request ids
 *       (24 hex digits), API key secrets ({@code inv_…}), {@code localhost:<port>}, and the value of
 *       {@code nextCursor} (an opaque string that encodes an id).</li>
 * </ul>
 * A failure names the file, the line, the command, the expected and the actual output, and the first difference;
 * all the differences of a document are reported together.
 */
class DocExamplesTest {

    static final Pattern BOOTSTRAP_KEY = Pattern.compile("inv_[0-9a-f]{32}_[A-Za-z0-9_-]{43}");
    private static final Pattern END = Pattern.compile("^@@DOCTEST-END (\\d+)@@$");
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);

    // ---------------------------------------------------------------------------------------------------- the tests

    @TestFactory
    Stream<DynamicTest> everyApiExampleRunsAsDocumented() throws IOException {
        Path root = repositoryRoot();
        return documents(root).stream().map(doc -> DynamicTest.dynamicTest(root.relativize(doc).toString(),
                () -> runDocument(root, doc)));
    }

    @Test
    void theReadmeHasRunnableExamples() throws IOException {
        Path root = repositoryRoot();
        List<Step> steps = parse(root, root.resolve("README.md"), new ArrayList<>());
        long commands = steps.stream().filter(s -> s instanceof Command c && c.skip() == null).count();
        assertTrue(commands >= 50, "README.md should have its API examples as runnable commands, found " + commands);
    }

    /** The comparison itself: it accepts what legitimately varies and catches what must not. */
    @Test
    void theComparisonCatchesDriftButNotNoise() {
        String doc = """
                HTTP/1.1 201 Created
                ETag: "1"
                Location: /v1/products/01a20a3e-3699-72ea-bc26-a75495a11b49

                {"id":"01a20a3e-3699-72ea-bc26-a75495a11b49","sku":"A", … ,"version":1,"lines":[ … ],"at":"2026-11-23T21:09:39.097Z"}""";
        String same = """
                HTTP/1.1 201 Created\r
                Content-Type: application/json\r
                ETag: "1"\r
                Location: /v1/products/01a20b00-0000-7000-8000-000000000001\r
                \r
                {"sku":"A","id":"01a20b00-0000-7000-8000-000000000001","name":"x","version":1,"lines":[1,2],"at":"2027-01-01T00:00:00Z"}""";
        assertNull(DocOutput.compare(doc, same));
        assertNotNull(DocOutput.compare(doc, same.replace("\"version\":1", "\"version\":2")), "a version");
        assertNotNull(DocOutput.compare(doc, same.replace("201 Created", "200 OK")), "a status");
        assertNotNull(DocOutput.compare(doc, same.replace("ETag: \"1\"", "ETag: \"2\"")), "a header");
        assertNotNull(DocOutput.compare(doc, same.replace("\"sku\":\"A\",", "")), "a missing field");
        assertNotNull(DocOutput.compare("{\"a\":1}", "{\"a\":1,\"b\":2}"), "a field the doc does not list");
        assertNotNull(DocOutput.compare("[1, …]", "[2,3]"), "an item");
        assertNull(DocOutput.compare("200 … 429\n…\nend", "200 200 429\nx\ny\nend"));
        assertNotNull(DocOutput.compare("200 … 429", "200 200 200"), "text");
        assertNull(DocOutput.compare("data: {\"seq\":18, … }", "data: {\"seq\":18,\"type\":\"x\"}"));
    }

    /** Markers, skips and the split into commands and output. */
    @Test
    void theParserFollowsTheMarkers(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        Path doc = dir.resolve("doc.md");
        Files.writeString(doc, """
                ```sh
                ./jlink.sh && target/inventory/bin/inventory
                ```
                <!-- doctest: env INVENTORY_RATE_LIMIT_RPS=5 -->
                ```console
                $ B=http://localhost:8080
                $ target/inventory/bin/inventory
                $ curl -s $B/v1/products \\
                    -H "Authorization: Bearer $KEY"
                {"items":[]}

                $ ID=$(curl -s $B/x | jq -r .id)
                ```
                <!-- doctest: skip needs an AWS account -->
                ```bash
                curl -s https://example.com/$B
                ```
                ```json
                {"not":"shell"}
                ```
                """);
        List<String> notes = new ArrayList<>();
        List<Step> steps = parse(dir, doc, notes);
        assertEquals(5, steps.size(), steps.toString());
        assertEquals(new Server("doc.md", 4, false, Map.of("INVENTORY_RATE_LIMIT_RPS", "5")), steps.get(0));
        assertEquals("set by the test", ((Command) steps.get(1)).skip());
        assertEquals("starts the service; the test starts its own", ((Command) steps.get(2)).skip());
        Command curl = (Command) steps.get(3);
        assertEquals(new Command("doc.md", 8, "curl -s $B/v1/products \\\n    -H \"Authorization: Bearer $KEY\"",
                "{\"items\":[]}", null), curl);
        assertEquals("", ((Command) steps.get(4)).expected());
        assertEquals(2, notes.size(), notes.toString());
        assertTrue(notes.get(0).startsWith("not an API example (no curl, no $B; builds the image): doc.md:1"),
                notes.get(0));
        assertTrue(notes.get(1).startsWith("SKIPPED (marker: needs an AWS account) doc.md:15"), notes.get(1));
    }

    // ------------------------------------------------------------------------------------------------------ running

    private void runDocument(Path root, Path doc) throws Exception {
        List<String> notes = new ArrayList<>();
        List<Step> steps = parse(root, doc, notes);
        String file = root.relativize(doc).toString();
        notes.forEach(n -> System.out.println("doctest: " + n));
        if (steps.stream().noneMatch(s -> s instanceof Command c && c.skip() == null)) {
            System.out.println("doctest: " + file + ": no API examples");
            assertTrue(steps.stream().allMatch(s -> s instanceof Command), file + ": a doctest marker but no API example");
            return;
        }
        List<String> failures = new ArrayList<>();
        int ran = 0;
        int skipped = 0;
        Path work = TestServer.dataDir("doctest-work");
        try (Session bash = new Session(work); Servers servers = new Servers(file)) {
            Result tools = bash.run("for t in curl jq; do command -v $t >/dev/null || echo \"missing: $t\"; done");
            assertEquals("", tools.output(), "the doc test runs the examples with bash, curl and jq");
            for (Step step : steps) {
                if (step instanceof Server s) {
                    long t0 = System.nanoTime();
                    bash.run(servers.start(s));
                    System.out.println("doctest: " + file + ":" + s.line() + ": server started in "
                                       + (System.nanoTime() - t0) / 1_000_000 + " ms");
                    continue;
                }
                Command c = (Command) step;
                if (c.skip() != null) {
                    skipped++;
                    System.out.println("doctest: skipped " + c.where() + " (" + c.skip() + "): " + c.text());
                    continue;
                }
                if (servers.current == null) {
                    bash.run(servers.start(new Server(file, 0, false, Map.of())));
                }
                ran++;
                long t0 = System.nanoTime();
                Result r = bash.run(c.text());
                long ms = (System.nanoTime() - t0) / 1_000_000;
                if (ms > 500) {
                    System.out.println("doctest: " + c.where() + " took " + ms + " ms");
                }
                String diff;
                if (r.timedOut()) {
                    diff = "did not finish within " + COMMAND_TIMEOUT.toSeconds() + " s";
                } else if (c.expected() == null || c.expected().isEmpty()) {
                    diff = r.status() != 0 ? "exit status " + r.status()
                            : c.expected() != null && !r.output().isEmpty()
                            ? "the doc shows no output, but the command printed some" : null;
                } else {
                    diff = DocOutput.compare(c.expected(), r.output());
                    if (diff != null && r.status() != 0) {
                        diff += " (exit status " + r.status() + ")";
                    }
                }
                if (diff != null) {
                    failures.add(c.where() + ": the example drifted from the service: " + diff + "\n  command:  "
                                 + c.text().replace("\n", "\n            ") + "\n  expected (" + c.where() + "):\n"
                                 + indent(c.expected() == null ? "(not shown)" : c.expected()) + "\n  actual:\n"
                                 + indent(r.output()));
                }
            }
        }
        System.out.println("doctest: " + file + ": ran " + ran + " command(s), skipped " + skipped + ", "
                           + failures.size() + " drifted");
        assertTrue(ran > 0, file + ": nothing ran");
        if (!failures.isEmpty()) {
            fail(failures.size() + " example(s) in " + file + " no longer match the service:\n\n"
                 + String.join("\n\n", failures));
        }
    }

    private static String indent(String s) {
        return s.isEmpty() ? "    (nothing)" : "    " + s.replace("\n", "\n    ");
    }

    /** Applies a marker's variables to a server's configuration. */
    static InventoryConfig configure(InventoryConfig c, Map<String, String> env, String where) {
        for (Map.Entry<String, String> e : env.entrySet()) {
            String v = e.getValue();
            c = switch (e.getKey()) {
                case "INVENTORY_RATE_LIMIT_RPS" -> c.withRateLimit(Integer.parseInt(v));
                case "INVENTORY_RESERVATIONS_SWEEP_MS" -> c.withSweepInterval(Duration.ofMillis(Long.parseLong(v)));
                case "INVENTORY_EVENTS_HEARTBEAT_SECONDS" -> c.withHeartbeat(Duration.ofSeconds(Long.parseLong(v)));
                case "INVENTORY_CORS_ORIGINS" -> c.withCorsOrigins(v.isEmpty() ? List.of() : List.of(v.split(",")));
                case "INVENTORY_ADMIN_KEY" -> c.withAdminKey(v.isEmpty() ? null : v);
                default -> throw new AssertionError(where + ": the doc test cannot set " + e.getKey()
                                                    + " (add it to DocExamplesTest.configure)");
            };
        }
        return c;
    }

    /** The document's server: one at a time. */
    private static final class Servers implements AutoCloseable {
        private final String file;
        private TestServer current;
        private Path dataDir;

        Servers(String file) {
            this.file = file;
        }

        /** Starts the server a marker asks for and returns the shell lines that point the session at it. */
        String start(Server s) {
            if (current != null) {
                current.close();
                current = null;
            }
            if (!s.restart() || dataDir == null) {
                dataDir = TestServer.dataDir("doctest");
            }
            String where = file + ":" + s.line();
            List<String> keys = new ArrayList<>();
            Logger log = Logger.getLogger(InventoryServer.class.getName());
            Handler capture = new Handler() {
                @Override
                public void publish(LogRecord record) {
                    Matcher m = BOOTSTRAP_KEY.matcher(String.valueOf(record.getMessage()));
                    if (m.find()) {
                        keys.add(m.group());
                    }
                }

                @Override
                public void flush() {
                }

                @Override
                public void close() {
                }
            };
            log.addHandler(capture);
            try {
                current = TestServer.start(dataDir, c -> configure(c, s.env(), where));
            } finally {
                log.removeHandler(capture);
            }
            String admin = s.env().containsKey("INVENTORY_ADMIN_KEY")
                    ? (s.env().get("INVENTORY_ADMIN_KEY").isEmpty() ? null : s.env().get("INVENTORY_ADMIN_KEY"))
                    : TestServer.ADMIN_KEY;
            if (admin == null) {
                assertEquals(1, keys.size(), where + ": a server without INVENTORY_ADMIN_KEY on a new database prints "
                                             + "one bootstrap admin key");
                admin = keys.getFirst();
            }
            System.out.println("doctest: " + where + ": server on port " + current.port() + " " + s.env()
                               + (s.restart() ? " (restart)" : ""));
            return "B=http://localhost:" + current.port() + "; KEY='" + admin + "'; ADMIN=\"$KEY\"; INVENTORY_DATA_DIR='"
                   + dataDir.toAbsolutePath() + "'";
        }

        @Override
        public void close() {
            if (current != null) {
                current.close();
            }
        }
    }

    record Result(int status, String output, boolean timedOut) {
    }

    /** One bash process for a document; each command's output is read up to a marker line. */
    private static final class Session implements AutoCloseable {
        private final Process process;
        private final Writer in;
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

        Session(Path dir) throws IOException {
            ProcessBuilder pb = new ProcessBuilder("bash", "--noprofile", "--norc").directory(dir.toFile())
                    .redirectErrorStream(true);
            pb.environment().put("LC_ALL", "C.UTF-8");
            process = pb.start();
            in = new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
            Thread.ofVirtual().start(() -> {
                try (BufferedReader r = new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String l; (l = r.readLine()) != null; ) {
                        lines.add(l);
                    }
                } catch (IOException e) {
                    lines.add("@@DOCTEST-END 255@@");
                }
            });
        }

        Result run(String command) throws IOException, InterruptedException {
            // in a group of its own with stdin from /dev/null, so that no command reads the rest of the script
            in.write("{ " + command + "\n} </dev/null\nprintf '\\n@@DOCTEST-END %s@@\\n' \"$?\"\n");
            in.flush();
            StringBuilder out = new StringBuilder();
            long deadline = System.nanoTime() + COMMAND_TIMEOUT.toNanos();
            while (true) {
                String l = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (l == null) {
                    return new Result(-1, out.toString().strip(), true);
                }
                Matcher m = END.matcher(l);
                if (m.matches()) {
                    return new Result(Integer.parseInt(m.group(1)), out.toString().replace("\r", "").stripTrailing(),
                            false);
                }
                out.append(l).append('\n');
            }
        }

        @Override
        public void close() throws IOException {
            in.close();
            process.destroy();
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
