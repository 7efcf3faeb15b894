package inventory.web;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import inventory.core.Event;
import inventory.core.Idempotency;
import inventory.core.InventoryException;
import inventory.core.NewProduct;
import inventory.core.Product;
import inventory.core.ProductPatch;
import inventory.core.Page;
import inventory.core.ProductQuery;
import inventory.core.ProductRepository;
import inventory.core.ProductService;
import inventory.core.ProductStatus;
import inventory.core.ReadCache;
import inventory.core.Violations;

/**
 * {@code /v1/products}: create, read, list, patch, delete.
 */
public final class ProductHandler implements HttpService {

    private final ProductService products;
    private final Idempotency idempotency;
    private final ReadCache<KeptProduct> cache;

    /**
     * Brings the kept answers up to date with a committed change this instance made (before its response is sent,
     * so a client reads its own writes): a creation only makes kept pages stale; an adjustment's new stock is
     * applied to the kept answer it started from, so the next read still needs no round trip; any other change
     * forgets the product's answer unless it already shows that version.
     *
     * @param e an event of the change, in the order they were written
     */
    public void committed(Event e) {
        switch (e) {
            case Event.ProductCreated c -> cache.added();
            case Event.StockChanged s when ADJUSTMENT.equals(s.cause()) ->
                    cache.changed(s.productId(), s.stock().version(), r -> r.adjusted(s));
            case Event.StockChanged s -> cache.changed(s.productId(), s.stock().version());
            case Event.StockLow l -> cache.changed(l.productId(), l.version());
            case Event.ProductUpdated u -> cache.changed(u.productId(), u.product().version());
            case Event.ProductDeleted d -> cache.changed(d.productId(), d.version());
            case Event.ReservationChanged r -> {
                // its stock change has a stock.changed event of its own
            }
        }
    }

    /** {@link Event.StockChanged#cause()} of {@code POST /v1/products/{id}/stock/adjustments}: written at the time
     * the product's {@code updatedAt} takes. */
    private static final String ADJUSTMENT = "adjustment";

