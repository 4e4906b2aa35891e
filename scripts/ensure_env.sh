#!/usr/bin/env bash
# Create or reuse the project's Python environment, outside the checkout.
#
# The environment is reinstalled only when requirements.lock changes: its hash
# is stored in the venv as a stamp. Prints the venv path on the last line.
#
#   PYTHON=/path/to/python3.10  which interpreter to build the venv from
#   VENV=/path/to/venv          where the venv lives (default: ~/.cache/bank-assistant/venv-py310)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
lock="$here/requirements.lock"
venv="${VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/bank-assistant/venv-py310}"
stamp="$venv/.requirements.lock.sha256"

say() { printf '\033[1;34m[env]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[env] error:\033[0m %s\n' "$*" >&2; exit 1; }

find_python() {
  if [[ -n "${PYTHON:-}" ]]; then
    command -v "$PYTHON" >/dev/null 2>&1 || die "PYTHON=$PYTHON is not an executable: point it at a Python 3.10 interpreter."
    echo "$PYTHON"; return
  fi
  for candidate in python3.10 "$HOME/.pyenv/versions/3.10"*/bin/python3.10 /usr/bin/python3.10; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null; then
      echo "$candidate"; return
    fi
  done
  die "Python 3.10 not found (Rasa 3.6 needs 3.10): install it (e.g. 'pyenv install 3.10') or set PYTHON=/path/to/python3.10."
}

[[ -f "$lock" ]] || die "requirements.lock is missing: run 'make lock' to create it from pyproject.toml."
want="$(sha256sum "$lock" | cut -d' ' -f1)"

if [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  say "reusing environment $venv (requirements.lock unchanged)"
  echo "$venv"; exit 0
fi

if [[ ! -x "$venv/bin/python" ]]; then
  python="$(find_python)"
  say "creating environment $venv with $("$python" --version 2>&1)"
  mkdir -p "$(dirname "$venv")"
  "$python" -m venv "$venv" || die "could not create a venv: install the venv module for Python 3.10 (Debian: python3.10-venv)."
fi

say "installing pinned dependencies from requirements.lock (first time: several GB, 10-20 minutes)"
start=$SECONDS
"$venv/bin/python" -m pip install --quiet --upgrade "pip==24.2"
"$venv/bin/python" -m pip install --progress-bar on -r "$lock" \
  || die "dependency install failed (see above). Check network access to PyPI, then run the command again: finished packages are kept."
"$venv/bin/python" -m pip check >&2 || die "installed packages conflict: regenerate the lock with 'make lock'."
echo "$want" > "$stamp"
say "environment ready in $((SECONDS - start)) s"
echo "$venv"
