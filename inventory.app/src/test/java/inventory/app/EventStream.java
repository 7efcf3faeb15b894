package inventory.app;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.StringReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import jakarta.json.Json;
import jakarta.json.JsonObject;

/**
 * A Server-Sent Events client of {@code GET /v1/events/stream}, as a browser's {@code EventSource} reads it: one
 * connection of its own (HTTP/1.1), read line by line on a virtual thread; events (id, data) and comment lines are
 * recorded with the time they arrived. {@link #close()} drops the connection.
 */
final class EventStream implements AutoCloseable {

    /**
     * One event as received.
     *
     * @param id        the {@code id:} field, -1 if there was none
     * @param item      the {@code data:} JSON
     * @param dataLines how many {@code data:} lines it came in
     * @param fields    the field names of its lines, in order
     */
    record Event(long id, JsonObject item, int dataLines, List<String> fields) {
    }

    private final HttpClient client;
    private final CompletableFuture<HttpResponse<InputStream>> response;
    private final CompletableFuture<String> errorBody = new CompletableFuture<>();
    private final List<Event> events = new CopyOnWriteArrayList<>();
    private final List<Long> comments = new CopyOnWriteArrayList<>();
    private final Thread reader;
    private volatile boolean closed;
    private volatile boolean ended;
    private volatile Throwable failure;

    private EventStream(TestServer server, String pathAndQuery, String... headers) {
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5))
                .build();
        HttpRequest.Builder b = HttpRequest.newBuilder(server.uri(pathAndQuery)).GET().header("Accept", "text/event-stream");
        boolean auth = false;
        for (int i = 0; i < headers.length; i += 2) {
            auth |= headers[i].equalsIgnoreCase("Authorization");
            b.header(headers[i], headers[i + 1]);
        }
        if (!auth) {
            b.header("Authorization", "Bearer " + TestServer.ADMIN_KEY);
        }
        response = client.sendAsync(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        reader = Thread.ofVirtual().name("sse-reader").start(this::read);
    }

    /** Opens {@code pathAndQuery} (e.g. {@code /v1/events/stream?after=3}) with the given header names and values. */
    static EventStream open(TestServer server, String pathAndQuery, String... headers) {
        return new EventStream(server, pathAndQuery, headers);
    }

    /** {@code /v1/events/stream}, resuming after {@code lastEventId} with {@code Last-Event-ID}. */
    static EventStream resume(TestServer server, long lastEventId) {
        return open(server, "/v1/events/stream", "Last-Event-ID", String.valueOf(lastEventId));
    }

    private void read() {
        try {
            HttpResponse<InputStream> r = response.get();
            if (r.statusCode() != 200) {
                try (InputStream in = r.body()) {
                    errorBody.complete(new String(in.readAllBytes(), StandardCharsets.UTF_8));
                }
                return;
            }
            try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                long id = -1;
                StringBuilder data = null;
                int dataLines = 0;
                List<String> fields = new ArrayList<>();
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.isEmpty()) {
                        if (data != null) {
                            JsonObject item;
                            try (var json = Json.createReader(new StringReader(data.toString()))) {
                                item = json.readObject();
                            }
                            events.add(new Event(id, item, dataLines, List.copyOf(fields)));
                        }
                        id = -1;
                        data = null;
                        dataLines = 0;
                        fields.clear();
                    } else if (line.startsWith(":")) {
                        comments.add(System.nanoTime());
                    } else {
                        int colon = line.indexOf(':');
                        String field = colon < 0 ? line : line.substring(0, colon);
                        String value = colon < 0 ? "" : line.substring(colon + 1);
                        if (value.startsWith(" ")) {
                            value = value.substring(1);
                        }
                        fields.add(field);
                        if (field.equals("id")) {
                            id = Long.parseLong(value);
                        } else if (field.equals("data")) {
                            data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
                            dataLines++;
                        }
                    }
                }
            }
        } catch (Throwable t) {
            if (!closed) {
                failure = t;
            }
        } finally {
            ended = true;
            errorBody.complete(null);
        }
    }

    /** Waits for the response head (status and headers). */
    HttpResponse<InputStream> awaitOpen(Duration timeout) throws Exception {
        return response.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Waits for a 200 response head; fails with the answer otherwise. */
    HttpResponse<InputStream> awaitOk(Duration timeout) throws Exception {
        HttpResponse<InputStream> r = awaitOpen(timeout);
        if (r.statusCode() != 200) {
            throw new AssertionError("stream answered " + r.statusCode() + ": "
                                     + errorBody.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
        }
        return r;
    }

    /** A non-200 answer, as the other tests see answers. */
    TestServer.Response awaitAnswer(Duration timeout) throws Exception {
        HttpResponse<InputStream> r = awaitOpen(timeout);
        if (r.statusCode() == 200) {
            return new TestServer.Response(200, r.headers(), "");
        }
        return new TestServer.Response(r.statusCode(), r.headers(), errorBody.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
    }

    /** Waits until an event with an id of at least {@code seq} has arrived; returns every event received so far. */
    List<Event> awaitThrough(long seq, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (events.isEmpty() || events.getLast().id() < seq) {
            if (System.nanoTime() > deadline || ended) {
                throw new AssertionError("stream did not reach seq " + seq + (ended ? " (it ended)" : "") + "; failure "
                                         + failure + "; received " + ids());
            }
            Thread.sleep(20);
        }
        return List.copyOf(events);
    }

    List<Event> events() {
        return List.copyOf(events);
    }

    List<Long> ids() {
        return events.stream().map(Event::id).toList();
    }

    List<JsonObject> items() {
        return events.stream().map(Event::item).toList();
    }

    /** {@link System#nanoTime()} of each comment line, in order. */
    List<Long> commentNanos() {
        return List.copyOf(comments);
    }

    Throwable failure() {
        return failure;
    }

    boolean ended() {
        return ended;
    }

    @Override
    public void close() {
        closed = true;
        response.thenAccept(r -> {
            try {
                r.body().close();
            } catch (Exception ignored) {
                // closing anyway
            }
        });
        client.shutdownNow();
        reader.interrupt();
        try {
            reader.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
