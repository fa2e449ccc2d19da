#!/usr/bin/env bash
# `make up`: installs what is missing, prepares the database and the demo, then
# runs web + worker + scheduler in the foreground (Ctrl-C stops all three).
#
# With no configuration: SQLite and an embedded filesystem broker under var/.
# DATABASE_URL / CELERY_BROKER_URL select PostgreSQL and Redis instead.
. "$(dirname "$0")/lib.sh"
cd "$REPO"

bash scripts/bootstrap.sh
PY="$VENV/bin/python"
MANAGE=("$PY" backend/manage.py)

# Docker runs the steps. Bring an engine up where we can; say what to do where we can't.
docker_ok=1
if ! bash scripts/docker-engine.sh; then
  docker_ok=0
  printf '\n\033[1;33mwarning:\033[0m the Docker engine or the worker images are not ready (the reason is above): the app starts, but runs will fail until they are.\n'
  printf '         As root on Debian: apt-get install docker.io && dockerd &   (then run make up again)\n\n'
fi
if [ "$docker_ok" = 1 ]; then
  bash worker_images/build.sh || printf '\033[1;33mwarning:\033[0m worker images did not build; see the messages above.\n'
fi

if [ -f frontend/package.json ]; then
  bash scripts/frontend.sh build || printf '\033[1;33mwarning:\033[0m the editor did not build; the API still works.\n'
fi

mkdir -p "$VAR/broker/out" "$VAR/broker/processed"
"${MANAGE[@]}" migrate --noinput >/dev/null
"${MANAGE[@]}" collectstatic --noinput >/dev/null
"${MANAGE[@]}" sync_component_library
"${MANAGE[@]}" ensure_admin
"${MANAGE[@]}" load_demo_pipelines

printf '\n\033[1;32mPipeline Studio\033[0m on http://%s:%s  (API docs: /api/docs/)\n\n' "${HOST:-127.0.0.1}" "${PORT:-8000}"
# honcho hands each process a PORT counting up from -p; web is listed first, so it gets $PORT.
exec "$VENV/bin/honcho" -f scripts/Procfile -d "$REPO" start -p "${PORT:-8000}"
