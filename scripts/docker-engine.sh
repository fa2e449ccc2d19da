#!/usr/bin/env bash
# Make sure a Docker engine is installed and answering on this machine, and that
# debootstrap is there when worker_images/build.sh will need it.
#
# Idempotent and cheap when the engine already answers (one `docker info`).
# Otherwise, as root: install Debian's docker.io if missing, start dockerd in its
# own session so it outlives the calling shell, and wait for it. Not as root:
# print what to do and exit 1 at once (no apt-get, no dockerd, no waiting).
#
# debootstrap is needed only to build the Debian base image
# (pipeline-studio/debian:bookworm), i.e. when STUDIO_BASE_IMAGE is not set to a
# registry image and that image does not exist yet; it is installed then, and
# only then.
#
# Why --bridge=none --iptables=false: the machines we run on have no usable
# netfilter/bridge setup, and step containers run with --network none anyway;
# image builds use --network host. So this engine has no `bridge` network: a
# component that declares it needs a network fails with a message naming
# STUDIO_STEP_NETWORK until that names a network that exists
# (`docker network create ...`; see docs/operations.md).
#
# Usage: scripts/docker-engine.sh        (exit 0 = engine answers)
# Env:   DOCKER_ENGINE_WAIT  seconds to wait for a fresh dockerd (default 60)
. "$(dirname "$0")/lib.sh"   # REPO, VAR, apt_install

LOG="$VAR/log/dockerd.log"
WAIT="${DOCKER_ENGINE_WAIT:-60}"
DEBIAN_IMAGE="pipeline-studio/debian:bookworm"   # as in worker_images/build.sh

engine_answers() { command -v docker >/dev/null && timeout 10 docker info >/dev/null 2>&1; }

# Whether worker_images/build.sh will run debootstrap: it builds the Debian base only
# when no registry image is configured and the image is missing. Needs an answering engine.
needs_debootstrap() {
    case "${STUDIO_BASE_IMAGE:-$DEBIAN_IMAGE}" in
        "$DEBIAN_IMAGE") ;;
        *) return 1 ;;
    esac
    ! command -v debootstrap >/dev/null && ! docker image inspect "$DEBIAN_IMAGE" >/dev/null 2>&1
}

is_root() { [ "$(id -u)" -eq 0 ]; }

not_root() {  # $1: what is missing
    echo "docker-engine: ERROR: $1, and this script installs and starts things only as root." >&2
    echo "docker-engine: as root, run: bash scripts/docker-engine.sh" >&2
    echo "docker-engine: or yourself: install Docker (Debian: apt-get install docker.io debootstrap)," >&2
    echo "docker-engine: start it, and make its socket usable by $(id -un) (e.g. add it to the docker group)." >&2
    exit 1
}

ensure_debootstrap() {  # the engine answers here
    if needs_debootstrap; then
        is_root || not_root "debootstrap is missing (needed to build $DEBIAN_IMAGE; or set STUDIO_BASE_IMAGE=python:3.11-slim where a registry is reachable)"
        echo "docker-engine: installing debootstrap from Debian (to build $DEBIAN_IMAGE)" >&2
        apt_install --with-recommends debootstrap
    fi
}

# Fast path: nothing to do (no lock, no apt).
answers=0
if engine_answers; then
    answers=1
    needs_debootstrap || exit 0
fi

if ! is_root; then
    if [ "$answers" = 1 ]; then
        ensure_debootstrap   # exits with the instruction
        exit 0
    fi
    if command -v docker >/dev/null && [ -S /var/run/docker.sock ] && [ ! -w /var/run/docker.sock ]; then
        not_root "the Docker engine runs but $(id -un) may not use /var/run/docker.sock"
    fi
    not_root "no Docker engine answers"
fi

exec 9>"$VAR/docker-engine.lock"
flock 9   # a second concurrent caller waits here, then finds the engine answering

if engine_answers; then
    ensure_debootstrap
    exit 0
fi

if ! command -v dockerd >/dev/null || ! command -v docker >/dev/null; then
    echo "docker-engine: installing docker.io from Debian" >&2
    apt_install --with-recommends docker.io
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
        ensure_debootstrap
        exit 0
    fi
    sleep 1
done

echo "docker-engine: ERROR: dockerd did not answer within ${WAIT}s; last lines of $LOG:" >&2
tail -n 20 "$LOG" >&2 || true
exit 1
