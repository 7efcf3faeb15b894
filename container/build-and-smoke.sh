#!/usr/bin/env bash
# Proves the Dockerfile: builds it with buildah (no Docker engine) from the local base images that
# container/prepare-base-images.sh makes, runs the image with podman against a PostgreSQL on this machine, and checks
#   - /health/ready answers 200, and the API creates and reads a product with an admin key
#   - the process in the container runs as a non-root user (uid 10001)
#   - the image holds no embedded PostgreSQL, no Maven, no JDK tools
#   - SIGTERM (podman stop) ends it with exit code 0 after it logged "stopped"
# and prints the image's size, the service's size in it and the time from container start to ready.
#
# Usage: container/build-and-smoke.sh            (as root; exits non-zero, loudly, when anything is missing)
# Needs: buildah, podman, runc (container/prepare-base-images.sh installs them and makes the base images),
#        PostgreSQL server binaries (apt-get install postgresql; PG_BIN=/usr/lib/postgresql/15/bin by default, found
#        if another version), curl, Maven Central for the build stage.
# Base images are made once and kept. The build's Maven runs use this machine's Maven repository (~/.m2, which
# ./mvnw verify has just filled) through a volume, so no layer needs caching: buildah runs without --layers, and with
# the vfs driver, which stores every layer as a full copy of the file system (0.3-0.9 GB each), the storage holds the
# two base images and the last image, about 1 GB, instead of growing by gigabytes per run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

IMAGE=localhost/inventory:smoke
BUILD_BASE="${BUILD_BASE:-localhost/inventory-base-jdk:25}"
RUNTIME_BASE="${RUNTIME_BASE:-localhost/inventory-base-runtime:bookworm}"
NAME=inventory-smoke
STORE=(--storage-driver vfs)
PODMAN=(podman "${STORE[@]}" --runtime runc --cgroup-manager cgroupfs)
# podman's default rlimits (1048576 open files) are above this machine's hard limits, which runc may not raise
RUN_LIMITS=(--ulimit "nofile=$(ulimit -Hn):$(ulimit -Hn)" --ulimit nproc=8192:8192)
ADMIN_KEY="smoke-admin-key-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"

fail() { echo "build-and-smoke: FAILED: $*" >&2; exit 1; }
say() { echo "build-and-smoke: $*"; }

