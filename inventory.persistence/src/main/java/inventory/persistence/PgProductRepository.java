package inventory.persistence;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.function.UnaryOperator;

import io.helidon.dbclient.DbRow;

import inventory.core.InventoryException;
import inventory.core.Movement;
import inventory.core.Page;
import inventory.core.Product;
import inventory.core.ProductQuery;
import inventory.core.ProductRepository;
import inventory.core.ProductStatus;
import inventory.core.Stock;

/**
 * Products in PostgreSQL. The row carries the stock totals over all locations, so reading a product is one row.
 */
public final class PgProductRepository implements ProductRepository {

    /** Columns of a product; {@code x} is {@link Holds#EXPIRED_OF_PRODUCT}: expired holds count as gone. */
    static final String COLUMNS = """
            p.id, p.sku, p.name, p.description, p.price, p.currency, p.status, p.low_stock_threshold,
            p.attributes::text AS attributes, p.version + x.n AS version, p.created_at, p.updated_at""";

    private static final String SELECT = "SELECT " + COLUMNS + ", p.on_hand AS s_on_hand, p.reserved - x.q AS s_reserved"
                                         + " FROM products p " + Holds.EXPIRED_OF_PRODUCT;

    private static final String INSERT = """
            INSERT INTO products (id, sku, name, description, price, currency, status, low_stock_threshold, attributes,
                                  on_hand, reserved, version, created_at, updated_at)
            VALUES (CAST(? AS uuid), ?, ?, ?, ?, ?, ?, ?, CAST(? AS jsonb), ?, 0, 1, ?, ?)
            ON CONFLICT (lower(sku)) WHERE deleted_at IS NULL DO NOTHING
            RETURNING id""";

    private static final String INSERT_RECEIVED = "WITH p AS (" + INSERT + "),\n" + """
            l AS (INSERT INTO stock_levels (product_id, location, on_hand) SELECT id, ?, ? FROM p),
            m AS (INSERT INTO stock_movements (id, product_id, location, delta, reason, on_hand_after, reference, note,
                                               reservation_id, created_at)
                  SELECT CAST(? AS uuid), id, ?, ?, ?, ?, ?, ?, NULL, ? FROM p)
            SELECT id FROM p""";

    private static final String UPDATE = """
            UPDATE products
               SET name = ?, description = ?, price = ?, currency = ?, status = ?, low_stock_threshold = ?,
                   attributes = CAST(? AS jsonb), version = version + 1, updated_at = ?
             WHERE id = CAST(? AS uuid)
            RETURNING version""";

    private final PgDatabase db;

    /**
     * @param db the database
     */
    public PgProductRepository(PgDatabase db) {
        this.db = db;
    }

    @Override
    public Product create(Product p, Optional<Movement> initial) {
        return db.inTransaction(() -> {
            var exec = db.execute();
            Optional<DbRow> inserted;
            if (initial.isEmpty()) {
                inserted = exec.get(INSERT, p.id(), p.sku(), p.name(), p.description(), p.price(),
                        p.currency(), p.status().name(), p.lowStockThreshold(), Rows.json(p.attributes()),
                        p.stock().onHand(), Rows.time(p.createdAt()), Rows.time(p.updatedAt()));
            } else {
                // the product, its first level and its RECEIVED movement in one statement: one round trip
                Movement m = initial.get();
                inserted = exec.get(INSERT_RECEIVED, p.id(), p.sku(), p.name(), p.description(), p.price(),
                        p.currency(), p.status().name(), p.lowStockThreshold(), Rows.json(p.attributes()),
                        p.stock().onHand(), Rows.time(p.createdAt()), Rows.time(p.updatedAt()),
                        m.location(), m.onHandAfter(),
                        m.id(), m.location(), m.delta(), m.reason().name(), m.onHandAfter(), m.reference(), m.note(),
                        Rows.time(m.createdAt()));
            }
            if (inserted.isEmpty()) {
                throw new InventoryException.SkuConflict(p.sku());
            }
            return p;
        });
    }

