#!/usr/bin/env bash
# Creates .venv and installs the pinned Python packages when they changed.
. "$(dirname "$0")/lib.sh"
REQ="$REPO/backend/requirements-dev.txt"
STAMP="$VENV/.requirements.sha256"
# The pinned packages (Django 5.2 LTS, psycopg2 wheels, ...) are chosen for Python 3.11.
need_py311() {  # need_py311 PYTHON WHAT
  local version
  version="$("$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)" ||
    die "$2 ($(command -v "$1" || echo "$1")) does not run; Pipeline Studio needs Python 3.11"
  [ "$version" = "3.11" ] ||
    die "$2 ($(command -v "$1" || echo "$1")) is Python $version; Pipeline Studio needs Python 3.11. $3"
}
if [ -x "$VENV/bin/python" ]; then
  need_py311 "$VENV/bin/python" ".venv's python" "Remove .venv and run again with python3 3.11 first on PATH."
else
  # A minimal Debian 12 has no python3 at all: install it (Debian 12's is 3.11), as root.
  command -v python3 >/dev/null || apt_install python3 python3-venv
  need_py311 python3 "python3" "Put a Python 3.11 python3 first on PATH (Debian 12's python3 is 3.11)."
fi
want="$(cat "$REPO/backend/requirements.txt" "$REQ" | sha256sum | cut -d' ' -f1)"
if [ -x "$VENV/bin/python" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$want" ]; then
  exit 0
fi
if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
  apt_install python3-venv
fi
[ -x "$VENV/bin/python" ] || { log "creating virtual environment .venv"; python3 -m venv "$VENV"; }
log "installing Python packages (backend/requirements-dev.txt)"
"$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$REQ" 2>&1 | grep -v "is ignored: it is neither" >&2 || true
"$VENV/bin/python" -c "import django, rest_framework, celery, docker" || die "Python packages did not install"
echo "$want" >"$STAMP"
