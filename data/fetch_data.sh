#!/bin/sh
# Fetch the real test cubes from Debian's archive into data/cache/.
# We only unpack the .deb files (apt-get download + dpkg -x): installing
# r-cran-* would pull in R. Licenses: see data/README.md.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cache="$here/cache"
mkdir -p "$cache"

# file in the package -> name in cache (basename kept)
want() {
    cat <<'LIST'
r-cran-stars usr/lib/R/site-library/stars/tif/L7_ETMs.tif
r-cran-stars usr/lib/R/site-library/stars/tif/lc.tif
r-cran-stars usr/lib/R/site-library/stars/tif/lc.tif.aux.xml
ferret-datasets usr/share/ferret-vis/data/monthly_navy_winds.cdf
ferret-datasets usr/share/ferret-vis/data/coads_climatology.cdf
r-cran-satellite usr/lib/R/site-library/satellite/extdata/*
python-grib-doc usr/share/doc/python-grib-doc/examples/ds.maxt.bin
python-grib-doc usr/share/doc/python-grib-doc/examples/ds.waveh.bin
python-grib-doc usr/share/doc/python-grib-doc/examples/safrica.grib2
ferret-datasets usr/share/ferret-vis/data/ocean_atlas_subset.nc
python-grib-doc usr/share/doc/python-grib-doc/examples/eta.grb
LIST
}

# complete when every listed file is there (a cache filled by an older
# list gets the files added since)
complete=yes
for f in $(want | cut -d' ' -f2 | grep -v '\*' | xargs -n1 basename); do
    [ -f "$cache/$f" ] || complete=no
done
if [ -f "$cache/.complete" ] && [ "$complete" = yes ]; then
    exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
for pkg in $(want | cut -d' ' -f1 | sort -u); do
    # apt-get download runs as _apt when it can; a world-writable dir avoids
    # its "unsandboxed" warning.
    chmod 777 "$work"
    # a machine whose packages were installed without lists needs an update
    apt-get download -q "$pkg" >/dev/null 2>&1 ||
        { apt-get update -qq && apt-get download -q "$pkg" >/dev/null; }
    dpkg -x "$pkg"_*.deb "$work/x"
done
want | while read -r pkg pattern; do
    # shellcheck disable=SC2086
    for f in "$work"/x/$pattern; do
        cp "$f" "$cache/"
    done
done
touch "$cache/.complete"
echo "data: $(ls "$cache" | wc -l) files in $cache"
