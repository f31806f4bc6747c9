#!/bin/sh
# Installs what is missing on a Debian 12 machine (apt; run as root or with
# sudo), fetches the real test data and builds the driver into build/.
# Safe to run again: each step is skipped when already done.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)

packages="gcc g++ make cmake pkg-config
  libgdal-dev gdal-bin python3-gdal python3-numpy python3-pytest
  libavcodec-dev libavformat-dev libavutil-dev libswscale-dev ffmpeg
  libcjson-dev libproj-dev libgtest-dev nginx-light
  python3-rasterio python3-rioxarray python3-dask python3-distributed
  python3-cftime python3-xarray python3-lxml python3-qgis
  clang libclang-rt-14-dev valgrind"

missing=""
for p in $packages; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
        missing="$missing $p"
    fi
done
if [ -n "$missing" ]; then
    echo "bootstrap: installing$missing"
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
        --no-install-recommends $missing >/dev/null
fi

sh "$root/data/fetch_data.sh"

cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$root/build" -j"$(nproc)" >/dev/null
echo "bootstrap: built $root/build/gdal_XAVIDEO.so"
