#!/usr/bin/env bash
# Checks cloudformation/ecs-stack.yaml without AWS and without network:
#  1. cfn-lint: every resource type, property, value and reference against the AWS resource
#     specification bundled with cfn-lint (errors and warnings fail; informational I-rules are shown).
#  2. cloudformation/test/spec_check.py: resource types, properties (recursively), required properties,
#     value types and !GetAtt attributes against the newer specification of the npm package
#     @aws-cdk/aws-service-spec (pinned in package.json/package-lock.json; installed here with npm ci
#     the first time, so the first run needs the npm registry, later runs none).
#  3. cloudformation/test/policy_test.py: policy checks over the parsed template (RDS private,
#     encrypted, deletion-protected; no world-open security group but the ALB's listener ports; tasks
#     in private subnets without public IPs; secrets only from Secrets Manager; log retention; IAM least
#     privilege; circuit breaker; alarms), plus mutation tests proving each check can fail.
# Usage: cloudformation/check.sh [template]   (default: cloudformation/ecs-stack.yaml)
# Exits non-zero on any failure.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
template="$(realpath "${1:-$here/ecs-stack.yaml}")"
status=0

if ! command -v cfn-lint >/dev/null 2>&1; then
  echo "check.sh: cfn-lint not found (pip install cfn-lint)" >&2
  exit 2
fi
spec_dir="$(python3 -c 'import cfnlint, os; print(os.path.join(os.path.dirname(cfnlint.__file__), "data", "schemas", "providers"))' 2>/dev/null || true)"
spec_date="$(date -u -r "$spec_dir" +%Y-%m-%d 2>/dev/null || echo unknown)"

echo "== cfn-lint $(cfn-lint --version | awk '{print $2}') (bundled resource spec installed $spec_date), regions us-east-1 eu-west-1 eu-central-1, on $template"
# cfn-lint's exit code is a bit mask: 2 errors, 4 warnings, 8 informational.
lint_rc=0
cfn-lint --regions us-east-1 eu-west-1 eu-central-1 --include-checks I --format parseable -- "$template" || lint_rc=$?
if (( lint_rc & 7 )); then
  echo "FAIL cfn-lint found errors or warnings (exit code $lint_rc)"
  status=1
else
  echo "ok   cfn-lint: no errors, no warnings"
fi

spec_db="$here/node_modules/@aws-cdk/aws-service-spec/db.json.gz"
if [[ ! -f "$spec_db" ]]; then
  echo "== npm ci (cloudformation/package-lock.json: @aws-cdk/aws-service-spec)"
  (cd "$here" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) || true
fi
spec_version="$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["version"])' "$here/node_modules/@aws-cdk/aws-service-spec/package.json" 2>/dev/null || echo missing)"
echo "== @aws-cdk/aws-service-spec $spec_version resource specification on $template"
if [[ -f "$spec_db" ]] && python3 "$here/test/spec_check.py" "$template" "$spec_db"; then
  echo "ok   resource specification check"
else
  echo "FAIL resource specification check"
  status=1
fi

echo "== policy tests (cloudformation/test/policy_test.py) on $template"
if CFN_TEMPLATE="$template" python3 -m unittest discover -s "$here/test" -p 'policy_test.py' -v; then
  echo "ok   policy tests"
else
  echo "FAIL policy tests"
  status=1
fi

exit "$status"
