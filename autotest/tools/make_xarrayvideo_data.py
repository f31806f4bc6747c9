"""Test data for reading xarrayvideo's folders (autotest/test_xarrayvideo.py):
real cubes encoded by xarrayvideo itself, with the arrays its own
video2xarray decodes from them.

xarrayvideo is never committed: it runs from the ignored checkout that the
rate-distortion benchmark uses (autotest/benchmark/peers/xarrayvideo, see
doc/rd/README.md; Debian's python3-sklearn, python3-yaml, python3-skimage,
python3-netcdf4 and python3-xarray). The folders it writes, and the
decoded arrays, are kept in autotest/data/xarrayvideo/ so that the tests
need neither it nor this script:

    /usr/bin/python3 autotest/tools/make_xarrayvideo_data.py

Each cube is written as its authors write theirs (scripts/
process_deepextremes.py, process_dynamicearthet.py, README): an xarray
Dataset with a CRS written by rioxarray (spatial_ref, crs_wkt, GeoTransform)
and conversion rules of 3-band videos. Small crops of the real data keep
the folders to tens of kilobytes:

- winds: the Navy winds' UWND and VWND, 12 months, ('time', 'x', 'y'),
  x265 12 bits (the paper's rule), one video (VWND repeated to a triplet).
- landsat: Landsat 7's 6 bands as uint8, ('time', 'y', 'x') (frames
  transposed, as DeepExtremeCubes stores them), x265 8 bits, two videos.
- pca: the same 6 bands as float32, PCA over all 6 (the authors' "PCA -
  all bands"), x265 12 bits.
- masked: NDFD wave heights, 4 forecast steps, land NaN, x265 12 bits, with
  the `invalid` mask in an FFV1 video (the authors' masks rule).
"""
import os
import shutil
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "autotest", "benchmark"))
DATA = os.path.join(REPO, "data", "cache")
OUT = os.path.join(REPO, "autotest", "data", "xarrayvideo")

X265 = {"c:v": "libx265", "preset": "medium", "tune": "psnr", "crf": 7}
FFV1 = {"c:v": "ffv1"}


def winds(xr):
    ds = xr.open_dataset(os.path.join(DATA, "monthly_navy_winds.cdf"))
    ds = ds.isel(TIME=slice(0, 12), FNOCY=slice(20, 60), FNOCX=slice(30, 94))
    ds = ds.rename({"TIME": "time", "FNOCY": "y", "FNOCX": "x"}).sortby("y", ascending=False)
    ds = ds.rio.write_crs("EPSG:4326")
    return ds, {"wind": (["UWND", "VWND"], ("time", "x", "y"), 0, X265, 12)}


def _landsat(xr, dtype):
    import rioxarray
    da = rioxarray.open_rasterio(os.path.join(DATA, "L7_ETMs.tif")).isel(x=slice(100, 180), y=slice(120, 184))
    bands = {f"B{i + 1}": da.isel(band=i).drop_vars("band").astype(dtype).expand_dims(
        time=[np.datetime64("2001-07-30")]) for i in range(da.sizes["band"])}
    ds = xr.Dataset(bands)
    ds = ds.rio.write_crs(da.rio.crs)
    return ds, list(bands)


def landsat(xr):
    ds, names = _landsat(xr, np.uint8)
    return ds, {"bands": (names, ("time", "y", "x"), 0, dict(X265, crf=10), 8)}


def pca(xr):
    ds, names = _landsat(xr, np.float32)
    return ds, {"bands": (names, ("time", "y", "x"), len(names), X265, 12)}


def masked(xr):
    from osgeo import gdal
    src = gdal.Open(os.path.join(DATA, "ds.waveh.bin"))
    x0, y0, w, h = 672, 384, 96, 64  # half land
    arrays, times = [], []
    for b in range(1, 5):
        band = src.GetRasterBand(b)
        a = band.ReadAsArray(x0, y0, w, h).astype(np.float32)
        a[a == 9999] = np.nan  # GRIB's undeclared fill
        arrays.append(a)
        times.append(np.datetime64(int(band.GetMetadataItem("GRIB_VALID_TIME").split()[0]), "s"))
    gt = src.GetGeoTransform()
    xs = gt[0] + (x0 + 0.5 + np.arange(w)) * gt[1]
    ys = gt[3] + (y0 + 0.5 + np.arange(h)) * gt[5]
    cube = np.stack(arrays)
    ds = xr.Dataset({"waveh": (("time", "y", "x"), cube),
                     "invalid": (("time", "y", "x"), np.isnan(cube).astype(np.uint8))},
                    coords={"time": np.array(times, dtype="datetime64[ns]"), "y": ys, "x": xs})
    ds = ds.rio.write_crs(src.GetProjection())
    return ds, {"data": (["waveh"], ("time", "x", "y"), 0, X265, 12),
                "masks": (["invalid"], ("time", "x", "y"), 0, FFV1, 8)}


CUBES = {"winds": winds, "landsat": landsat, "pca": pca, "masked": masked}


def main():
    import peer_xarrayvideo as peer
    import rioxarray  # noqa: F401 (the .rio accessor)
    import xarray as xr
    xv = peer._load()
    if xv is None:
        sys.exit("xarrayvideo is not available: %s" % peer.why_not())
    os.makedirs(OUT, exist_ok=True)
    for name, make in CUBES.items():
        ds, rules = make(xr)
        target = os.path.join(OUT, name)
        shutil.rmtree(target, ignore_errors=True)
        with peer._quiet_stderr():
            xv.xarray2video(ds, name, rules, output_path=OUT, compute_stats=False,
                            loglevel="quiet", verbose=False, save_dataset=True)
        with peer._quiet_stderr(), peer._sorted_glob():
            back = xv.video2xarray(OUT, name)
        decoded = {v: np.asarray(back[v].values) for rule in rules.values() for v in rule[0]}
        dims = {v: " ".join(back[v].dims) for v in decoded}
        np.savez_compressed(os.path.join(OUT, name + ".decoded.npz"),
                            **decoded, **{"dims_" + v: d for v, d in dims.items()})
        size = sum(os.path.getsize(os.path.join(target, f)) for f in os.listdir(target))
        print(f"{name}: {sorted(os.listdir(target))}, {size} bytes; decoded {dims}")
    print("version:", peer.version())


if __name__ == "__main__":
    main()