# --- what this needs ----------------------------------------------------------------------------------------------
[[ "$(id -u)" == 0 ]] || fail "must run as root (rootful podman/buildah with the vfs driver)"
missing=()
for tool in buildah podman runc curl; do command -v "$tool" >/dev/null || missing+=("$tool"); done
(( ${#missing[@]} == 0 )) || fail "missing ${missing[*]}: run container/prepare-base-images.sh (installs them with apt)"
for base in "$BUILD_BASE" "$RUNTIME_BASE"; do
    podman "${STORE[@]}" image exists "$base" || fail "no base image $base: run container/prepare-base-images.sh"
done
PG_BIN="${PG_BIN:-$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin 2>/dev/null | sort -V | tail -n 1)}"
[[ -x "$PG_BIN/initdb" && -x "$PG_BIN/pg_ctl" ]] \
    || fail "no PostgreSQL server binaries (PG_BIN=${PG_BIN:-unset}): apt-get install postgresql"

# untagged images (an image this script built before, now superseded, or a failed run's) and working containers
# left by an interrupted build; the base images and the last tagged image stay. Everything: podman --storage-driver
# vfs system reset.
prune() {
    local base
    for base in "$BUILD_BASE" "$RUNTIME_BASE"; do
        buildah "${STORE[@]}" containers --quiet --filter "ancestor=$base" 2>/dev/null \
            | xargs -r buildah "${STORE[@]}" rm >/dev/null 2>&1 || true
    done
    "${PODMAN[@]}" image prune -f >/dev/null 2>&1 || true
}
prune
# a build takes about 1.2 GB more at its peak (the build stage's container is a full copy of the JDK image plus the
# build); with less than 3 GB free, fail here, with the reason, rather than in the middle of it
storage="$(podman "${STORE[@]}" info --format '{{.Store.GraphRoot}}' 2>/dev/null || echo /var/lib/containers/storage)"
mkdir -p "$storage"
free_mb=$(( $(df --output=avail -k "$storage" | tail -n 1) / 1024 ))
(( free_mb >= 3072 )) || fail "only $free_mb MB free for $storage; the build needs 3 GB"

work="$(mktemp -d /var/tmp/inventory-smoke.XXXXXX)"
chmod 755 "$work"
cleanup() {
    "${PODMAN[@]}" rm -f -t 0 "$NAME" >/dev/null 2>&1 || true
    prune
    if [[ -f "$work/pg/postmaster.pid" ]]; then
        setpriv --reuid=nobody --regid=nogroup --clear-groups "$PG_BIN/pg_ctl" -D "$work/pg" -m fast stop >/dev/null 2>&1 || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

# --- build --------------------------------------------------------------------------------------------------------
say "building $IMAGE from $BUILD_BASE and $RUNTIME_BASE"
build_start=$SECONDS
m2=()
[[ -d "$HOME/.m2" ]] && m2=(--volume "$HOME/.m2:/root/.m2")
buildah bud "${STORE[@]}" --isolation chroot --network host "${m2[@]}" \
    --build-arg BUILD_IMAGE="$BUILD_BASE" --build-arg RUNTIME_IMAGE="$RUNTIME_BASE" \
    -t "$IMAGE" . > "$work/build.log" 2>&1 || { tail -n 60 "$work/build.log" >&2; fail "buildah bud failed"; }
say "built in $((SECONDS - build_start)) s"
grep -E '^[0-9.]+[KMG]\s+/opt/inventory' "$work/build.log" | sed 's/^/build-and-smoke:   /' || true

# --- the image's contents -----------------------------------------------------------------------------------------
files="$("${PODMAN[@]}" run --rm "${RUN_LIMITS[@]}" --network none --entrypoint /bin/sh "$IMAGE" -c \
    'ls /opt/inventory/lib /opt/inventory/runtime/bin; command -v mvn java javac jlink jar || true; id -u')"
grep -q 'embedded-postgres' <<<"$files" && fail "the image holds the embedded PostgreSQL jars"
grep -qE '^(javac|jlink|jar|jdeps)$' <<<"$files" && fail "the image holds JDK tools"
grep -qE '/(mvn|javac|jlink|jar)$' <<<"$files" && fail "the image has Maven or JDK tools on the PATH"
grep -qx 'inventory.aot' <<<"$files" || fail "the image has no AOT cache"
[[ "$(tail -n 1 <<<"$files")" == 10001 ]] || fail "the image's user is not 10001: $(tail -n 1 <<<"$files")"
# without INVENTORY_DB_URL: exit code 2 naming the variable; and the JVM maps the AOT cache (a cache trained on
# another module path or directory would be rejected, and the service would start twice as slowly)
set +e
nodb="$("${PODMAN[@]}" run --rm "${RUN_LIMITS[@]}" --network none -e JAVA_OPTS=-Xlog:aot "$IMAGE" 2>&1)"
nodb_code=$?
set -e
[[ "$nodb_code" == 2 && "$nodb" == *"INVENTORY_DB_URL is not set"* ]] \
    || { echo "$nodb" >&2; fail "without INVENTORY_DB_URL: exit code $nodb_code, not 2 with the variable named"; }
grep -q 'Using AOT-linked classes: true' <<<"$nodb" \
    || { echo "$nodb" >&2; fail "the JVM does not use the AOT cache"; }
say "contents: no embedded PostgreSQL, no Maven, no JDK tools, user 10001, AOT cache in use;" \
    "no INVENTORY_DB_URL exits 2"

# --- a PostgreSQL on this machine ---------------------------------------------------------------------------------
pg_port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null \
           || echo 55432)"
mkdir -p "$work/pg" && chown nobody "$work/pg"
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
as_nobody "$PG_BIN/initdb" -D "$work/pg" -U postgres -A trust >/dev/null || fail "initdb failed"
as_nobody "$PG_BIN/pg_ctl" -D "$work/pg" -l "$work/pg/server.log" -w \
    -o "-p $pg_port -k $work/pg -c listen_addresses=127.0.0.1" start >/dev/null || fail "PostgreSQL did not start"
psql_do() { as_nobody "$PG_BIN/psql" -X -q -h 127.0.0.1 -p "$pg_port" -U postgres -v ON_ERROR_STOP=1 "$@"; }
# the README's roles: the schema owner migrates, the service logs in as a member of inventory_rw
psql_do -d postgres -c "CREATE ROLE inventory_owner LOGIN PASSWORD 'owner-pw' CREATEROLE" \
    -c "CREATE DATABASE inventory OWNER inventory_owner" \
    -c "CREATE ROLE inventory_rw NOLOGIN" \
    -c "CREATE ROLE inventory_svc LOGIN PASSWORD 'svc-pw' IN ROLE inventory_rw" >/dev/null \
    || fail "could not create the database and roles"
say "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$pg_port"

# --- run ----------------------------------------------------------------------------------------------------------
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null \
        || echo 18080)"
start_ns=$(date +%s%N)
"${PODMAN[@]}" run -d "${RUN_LIMITS[@]}" --name "$NAME" --network host --memory 1g \
    -e INVENTORY_PORT="$port" \
    -e INVENTORY_DB_URL="jdbc:postgresql://127.0.0.1:$pg_port/inventory" \
    -e INVENTORY_DB_USER=inventory_svc -e INVENTORY_DB_PASSWORD=svc-pw \
    -e INVENTORY_DB_MIGRATION_USER=inventory_owner -e INVENTORY_DB_MIGRATION_PASSWORD=owner-pw \
    -e INVENTORY_ADMIN_KEY="$ADMIN_KEY" \
    "$IMAGE" >/dev/null || fail "podman run failed"
base="http://127.0.0.1:$port"
ready=false
for _ in $(seq 600); do
    if [[ "$(curl -s -o /dev/null -w '%{http_code}' "$base/health/ready" || true)" == 200 ]]; then ready=true; break; fi
    [[ "$("${PODMAN[@]}" inspect -f '{{.State.Running}}' "$NAME")" == true ]] || break
    sleep 0.05
done
ready_ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))
$ready || { "${PODMAN[@]}" logs "$NAME" >&2; fail "/health/ready did not answer 200"; }
say "ready: /health/ready 200, $ready_ms ms after podman run"
"${PODMAN[@]}" logs "$NAME" 2>&1 | grep -E 'ready on' | sed 's/^/build-and-smoke:   /' || true

