#!/usr/bin/env bash
# Build every worker image, skipping the ones whose inputs have not changed.
#
#   worker_images/build.sh            build what is out of date
#   STUDIO_BASE_IMAGE=python:3.11-slim worker_images/build.sh
#                                     use the registry image instead of the
#                                     debootstrap-made Debian rootfs
#   STUDIO_REBUILD=1 worker_images/build.sh
#                                     rebuild everything (not the rootfs)
#
# Images (tags are what component.yaml files reference):
#   pipeline-studio/debian:bookworm   rootfs from debootstrap (only without a registry)
#   pipeline-studio/base:1            non-root python3 runtime
#   pipeline-studio/sklearn:1         + numpy, pandas, scikit-learn, /components/
#
# "Up to date" means: the image carries a LABEL studio.inputs-hash equal to the
# sha256 of its Dockerfile, its build args, the id of the image it builds FROM
# and (sklearn) every file of component_library/. A rebuilt base therefore
# rebuilds sklearn too. Safe to run twice at once: the second run waits on a
# lock, then finds everything up to date.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
HERE="$REPO/worker_images"
VAR="$REPO/var"
DEBIAN_IMAGE="pipeline-studio/debian:bookworm"
DEBIAN_MIRROR="${STUDIO_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
BASE_IMAGE="${STUDIO_BASE_IMAGE:-$DEBIAN_IMAGE}"
export LC_ALL=C   # stable sort order for the inputs hash

"$REPO/scripts/docker-engine.sh"

mkdir -p "$VAR/log"
exec 8>"$VAR/worker-images.lock"
flock 8

# Debian's docker.io CLI has no buildx; a newer CLI without buildx refuses to
# build while BuildKit is on. The legacy builder does all we need here.
if [ -z "${DOCKER_BUILDKIT:-}" ] && ! docker buildx version >/dev/null 2>&1; then
    export DOCKER_BUILDKIT=0
fi

# How the Dockerfiles install Python packages on top of BASE_IMAGE.
case "$BASE_IMAGE" in
    python:*) PKG="${STUDIO_PKG:-pip}" ;;
    *)        PKG="${STUDIO_PKG:-apt}" ;;
esac

TMP_DIRS=()
cleanup() {
    local d
    for d in "${TMP_DIRS[@]}"; do
        # debootstrap mounts proc/sys inside the target; never rm -rf across
        # a live mount (that would walk into the host's /sys or /dev).
        if findmnt -rno TARGET | grep -q "^$d"; then
            findmnt -rno TARGET | grep "^$d" | sort -r | xargs -r -n1 umount -l || true
        fi
        if findmnt -rno TARGET | grep -q "^$d"; then
            echo "build.sh: leaving $d behind: still has mounts" >&2
        else
            rm -rf "$d"
        fi
    done
}
trap cleanup EXIT

image_id()    { docker image inspect -f '{{.Id}}' "$1" 2>/dev/null || true; }
image_label() { docker image inspect -f "{{index .Config.Labels \"$2\"}}" "$1" 2>/dev/null || true; }
now()         { date +%s; }

# --- the base rootfs -------------------------------------------------------

