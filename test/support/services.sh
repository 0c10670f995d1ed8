#!/usr/bin/env bash
# services.sh: make the machine services the tests need available (idempotent).
#
# For a fresh Debian 12 machine, run as root; only Debian's archive needs to be reachable.
#   1. apt-get installs whichever of these packages are missing: docker.io, docker-registry,
#      apache2-utils (htpasswd), busybox-static, shellcheck.
#   2. starts dockerd in the background when `docker info` fails, and waits until it answers.
#   3. imports the base image localhost/busybox:latest (from busybox-static) when absent.
# It starts no registry: tests start their own, on a free port.
#
# Env: DOCKERD_LOG (default /tmp/dockerd.log)  DOCKER_WAIT_SECONDS (default 30)
set -euo pipefail

PACKAGES=(docker.io docker-registry apache2-utils busybox-static shellcheck)
BASE_IMAGE=localhost/busybox:latest
DOCKERD_LOG=${DOCKERD_LOG:-/tmp/dockerd.log}
DOCKER_WAIT_SECONDS=${DOCKER_WAIT_SECONDS:-30}
APT_LOG=/tmp/services-apt.log
did_something=0

say() { echo "services: $*"; }
die() { echo "services: error: $*" >&2; exit 1; }

need_root() {
  [ "$(id -u)" = 0 ] || die "must run as root to $1"
}

installed() {
  [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" = "install ok installed" ]
}

apt_quiet() {  # run apt-get quietly; show its log if it fails
  if ! DEBIAN_FRONTEND=noninteractive apt-get "$@" >>"$APT_LOG" 2>&1; then
    tail -n 30 "$APT_LOG" >&2
    die "apt-get $* failed (log: $APT_LOG)"
  fi
}

# 1. packages ---------------------------------------------------------------------------
missing=()
for pkg in "${PACKAGES[@]}"; do
  installed "$pkg" || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  need_root "install ${missing[*]}"
  : >"$APT_LOG"
  apt_quiet update -q
  apt_quiet install -y -q --no-install-recommends "${missing[@]}"
  say "installed ${missing[*]}"
  did_something=1
fi

# 2. docker engine ----------------------------------------------------------------------
docker_answers() { docker info >/dev/null 2>&1; }

dockerd_pid() {  # pid of a live dockerd from its pid file, if any
  local pid
  pid=$(cat /var/run/docker.pid 2>/dev/null || true)
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then echo "$pid"; fi
}

if ! docker_answers; then
  pid=$(dockerd_pid)
  if [ -z "$pid" ]; then
    need_root "start dockerd"
    # setsid + nohup: the daemon outlives this script and the shell that ran it.
    setsid nohup dockerd >>"$DOCKERD_LOG" 2>&1 </dev/null &
    pid=$!
    say "started dockerd (pid $pid, log $DOCKERD_LOG)"
  else
    say "waiting for dockerd already running (pid $pid)"
  fi
  deadline=$((SECONDS + DOCKER_WAIT_SECONDS))
  until docker_answers; do
    if ! kill -0 "$pid" 2>/dev/null && [ -z "$(dockerd_pid)" ]; then
      tail -n 20 "$DOCKERD_LOG" >&2 || true
      die "dockerd exited (log: $DOCKERD_LOG)"
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      tail -n 20 "$DOCKERD_LOG" >&2 || true
      die "dockerd did not answer within ${DOCKER_WAIT_SECONDS}s (log: $DOCKERD_LOG)"
    fi
    sleep 0.5
  done
  say "dockerd answers"
  did_something=1
fi

# 3. base image -------------------------------------------------------------------------
if ! docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
  rootfs=$(mktemp -d /tmp/busybox-rootfs.XXXXXX)
  trap 'rm -rf "$rootfs"' EXIT
  mkdir -p "$rootfs/bin" "$rootfs/etc" "$rootfs/tmp"
  chmod 1777 "$rootfs/tmp"
  cp /bin/busybox "$rootfs/bin/busybox"
  for applet in $(/bin/busybox --list); do
    [ "$applet" = busybox ] || ln -s busybox "$rootfs/bin/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' \
    >"$rootfs/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$rootfs/etc/group"
  tar -C "$rootfs" -c . | docker import -c 'CMD ["/bin/sh"]' - "$BASE_IMAGE" >/dev/null
  say "imported $BASE_IMAGE"
  did_something=1
fi

if [ "$did_something" = 0 ]; then
  say "all present (packages, dockerd, $BASE_IMAGE)"
fi
