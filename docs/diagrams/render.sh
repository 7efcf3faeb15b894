#!/usr/bin/env bash
# Renders every docs/diagrams/*.puml to the PNG beside it, with PlantUML from Maven Central (pinned below) and its
# built-in layout engine (`!pragma layout smetana` in each source), so no Graphviz is needed.
#
#   docs/diagrams/render.sh           re-render every PNG (after changing a .puml; commit both)
#   docs/diagrams/render.sh --check   render every source into a temporary directory and fail if one does not
#                                     render, has no PNG beside it, or its PNG was not rendered from the source as
#                                     it is now; writes nothing under docs/ (CI runs this)
#
# How --check knows a PNG is current: PlantUML writes the diagram's source into the PNG's metadata, and
# `--extract-source` reads it back. The source in the committed PNG must equal the source in a fresh render
# (PlantUML's own normalisation on both sides). The PNG bytes are compared as well, but only reported: on one
# machine rendering is byte-for-byte repeatable, yet the pixels depend on the fonts installed, so a PNG rendered
# elsewhere differs from a fresh render here without being stale.
#
# Needs bash and Java 11 or newer (JAVA_HOME, the Temurin 25 of this project when installed, or java on the PATH).
# The jar is fetched once with the project's Maven wrapper (dependency:copy, non-recursive) into target/plantuml/,
# which git ignores; PLANTUML_JAR=/path/to/plantuml.jar uses another copy of the same version.
set -euo pipefail

PLANTUML_VERSION=1.2025.10

DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
ROOT="$(cd "$DIR/../.." && pwd -P)"

check=false
case "${1:-}" in
    "") ;;
    --check) check=true ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "render.sh: unknown argument '$1' (use --check or --help)" >&2; exit 64 ;;
esac

die() { echo "render.sh: $*" >&2; exit 1; }

# --- Java -----------------------------------------------------------------------------------------------------------
if [[ -z "${JAVA_HOME:-}" && -d /usr/lib/jvm/temurin-25-jdk-amd64 ]]; then
    export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
if [[ -n "${JAVA_HOME:-}" ]]; then
    java="$JAVA_HOME/bin/java"
else
    java="$(command -v java || true)"
fi
[[ -n "$java" && -x "$java" ]] || die "no Java found: set JAVA_HOME (PlantUML needs Java 11 or newer)"

# --- PlantUML -------------------------------------------------------------------------------------------------------
jar="${PLANTUML_JAR:-$ROOT/target/plantuml/plantuml-$PLANTUML_VERSION.jar}"
if [[ ! -s "$jar" ]]; then
    [[ -z "${PLANTUML_JAR:-}" ]] || die "PLANTUML_JAR=$PLANTUML_JAR does not exist"
    echo "render.sh: fetching net.sourceforge.plantuml:plantuml:$PLANTUML_VERSION from Maven Central into target/plantuml/"
    (cd "$ROOT" && ./mvnw -B -q -N dependency:copy \
        "-Dartifact=net.sourceforge.plantuml:plantuml:$PLANTUML_VERSION" \
        -DoutputDirectory=target/plantuml) || die "could not fetch PlantUML $PLANTUML_VERSION with ./mvnw"
    [[ -s "$jar" ]] || die "./mvnw ran, but $jar is not there"
fi

plantuml() {
    "$java" -Djava.awt.headless=true -jar "$jar" "$@"
}

# The source as PlantUML stored it in a PNG's metadata: the lines from @startuml to @enduml.
embedded_source() {
    plantuml --extract-source "$1" | sed -n '/^@startuml/,/^@enduml/p'
}

shopt -s nullglob
sources=("$DIR"/*.puml)
shopt -u nullglob
(( ${#sources[@]} > 0 )) || die "no .puml source in $DIR"

if ! $check; then
    # --no-error-image: a source with a syntax error makes no PNG (PlantUML would otherwise draw the error)
    plantuml -tpng --no-error-image --stop-on-error -o "$DIR" "${sources[@]}" \
        || die "PlantUML failed (the message above names the source and line)"
    for src in "${sources[@]}"; do
        png="${src%.puml}.png"
        [[ -s "$png" ]] || die "${src#"$ROOT"/} rendered no $png"
        echo "render.sh: ${src#"$ROOT"/} -> ${png#"$ROOT"/}"
    done
    exit 0
fi

tmp="$(mktemp -d "${TMPDIR:-/tmp}/inventory-diagrams.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
plantuml -tpng --no-error-image --stop-on-error -o "$tmp" "${sources[@]}" \
    || die "FAILED: a source does not render (the message above names it)"
failed=0
for src in "${sources[@]}"; do
    name="$(basename "${src%.puml}")"
    png="${src%.puml}.png"
    fresh="$tmp/$name.png"
    if [[ ! -s "$fresh" ]]; then
        echo "render.sh: FAILED: ${src#"$ROOT"/} rendered no PNG" >&2; failed=1; continue
    fi
    if [[ ! -f "$png" ]]; then
        echo "render.sh: FAILED: ${png#"$ROOT"/} is missing: run docs/diagrams/render.sh and commit it" >&2
        failed=1; continue
    fi
    if [[ "$(embedded_source "$png")" != "$(embedded_source "$fresh")" ]]; then
        echo "render.sh: FAILED: ${png#"$ROOT"/} is stale (not rendered from ${src#"$ROOT"/} as it is now):" \
             "run docs/diagrams/render.sh and commit it" >&2
        failed=1; continue
    fi
    if cmp -s "$png" "$fresh"; then
        echo "render.sh: ${png#"$ROOT"/} is current (byte for byte)"
    else
        echo "render.sh: ${png#"$ROOT"/} is current (same source; the pixels differ from a render here," \
             "e.g. other fonts)"
    fi
done
# every PNG has its source
shopt -s nullglob
for png in "$DIR"/*.png; do
    [[ -f "${png%.png}.puml" ]] || { echo "render.sh: FAILED: ${png#"$ROOT"/} has no .puml source" >&2; failed=1; }
done
(( failed == 0 )) || exit 1
echo "render.sh: all ${#sources[@]} diagrams render and their PNGs are current"
