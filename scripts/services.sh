#!/usr/bin/env bash
# Makes PostgreSQL and Redis available on 127.0.0.1 for the tests (and for
# `make up` when asked), installing Debian's packages when absent. Idempotent:
# what already runs is left alone. Prints the URLs to use, and nothing else, on
# stdout: whatever the tools print (pg_ctlcluster's "Removed stale pid file.",
# say) goes to stderr. Callers read the URLs with export_services (lib.sh).
. "$(dirname "$0")/lib.sh"
exec 3>&1 1>&2

PGPORT="${STUDIO_PG_PORT:-5432}"
REDIS_PORT="${STUDIO_REDIS_PORT:-6379}"

ensure_postgres() {
  if ! command -v pg_ctlcluster >/dev/null || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    apt_install postgresql
  fi
  if ! pg_isready -q -h 127.0.0.1 -p "$PGPORT"; then
    local ver
    ver="$(ls /usr/lib/postgresql | sort -n | tail -1)"
    if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -q "^$ver main$"; then
      need_root "creating a PostgreSQL cluster"
      pg_createcluster "$ver" main --port "$PGPORT" >/dev/null
    fi
    log "starting PostgreSQL $ver"
    # 3>&-: the server must not hold the caller's pipe open (it would never see EOF).
    pg_ctlcluster "$ver" main start 3>&- || true
    for _ in $(seq 1 60); do pg_isready -q -h 127.0.0.1 -p "$PGPORT" && break; sleep 0.5; done
    pg_isready -q -h 127.0.0.1 -p "$PGPORT" || die "PostgreSQL did not start on port $PGPORT (see /var/log/postgresql/)"
  fi
  # The studio role may create the test database.
  if ! PGPASSWORD=studio psql -h 127.0.0.1 -p "$PGPORT" -U studio -d postgres -tAc 'select 1' >/dev/null 2>&1; then
    log "creating PostgreSQL role and database 'studio'"
    runuser -u postgres -- psql -p "$PGPORT" -q -v ON_ERROR_STOP=1 <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'studio') THEN
    CREATE ROLE studio LOGIN PASSWORD 'studio' CREATEDB;
  ELSE
    ALTER ROLE studio LOGIN PASSWORD 'studio' CREATEDB;
  END IF;
END $$;
SQL
    runuser -u postgres -- psql -p "$PGPORT" -tAc "select 1 from pg_database where datname='studio'" | grep -q 1 ||
      runuser -u postgres -- createdb -p "$PGPORT" -O studio studio
  fi
}

ensure_redis() {
  command -v redis-server >/dev/null || apt_install redis-server
  if ! redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; then
    log "starting Redis on 127.0.0.1:$REDIS_PORT"
    redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --daemonize yes --save '' --appendonly no \
      --logfile "$VAR/log/redis.log" --dir "$VAR" >/dev/null 3>&-
    for _ in $(seq 1 40); do redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG && break; sleep 0.25; done
    redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG || die "Redis did not start (var/log/redis.log)"
  fi
}

ensure_postgres
ensure_redis
echo "DATABASE_URL=postgres://studio:studio@127.0.0.1:$PGPORT/studio" >&3
echo "CELERY_BROKER_URL=redis://127.0.0.1:$REDIS_PORT/0" >&3
