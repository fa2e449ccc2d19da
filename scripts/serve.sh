#!/usr/bin/env bash
# The web process of `make up`: gunicorn (threads) on 127.0.0.1:$PORT.
. "$(dirname "$0")/lib.sh"
cd "$REPO/backend"
exec "$VENV/bin/gunicorn" studio.wsgi:application \
  --bind "${HOST:-127.0.0.1}:${PORT:-8000}" --workers 2 --threads 8 --timeout 0 \
  --access-logfile - --error-logfile -
