package inventory.web;

import java.util.UUID;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import inventory.core.Adjustment;
import inventory.core.Batch;
import inventory.core.Idempotency;
import inventory.core.ProductStock;
import inventory.core.StockCount;
import inventory.core.StockRepository;
import inventory.core.StockService;
import inventory.core.Violations;

/**
 * {@code /v1/products/{id}/stock...} and {@code /v1/stock/batch}: stock, adjustments, counts, the ledger, batches.
 */
public final class StockHandler implements HttpService {

    private final StockService stock;
    private final Idempotency idempotency;

    /**
     * @param stock       stock use cases
     * @param idempotency idempotent execution of writes
     */
    public StockHandler(StockService stock, Idempotency idempotency) {
        this.stock = stock;
        this.idempotency = idempotency;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/products/{id}/stock", this::get)
                .any("/products/{id}/stock", Routes.notAllowed("GET"))
                .post("/products/{id}/stock/adjustments", this::adjust)
                .any("/products/{id}/stock/adjustments", Routes.notAllowed("POST"))
                .post("/products/{id}/stock/counts", this::count)
                .any("/products/{id}/stock/counts", Routes.notAllowed("POST"))
                .get("/products/{id}/stock/movements", this::movements)
                .any("/products/{id}/stock/movements", Routes.notAllowed("GET"))
                .post("/stock/batch", this::batch)
                .any("/stock/batch", Routes.notAllowed("POST"));
    }

    private void get(ServerRequest req, ServerResponse res) {
        ProductStock s = stock.get(Http.id(req, "id", "product"));
        if (Http.notModified(req, s.version())) {
            Http.notModified(res, s.version());
            return;
        }
        Http.send(res, Http.json(200, Http.etag(s.version()), null, StockJson.write(s)));
    }

    private void adjust(ServerRequest req, ServerResponse res) {
        UUID id = Http.id(req, "id", "product");
        JsonIn.Body body = JsonIn.read(req, JsonIn.SMALL, false);
        Adjustment adjustment = StockJson.readAdjustment(body.object());
        var ifMatch = Http.ifMatch(req);
        var key = Http.idempotency(req, body);
        if (key.isEmpty() && ifMatch.isEmpty()) {
            // nothing to store and no version to check: may be written together with concurrent adjustments of the
            // same product (group commit), with the same answer
            StockRepository.StockChange change = stock.adjustCombined(id, adjustment);
            Http.send(res, counted(new Idempotency.Outcome(Http.json(201, Http.etag(change.stock().version()), null,
                    StockJson.write(change)), false), adjustment.reason(), 1));
            return;
        }
        Http.send(res, counted(idempotency.execute(key, () -> stock.adjust(id, adjustment, ifMatch),
                change -> Http.json(201, Http.etag(change.stock().version()), null, StockJson.write(change)),
                e -> Problems.of(e, Http.path(req), Http.requestId(req))), adjustment.reason(), 1));
    }

    private void count(ServerRequest req, ServerResponse res) {
        UUID id = Http.id(req, "id", "product");
        JsonIn.Body body = JsonIn.read(req, JsonIn.SMALL, false);
        StockCount count = StockJson.readCount(body.object());
        var ifMatch = Http.ifMatch(req);
        Http.send(res, counted(idempotency.execute(Http.idempotency(req, body), () -> stock.count(id, count, ifMatch),
                change -> Http.json(201, Http.etag(change.stock().version()), null, StockJson.write(change)),
                e -> Problems.of(e, Http.path(req), Http.requestId(req))), inventory.core.MovementReason.COUNT, 1));
    }

    private void movements(ServerRequest req, ServerResponse res) {
        UUID id = Http.id(req, "id", "product");
        Violations v = new Violations();
        int limit = Routes.limit(req.query(), v);
        v.throwIfAny();
        var page = stock.movements(id, limit, req.query().first("cursor").asOptional());
        Http.send(res, Http.json(200, null, null, StockJson.write(page)));
    }

    private void batch(ServerRequest req, ServerResponse res) {
        JsonIn.Body body = JsonIn.read(req, JsonIn.LARGE, false);
        Batch batch = StockJson.readBatch(body.object());
        Http.send(res, counted(idempotency.execute(Http.idempotency(req, body), () -> stock.batch(batch),
                movements -> Http.json(201, null, null, StockJson.writeMovements(movements)),
                e -> Problems.of(e, Http.path(req), Http.requestId(req))), batch.reason(), batch.lines().size()));
    }

    /** Counts the movements of a fresh 201 (a replay wrote nothing). */
    static Idempotency.Outcome counted(Idempotency.Outcome outcome, inventory.core.MovementReason reason, long n) {
        if (!outcome.replayed() && outcome.response().status() == 201) {
            BusinessMetrics.global().movements(reason, n);
        }
        return outcome;
    }
}
