#!/usr/bin/env bash
# The editor: `frontend.sh test` (unit tests, type check), `frontend.sh build` (production build
# into frontend/dist, served by Django at /). Installs npm packages when package-lock.json changed.
. "$(dirname "$0")/lib.sh"
cd "$REPO/frontend"

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  apt_install nodejs npm
fi
major="$(node -p 'process.versions.node.split(".")[0]')"
[ "$major" -ge 20 ] || die "the editor needs Node.js 20 or newer (found $(node --version))"

npm_install_locked . "frontend, from package-lock.json"

# The API client's types (src/api/schema.d.ts, not in git) come from the backend's OpenAPI
# document every time, so the type check always runs against the API as it is.
PYTHON="$VENV/bin/python" node scripts/gen-api.mjs || die "could not generate src/api/schema.d.ts (npm run gen:api)"

case "${1:-build}" in
  test)
    log "vitest + tsc (frontend)"
    npm test --silent
    npx tsc -b --noEmit 2>/dev/null || npx tsc --noEmit
    ;;
  build)
    # Skip when dist is newer than every source file.
    if [ -f dist/index.html ] && [ -z "$(find src index.html package-lock.json vite.config.ts -newer dist/index.html -print -quit 2>/dev/null)" ]; then
      exit 0
    fi
    log "building the editor (frontend/dist)"
    npm run build --silent >&2
    ;;
  *) die "usage: frontend.sh test|build" ;;
esac
