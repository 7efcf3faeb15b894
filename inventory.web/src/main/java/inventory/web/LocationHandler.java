package inventory.web;

import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import inventory.core.Idempotency;
import inventory.core.LocationService;
import inventory.core.NewLocation;

/**
 * {@code /v1/locations}: list, create, delete.
 */
public final class LocationHandler implements HttpService {

    private final LocationService locations;
    private final Idempotency idempotency;

    /**
     * @param locations   location use cases
     * @param idempotency idempotent execution of writes
     */
    public LocationHandler(LocationService locations, Idempotency idempotency) {
        this.locations = locations;
        this.idempotency = idempotency;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::list)
                .post("/", this::create)
                .any("/", Routes.notAllowed("GET, POST"))
                .delete("/{code}", this::delete)
                .any("/{code}", Routes.notAllowed("DELETE"));
    }

    private void list(ServerRequest req, ServerResponse res) {
        Http.send(res, Http.json(200, null, null, LocationJson.write(locations.list())));
    }

    private void create(ServerRequest req, ServerResponse res) {
        JsonIn.Body body = JsonIn.read(req, JsonIn.SMALL, false);
        NewLocation cmd = LocationJson.read(body.object());
        Http.send(res, idempotency.execute(Http.idempotency(req, body), () -> locations.create(cmd),
                l -> Http.json(201, null, null, LocationJson.write(l)),
                e -> Problems.of(e, Http.path(req), Http.requestId(req))));
    }

    private void delete(ServerRequest req, ServerResponse res) {
        locations.delete(req.path().pathParameters().get("code"));
        res.status(Status.NO_CONTENT_204).send();
    }
}
