#!/usr/bin/env bash
# Make sure Debian's Chromium is installed for the widget's browser tests (Playwright
# drives /usr/bin/chromium; no test tool ever downloads a browser of its own).
set -euo pipefail

say() { printf '\033[1;34m[browser]\033[0m %s\n' "$*" >&2; }

if [[ -x /usr/bin/chromium ]]; then
  say "using $(/usr/bin/chromium --version 2>/dev/null || echo /usr/bin/chromium)"
  exit 0
fi
command -v apt-get >/dev/null 2>&1 || { say "no /usr/bin/chromium and no apt-get: install Chromium yourself"; exit 1; }
sudo=""
[[ "$(id -u)" -eq 0 ]] || sudo="sudo"
say "installing Debian's chromium package"
$sudo apt-get install -y --no-install-recommends chromium >/dev/null \
  || { $sudo apt-get update >/dev/null && $sudo apt-get install -y --no-install-recommends chromium >/dev/null; }
say "installed $(/usr/bin/chromium --version)"
