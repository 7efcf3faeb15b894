-- Least privilege: migrations run as the schema owner; the service's own login is a member of inventory_rw,
-- which may read and write rows, and only the rows and columns the service's statements need. It owns nothing,
-- so it cannot create, alter, drop or truncate anything, and the ledgers stay append-only by privilege as well
-- as by their triggers.
--
-- Conventions for later migrations:
--   * A migration that creates a table grants inventory_rw what the service does with it, in the same migration,
--     guarded like the grants below (the role may not exist where the migrating login could not create it).
--     A table without a grant is invisible to the service.
--   * UPDATE is granted per column: a new column the service updates needs its own GRANT UPDATE (column).
--   * Nothing is granted on flyway_schema_history.
--
-- Notes on the grants:
--   * SELECT ... FOR UPDATE needs UPDATE on at least one column of the locked table.
--   * INSERT ... ON CONFLICT DO UPDATE needs UPDATE on the columns it sets; ... DO NOTHING needs INSERT only.
--   * Inserting into an identity column needs no privilege on its sequence; foreign key checks run as the
--     owner of the tables; advisory locks are open to everyone.

-- The group role, cluster-wide. A migrating login without CREATEROLE cannot create it: then an administrator
-- creates it before this migration runs (CREATE ROLE inventory_rw NOLOGIN), or the grants are skipped and the
-- service logs in as the owner (a single-login setup).
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'inventory_rw') THEN
        BEGIN
            CREATE ROLE inventory_rw NOLOGIN;
        EXCEPTION WHEN insufficient_privilege THEN
            RAISE NOTICE 'role inventory_rw does not exist and % may not create it: no grants for the service role',
                current_user;
        END;
    END IF;
END
$$;

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'inventory_rw') THEN
        RETURN;
    END IF;
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO inventory_rw', current_schema());

    -- Read by lists and checks; added by POST /v1/locations; removed by DELETE once empty. The delete locks
    -- the row (FOR UPDATE, so no stock arrives while it checks), which needs UPDATE on one column: name, which
    -- nothing else may change (the code is referenced by stock levels and kept in the ledger).
    GRANT SELECT, INSERT, DELETE ON locations TO inventory_rw;
    GRANT UPDATE (name) ON locations TO inventory_rw;

    -- Soft delete only (deleted_at): a product row is never removed. Locked FOR UPDATE by every stock change.
    -- id, sku and created_at never change.
    GRANT SELECT, INSERT ON products TO inventory_rw;
    GRANT UPDATE (name, description, price, currency, status, low_stock_threshold, attributes,
                  on_hand, reserved, version, updated_at, deleted_at) ON products TO inventory_rw;

    -- Per-location figures: upserted by stock changes, removed with their (empty) location.
    GRANT SELECT, INSERT, DELETE ON stock_levels TO inventory_rw;
    GRANT UPDATE (on_hand, reserved) ON stock_levels TO inventory_rw;

    -- The ledgers: append-only.
    GRANT SELECT, INSERT ON stock_movements TO inventory_rw;
    GRANT SELECT, INSERT ON events TO inventory_rw;

    -- Stored answers: written once, read, purged after 25 hours.
    GRANT SELECT, INSERT, DELETE ON idempotency_keys TO inventory_rw;

    -- A reservation's status and version change (commit, release, expiry); locked FOR UPDATE while it ends.
    GRANT SELECT, INSERT ON reservations TO inventory_rw;
    GRANT UPDATE (status, version, updated_at) ON reservations TO inventory_rw;

    -- Lines are kept as sent.
    GRANT SELECT, INSERT ON reservation_lines TO inventory_rw;

    -- A hold is written once and removed when its reservation ends or expires.
    GRANT SELECT, INSERT, DELETE ON holds TO inventory_rw;

    -- Written by changes, moved to events (DELETE ... RETURNING) by the sequencer.
    GRANT SELECT, INSERT, DELETE ON event_inbox TO inventory_rw;
END
$$;

-- Before PostgreSQL 15 everyone may create tables in the public schema; only its owner may take that away.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'public')
       AND has_schema_privilege('public', 'public', 'CREATE') THEN
        BEGIN
            REVOKE CREATE ON SCHEMA public FROM PUBLIC;
        EXCEPTION WHEN insufficient_privilege THEN
            RAISE NOTICE '% may not revoke CREATE on schema public from PUBLIC', current_user;
        END;
    END IF;
END
$$;
