package inventory.web;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import inventory.core.EventFeed;
import inventory.core.StoredEvent;
import inventory.core.Violations;

/**
 * {@code /v1/events}: the feed in pages, and as a Server-Sent Events stream that resumes from
 * {@code Last-Event-ID}. A stream holds no database connection: it is fed from the {@link EventFeed}'s pump.
 */
public final class EventHandler implements HttpService {

    private static final io.helidon.http.HeaderName LAST_EVENT_ID = HeaderNames.create("Last-Event-ID");
    private static final int LIMIT_DEFAULT = 100;
    private static final int LIMIT_MAX = 1000;
    private static final java.util.regex.Pattern DIGITS = java.util.regex.Pattern.compile("^[0-9]{1,18}$");
    private static final System.Logger LOG = System.getLogger(EventHandler.class.getName());

    private final EventFeed feed;
    private final Duration heartbeat;

    /**
     * @param feed      the event feed
     * @param heartbeat longest silence on a stream before a comment line
     */
    public EventHandler(EventFeed feed, Duration heartbeat) {
        this.feed = feed;
        this.heartbeat = heartbeat;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::page)
                .any("/", Routes.notAllowed("GET"))
                .get("/stream", this::stream)
                .any("/stream", Routes.notAllowed("GET"));
    }

    private void page(ServerRequest req, ServerResponse res) {
        Violations v = new Violations();
        long after = seq(req.query().first("after").asOptional(), "after", v);
        int limit = LIMIT_DEFAULT;
        Optional<String> limitText = req.query().first("limit").asOptional();
        if (limitText.isPresent()) {
            Violations quiet = new Violations();
            long n = seq(limitText, "limit", quiet);
            if (quiet.has("limit") || n < 1 || n > LIMIT_MAX) {
                v.add("limit", "must be an integer from 1 to " + LIMIT_MAX);
            } else {
                limit = (int) n;
            }
        }
        v.throwIfAny();
        EventFeed.Page page = feed.read(after, limit);
        Http.send(res, Http.json(200, null, null, EventJson.page(page.items(), page.nextAfter(), page.latestSeq())));
    }

    private void stream(ServerRequest req, ServerResponse res) {
        Violations v = new Violations();
        Optional<String> lastEventId = req.headers().first(LAST_EVENT_ID);
        long after = lastEventId.isPresent()
                ? seq(lastEventId, "Last-Event-ID", v)
                : req.query().first("after").asOptional().map(a -> seq(Optional.of(a), "after", v)).orElse(-1L);
        v.throwIfAny();
        if (after < 0) {
            after = feed.flush();
        }
        res.header(HeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.header(HeaderNames.create("X-Accel-Buffering"), "no");
        try (EventFeed.Subscription subscription = feed.subscribe(after); OutputStream out = res.outputStream()) {
            out.write(("retry: 2000\n: resuming after " + after + "\n\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            while (true) {
                StoredEvent e = subscription.next(heartbeat);
                if (e == null) {
                    out.write(": heartbeat\n\n".getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    continue;
                }
                out.write(("id: " + e.seq() + "\ndata: " + EventJson.item(e) + "\n\n").getBytes(StandardCharsets.UTF_8));
                if (!subscription.ready()) {
                    out.flush();
                }
            }
        } catch (IOException | UncheckedIOException gone) {
            // the client went away; it resumes with Last-Event-ID
        } catch (IllegalStateException closing) {
            // the service is stopping; the client reconnects to another instance
        } catch (RuntimeException e) {
            // the headers are out: all that is left is to end the stream; the client resumes with Last-Event-ID
            LOG.log(System.Logger.Level.WARNING, "event stream " + Http.requestId(req) + " ended: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static long seq(Optional<String> text, String field, Violations v) {
        if (text.isEmpty()) {
            return 0;
        }
        if (DIGITS.matcher(text.get()).matches()) {
            return Long.parseLong(text.get());
        }
        v.add(field, "must be an integer of at least 0");
        return 0;
    }
}
