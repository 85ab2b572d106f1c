#!/usr/bin/env bash
# Installs the given Debian packages, for the bench scripts that need servers and tools the machine lacks.
#   bench/apt-install.sh PACKAGE...
# Callers pass only what they found missing; this needs root or sudo.
set -euo pipefail
[ $# -gt 0 ] || exit 0
SUDO=()
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null || { echo "apt-install: need root or sudo to install: $*" >&2; exit 1; }
  SUDO=(sudo)
fi
echo "installing from Debian's packages: $*" >&2
"${SUDO[@]}" apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "$@" >/dev/null