ensure_debian_image() {
    if [ -n "$(image_id "$DEBIAN_IMAGE")" ]; then
        echo "$DEBIAN_IMAGE up to date"
        return
    fi
    local t0 tmp root
    t0=$(now)
    tmp="$(mktemp -d /var/tmp/studio-rootfs.XXXXXX)"
    TMP_DIRS+=("$tmp")
    root="$tmp/rootfs"
    if ! debootstrap --variant=minbase --include=python3,ca-certificates \
            bookworm "$root" "$DEBIAN_MIRROR" >"$VAR/log/debootstrap.log" 2>&1; then
        echo "build.sh: debootstrap failed; see $VAR/log/debootstrap.log" >&2
        tail -n 20 "$VAR/log/debootstrap.log" >&2
        exit 1
    fi

    # apt must work in later `docker build --network host` steps.
    rm -f "$root/etc/apt/sources.list"
    cat >"$root/etc/apt/sources.list.d/debian.sources" <<SOURCES
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
    # Same as the host: its mirror may serve a snapshot with an old Date.
    cat >"$root/etc/apt/apt.conf.d/99studio" <<'APTCONF'
Acquire::Check-Valid-Until "false";
Acquire::Check-Date "false";
APT::Install-Recommends "false";
APT::Install-Suggests "false";
APTCONF
    # Like Debian's -slim images: packages installed later skip docs and man pages.
    mkdir -p "$root/etc/dpkg/dpkg.cfg.d"
    cat >"$root/etc/dpkg/dpkg.cfg.d/docker-slim" <<'DPKG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
DPKG
    chroot "$root" apt-get clean
    # The same trim for what debootstrap already unpacked.
    find "$root/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete
    find "$root/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +
    rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin \
           "$root"/usr/share/man/* "$root"/usr/share/info/* \
           "$root"/var/log/*.log "$root"/var/log/apt/* "$root"/tmp/* "$root"/root/.cache
    # A container gets its own /etc/hostname and /etc/resolv.conf from Docker.
    : >"$root/etc/resolv.conf"

    tar -C "$root" --numeric-owner -c . | docker import \
        --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'ENV LANG=C.UTF-8' \
        --change 'CMD ["/bin/bash"]' \
        --message "debootstrap --variant=minbase bookworm ($DEBIAN_MIRROR)" \
        - "$DEBIAN_IMAGE" >/dev/null
    cleanup; TMP_DIRS=()
    echo "built $DEBIAN_IMAGE in $(( $(now) - t0 ))s"
}

ensure_registry_image() {
    if [ -z "$(image_id "$BASE_IMAGE")" ]; then
        if ! docker pull -q "$BASE_IMAGE" >/dev/null; then
            echo "build.sh: cannot pull $BASE_IMAGE; without a registry, unset STUDIO_BASE_IMAGE" >&2
            exit 1
        fi
        echo "pulled $BASE_IMAGE"
    fi
}

# --- images built from Dockerfiles ------------------------------------------

# build_image NAME DOCKERFILE FROM_IMAGE WITH_COMPONENTS(0|1) [BUILD_ARG ...]
build_image() {
    local name="$1" dockerfile="$2" from="$3" with_components="$4"
    shift 4
    local from_id hash current t0 ctx log
    from_id="$(image_id "$from")"
    if [ -z "$from_id" ]; then
        echo "build.sh: $from is missing, cannot build $name" >&2
        exit 1
    fi

    local files=()
    if [ "$with_components" = 1 ]; then
        if [ -d "$REPO/component_library" ]; then
            # Byte-code and editor droppings are not inputs.
            while IFS= read -r -d '' f; do files+=("$f"); done < <(
                cd "$REPO" && find component_library -type f \
                    ! -path '*/__pycache__/*' ! -name '*.pyc' ! -name '*~' \
                    ! -name '.*.swp' ! -name '.DS_Store' -print0 | sort -z)
        else
            echo "build.sh: warning: $REPO/component_library missing; /components will be empty" >&2
        fi
    fi

    hash="$(
        {
            echo "dockerfile"; cat "$dockerfile"
            echo "from $from_id"
            printf 'arg %s\n' "$@"
            if [ "${#files[@]}" -gt 0 ]; then
                (cd "$REPO" && sha256sum -- "${files[@]}")
            fi
        } | sha256sum | cut -d' ' -f1
    )"
    current="$(image_label "$name" studio.inputs-hash)"
    if [ "$current" = "$hash" ] && [ -z "${STUDIO_REBUILD:-}" ]; then
        echo "$name up to date"
        return
    fi

    t0=$(now)
    ctx="$(mktemp -d /var/tmp/studio-context.XXXXXX)"
    TMP_DIRS+=("$ctx")
    cp "$dockerfile" "$ctx/Dockerfile"
    mkdir -p "$ctx/component_library"
    if [ "${#files[@]}" -gt 0 ]; then
        (cd "$REPO" && printf '%s\0' "${files[@]}" | tar --null -T - -cf -) | tar -C "$ctx" -xf -
    fi

    local args=()
    local a
    for a in "$@"; do args+=(--build-arg "$a"); done
    log="$VAR/log/build-$(echo "$name" | tr '/:' '__').log"
    if ! docker build --network host --force-rm \
            --label "studio.inputs-hash=$hash" \
            "${args[@]}" -t "$name" "$ctx" >"$log" 2>&1; then
        echo "build.sh: building $name failed; see $log" >&2
        tail -n 30 "$log" >&2
        exit 1
    fi
    rm -rf "$ctx"
    echo "built $name in $(( $(now) - t0 ))s"
}

# --- main -------------------------------------------------------------------

if [ "$BASE_IMAGE" = "$DEBIAN_IMAGE" ]; then
    ensure_debian_image
else
    ensure_registry_image
fi

build_image pipeline-studio/base:1 "$HERE/base/Dockerfile" "$BASE_IMAGE" 0 \
    "BASE_IMAGE=$BASE_IMAGE"
build_image pipeline-studio/sklearn:1 "$HERE/sklearn/Dockerfile" pipeline-studio/base:1 1 \
    "BASE=pipeline-studio/base:1" "PKG=$PKG"

# Old versions of our images left untagged by a rebuild (skips any still used
# by a container).
docker image prune -f --filter "label=studio.inputs-hash" >/dev/null 2>&1 || true
