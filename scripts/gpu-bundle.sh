#!/usr/bin/env bash
# scripts/gpu-bundle.sh: fetches, on a Debian 12 development machine, the
# Debian packages a build of retain needs that the GPU machines lack (HDF5,
# OpenBLAS, and the shared libraries they load), into gpu-bundle/ (ignored
# by git, shipped with the tree to the GPU machine). bench/gpu_check.sh
# unpacks them there into a private prefix. Packages: the two libraries'
# development and runtime packages, then the owner of every library that
# `ldd` lists for them, less what every Linux with a compiler has (glibc,
# libgcc, libstdc++, libgomp, zlib), and pkgconf. Prints each file and the total size.
# Run it again after a Debian update: the file names carry the versions.
set -euo pipefail
cd "$(dirname "$0")/.."
out=gpu-bundle
arch=$(dpkg --print-architecture)
triplet=$(gcc -dumpmachine)

# pkgconf: CMake finds HDF5 and OpenBLAS through pkg-config, which the GPU
# image may lack
pkgs=(libhdf5-dev libhdf5-103-1 libopenblas0-openmp libopenblas-openmp-dev pkgconf-bin libpkgconf3)
libs=(/usr/lib/"$triplet"/libhdf5_serial.so.103
      /usr/lib/"$triplet"/openblas-openmp/libopenblas.so.0)
for lib in "${libs[@]}"; do
    [ -e "$lib" ] || { echo "gpu-bundle: $lib is missing; run scripts/install-deps.sh first" >&2; exit 1; }
    while read -r path; do
        owner=$(dpkg -S "$(realpath "$path")" 2>/dev/null | head -1 | cut -d: -f1) ||
            owner=$(dpkg -S "$path" | head -1 | cut -d: -f1)
        pkgs+=("$owner")
    done < <(ldd "$lib" | awk '$3 ~ /^\// {print $3}')
done
skip=" libc6 libgcc-s1 libstdc++6 libgomp1 zlib1g "
want=()
for p in $(printf '%s\n' "${pkgs[@]}" | sort -u); do
    [[ "$skip" == *" $p "* ]] || want+=("$p")
done

rm -rf "$out"
mkdir -p "$out"
(cd "$out" && apt-get download "${want[@]/%/:$arch}" >.apt.log 2>&1) ||
    { cat "$out/.apt.log" >&2; exit 1; }
rm -f "$out/.apt.log"
printf '%s\n' "${want[@]}" >"$out/PACKAGES"
du -b "$out"/*.deb | awk '{printf "%9d  %s\n", $1, $2; t += $1} END {printf "%9d  total (%.1f MiB)\n", t, t / 1048576}'
