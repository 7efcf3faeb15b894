-- Products, stock per location and the append-only ledger.
-- The schema refuses impossible states by itself (stock bounds, formats, live-SKU uniqueness, references),
-- so a bug in the service cannot corrupt stock.

CREATE TABLE locations (
    code       text        PRIMARY KEY CONSTRAINT locations_code_format CHECK (code ~ '^[a-z0-9-]{1,32}$'),
    name       text        NOT NULL CONSTRAINT locations_name_length CHECK (char_length(name) BETWEEN 1 AND 200),
    created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now())
);

INSERT INTO locations (code, name) VALUES ('main', 'Main');

CREATE TABLE products (
    id                  uuid          PRIMARY KEY,
    sku                 text          NOT NULL CONSTRAINT products_sku_format CHECK (sku ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
    name                text          NOT NULL CONSTRAINT products_name_length CHECK (char_length(name) BETWEEN 1 AND 200),
    description         text          CONSTRAINT products_description_length CHECK (char_length(description) <= 2000),
    price               numeric(14,4) NOT NULL CONSTRAINT products_price_positive CHECK (price >= 0),
    currency            text          NOT NULL CONSTRAINT products_currency_format CHECK (currency ~ '^[A-Z]{3}$'),
    status              text          NOT NULL CONSTRAINT products_status CHECK (status IN ('ACTIVE', 'DISCONTINUED')),
    low_stock_threshold integer       CONSTRAINT products_threshold_positive CHECK (low_stock_threshold >= 0),
    attributes          jsonb         NOT NULL DEFAULT '{}' CONSTRAINT products_attributes_object CHECK (jsonb_typeof(attributes) = 'object'),
    -- Totals over all locations, kept with every stock change in the same transaction, so reading a product
    -- is one row. stock_levels holds the per-location figures.
    on_hand             bigint        NOT NULL DEFAULT 0,
    reserved            bigint        NOT NULL DEFAULT 0,
    version             bigint        NOT NULL DEFAULT 1 CONSTRAINT products_version_positive CHECK (version >= 1),
    created_at          timestamptz   NOT NULL,
    updated_at          timestamptz   NOT NULL,
    deleted_at          timestamptz,
    CONSTRAINT products_stock_bounds CHECK (0 <= reserved AND reserved <= on_hand)
);

-- A SKU is unique among live products, ignoring case; a deleted product frees its SKU.
CREATE UNIQUE INDEX products_live_sku ON products (lower(sku)) WHERE deleted_at IS NULL;
-- Keyset paging over live products, oldest (smallest UUIDv7) first.
CREATE INDEX products_live_id ON products (id) WHERE deleted_at IS NULL;

CREATE TABLE stock_levels (
    product_id uuid   NOT NULL REFERENCES products (id),
    location   text   NOT NULL REFERENCES locations (code),
    on_hand    bigint NOT NULL DEFAULT 0,
    reserved   bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (product_id, location),
    CONSTRAINT stock_levels_bounds CHECK (0 <= reserved AND reserved <= on_hand)
);

-- The location filter of the product list, and the emptiness check of a location delete.
CREATE INDEX stock_levels_location ON stock_levels (location, product_id);

-- The ledger. seq orders it (newest first is seq descending); location is kept as text without a reference,
-- so a deleted location's history stays.
CREATE TABLE stock_movements (
    seq            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id             uuid        NOT NULL UNIQUE,
    product_id     uuid        NOT NULL REFERENCES products (id),
    location       text        NOT NULL,
    delta          bigint      NOT NULL,
    reason         text        NOT NULL CONSTRAINT stock_movements_reason
                               CHECK (reason IN ('RECEIVED', 'SOLD', 'RETURNED', 'DAMAGED', 'LOST', 'CORRECTION', 'COUNT')),
    on_hand_after  bigint      NOT NULL CONSTRAINT stock_movements_on_hand_after CHECK (on_hand_after >= 0),
    reference      text        CONSTRAINT stock_movements_reference_length CHECK (char_length(reference) <= 200),
    note           text        CONSTRAINT stock_movements_note_length CHECK (char_length(note) <= 2000),
    reservation_id uuid,
    created_at     timestamptz NOT NULL,
    CONSTRAINT stock_movements_delta CHECK (delta <> 0 OR reason = 'COUNT')
);

CREATE INDEX stock_movements_product ON stock_movements (product_id, seq DESC);

-- Append-only: a movement once written is never changed or removed.
CREATE FUNCTION stock_movements_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'stock_movements is append-only' USING ERRCODE = 'restrict_violation';
END;
$$;

CREATE TRIGGER stock_movements_append_only
    BEFORE UPDATE OR DELETE ON stock_movements
    FOR EACH ROW EXECUTE FUNCTION stock_movements_append_only();

-- Answers of requests sent with an Idempotency-Key, written in the transaction of the change they guard.
-- caller is the API key id once keys exist ('' until then).
CREATE TABLE idempotency_keys (
    caller       text        NOT NULL,
    method       text        NOT NULL,
    path         text        NOT NULL,
    key          text        NOT NULL,
    fingerprint  text        NOT NULL,
    status       integer     NOT NULL,
    content_type text        NOT NULL,
    etag         text,
    location     text,
    body         bytea       NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (caller, method, path, key)
);

CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
