#!/usr/bin/env bash
# Builds the lab's container images locally, without any registry, and saves them as tars that
# the lab hosts script `docker load`s into each simulated host's dockerd.
#
#   lab/images.sh [build]   base rootfs (debootstrap, cached) -> private build dockerd ->
#                                   ha-lab/base:bookworm, ha-lab/galera:10.11, ha-lab/mariadb:10.11,
#                                   ha-lab/haproxy:2.6, each smoke-tested, then saved as a tar.
#                                   Tars already built from the same inputs are reused; when all
#                                   exist nothing is started at all.
#                                   Then keepalived's .deb files for the HAProxy image (the stack
#                                   installs them into containers that cannot reach a mirror).
#   lab/images.sh list      absolute paths of the current tars, one per line
#   lab/images.sh debs      the directory holding keepalived's .deb files
#   lab/images.sh test      re-run the smoke tests on the current tars
#   lab/images.sh clean     remove the cached tars (base included) and the build data-root
#
# Caches: /root/.cache/ha-mysql-iac/lab/ (base-bookworm.tar, images/<name>-<hash>.tar,
# build-docker/). The hash covers the image's directory under lab/images/ and the base
# tar's sha256. Needs root, debootstrap and Debian's docker.io (dockerd 20.10, /usr/bin/docker).
# Environment: HA_LAB_DEBIAN_MIRROR overrides the mirror read from apt's sources.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
IMAGES_SRC=$SCRIPT_DIR/images
CACHE_DIR=/root/.cache/ha-mysql-iac/lab
BASE_TAR=$CACHE_DIR/base-bookworm.tar
IMAGE_CACHE=$CACHE_DIR/images
BUILD_DATA_ROOT=$CACHE_DIR/build-docker
RUN_DIR=/run/ha-lab-build
BUILD_SOCK=unix://$RUN_DIR/docker.sock
BUILD_PIDFILE=$RUN_DIR/dockerd.pid
BUILD_LOG=$CACHE_DIR/build-dockerd.log
BASE_IMAGE=ha-lab/base:bookworm
# The Debian client (20.10): the 28.x one in /usr/local/bin insists on buildx.
DOCKER_BIN=/usr/bin/docker
DOCKERD_BIN=/usr/sbin/dockerd
# Bump when the way images are built or tagged changes, so old tars are not reused.
RECIPE_VERSION=1
# name|tag, in build order. The directory lab/images/<name>/ holds the Dockerfile.
IMAGES=(
    "galera|ha-lab/galera:10.11"
    "mariadb|ha-lab/mariadb:10.11"
    "haproxy|ha-lab/haproxy:2.6"
)