    /** Per product: its row, and its first level and movement when {@code on_hand > 0}. */
    private static final String CREATE_ROW = "(CAST(? AS uuid), ?, ?, ?, CAST(? AS numeric), ?, ?, CAST(? AS integer),"
            + " CAST(? AS jsonb), CAST(? AS bigint), CAST(? AS timestamptz), CAST(? AS text), CAST(? AS uuid),"
            + " CAST(? AS text), CAST(? AS text), CAST(? AS text))";

    /**
     * The rows go in in the SKU index's order, whatever order the requests came in: a row whose SKU another open
     * transaction has just written waits for it, and two writers that took SKUs in opposite orders would deadlock.
     */
    private static String insertAll(int rows) {
        return "WITH v (id, sku, name, description, price, currency, status, threshold, attributes, on_hand, at, location,"
               + " movement_id, reason, reference, note) AS (VALUES " + String.join(", ", java.util.Collections.nCopies(rows,
                CREATE_ROW)) + "),\n" + """
                p AS (INSERT INTO products (id, sku, name, description, price, currency, status, low_stock_threshold,
                                            attributes, on_hand, reserved, version, created_at, updated_at)
                      SELECT id, sku, name, description, price, currency, status, threshold, attributes, on_hand, 0, 1, at, at
                        FROM v ORDER BY lower(sku)
                      ON CONFLICT (lower(sku)) WHERE deleted_at IS NULL DO NOTHING
                      RETURNING id),
                l AS (INSERT INTO stock_levels (product_id, location, on_hand)
                      SELECT v.id, v.location, v.on_hand FROM v JOIN p ON p.id = v.id WHERE v.on_hand > 0),
                m AS (INSERT INTO stock_movements (id, product_id, location, delta, reason, on_hand_after, reference, note,
                                                   reservation_id, created_at)
                      SELECT v.movement_id, v.id, v.location, v.on_hand, v.reason, v.on_hand, v.reference, v.note, NULL, v.at
                        FROM v JOIN p ON p.id = v.id WHERE v.on_hand > 0)
                SELECT id FROM p""";
    }

    @Override
    public List<Object> createAll(List<Creation> creations) {
        return db.inTransaction(() -> {
            List<Object> params = new java.util.ArrayList<>(creations.size() * 16);
            for (Creation c : creations) {
                Product p = c.product();
                Movement m = c.initial().orElse(null);
                if (m != null && (m.delta() != p.stock().onHand() || m.onHandAfter() != p.stock().onHand())) {
                    throw new IllegalArgumentException("the first movement must receive the product's on-hand");
                }
                params.addAll(java.util.Arrays.asList(p.id(), p.sku(), p.name(), p.description(), p.price(),
                        p.currency(), p.status().name(), p.lowStockThreshold(), Rows.json(p.attributes()),
                        m == null ? 0L : p.stock().onHand(), Rows.time(p.createdAt()),
                        m == null ? null : m.location(), m == null ? null : m.id(),
                        m == null ? null : m.reason().name(), m == null ? null : m.reference(),
                        m == null ? null : m.note()));
            }
            java.util.Set<UUID> inserted = new java.util.HashSet<>(Rows.query(db.execute(), insertAll(creations.size()),
                    r -> Rows.uuid(r, "id"), params.toArray()));
            List<Object> results = new java.util.ArrayList<>(creations.size());
            for (Creation c : creations) {
                results.add(inserted.contains(c.product().id()) ? c.product()
                        : new InventoryException.SkuConflict(c.product().sku()));
            }
            return results;
        });
    }

    @Override
    public Optional<Product> find(UUID id) {
        return db.inTransaction(() -> Rows.one(db.execute(), SELECT + "WHERE p.id = CAST(? AS uuid) AND p.deleted_at IS NULL",
                PgProductRepository::product, id));
    }

