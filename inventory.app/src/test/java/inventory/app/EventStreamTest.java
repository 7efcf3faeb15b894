package inventory.app;

import java.io.InputStream;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import jakarta.json.JsonObject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static inventory.app.ProblemAssertions.assertValidation;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.startsWith;

/**
 * {@code GET /v1/events/stream} on a server of its own (heartbeat 1 s, no sweep, so nothing writes but the tests):
 * live events in seq order, resuming with {@code Last-Event-ID} or {@code ?after=} without loss or duplicates,
 * heartbeats, bad resume points, fifty clients at once on a pool of four, and a stream on a second instance.
 */
class EventStreamTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(TestServer.dataDir("sse"),
                c -> c.withHeartbeat(Duration.ofSeconds(1)).withSweepInterval(Duration.ZERO));
    }

    @AfterAll
    static void stop() throws Exception {
        Invariants.check(server);
        server.close();
    }

    @Test
    void liveEventsThenResumeAfterTheLastSeenIdWithNothingLostOrRepeated() throws Exception {
        String id = server.product(TestServer.sku("SSE"), 100).getString("id");
        long before = Events.latestSeq(server);
        long lastSeen;
        try (EventStream first = EventStream.open(server, "/v1/events/stream")) {
            HttpResponse<InputStream> head = first.awaitOk(WAIT);
            assertThat(head.headers().firstValue("Content-Type").orElse(""), startsWith("text/event-stream"));

            Reservations.adjust(server, id, -1, null);
            Reservations.adjust(server, id, -1, null);
            server.product(TestServer.sku("SSE2"), 1);
            Reservations.adjust(server, id, -1, null);
            List<JsonObject> expected = Events.after(server, before);
            assertThat(expected, hasSize(4));

            first.awaitThrough(Events.seq(expected.getLast()), WAIT);
            assertWellFormed(first);
            assertThat("the stream starts with the next change, in seq order", first.items(), is(expected));
            lastSeen = first.ids().getLast();
        }

        Reservations.adjust(server, id, -2, null);
        assertThat(server.patch("/v1/products/" + id, "{\"name\":\"While away\"}").status(), is(200));
        Reservations.adjust(server, id, -3, null);
        long missedThrough = Events.latestSeq(server);
        assertThat(missedThrough, is(lastSeen + 3));

        try (EventStream second = EventStream.resume(server, lastSeen);
             EventStream third = EventStream.open(server, "/v1/events/stream?after=" + lastSeen)) {
            second.awaitOk(WAIT);
            third.awaitOk(WAIT);
            second.awaitThrough(missedThrough, WAIT);
            third.awaitThrough(missedThrough, WAIT);

            Reservations.adjust(server, id, 4, null);
            Reservations.adjust(server, id, 5, null);
            long liveThrough = Events.latestSeq(server);
            second.awaitThrough(liveThrough, WAIT);
            third.awaitThrough(liveThrough, WAIT);

            List<JsonObject> expected = Events.after(server, lastSeen);
            assertThat(expected, hasSize(5));
            for (EventStream s : List.of(second, third)) {
                assertWellFormed(s);
                assertThat("missed events, then live ones, each once", s.items(), is(expected));
                List<Long> ids = s.ids();
                for (int i = 0; i < ids.size(); i++) {
                    assertThat(ids.get(i), is(lastSeen + 1 + i));
                }
            }
        }
    }

    @Test
    void resumingFromZeroReplaysTheWholeFeed() throws Exception {
        server.product(TestServer.sku("ZERO"), 3);
        long latest = Events.latestSeq(server);
        try (EventStream s = EventStream.resume(server, 0)) {
            s.awaitOk(WAIT);
            s.awaitThrough(latest, WAIT);
            assertWellFormed(s);
            List<JsonObject> streamed = s.items().stream().filter(e -> Events.seq(e) <= latest).toList();
            List<JsonObject> feed = Events.after(server, 0).stream().filter(e -> Events.seq(e) <= latest).toList();
            assertThat(feed, hasSize((int) latest));
            assertThat(streamed, is(feed));
        }
    }

    @Test
    void heartbeatCommentsArriveWithinTheInterval() throws Exception {
        try (EventStream s = EventStream.open(server, "/v1/events/stream")) {
            s.awaitOk(WAIT);
            long opened = System.nanoTime();
            Thread.sleep(3500);
            long closing = System.nanoTime();

            List<Long> beats = s.commentNanos();
            assertThat("comment lines in 3.5 s with a 1 s heartbeat", beats.size(), greaterThanOrEqualTo(3));
            List<Long> marks = new ArrayList<>();
            marks.add(opened);
            marks.addAll(beats);
            marks.add(closing);
            for (int i = 1; i < marks.size(); i++) {
                long silenceMillis = (marks.get(i) - marks.get(i - 1)) / 1_000_000;
                assertThat("silence on the stream (ms)", silenceMillis, lessThanOrEqualTo(1500L));
            }
            assertThat("heartbeats are comments, not events", s.events(), is(empty()));
            assertThat(s.failure(), is((Throwable) null));
        }
    }

    @Test
    void malformedResumePointsAre400() throws Exception {
        for (String bad : List.of("abc", "1.5")) {
            try (EventStream s = EventStream.open(server, "/v1/events/stream", "Last-Event-ID", bad)) {
                assertValidation(s.awaitAnswer(WAIT), "/v1/events/stream");
            }
        }
        try (EventStream s = EventStream.open(server, "/v1/events/stream?after=abc")) {
            assertValidation(s.awaitAnswer(WAIT), "/v1/events/stream");
        }
    }

    @Test
    void fiftyStreamsReceiveTheSameEventsWhileThePoolOfFourStaysFree() throws Exception {
        try (TestServer small = TestServer.start(server.databaseUrl(), 4,
                c -> c.withHeartbeat(Duration.ofSeconds(1)).withSweepInterval(Duration.ZERO))) {
            String id = small.product(TestServer.sku("FIFTY"), 100).getString("id");
            long before = Events.latestSeq(small);
            List<EventStream> streams = new ArrayList<>();
            try {
                for (int i = 0; i < 50; i++) {
                    streams.add(EventStream.resume(small, before));
                }
                for (EventStream s : streams) {
                    s.awaitOk(WAIT);
                }
                Thread.sleep(300);

                long started = System.nanoTime();
                TestServer.Response read = small.get("/v1/products/" + id);
                assertThat(read.status(), is(200));
                for (int i = 0; i < 5; i++) {
                    Reservations.adjust(small, id, -1, null);
                }
                long millis = (System.nanoTime() - started) / 1_000_000;
                assertThat("a read and five writes with 50 streams open (ms)", millis, lessThan(3000L));
                assertThat(small.get("/metrics").status(), is(200));

                long latest = Events.latestSeq(small);
                List<JsonObject> expected = Events.after(small, before);
                assertThat(expected, hasSize(5));
                for (EventStream s : streams) {
                    s.awaitThrough(latest, WAIT);
                    assertWellFormed(s);
                    assertThat(s.items(), is(expected));
                }
            } finally {
                streams.forEach(EventStream::close);
            }
            long started = System.nanoTime();
            assertThat(small.get("/v1/products/" + id).status(), is(200));
            assertThat((System.nanoTime() - started) / 1_000_000, lessThan(2000L));
        }
    }

    @Test
    void aStreamOnOneInstanceCarriesChangesMadeThroughAnother() throws Exception {
        try (TestServer other = TestServer.start(server.databaseUrl(), 4,
                c -> c.withHeartbeat(Duration.ofSeconds(1)).withSweepInterval(Duration.ZERO))) {
            long before = Events.latestSeq(server);
            try (EventStream s = EventStream.resume(other, before)) {
                s.awaitOk(WAIT);
                String id = server.product(TestServer.sku("ACROSS"), 2).getString("id");
                Reservations.adjust(server, id, 1, null);
                long latest = Events.latestSeq(server);
                s.awaitThrough(latest, WAIT);
                assertWellFormed(s);
                assertThat(s.items(), is(Events.after(server, before)));
            }
        }
    }

    /** Every event: {@code id} is the item's seq, one {@code data:} line, no other fields, the feed's item shape. */
    private static void assertWellFormed(EventStream s) {
        assertThat(s.failure(), is((Throwable) null));
        long previous = -1;
        for (EventStream.Event e : s.events()) {
            assertThat(e.toString(), e.id(), is(Events.seq(e.item())));
            assertThat(e.toString(), e.id() > previous, is(true));
            previous = e.id();
            assertThat(e.toString(), e.dataLines(), is(1));
            assertThat(e.toString(), Set.copyOf(e.fields()), is(Set.of("id", "data")));
            assertThat(e.toString(), e.item().keySet(), is(Events.ITEM_FIELDS));
        }
    }
}
