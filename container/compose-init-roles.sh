#!/usr/bin/env bash
# docker-compose.yml's PostgreSQL runs this once, on its first start: the service's login, a member of
# inventory_rw, as the README's "Database roles" says. The owner (POSTGRES_USER) is a superuser there.
set -euo pipefail
psql -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d "$POSTGRES_DB" \
    -v pw="$INVENTORY_DB_PASSWORD" <<'SQL'
CREATE ROLE inventory_rw NOLOGIN;
CREATE ROLE inventory_svc LOGIN PASSWORD :'pw' IN ROLE inventory_rw;
SQL
