#!/bin/sh
# The main job on bundled real data: compress the 132-month Navy wind
# series, print sizes, ratio and quality, and show gdalinfo of the result.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
sh "$root/scripts/bootstrap.sh"
exec /usr/bin/python3 "$root/scripts/demo.py" "$@"
