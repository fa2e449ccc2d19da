#!/usr/bin/env bash
# Creates .venv and installs the pinned Python packages when they changed.
. "$(dirname "$0")/lib.sh"
REQ="$REPO/backend/requirements-dev.txt"
STAMP="$VENV/.requirements.sha256"
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
