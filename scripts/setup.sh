#!/usr/bin/env bash
# Installs what Lily's tests and benchmarks use on a fresh Debian/Ubuntu machine (idempotent:
# only missing tools are installed): shells for the quoting tests, python3 and curl for the
# network attack tests (and python3-numpy/python3-sklearn for /usr/bin/python3: the packages
# of `python` steps' tests), util-linux for `unshare` and bubblewrap (`bwrap`) for the sandbox's
# network and file-system isolation, ffmpeg (with ffprobe) for `tool` steps and examples/video, GNU
# time for memory checks, ninja and make for the benchmarks, podman (and runc, uidmap,
# busybox-static) for docker steps and their tests, tmux for the tests at a real terminal (human
# gates, the terminal attack). Deno itself comes from npm: `npx -y deno@2.9.6 …`.
set -euo pipefail
need=()
have() { command -v "$1" >/dev/null 2>&1; }
have bash || need+=(bash)
have dash || need+=(dash)
have python3 || need+=(python3)
have curl || need+=(curl)
have openssl || need+=(openssl) # a test CA and certificate for the http adapter's https test
have ninja || need+=(ninja-build)
have make || need+=(make)
have unshare || need+=(util-linux)
have bwrap || need+=(bubblewrap)
# `tool` steps' tests and examples/video run the real ffmpeg (and ffprobe, from the same package).
have ffmpeg || need+=(ffmpeg)
[ -x /usr/bin/time ] || need+=(time)
# Containers (`adapter: docker`): podman with runc (crun fails on some cgroup setups), uidmap for
# rootless podman, iproute2 for a docker step's proxy namespace, and a static busybox from which
# the tests build their images offline (tests/_images.ts).
have podman || need+=(podman)
[ -x /usr/sbin/runc ] || have runc || need+=(runc)
have newuidmap || need+=(uidmap)
have ip || need+=(iproute2)
[ -x /usr/bin/busybox ] && file -L /usr/bin/busybox 2>/dev/null | grep -q static || need+=(busybox-static)
have file || need+=(file)
# Human gates' terminal tests and the terminal attack test drive `lily run` in a tmux pane.
have tmux || need+=(tmux)
# Debian's interpreter sees apt's Python packages (a pyenv python3 on PATH does not).
if [ -x /usr/bin/python3 ]; then
  /usr/bin/python3 -c "import numpy" >/dev/null 2>&1 || need+=(python3-numpy)
  /usr/bin/python3 -c "import sklearn" >/dev/null 2>&1 || need+=(python3-sklearn)
else
  need+=(python3-numpy python3-sklearn)
fi
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && have apt-get; then
    echo "setup: installing ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "setup: missing ${need[*]} (install them with your package manager)" >&2
  fi
fi
# An unprivileged user for the sandbox's attack tests (tests/attacks/_configs.ts runs the real
# `lily` as this user, with a Deno binary and module cache the tests copy where it can read).
if ! id -u lilytest >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    echo "setup: creating the unprivileged user lilytest"
    useradd --create-home --shell /bin/sh lilytest
  else
    echo "setup: no user lilytest (run as root to create it; the unprivileged attack tests need it)" >&2
  fi
fi
# The docker tests' images, built offline from this machine's busybox and python3 (tagged by
# content: a second run finds them). Needs Deno; the tests build them too when missing.
if have podman && have deno && [ "$(id -u)" = 0 ]; then
  here="$(cd "$(dirname "$0")/.." && pwd)"
  deno run -A "$here/tests/_images.ts" >/dev/null || echo "setup: could not build the docker test images" >&2
fi
