# Shared helpers for the project's scripts. Source it: . "$(dirname "$0")/lib.sh"
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VENV:-$REPO/.venv}"
VAR="$REPO/var"
mkdir -p "$VAR/log"

log() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

need_root() {
  [ "$(id -u)" = 0 ] || die "$1 needs root (apt-get). Install it yourself or run as root."
}

# apt_install [--with-recommends] PKG... : installs the Debian packages that are missing, once
# (without their recommended packages unless asked: docker.io and debootstrap want theirs).
apt_install() {
  local missing=() recommends=--no-install-recommends
  if [ "${1:-}" = --with-recommends ]; then recommends=--install-recommends; shift; fi
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  need_root "installing ${missing[*]}"
  log "apt-get install ${missing[*]}"
  # One apt at a time across parallel scripts.
  (
    flock 9
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y "$recommends" "${missing[@]}" >"$VAR/log/apt.log" 2>&1 || {
      apt-get update >>"$VAR/log/apt.log" 2>&1
      apt-get install -y "$recommends" "${missing[@]}" >>"$VAR/log/apt.log" 2>&1
    } || { tail -20 "$VAR/log/apt.log" >&2; die "apt-get install ${missing[*]} failed (log: var/log/apt.log)"; }
  ) 9>"$VAR/apt.lock"
}

# export_services: starts PostgreSQL and Redis (scripts/services.sh) and exports
# the DATABASE_URL and CELERY_BROKER_URL it prints. Fails when they do not start.
export_services() {
  local out line
  out="$(bash "$REPO/scripts/services.sh")" || die "PostgreSQL or Redis did not start"
  while IFS= read -r line; do
    case "$line" in
      DATABASE_URL=*|CELERY_BROKER_URL=*) export "${line?}" ;;
    esac
  done <<<"$out"
  [ -n "${DATABASE_URL:-}" ] && [ -n "${CELERY_BROKER_URL:-}" ] ||
    die "scripts/services.sh printed no DATABASE_URL / CELERY_BROKER_URL"
}

# npm_install_locked DIR WHAT: `npm install` in DIR from its package-lock.json, only when the lockfile
# changed since the last install (a sha256 stamp in node_modules). No `npm ci`: the lockfiles lack some
# platforms' optional packages.
npm_install_locked() {
  local dir="$1" what="$2" stamp want
  stamp="$dir/node_modules/.lock.sha256"
  want="$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    log "npm install ($what)"
    ( cd "$dir" && npm install --no-audit --no-fund --no-save --loglevel=error >&2 )
    echo "$want" >"$stamp"
  fi
}
