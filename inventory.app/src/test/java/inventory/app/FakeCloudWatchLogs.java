package inventory.app;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.zip.GZIPInputStream;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;

/**
 * A CloudWatch Logs stand-in on a local port that speaks the service's JSON 1.1 protocol, as far as shipping logs
 * needs: {@code POST /} with {@code X-Amz-Target: Logs_20140328.CreateLogStream} or {@code .PutLogEvents} and
 * {@code Content-Type: application/x-amz-json-1.1}. It checks what CloudWatch checks of a batch (at most 10,000
 * events and 1,048,576 bytes counting 26 per event, in time order, spanning less than 24 hours, events of at most
 * 256 KiB) and answers {@code InvalidParameterException} otherwise; it keeps the events of every accepted batch.
 * Tests script failures ({@link #fail}) and make it hang ({@link #hang}).
 */
final class FakeCloudWatchLogs implements AutoCloseable {

    static final String CREATE = "Logs_20140328.CreateLogStream";
    static final String PUT = "Logs_20140328.PutLogEvents";
    static final String JSON_11 = "application/x-amz-json-1.1";

    /** One event as received. */
    record Event(long timestamp, String message) {
    }

    /** One accepted PutLogEvents call. */
    record Batch(String group, String stream, List<Event> events, int bytes) {
    }

    /** A scripted answer: status and {@code __type}, or no answer at all. */
    record Reply(int status, String type, String message) {
        static final Reply THROTTLING = new Reply(400, "ThrottlingException", "Rate exceeded");
        static final Reply INTERNAL = new Reply(500, "ServiceUnavailableException", "Internal failure");
        static final Reply HANG = new Reply(0, null, null);
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final Set<String> streams = ConcurrentHashMap.newKeySet();
    private final List<Batch> batches = new CopyOnWriteArrayList<>();
    private final List<String> violations = new CopyOnWriteArrayList<>();
    private final ConcurrentLinkedDeque<Reply> script = new ConcurrentLinkedDeque<>();
    private final AtomicInteger puts = new AtomicInteger();
    private final AtomicInteger creates = new AtomicInteger();
    private final CountDownLatch released = new CountDownLatch(1);
    private volatile boolean hang;

