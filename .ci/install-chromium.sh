#!/usr/bin/env bash
# Headless Chromium for tests/test_dashboard_browser.py, from Debian/Ubuntu packages.
# Never fails CI: without apt (or root) the browser tests skip and say why.
set -uo pipefail
if [ -x /usr/bin/chromium ] || command -v chromium >/dev/null || command -v chromium-browser >/dev/null \
   || command -v google-chrome >/dev/null; then
  exit 0
fi
if ! command -v apt-get >/dev/null; then
  echo "install-chromium: no apt-get here; the browser tests will be skipped" >&2; exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
    echo "install-chromium: not root and no sudo; the browser tests will be skipped" >&2; exit 0
  fi
fi
export DEBIAN_FRONTEND=noninteractive
if $SUDO apt-get update -qq >/dev/null 2>&1 \
   && $SUDO apt-get install -y -qq --no-install-recommends chromium fonts-noto-color-emoji \
        >/dev/null 2>&1; then
  echo "install-chromium: installed $(chromium --version 2>/dev/null || echo chromium)"
else
  echo "install-chromium: apt-get could not install chromium; the browser tests will be skipped" >&2
fi
exit 0
