#!/usr/bin/env bash
# The Dockerfile's build stage runs this after ./jlink.sh --no-aot: trains the AOT cache of /opt/inventory, the image
# the runtime stage gets (no embedded PostgreSQL), in the directory it will run from, because the JVM uses a cache
# only with the module path and paths it was trained with.
#
# The training start needs a database. The embedded PostgreSQL's jars (moved to /opt/embedded, never shipped) serve
# as that database for the few seconds of the training: a second copy of the service that has them (/opt/train)
# starts it, and the training start of /opt/inventory connects to it with INVENTORY_DB_URL. Both run as the
# unprivileged user 10002, since PostgreSQL refuses root (and unshare is not allowed in most builders).
set -euo pipefail
APP=/opt/inventory
AOT="$APP/lib/inventory.aot"
TRAIN=/opt/train
uid=10002

as_trainer() { setpriv --reuid="$uid" --regid="$uid" --clear-groups env HOME=/tmp "$@"; }

# PostgreSQL looks its user up (initdb: "could not look up effective user ID")
getent passwd "$uid" >/dev/null \
    || useradd --system --uid "$uid" --user-group --home-dir /tmp --no-create-home trainer 2>/dev/null \
    || echo "trainer:x:$uid:$uid::/tmp:/usr/sbin/nologin" >> /etc/passwd
rm -rf "$TRAIN"
cp -a "$APP" "$TRAIN"
cp /opt/embedded/*.jar "$TRAIN/lib/"
data="$(mktemp -d)"
chown "$uid:$uid" "$data"
db_log="$(mktemp)"
chmod 666 "$db_log"

# not through as_trainer: a backgrounded function is a subshell, and $! would be the subshell, not the service
# (stop_db's SIGTERM then missed the JVM, which outlived the build); setpriv, env and the launcher exec each other
setpriv --reuid="$uid" --regid="$uid" --clear-groups env -u INVENTORY_DB_URL HOME=/tmp INVENTORY_PORT=0 \
    INVENTORY_DATA_DIR="$data" INVENTORY_ADMIN_KEY=training-only-not-a-secret-0123456789abcdef \
    "$TRAIN/bin/inventory" >"$db_log" 2>&1 </dev/null &
db_pid=$!
stop_db() { if kill -TERM "$db_pid" 2>/dev/null; then wait "$db_pid" || true; fi; }
trap stop_db EXIT
for _ in $(seq 1200); do
    grep -q ' ready on ' "$db_log" && break
    kill -0 "$db_pid" 2>/dev/null || break
    sleep 0.1
done
port="$(sed -n 4p "$data/pg/postmaster.pid" 2>/dev/null || true)"
if ! grep -q ' ready on ' "$db_log" || [[ ! "$port" =~ ^[0-9]+$ ]]; then
    cat "$db_log" >&2
    echo "train-aot: the training database did not start" >&2
    exit 1
fi

rm -f "$AOT" "$AOT.dir" "$AOT.cpu"
# The JVM rejects a cache when a jar's modification time differs from the training's, and COPY --from may keep only
# whole seconds of it (buildah rounds 20:53:41.77 up to :42): so the jars' times are whole seconds before training.
find "$APP/lib" -name '*.jar' -exec touch -m -d "@$(date +%s)" {} +
# written where the trainer may write (the image stays root's), then moved: the cache's own path does not matter
out="$data/inventory.aot"
# the training's two steps are the launcher's (bin/inventory --train-aot-on), against this database
if ! as_trainer "$APP/bin/inventory" --train-aot-on "127.0.0.1:$port" "$out"; then
    echo "train-aot: the training failed" >&2
    exit 1
fi
mv "$out" "$AOT"
printf '%s\n' "$APP" > "$AOT.dir"
# the CPU the cache's adapter code was generated for: the launcher uses that code only on the same one
grep -m1 '^flags' /proc/cpuinfo > "$AOT.cpu" || true
chown -R root:root "$APP"
stop_db
trap - EXIT
rm -rf "$TRAIN" "$data" "$db_log"
echo "train-aot: $AOT $(du -h "$AOT" | cut -f1)"