    @Override
    public Optional<Product> findBySku(String sku) {
        return db.inTransaction(() -> Rows.one(db.execute(),
                SELECT + "WHERE lower(p.sku) = lower(?) AND p.deleted_at IS NULL", PgProductRepository::product, sku));
    }

    @Override
    public Page<Product> list(ProductQuery query) {
        return list(query, COLUMNS, PgProductRepository::product, Product::id);
    }

    @Override
    public Page<ProductVersion> listVersions(ProductQuery query) {
        if (query.location().isPresent()) {
            throw new IllegalArgumentException("a location's list shows that location's stock: use list");
        }
        return list(query, "p.id, p.version + x.n AS version",
                r -> new ProductVersion(Rows.uuid(r, "id"), Rows.longValue(r, "version"), Rows.longValue(r, "s_reserved")),
                rs -> new ProductVersion(rs.getObject(1, UUID.class), rs.getLong(2), rs.getLong(4)),
                ProductVersion::id);
    }

    @Override
    public List<Product> findAll(java.util.Collection<UUID> ids) {
        return db.inTransaction(() -> Rows.query(db.execute(), SELECT
                + "WHERE p.id IN (SELECT CAST(unnest(string_to_array(?, ',')) AS uuid)) AND p.deleted_at IS NULL",
                PgProductRepository::product, Locked.join(ids)));
    }

    private <T> Page<T> list(ProductQuery query, String columns, java.util.function.Function<DbRow, T> mapper,
                             java.util.function.Function<T, UUID> idOf) {
        return list(query, columns, mapper, null, idOf);
    }

    /** With {@code fast}, the page is one statement in auto-commit read over plain JDBC ({@link PgDatabase#select}). */
    private <T> Page<T> list(ProductQuery query, String columns, java.util.function.Function<DbRow, T> mapper,
                             PgDatabase.RowReader<T> fast, java.util.function.Function<T, UUID> idOf) {
        java.util.function.Supplier<Page<T>> body = () -> {
            var exec = db.execute();
            List<Object> params = new ArrayList<>();
            StringBuilder sql = new StringBuilder("SELECT ").append(columns);
            String onHand = "p.on_hand";
            String reserved = "(p.reserved - x.q)";
            if (query.location().isPresent()) {
                String code = query.location().get();
                if (exec.get("SELECT code FROM locations WHERE code = ?", code).isEmpty()) {
                    throw new InventoryException.ValidationFailed("location", "no such location");
                }
                onHand = "l.on_hand";
                reserved = "(l.reserved - lx.q)";
                sql.append(", l.on_hand AS s_on_hand, l.reserved - lx.q AS s_reserved FROM products p")
                        .append(" JOIN stock_levels l ON l.product_id = p.id AND l.location = ?")
                        .append(Holds.EXPIRED_OF_PRODUCT).append(Holds.EXPIRED_OF_LEVEL);
                params.add(code);
            } else {
                sql.append(", p.on_hand AS s_on_hand, p.reserved - x.q AS s_reserved FROM products p")
                        .append(Holds.EXPIRED_OF_PRODUCT);
            }
            sql.append(" WHERE p.deleted_at IS NULL");
            Optional<UUID> after = Cursors.uuid("p", query.cursor());
            if (after.isPresent()) {
                sql.append(" AND p.id > CAST(? AS uuid)");
                params.add(after.get());
            }
            query.status().ifPresent(s -> {
                sql.append(" AND p.status = ?");
                params.add(s.name());
            });
            query.q().ifPresent(q -> {
                sql.append(" AND (lower(p.sku) LIKE ? ESCAPE '\\' OR p.name ~* ?)");
                params.add(likePrefix(q.toLowerCase(java.util.Locale.ROOT)));
                params.add("(^|[^[:alnum:]])" + regexLiteral(q));
            });
            if (query.lowStock()) {
                sql.append(" AND p.low_stock_threshold IS NOT NULL AND ").append(onHand).append(" - ").append(reserved)
                        .append(" <= p.low_stock_threshold");
            }
            sql.append(" ORDER BY p.id LIMIT ?");
            params.add(query.limit() + 1);
            List<T> rows = fast != null ? db.select(sql.toString(), fast, params.toArray())
                    : Rows.query(exec, sql.toString(), mapper::apply, params.toArray());
            if (rows.size() > query.limit()) {
                List<T> page = rows.subList(0, query.limit());
                return new Page<>(page, Optional.of(Cursors.encode("p", idOf.apply(page.getLast()).toString())));
            }
            return new Page<>(rows, Optional.empty());
        };
        return fast != null && query.location().isEmpty() ? body.get() : db.inTransaction(body);
    }