    private FakeCloudWatchLogs(HttpServer server) {
        this.server = server;
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    static FakeCloudWatchLogs start() {
        try {
            return new FakeCloudWatchLogs(HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** The next PutLogEvents calls get these answers, one each, before the fake accepts again. */
    FakeCloudWatchLogs fail(Reply... replies) {
        script.addAll(List.of(replies));
        return this;
    }

    /** From now on no call is answered (the connection stays open) until {@link #close()}. */
    void hang() {
        hang = true;
    }

    /** Forgets a stream, as if it had been deleted: the next PutLogEvents to it gets ResourceNotFoundException. */
    void deleteStream(String stream) {
        streams.remove(stream);
    }

    /** Makes a stream, as if an earlier start had. */
    void createStream(String stream) {
        streams.add(stream);
    }

    List<Batch> batches() {
        return List.copyOf(batches);
    }

    List<String> violations() {
        return List.copyOf(violations);
    }

    /** Every accepted message of a stream, in the order received. */
    List<String> messages(String stream) {
        List<String> all = new ArrayList<>();
        for (Batch b : batches) {
            if (b.stream().equals(stream)) {
                b.events().forEach(e -> all.add(e.message()));
            }
        }
        return all;
    }

    /** Every accepted message, whatever the stream. */
    List<String> messages() {
        List<String> all = new ArrayList<>();
        batches.forEach(b -> b.events().forEach(e -> all.add(e.message())));
        return all;
    }

    Set<String> streams() {
        return Set.copyOf(streams);
    }

    int putCalls() {
        return puts.get();
    }

    int createCalls() {
        return creates.get();
    }

    /** Waits until a received message matches, or the timeout passed. */
    boolean await(Predicate<String> message, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (messages().stream().anyMatch(message)) {
                return true;
            }
            Thread.sleep(20);
        }
        return false;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] raw = exchange.getRequestBody().readAllBytes();
            if (hang) {
                released.await();
                return;
            }
            String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
            String type = exchange.getRequestHeaders().getFirst("Content-Type");
            if (!exchange.getRequestMethod().equals("POST") || !exchange.getRequestURI().getPath().equals("/")
                || type == null || !type.startsWith(JSON_11)) {
                violations.add("not a JSON 1.1 call: " + exchange.getRequestMethod() + " " + exchange.getRequestURI()
                               + " " + type);
                reply(exchange, 400, "SerializationException", "not a JSON 1.1 call");
                return;
            }
            if (exchange.getRequestHeaders().getFirst("Authorization") == null
                || !exchange.getRequestHeaders().getFirst("Authorization").startsWith("AWS4-HMAC-SHA256")) {
                violations.add("unsigned call");
                reply(exchange, 400, "MissingAuthenticationTokenException", "unsigned");
                return;
            }
            InputStream in = new ByteArrayInputStream(raw);
            if ("gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
                in = new GZIPInputStream(in);
            }
            JsonObject body;
            try (JsonReader reader = Json.createReader(new StringReader(new String(in.readAllBytes(), StandardCharsets.UTF_8)))) {
                body = reader.readObject();
            }
            if (CREATE.equals(target)) {
                creates.incrementAndGet();
                if (!streams.add(body.getString("logStreamName"))) {
                    reply(exchange, 400, "ResourceAlreadyExistsException", "The specified log stream already exists");
                    return;
                }
                reply(exchange, 200, null, null);
            } else if (PUT.equals(target)) {
                puts.incrementAndGet();
                Reply scripted = script.pollFirst();
                if (scripted == Reply.HANG) {
                    released.await();
                    return;
                }
                if (scripted != null) {
                    reply(exchange, scripted.status(), scripted.type(), scripted.message());
                    return;
                }
                put(exchange, body);
            } else {
                violations.add("unknown target " + target);
                reply(exchange, 400, "UnknownOperationException", "unknown target " + target);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            violations.add(e.toString());
            reply(exchange, 400, "SerializationException", e.toString());
        }
    }

    private void put(HttpExchange exchange, JsonObject body) throws IOException {
        String stream = body.getString("logStreamName");
        if (!streams.contains(stream)) {
            reply(exchange, 400, "ResourceNotFoundException", "The specified log stream does not exist.");
            return;
        }
        List<Event> events = body.getJsonArray("logEvents").getValuesAs(JsonObject.class).stream()
                .map(e -> new Event(e.getJsonNumber("timestamp").longValueExact(), e.getString("message")))
                .toList();
        int bytes = 0;
        String wrong = null;
        for (int i = 0; i < events.size(); i++) {
            int size = events.get(i).message().getBytes(StandardCharsets.UTF_8).length + 26;
            bytes += size;
            if (size > 256 * 1024) {
                wrong = "an event of " + size + " bytes";
            }
            if (i > 0 && events.get(i).timestamp() < events.get(i - 1).timestamp()) {
                wrong = "events out of chronological order";
            }
        }
        if (events.isEmpty()) {
            wrong = "no events";
        } else if (events.size() > 10_000) {
            wrong = events.size() + " events";
        } else if (bytes > 1_048_576) {
            wrong = bytes + " bytes";
        } else if (events.getLast().timestamp() - events.getFirst().timestamp() >= TimeUnit.HOURS.toMillis(24)) {
            wrong = "a batch spanning 24 hours or more";
        }
        if (wrong != null) {
            violations.add(wrong);
            reply(exchange, 400, "InvalidParameterException", wrong);
            return;
        }
        batches.add(new Batch(body.getString("logGroupName"), stream, events, bytes));
        byte[] answer = ("{\"nextSequenceToken\":\"" + batches.size() + "\"}").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", JSON_11);
        exchange.sendResponseHeaders(200, answer.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(answer);
        }
    }

    private static void reply(HttpExchange exchange, int status, String type, String message) throws IOException {
        byte[] answer = (type == null ? "{}" : Json.createObjectBuilder().add("__type", type).add("message", message)
                .build().toString()).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", JSON_11);
        exchange.sendResponseHeaders(status, answer.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(answer);
        }
    }

    @Override
    public void close() {
        released.countDown();
        server.stop(0);
        executor.shutdownNow();
    }

    /**
     * An endpoint that accepts connections and never answers (nor reads): what a black-holed CloudWatch looks like
     * to the client once connected.
     */
    static final class Silent implements AutoCloseable {
        private final ServerSocket socket;
        private final List<Socket> accepted = new CopyOnWriteArrayList<>();
        private final Thread acceptor;

        Silent() {
            try {
                socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            acceptor = Thread.ofVirtual().start(() -> {
                while (!socket.isClosed()) {
                    try {
                        accepted.add(socket.accept());
                    } catch (IOException e) {
                        return;
                    }
                }
            });
        }

        URI endpoint() {
            return URI.create("http://127.0.0.1:" + socket.getLocalPort());
        }

        int connections() {
            return accepted.size();
        }

        @Override
        public void close() throws IOException {
            socket.close();
            for (Socket s : accepted) {
                s.close();
            }
            acceptor.interrupt();
        }
    }
}
