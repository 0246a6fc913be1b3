#!/usr/bin/env bash
# Installs what ganglion needs to build and test on Debian 12, from Debian's packages. Quick when
# everything is already there: apt-get runs only for what is missing.
set -euo pipefail
packages=(build-essential cmake libboost-dev libboost-filesystem-dev nlohmann-json3-dev
  libeigen3-dev libhdf5-dev hdf5-tools doctest-dev libcli11-dev pkg-config
  python3-dev pybind11-dev python3-numpy python3-h5py python3-matplotlib python3-pytest
  libopenmpi-dev openmpi-bin)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo
echo "installing: ${missing[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