    /**
     * @param products    product use cases
     * @param idempotency idempotent execution of writes
     * @param cache       answers of {@code GET /v1/products/{id}}, invalidated by every change of their product
     */
    public ProductHandler(ProductService products, Idempotency idempotency, ReadCache<KeptProduct> cache) {
        this.products = products;
        this.idempotency = idempotency;
        this.cache = cache;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::list)
                .post("/", this::create)
                .any("/", Routes.notAllowed("GET, POST"))
                .get("/by-sku/{sku}", this::bySku)
                .any("/by-sku/{sku}", Routes.notAllowed("GET"))
                .get("/{id}", this::get)
                .patch("/{id}", this::patch)
                .delete("/{id}", this::delete)
                .any("/{id}", Routes.notAllowed("GET, PATCH, DELETE"));
    }

    private void create(ServerRequest req, ServerResponse res) {
        JsonIn.Body body = JsonIn.read(req, JsonIn.SMALL, false);
        NewProduct cmd = ProductJson.readNew(body.object());
        var key = Http.idempotency(req, body);
        // a new product is kept as GET would answer it (the same rendering of the same row), so the reads that
        // usually follow a creation need no round trip; the stamp is taken before the write, as a reader's is
        long stamp = cache.stamp();
        java.util.function.Function<Product, inventory.core.StoredResponse> created = p -> {
            byte[] json = ProductJson.write(p);
            // what is kept changes in place with the product's sales, which may follow at once: answer from json
            cache.offer(p.id(), stamp, new KeptProduct(p, json));
            return Http.json(201, Http.etag(p.version()), "/v1/products/" + p.id(), json);
        };
        Idempotency.Outcome outcome = key.isEmpty()
                // nothing to store: may be written together with concurrent creations (group commit), same answer
                ? new Idempotency.Outcome(created.apply(products.createCombined(cmd)), false)
                : idempotency.execute(key, () -> products.create(cmd), created,
                        e -> Problems.of(e, Http.path(req), Http.requestId(req)));
        Http.send(res, StockHandler.counted(outcome, inventory.core.MovementReason.RECEIVED, cmd.quantity() > 0 ? 1 : 0));
    }

    private void get(ServerRequest req, ServerResponse res) {
        UUID id = Http.id(req, "id", "product");
        KeptProduct r = cache.get(id);
        if (r == null) {
            long stamp = cache.stamp();
            Product p = products.get(id);
            r = new KeptProduct(p, ProductJson.write(p));
            if (p.stock().reserved() == 0) {
                // with something reserved, the answer changes by itself when a hold expires: not kept
                cache.offer(id, stamp, r);
            }
        }
        // the version and the body of one sale: a sale changes a kept answer in place
        KeptProduct.Answer a = r.answer();
        if (Http.notModified(req, a.version())) {
            Http.notModified(res, a.version());
            return;
        }
        Http.send(res, Http.json(200, Http.etag(a.version()), null, a.body()));
    }

    private void bySku(ServerRequest req, ServerResponse res) {
        sendProduct(req, res, products.bySku(req.path().pathParameters().get("sku")));
    }

    private void sendProduct(ServerRequest req, ServerResponse res, Product p) {
        if (Http.notModified(req, p.version())) {
            Http.notModified(res, p.version());
            return;
        }
        Http.send(res, Http.json(200, Http.etag(p.version()), null, ProductJson.write(p)));
    }

    private void list(ServerRequest req, ServerResponse res) {
        var query = req.query();
        Violations v = new Violations();
        int limit = Routes.limit(query, v);
        Optional<String> cursor = query.first("cursor").asOptional();
        Optional<ProductStatus> status = query.first("status").asOptional().flatMap(s -> {
            try {
                return Optional.of(ProductStatus.valueOf(s));
            } catch (IllegalArgumentException e) {
                v.add("status", "must be ACTIVE or DISCONTINUED");
                return Optional.empty();
            }
        });
        Optional<String> q = query.first("q").asOptional();
        if (q.isPresent() && (q.get().isEmpty() || q.get().length() > 100 || q.get().indexOf('\0') >= 0)) {
            v.add("q", "must be 1 to 100 characters");
        }
        boolean lowStock = false;
        Optional<String> low = query.first("lowStock").asOptional();
        if (low.isPresent()) {
            if (low.get().equals("true")) {
                lowStock = true;
            } else if (!low.get().equals("false")) {
                v.add("lowStock", "must be true or false");
            }
        }
        Optional<String> location = query.first("location").asOptional();
        if (location.isPresent() && !inventory.core.Rules.LOCATION_CODE.matcher(location.get()).matches()) {
            v.add("location", "no such location");
        }
        v.throwIfAny();
        ProductQuery pq = new ProductQuery(limit, cursor, status, q, lowStock, location);
        byte[] body = location.isEmpty() && cache.enabled() ? listFromCache(pq) : null;
        Http.send(res, Http.json(200, null, null, body != null ? body : ProductJson.write(products.list(pq))));
    }

    private final KeptPages pages = new KeptPages();

    /**
     * A page kept whole while no product has changed since it was read; else built from the kept answers of its
     * products: one query for the page's ids and versions, one more for the products not kept at that version (none
     * once the page has been read). Every item is the product at the version the page query saw, or a later one.
     *
     * @return the page's JSON, or null if a product left between the two queries (then the caller lists anew)
     */
    private byte[] listFromCache(ProductQuery query) {
        long stamp = cache.stamp();
        byte[] whole = pages.get(query, stamp);
        if (whole != null) {
            // any change of any product, here or (through the event feed) elsewhere, moves the stamp on
            return whole;
        }
        Page<ProductRepository.ProductVersion> refs = products.listVersions(query);
        byte[][] items = new byte[refs.items().size()][];
        List<UUID> missing = new ArrayList<>();
        for (int i = 0; i < items.length; i++) {
            ProductRepository.ProductVersion ref = refs.items().get(i);
            KeptProduct kept = cache.get(ref.id());
            KeptProduct.Answer a = kept == null ? null : kept.answer();
            if (a != null && a.version() == ref.version()) {
                items[i] = a.body();
            } else {
                missing.add(ref.id());
            }
        }
        if (!missing.isEmpty()) {
            Map<UUID, Product> fetched = new HashMap<>();
            products.getAll(missing).forEach(p -> fetched.put(p.id(), p));
            for (int i = 0; i < items.length; i++) {
                if (items[i] != null) {
                    continue;
                }
                Product p = fetched.get(refs.items().get(i).id());
                if (p == null) {
                    return null;
                }
                items[i] = ProductJson.write(p);
                if (p.stock().reserved() == 0) {
                    cache.offer(p.id(), stamp, new KeptProduct(p, items[i]));
                }
            }
        }
        byte[] page = ProductJson.page(items, refs.nextCursor().orElse(null));
        // a held product changes by itself when its hold expires, and so may which products are low on stock:
        // such pages are built anew every time
        if (!query.lowStock() && refs.items().stream().allMatch(r -> r.reserved() == 0)) {
            pages.keep(query, stamp, page);
        }
        return page;
    }

    private void patch(ServerRequest req, ServerResponse res) {
        UUID id = Http.id(req, "id", "product");
        JsonIn.Body body = JsonIn.read(req, JsonIn.SMALL, true);
        ProductPatch patch = ProductJson.readPatch(body.object());
        Product p = products.patch(id, patch, Http.ifMatch(req));
        Http.send(res, Http.json(200, Http.etag(p.version()), null, ProductJson.write(p)));
    }

    private void delete(ServerRequest req, ServerResponse res) {
        UUID id = Http.id(req, "id", "product");
        products.delete(id, Http.ifMatch(req));
        res.status(Status.NO_CONTENT_204).send();
    }

    static InventoryException.NotFound unknown(String what) {
        return new InventoryException.NotFound(what);
    }
}
