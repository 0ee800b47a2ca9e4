#!/bin/sh
# scripts/install-deps.sh [--bench]: install what a fresh Debian 12 machine
# lacks to build and test retain (with --bench, also the benchmark
# baselines). C libraries and Python tools come from Debian packages only.
# Runs apt-get only when something is missing, so repeat calls are cheap;
# needs root (or sudo) the first time.
set -eu

# libopenmpi-dev, openmpi-bin and libhdf5-openmpi-dev: the MPI build (make check's build-mpi).
packages="build-essential cmake pkg-config libopenblas-dev libopenblas-openmp-dev libhdf5-dev hdf5-tools
  libopenmpi-dev openmpi-bin libhdf5-openmpi-dev
  python3 python3-numpy python3-scipy python3-sklearn python3-h5py python3-pandas
  python3-tables"
# Baselines only the benchmarks time (make bench passes --bench).
if [ "${1:-}" = "--bench" ]; then
    packages="$packages python3-faiss time"
fi

missing=""
for p in $packages; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0

echo "install-deps: installing$missing" >&2
if [ "$(id -u)" -eq 0 ]; then
    sudo=""
elif command -v sudo >/dev/null 2>&1; then
    sudo="sudo"
else
    echo "install-deps: missing packages:$missing; run this script as root" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing
