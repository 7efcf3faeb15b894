package inventory.web;

import java.util.UUID;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import inventory.core.Idempotency;
import inventory.core.NewReservation;
import inventory.core.Reservation;
import inventory.core.ReservationService;

/**
 * {@code /v1/reservations}: hold stock for a checkout, read, commit, release.
 */
public final class ReservationHandler implements HttpService {

    private final ReservationService reservations;
    private final Idempotency idempotency;

    /**
     * @param reservations reservation use cases
     * @param idempotency  idempotent execution of writes
     */
    public ReservationHandler(ReservationService reservations, Idempotency idempotency) {
        this.reservations = reservations;
        this.idempotency = idempotency;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/", this::create)
                .any("/", Routes.notAllowed("POST"))
                .get("/{id}", this::get)
                .any("/{id}", Routes.notAllowed("GET"))
                .post("/{id}/commit", (req, res) -> end(req, res, true))
                .any("/{id}/commit", Routes.notAllowed("POST"))
                .post("/{id}/release", (req, res) -> end(req, res, false))
                .any("/{id}/release", Routes.notAllowed("POST"));
    }

    private void create(ServerRequest req, ServerResponse res) {
        JsonIn.Body body = JsonIn.read(req, JsonIn.LARGE, false);
        NewReservation cmd = ReservationJson.read(body.object());
        Http.send(res, idempotency.execute(Http.idempotency(req, body), () -> reservations.create(cmd),
                r -> Http.json(201, Http.etag(r.version()), "/v1/reservations/" + r.id(), ReservationJson.write(r)),
                e -> Problems.of(e, Http.path(req), Http.requestId(req))));
    }

    private void get(ServerRequest req, ServerResponse res) {
        Reservation r = reservations.get(Http.id(req, "id", "reservation"));
        if (Http.notModified(req, r.version())) {
            Http.notModified(res, r.version());
            return;
        }
        Http.send(res, Http.json(200, Http.etag(r.version()), null, ReservationJson.write(r)));
    }

    private void end(ServerRequest req, ServerResponse res, boolean commit) {
        UUID id = Http.id(req, "id", "reservation");
        JsonIn.Body body = JsonIn.readOptional(req, JsonIn.SMALL);
        ReservationJson.readEmpty(body.object());
        var ifMatch = Http.ifMatch(req);
        int[] lines = new int[1];
        var outcome = idempotency.execute(Http.idempotency(req, body),
                () -> commit ? reservations.commit(id, ifMatch) : reservations.release(id, ifMatch),
                r -> {
                    lines[0] = r.lines().size();
                    return Http.json(200, Http.etag(r.version()), null, ReservationJson.write(r));
                },
                e -> Problems.of(e, Http.path(req), Http.requestId(req)));
        if (commit && !outcome.replayed() && outcome.response().status() == 200) {
            BusinessMetrics.global().movements(inventory.core.MovementReason.SOLD, lines[0]);
        }
        Http.send(res, outcome);
    }
}
