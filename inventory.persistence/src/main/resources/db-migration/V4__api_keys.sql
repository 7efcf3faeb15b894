-- API keys. Only a SHA-256 of each secret is stored; the secret is shown once, when the key is made.
CREATE TABLE api_keys (
    id          uuid        PRIMARY KEY,
    name        text        NOT NULL CONSTRAINT api_keys_name_length CHECK (char_length(name) BETWEEN 1 AND 100),
    scopes      text[]      NOT NULL CONSTRAINT api_keys_scopes
                            CHECK (cardinality(scopes) >= 1
                                   AND scopes <@ ARRAY['inventory:read', 'inventory:write', 'admin']::text[]),
    secret_hash bytea       NOT NULL CONSTRAINT api_keys_hash_length CHECK (octet_length(secret_hash) = 32),
    -- the admin key made at the first start when INVENTORY_ADMIN_KEY is not set: one per database
    bootstrap   boolean     NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL,
    revoked_at  timestamptz
);

CREATE UNIQUE INDEX api_keys_one_bootstrap ON api_keys (bootstrap) WHERE bootstrap;

-- The service's role (V3) reads keys, makes them and revokes them; it never deletes one.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'inventory_rw') THEN
        GRANT SELECT, INSERT ON api_keys TO inventory_rw;
        GRANT UPDATE (revoked_at) ON api_keys TO inventory_rw;
    END IF;
END
$$;
