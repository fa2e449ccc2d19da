#!/usr/bin/env bash
# Make sure a Docker engine is installed and answering on this machine.
#
# Idempotent and cheap when the engine already answers (one `docker info`).
# Otherwise: install docker.io + debootstrap from Debian if missing, then start
# dockerd in its own session so it outlives the calling shell, and wait for it.
#
# Why --bridge=none --iptables=false: the machines we run on have no usable
# netfilter/bridge setup, and step containers run with --network none anyway;
# image builds use --network host.
#
# Usage: scripts/docker-engine.sh        (exit 0 = engine answers)
# Env:   DOCKER_ENGINE_WAIT  seconds to wait for a fresh dockerd (default 60)
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VAR="$REPO/var"
LOG="$VAR/log/dockerd.log"
WAIT="${DOCKER_ENGINE_WAIT:-60}"

engine_answers() { timeout 10 docker info >/dev/null 2>&1; }

# Fast path: nothing to do (no lock, no apt).
if command -v dockerd >/dev/null && command -v debootstrap >/dev/null && engine_answers; then
    exit 0
fi

mkdir -p "$VAR/log"
exec 9>"$VAR/docker-engine.lock"
flock 9   # a second concurrent caller waits here, then takes the fast path below

install_packages() {
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y -q docker.io debootstrap; then
        apt-get update -q
        apt-get install -y -q docker.io debootstrap
    fi
}

if ! command -v dockerd >/dev/null || ! command -v debootstrap >/dev/null; then
    echo "docker-engine: installing docker.io and debootstrap from Debian" >&2
    install_packages
fi

if engine_answers; then
    exit 0
fi

# A stale pid file from a dead dockerd makes the new one refuse to start.
if [ -f /var/run/docker.pid ] && ! kill -0 "$(cat /var/run/docker.pid)" 2>/dev/null; then
    rm -f /var/run/docker.pid
fi

if ! pgrep -x dockerd >/dev/null; then
    echo "docker-engine: starting dockerd (log: $LOG)" >&2
    # setsid: own session and process group, so killing the caller's job
    # (or closing its terminal) does not take the engine down with it.
    # 9>&-: dockerd must not inherit the lock, or the next caller waits forever.
    setsid nohup dockerd --bridge=none --iptables=false >>"$LOG" 2>&1 </dev/null 9>&- &
    disown || true
fi

for _ in $(seq 1 "$WAIT"); do
    if engine_answers; then
        echo "docker-engine: engine is up ($(docker version -f '{{.Server.Version}}' 2>/dev/null))" >&2
        exit 0
    fi
    sleep 1
done

echo "docker-engine: ERROR: dockerd did not answer within ${WAIT}s; last lines of $LOG:" >&2
tail -n 20 "$LOG" >&2 || true
exit 1
