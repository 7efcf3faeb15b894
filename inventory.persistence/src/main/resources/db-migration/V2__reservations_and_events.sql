-- Reservations (holds for checkouts) and the event feed.

-- A reservation and its lifecycle. status is what was last written; an ACTIVE row whose expires_at has passed
-- reads as EXPIRED everywhere (the sweep writes EXPIRED later, at most a minute after).
CREATE TABLE reservations (
    id         uuid        PRIMARY KEY,
    status     text        NOT NULL CONSTRAINT reservations_status
                           CHECK (status IN ('ACTIVE', 'COMMITTED', 'RELEASED', 'EXPIRED')),
    reference  text        CONSTRAINT reservations_reference_length CHECK (char_length(reference) <= 200),
    expires_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    version    bigint      NOT NULL DEFAULT 1 CONSTRAINT reservations_version_positive CHECK (version >= 1),
    CONSTRAINT reservations_expiry_after_creation CHECK (expires_at > created_at)
);

-- The sweep's work list: active reservations by expiry.
CREATE INDEX reservations_active_expiry ON reservations (expires_at) WHERE status = 'ACTIVE';

-- The lines as the client sent them, in order; kept after the reservation ends.
CREATE TABLE reservation_lines (
    reservation_id uuid   NOT NULL REFERENCES reservations (id),
    line           integer NOT NULL CONSTRAINT reservation_lines_line CHECK (line >= 0),
    product_id     uuid   NOT NULL REFERENCES products (id),
    location       text   NOT NULL,
    quantity       bigint NOT NULL CONSTRAINT reservation_lines_quantity CHECK (quantity > 0),
    PRIMARY KEY (reservation_id, line)
);

-- What is still held: one row per reservation, product and location while the hold lasts. The reserved figures
-- of stock_levels and products are the sums of these rows; a hold row is removed in the transaction that
-- commits, releases or expires it. Rows past expires_at are expired already: reads subtract them and every
-- write to their product removes them first.
CREATE TABLE holds (
    reservation_id uuid        NOT NULL REFERENCES reservations (id),
    product_id     uuid        NOT NULL,
    location       text        NOT NULL,
    quantity       bigint      NOT NULL CONSTRAINT holds_quantity CHECK (quantity > 0),
    expires_at     timestamptz NOT NULL,
    PRIMARY KEY (reservation_id, product_id, location),
    FOREIGN KEY (product_id, location) REFERENCES stock_levels (product_id, location)
);

-- "What of this product has expired but is still counted as reserved": usually nothing, found in one probe.
CREATE INDEX holds_product_expiry ON holds (product_id, expires_at);
CREATE INDEX holds_location ON holds (location);

-- Events are written by the transaction of the change into the inbox, with no number yet; a single sequencer
-- (one at a time across all instances, under an advisory lock) moves them into events and numbers them
-- max(seq)+1, +2, ... in its own transaction. Numbers are therefore never skipped, even when writers roll back
-- or commit out of order, and readers only ever see a gap-free prefix.
CREATE TABLE event_inbox (
    id             bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    type           text        NOT NULL,
    product_id     uuid,
    reservation_id uuid,
    data           json        NOT NULL,
    at             timestamptz NOT NULL
);

CREATE TABLE events (
    seq            bigint      PRIMARY KEY CONSTRAINT events_seq_positive CHECK (seq >= 1),
    type           text        NOT NULL CONSTRAINT events_type CHECK (type IN (
                                   'product.created', 'product.updated', 'product.deleted', 'stock.changed', 'stock.low',
                                   'reservation.created', 'reservation.committed', 'reservation.released',
                                   'reservation.expired')),
    product_id     uuid,
    reservation_id uuid,
    data           json        NOT NULL,
    at             timestamptz NOT NULL
);

CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'events is append-only' USING ERRCODE = 'restrict_violation';
END;
$$;

CREATE TRIGGER events_append_only
    BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_append_only();