    @Override
    public Product update(UUID id, OptionalLong ifMatch, UnaryOperator<Product> change) {
        return db.inTransaction(() -> {
            var exec = db.execute();
            Locked.one(exec, id).orElseThrow(() -> notFound(id));
            Product current = Rows.one(exec, SELECT + "WHERE p.id = CAST(? AS uuid)", PgProductRepository::product, id)
                    .orElseThrow(() -> notFound(id));
            checkVersion(ifMatch, current.version());
            Product next = change.apply(current);
            if (next == current) {
                return current;
            }
            long version = Rows.longValue(exec.get(UPDATE, next.name(), next.description(), next.price(),
                    next.currency(), next.status().name(), next.lowStockThreshold(), Rows.json(next.attributes()),
                    Rows.time(next.updatedAt()), id).orElseThrow(), "version");
            return new Product(next.id(), next.sku(), next.name(), next.description(), next.price(), next.currency(),
                    next.status(), next.lowStockThreshold(), next.attributes(), next.stock(), version, next.createdAt(),
                    next.updatedAt());
        });
    }

    @Override
    public Product delete(UUID id, OptionalLong ifMatch) {
        return db.inTransaction(() -> {
            var exec = db.execute();
            Locked locked = Locked.one(exec, id).orElseThrow(() -> notFound(id));
            locked.checkVersion(ifMatch);
            if (locked.reserved() > 0) {
                throw new InventoryException.ProductHasReservations(
                        "product " + id + " has active reservations; release or commit them first");
            }
            Product deleted = Rows.one(exec, SELECT + "WHERE p.id = CAST(? AS uuid)", PgProductRepository::product, id)
                    .orElseThrow();
            exec.dml("UPDATE products SET deleted_at = now(), version = version + 1 WHERE id = CAST(? AS uuid)", id);
            return deleted;
        });
    }

    static void checkVersion(OptionalLong ifMatch, long version) {
        if (ifMatch.isPresent() && ifMatch.getAsLong() != version) {
            throw new InventoryException.VersionMismatch(ifMatch.getAsLong(), version);
        }
    }

    static InventoryException.NotFound notFound(UUID id) {
        return new InventoryException.NotFound("no product with id " + id);
    }

    static Product product(DbRow row) {
        return new Product(Rows.uuid(row, "id"), Rows.string(row, "sku"), Rows.string(row, "name"),
                Rows.string(row, "description"), Rows.decimal(row, "price"), Rows.string(row, "currency"),
                ProductStatus.valueOf(Rows.string(row, "status")), Rows.integer(row, "low_stock_threshold"),
                Rows.stringMap(row, "attributes"),
                new Stock(Rows.longValue(row, "s_on_hand"), Rows.longValue(row, "s_reserved")),
                Rows.longValue(row, "version"), Rows.instant(row, "created_at"), Rows.instant(row, "updated_at"));
    }

    private static String likePrefix(String q) {
        return q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
    }

    private static String regexLiteral(String q) {
        StringBuilder sb = new StringBuilder();
        q.codePoints().forEach(cp -> {
            if (!Character.isLetterOrDigit(cp)) {
                sb.append('\\');
            }
            sb.appendCodePoint(cp);
        });
        return sb.toString();
    }
}