T0=${EPOCHREALTIME/./}
elapsed() {
    local now=${EPOCHREALTIME/./}
    local us=$((now - T0))
    printf '%d.%d' $((us / 1000000)) $((us / 100000 % 10))
}
log() { printf '[images %6ss] %s\n' "$(elapsed)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
# Seconds (one decimal) since a ${EPOCHREALTIME/./} stamp.
since() {
    local now=${EPOCHREALTIME/./}
    local us=$((now - $1))
    printf '%d.%d' $((us / 1000000)) $((us / 100000 % 10))
}

dk() { DOCKER_BUILDKIT=0 "$DOCKER_BIN" -H "$BUILD_SOCK" "$@"; }

need_root() { [ "$(id -u)" -eq 0 ] || die "run as root (debootstrap and dockerd need it)"; }

# ---------------------------------------------------------------------------------------------
# The Debian mirror apt already uses: the first http(s) source of suite bookworm, from one-line
# (.list) or deb822 (.sources) files. Prints "<main-uri> <security-uri or ->".
apt_mirrors() {
    local files=() f
    [ -f /etc/apt/sources.list ] && files+=(/etc/apt/sources.list)
    for f in /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] && files+=("$f")
    done
    [ "${#files[@]}" -gt 0 ] || return 0
    awk '
        function emit(types, uris, suites,   nt, nu, ns, t, u, s, tl, ul, sl) {
            nt = split(types, tl, /[[:space:]]+/); nu = split(uris, ul, /[[:space:]]+/)
            ns = split(suites, sl, /[[:space:]]+/)
            for (t = 1; t <= nt; t++) if (tl[t] == "deb")
                for (u = 1; u <= nu; u++) if (ul[u] ~ /^https?:\/\//)
                    for (s = 1; s <= ns; s++) {
                        if (sl[s] == "bookworm" && main == "") main = ul[u]
                        if (sl[s] == "bookworm-security" && sec == "") sec = ul[u]
                    }
        }
        function flush() { if (enabled != "no") emit(types, uris, suites); types = uris = suites = ""; enabled = "" }
        FNR == 1 { flush(); deb822 = (FILENAME ~ /\.sources$/) }
        deb822 {
            if ($0 ~ /^[[:space:]]*$/) { flush(); next }
            if ($0 ~ /^[[:space:]]*#/) next
            line = $0; key = tolower(line); sub(/:.*/, "", key); val = line; sub(/^[^:]*:[[:space:]]*/, "", val)
            if (key == "types") types = val; else if (key == "uris") uris = val
            else if (key == "suites") suites = val; else if (key == "enabled") enabled = tolower(val)
            next
        }
        {
            sub(/#.*/, "")
            if ($1 != "deb") next
            line = $0; sub(/\[[^]]*\]/, "", line); n = split(line, w, /[[:space:]]+/)
            k = 0; for (i = 1; i <= n; i++) if (w[i] != "") ww[++k] = w[i]
            if (k >= 3) emit("deb", ww[2], ww[3])
        }
        END { flush(); if (main != "") print main, (sec == "" ? "-" : sec) }
    ' "${files[@]}"
}

# ---------------------------------------------------------------------------------------------
base_sha() {
    # Identity of the base tar, cached next to it (hashing ~100 MB on every run is wasteful).
    local side=$BASE_TAR.sha256
    if [ ! -s "$side" ] || [ "$side" -ot "$BASE_TAR" ]; then
        sha256sum "$BASE_TAR" | awk '{ print $1 }' >"$side.tmp"
        mv "$side.tmp" "$side"
    fi
    cat "$side"
}

build_base_tar() {
    if [ -s "$BASE_TAR" ]; then
        log "base rootfs: reusing $BASE_TAR ($(du -m "$BASE_TAR" | awk '{ print $1 }') MiB)"
        return 0
    fi
    command -v debootstrap >/dev/null || die "debootstrap is missing: apt-get install -y debootstrap"
    local mirrors main sec
    if [ -n "${HA_LAB_DEBIAN_MIRROR:-}" ]; then
        main=$HA_LAB_DEBIAN_MIRROR; sec=-
    else
        mirrors=$(apt_mirrors)
        [ -n "$mirrors" ] || die "no http(s) 'deb ... bookworm' source in /etc/apt/sources.list{,.d/*.list,.d/*.sources}; set HA_LAB_DEBIAN_MIRROR"
        read -r main sec <<<"$mirrors"
    fi
    mkdir -p "$CACHE_DIR"
    ROOTFS=$(mktemp -d /var/tmp/ha-lab-rootfs.XXXXXX)
    log "base rootfs: debootstrap --variant=minbase bookworm from $main (log: $CACHE_DIR/debootstrap.log)"
    local t=${EPOCHREALTIME/./}
    if ! debootstrap --variant=minbase bookworm "$ROOTFS" "$main" >"$CACHE_DIR/debootstrap.log" 2>&1; then
        tail -n 20 "$CACHE_DIR/debootstrap.log" >&2
        die "debootstrap failed (full log: $CACHE_DIR/debootstrap.log)"
    fi
    log "base rootfs: debootstrap took $(since "$t") s"

    # apt inside the images uses the same mirror as this machine.
    rm -f "$ROOTFS/etc/apt/sources.list"
    {
        printf 'Types: deb\nURIs: %s\nSuites: bookworm bookworm-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$main"
        if [ "$sec" != - ]; then
            printf '\nTypes: deb\nURIs: %s\nSuites: bookworm-security\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$sec"
        fi
    } >"$ROOTFS/etc/apt/sources.list.d/debian.sources"
    # No init in a container: package scripts must not try to start services (the stack
    # starts mariadbd, xinetd, keepalived itself).
    printf '#!/bin/sh\n# ha-lab: never start services from package scripts in a container.\nexit 101\n' \
        >"$ROOTFS/usr/sbin/policy-rc.d"
    chmod 0755 "$ROOTFS/usr/sbin/policy-rc.d"
    # Smaller images: no man pages, docs or translations (copyright files stay).
    cat >"$ROOTFS/etc/dpkg/dpkg.cfg.d/ha-lab-nodoc" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
EOF
    # ... and the same for what debootstrap already installed (~30 MiB of translations).
    find "$ROOTFS/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete
    find "$ROOTFS/usr/share/locale" -mindepth 1 -maxdepth 1 -type d -exec rm -rf {} +
    rm -rf "$ROOTFS"/usr/share/man/* "$ROOTFS"/usr/share/info/*
    rm -rf "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/var/cache/apt/*.bin "$ROOTFS"/var/cache/apt/archives/*.deb \
        "$ROOTFS"/var/log/*.log
    : >"$ROOTFS/etc/hostname"

    tar --numeric-owner -C "$ROOTFS" -cf "$BASE_TAR.tmp" .
    mv "$BASE_TAR.tmp" "$BASE_TAR"
    rm -rf "$ROOTFS"
    ROOTFS=
    log "base rootfs: $BASE_TAR ($(du -m "$BASE_TAR" | awk '{ print $1 }') MiB)"
}

# ---------------------------------------------------------------------------------------------
# Tar path for an image: <name>-<hash>.tar, hash over its source directory and the base tar.
image_hash() {
    local name=$1 tag=$2 base=$3
    {
        echo "recipe $RECIPE_VERSION tag $tag base $base"
        (cd "$IMAGES_SRC/$name" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
        (cd "$IMAGES_SRC/$name" && find . -type f -printf '%p %m\n' | LC_ALL=C sort)
    } | sha256sum | cut -c1-16
}
image_tar() { echo "$IMAGE_CACHE/$1-$(image_hash "$1" "$2" "$3").tar"; }

# ---------------------------------------------------------------------------------------------
# The private build dockerd: root network namespace, no docker0, no iptables changes, its own
# data-root, exec-root (its managed containerd lives under it) and containerd namespace.
BUILD_DOCKERD_PID=
ROOTFS=

start_build_dockerd() {
    if [ ! -x "$DOCKERD_BIN" ] || [ ! -x "$DOCKER_BIN" ]; then die "Debian's docker.io is missing: apt-get install -y docker.io"; fi
    mkdir -p "$RUN_DIR" "$BUILD_DATA_ROOT" "$CACHE_DIR"
    local old
    old=$(cat "$BUILD_PIDFILE" 2>/dev/null || true)
    if [ -n "$old" ] && kill -0 "$old" 2>/dev/null; then
        die "a build dockerd (pid $old, $BUILD_PIDFILE) is already running: another images.sh run? Stop it with: kill $old"
    fi
    rm -f "$BUILD_PIDFILE"
    # An explicit, empty config file: /etc/docker/daemon.json (if any) belongs to someone else.
    echo '{}' >"$RUN_DIR/daemon.json"
    if [ -S /run/containerd/containerd.sock ]; then
        # dockerd 20.10 then uses that system containerd instead of starting its own; the
        # distinct containerd namespace below keeps our containers apart from its others.
        log "note: /run/containerd/containerd.sock exists: the build dockerd will use that containerd (namespace ha-lab-build)"
    fi
    log "build dockerd: starting (data-root $BUILD_DATA_ROOT, socket $BUILD_SOCK, log $BUILD_LOG)"
    local t=${EPOCHREALTIME/./}
    "$DOCKERD_BIN" \
        --config-file "$RUN_DIR/daemon.json" \
        --data-root "$BUILD_DATA_ROOT" \
        --exec-root "$RUN_DIR/exec" \
        --pidfile "$BUILD_PIDFILE" \
        -H "$BUILD_SOCK" \
        --containerd-namespace ha-lab-build \
        --containerd-plugins-namespace ha-lab-build-plugins \
        --bridge=none --iptables=false --ip-forward=false --ip-masq=false \
        --userland-proxy=false \
        >"$BUILD_LOG" 2>&1 </dev/null 9>&- &
    BUILD_DOCKERD_PID=$!
    local i
    for i in $(seq 1 100); do
        if dk info >/dev/null 2>&1; then break; fi
        if ! kill -0 "$BUILD_DOCKERD_PID" 2>/dev/null; then
            tail -n 20 "$BUILD_LOG" >&2
            BUILD_DOCKERD_PID=
            die "the build dockerd exited during start (log: $BUILD_LOG)"
        fi
        [ "$i" -lt 100 ] || die "the build dockerd did not answer within 30 s (log: $BUILD_LOG)"
        sleep 0.3
    done
    log "build dockerd: ready in $(since "$t") s (pid $BUILD_DOCKERD_PID)"
}

stop_build_dockerd() {
    [ -n "$BUILD_DOCKERD_PID" ] || return 0
    local pid=$BUILD_DOCKERD_PID i ctr
    BUILD_DOCKERD_PID=
    ctr=$(cat "$RUN_DIR/exec/containerd/containerd.pid" 2>/dev/null || true)
    log "build dockerd: stopping pid $pid"
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 150); do
        kill -0 "$pid" 2>/dev/null || break
        if [ "$i" -eq 150 ]; then
            log "build dockerd: still running after 30 s: SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
        fi
        sleep 0.2
    done
    wait "$pid" 2>/dev/null || true
    # dockerd leaves its default netns bind mount behind.
    if grep -q " $RUN_DIR/exec/netns/" /proc/mounts; then
        awk -v d="$RUN_DIR/exec/netns/" 'index($2, d) == 1 { print $2 }' /proc/mounts | while read -r m; do umount "$m" 2>/dev/null || true; done
    fi
    # Its managed containerd normally exits with it; make sure (by its own pidfile).
    if [ -n "$ctr" ] && kill -0 "$ctr" 2>/dev/null && grep -q containerd "/proc/$ctr/comm" 2>/dev/null; then
        log "build dockerd: its containerd (pid $ctr) outlived it: SIGTERM"
        kill -TERM "$ctr" 2>/dev/null || true
        for i in $(seq 1 50); do kill -0 "$ctr" 2>/dev/null || break; sleep 0.2; done
        kill -KILL "$ctr" 2>/dev/null || true
    fi
    log "build dockerd: stopped"
}

cleanup() {
    local rc=$?
    if [ -n "$BUILD_DOCKERD_PID" ]; then smoke_cleanup || true; fi
    stop_build_dockerd || true
    if [ -n "$ROOTFS" ] && [ -d "$ROOTFS" ]; then rm -rf "$ROOTFS"; fi
    rm -f "$BASE_TAR.tmp"
    exit "$rc"
}

ensure_base_image() {
    local base=$1
    local want
    want=$(dk image inspect -f '{{index .Config.Labels "ha-lab.base-sha256"}}' "$BASE_IMAGE" 2>/dev/null || true)
    if [ "$want" = "$base" ]; then
        log "base image: $BASE_IMAGE already imported"
        return 0
    fi
    local t=${EPOCHREALTIME/./}
    dk import \
        --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'ENV LANG=C.UTF-8' \
        --change "LABEL ha-lab.base-sha256=$base" \
        --change 'CMD ["bash"]' \
        "$BASE_TAR" "$BASE_IMAGE" >/dev/null
    log "base image: imported $BASE_IMAGE in $(since "$t") s"
}

# Loads an image from its tar into the build dockerd when the daemon does not have it.
ensure_image_loaded() {
    local tag=$1 tar=$2
    if dk image inspect "$tag" >/dev/null 2>&1 \
        && [ "$(dk image inspect -f '{{index .Config.Labels "ha-lab.hash"}}' "$tag")" = "$(basename "$tar" .tar | sed 's/.*-//')" ]; then
        return 0
    fi
    local t=${EPOCHREALTIME/./}
    dk load -i "$tar" >/dev/null
    log "$tag: loaded $tar into the build dockerd in $(since "$t") s"
}

# shellcheck source=images/smoke.sh
. "$IMAGES_SRC/smoke.sh"

# ---------------------------------------------------------------------------------------------
cmd_build() {
    need_root
    mkdir -p "$CACHE_DIR" "$IMAGE_CACHE"
    exec 9>"$CACHE_DIR/images.lock"
    flock -w 600 9 || die "another images.sh holds $CACHE_DIR/images.lock"

    build_base_tar
    local base entry name tag tar todo=()
    base=$(base_sha)
    for entry in "${IMAGES[@]}"; do
        name=${entry%%|*}; tag=${entry#*|}
        tar=$(image_tar "$name" "$tag" "$base")
        if [ -s "$tar" ]; then
            log "$tag: reusing $tar ($(du -m "$tar" | awk '{ print $1 }') MiB)"
        else
            todo+=("$entry")
        fi
    done
    if [ "${#todo[@]}" -eq 0 ]; then
        log "all images are up to date"
        build_debs "$base"
        return 0
    fi

    start_build_dockerd
    ensure_base_image "$base"
    local t hash
    for entry in "${todo[@]}"; do
        name=${entry%%|*}; tag=${entry#*|}
        tar=$(image_tar "$name" "$tag" "$base")
        hash=$(basename "$tar" .tar); hash=${hash##*-}
        log "$tag: building from lab/images/$name (log: $CACHE_DIR/build-$name.log)"
        t=${EPOCHREALTIME/./}
        if ! dk build --network host --label "ha-lab.hash=$hash" -t "$tag" "$IMAGES_SRC/$name" \
            >"$CACHE_DIR/build-$name.log" 2>&1; then
            tail -n 30 "$CACHE_DIR/build-$name.log" >&2
            die "$tag: docker build failed (full log: $CACHE_DIR/build-$name.log)"
        fi
        log "$tag: built in $(since "$t") s"
        t=${EPOCHREALTIME/./}
        "smoke_$name" "$tag"
        log "$tag: smoke tests passed in $(since "$t") s"
        t=${EPOCHREALTIME/./}
        dk save -o "$tar.tmp" "$tag"
        chmod 0644 "$tar.tmp"
        mv "$tar.tmp" "$tar"
        log "$tag: saved $tar ($(du -m "$tar" | awk '{ print $1 }') MiB) in $(since "$t") s"
        # Older tars of this image (other hashes) are stale now.
        find "$IMAGE_CACHE" -maxdepth 1 -name "$name-*.tar" ! -path "$tar" -delete
    done
    build_debs "$base"
    log "done"
}

# keepalived's .deb files, plus whatever the HAProxy image lacks of their dependencies: the
# dev stack's keepalived.packagesDir. Keyed by the HAProxy image's hash, like the tars.
debs_dir() {
    local tar hash
    tar=$(image_tar haproxy ha-lab/haproxy:2.6 "$1")
    hash=$(basename "$tar" .tar); hash=${hash##*-}
    echo "$CACHE_DIR/debs/keepalived-$hash"
}

build_debs() {
    local base=$1 dir tar t
    dir=$(debs_dir "$base")
    if [ -f "$dir/.complete" ]; then
        log "keepalived debs: reusing $dir ($(find "$dir" -name '*.deb' | wc -l) files)"
        return 0
    fi
    tar=$(image_tar haproxy ha-lab/haproxy:2.6 "$base")
    [ -n "$BUILD_DOCKERD_PID" ] || start_build_dockerd
    ensure_image_loaded ha-lab/haproxy:2.6 "$tar"
    t=${EPOCHREALTIME/./}
    rm -rf "$dir.tmp"
    mkdir -p "$dir.tmp/partial"
    if ! dk run --rm --network host -v "$dir.tmp:/out" ha-lab/haproxy:2.6 sh -c \
        'apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --download-only --no-install-recommends -o Dir::Cache::archives=/out keepalived >/dev/null' \
        >"$CACHE_DIR/build-debs.log" 2>&1; then
        tail -n 20 "$CACHE_DIR/build-debs.log" >&2
        die "keepalived debs: download failed (log: $CACHE_DIR/build-debs.log)"
    fi
    rm -rf "$dir.tmp/partial" "$dir.tmp/lock"
    ls "$dir.tmp"/keepalived_*.deb >/dev/null 2>&1 || die "keepalived debs: no keepalived_*.deb downloaded"
    # The closure must install with no network at all, as it will in the lab's containers.
    if ! dk run --rm --network none -v "$dir.tmp:/debs:ro" ha-lab/haproxy:2.6 sh -c \
        'dpkg -i /debs/*.deb >/dev/null 2>&1 && keepalived --version 2>&1 | head -n 1' >>"$CACHE_DIR/build-debs.log" 2>&1; then
        tail -n 20 "$CACHE_DIR/build-debs.log" >&2
        die "keepalived debs: they do not install offline into ha-lab/haproxy:2.6 (log: $CACHE_DIR/build-debs.log)"
    fi
    date -u +%FT%TZ >"$dir.tmp/.complete"
    mv "$dir.tmp" "$dir"
    find "$CACHE_DIR/debs" -mindepth 1 -maxdepth 1 -name 'keepalived-*' ! -path "$dir" -exec rm -rf {} +
    log "keepalived debs: $(find "$dir" -name '*.deb' | wc -l) files in $dir, offline install checked, in $(since "$t") s"
}

cmd_debs() {
    [ -s "$BASE_TAR" ] || die "no base tar ($BASE_TAR): run lab/images.sh build"
    local dir
    dir=$(debs_dir "$(base_sha)")
    [ -f "$dir/.complete" ] || die "no keepalived debs in $dir: run lab/images.sh build"
    echo "$dir"
}

cmd_list() {
    [ -s "$BASE_TAR" ] || die "no base tar ($BASE_TAR): run lab/images.sh build"
    local base entry name tag tar missing=0 out=()
    base=$(base_sha)
    for entry in "${IMAGES[@]}"; do
        name=${entry%%|*}; tag=${entry#*|}
        tar=$(image_tar "$name" "$tag" "$base")
        if [ -s "$tar" ]; then out+=("$tar"); else log "missing: $tag ($tar)"; missing=1; fi
    done
    [ "$missing" -eq 0 ] || die "some image tars are missing or out of date: run lab/images.sh build"
    printf '%s\n' "${out[@]}"
}

cmd_test() {
    need_root
    mkdir -p "$CACHE_DIR"
    exec 9>"$CACHE_DIR/images.lock"
    flock -w 600 9 || die "another images.sh holds $CACHE_DIR/images.lock"
    local tars
    tars=$(cmd_list)
    start_build_dockerd
    local entry name tag tar t
    for entry in "${IMAGES[@]}"; do
        name=${entry%%|*}; tag=${entry#*|}
        tar=$(grep -F "/$name-" <<<"$tars")
        ensure_image_loaded "$tag" "$tar"
        t=${EPOCHREALTIME/./}
        "smoke_$name" "$tag"
        log "$tag: smoke tests passed in $(since "$t") s"
    done
}

cmd_clean() {
    need_root
    mkdir -p "$CACHE_DIR"
    exec 9>"$CACHE_DIR/images.lock"
    flock -w 600 9 || die "another images.sh holds $CACHE_DIR/images.lock"
    local old
    old=$(cat "$BUILD_PIDFILE" 2>/dev/null || true)
    if [ -n "$old" ] && kill -0 "$old" 2>/dev/null; then
        die "a build dockerd (pid $old) is running: stop it first (kill $old)"
    fi
    # Whatever the build dockerd left mounted under its data-root (after a crash) goes first.
    local m root
    for root in "$BUILD_DATA_ROOT/" "$RUN_DIR/"; do
        while read -r m; do umount -l "$m" 2>/dev/null || true; done < <(awk -v r="$root" 'index($2, r) == 1 { print $2 }' /proc/mounts | sort -r)
    done
    rm -rf "$IMAGE_CACHE" "$CACHE_DIR/debs" "$BUILD_DATA_ROOT" "$BASE_TAR" "$BASE_TAR.sha256" "$BASE_TAR.tmp" "$RUN_DIR"
    rm -f "$CACHE_DIR"/build-*.log "$CACHE_DIR/debootstrap.log" "$BUILD_LOG"
    log "removed the image tars, the base tar and the build data-root under $CACHE_DIR"
}

main() {
    local cmd=${1:-build}
    case "$cmd" in
        build | test) trap cleanup EXIT; trap 'exit 130' INT TERM; "cmd_$cmd" ;;
        list) cmd_list ;;
        debs) cmd_debs ;;
        clean) cmd_clean ;;
        -h | --help | help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//' ;;
        *) die "unknown subcommand '$cmd' (build, list, debs, test, clean)" ;;
    esac
}

main "$@"
