#!/usr/bin/env bash
# Installs every Debian package snnc needs to build, test and benchmark.
# Idempotent: packages already present are skipped by apt-get.
set -euo pipefail
pkgs=(
  build-essential cmake ninja-build git pkg-config ccache
  antlr4 libantlr4-runtime-dev uuid-dev
  llvm-19-dev llvm-19-tools libzstd-dev zlib1g-dev libedit-dev libxml2-dev libffi-dev libncurses-dev
  libfmt-dev libcli11-dev libhdf5-dev libgtest-dev libgmock-dev libopenmpi-dev openmpi-bin
  clang-19 libclang-rt-19-dev
  python3 python3-numpy python3-h5py python3-brian python3-torch python3-matplotlib
)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