sku="SMOKE-$RANDOM"
auth=(-H "Authorization: Bearer $ADMIN_KEY")
created="$(curl -s -w '\n%{http_code}' "${auth[@]}" -H 'Content-Type: application/json' \
    -d "{\"sku\":\"$sku\",\"name\":\"Smoke test\",\"price\":\"1.5\",\"currency\":\"EUR\"}" "$base/v1/products")"
[[ "$(tail -n 1 <<<"$created")" == 201 ]] || fail "POST /v1/products: $created"
id="$(head -n 1 <<<"$created" | sed -E 's/.*"id" *: *"?([^",}]+)"?.*/\1/')"
read_back="$(curl -s -w '\n%{http_code}' "${auth[@]}" "$base/v1/products/$id")"
[[ "$(tail -n 1 <<<"$read_back")" == 200 && "$read_back" == *"$sku"* ]] || fail "GET /v1/products/$id: $read_back"
say "API: created and read product $sku ($id)"

pid="$("${PODMAN[@]}" inspect -f '{{.State.Pid}}' "$NAME")"
uid="$(awk '/^Uid:/ {print $2}' "/proc/$pid/status")"
[[ "$uid" == 10001 ]] || fail "the service runs as uid $uid, not 10001"
exe="$(readlink "/proc/$pid/exe")"
[[ "$exe" == */opt/inventory/runtime/bin/java ]] || fail "the container's first process is $exe, not the JVM"
say "runs as uid $uid (PID 1 is the JVM: $(basename "$exe"))"
tr '\0' ' ' < "/proc/$pid/cmdline" | grep -q -- '-XX:AOTCache=/opt/inventory/lib/inventory.aot' \
    || fail "the JVM runs without the AOT cache"

# --- stop ---------------------------------------------------------------------------------------------------------
"${PODMAN[@]}" stop -t 15 "$NAME" >/dev/null || fail "podman stop failed"
code="$("${PODMAN[@]}" inspect -f '{{.State.ExitCode}}' "$NAME")"
"${PODMAN[@]}" logs "$NAME" > "$work/service.log" 2>&1
[[ "$code" == 0 ]] || { cat "$work/service.log" >&2; fail "exit code $code after SIGTERM, not 0"; }
grep -q 'stopped' "$work/service.log" || { cat "$work/service.log" >&2; fail "no \"stopped\" log line after SIGTERM"; }
say "SIGTERM: exit code 0, logged \"stopped\""

# --- figures ------------------------------------------------------------------------------------------------------
size="$(podman "${STORE[@]}" image inspect -f '{{.Size}}' "$IMAGE")"
base_size="$(podman "${STORE[@]}" image inspect -f '{{.Size}}' "$RUNTIME_BASE")"
say "image $IMAGE: $((size / 1000000)) MB (base $RUNTIME_BASE $((base_size / 1000000)) MB," \
    "/opt/inventory $(( (size - base_size) / 1000000 )) MB)"
say "OK"
