#!/usr/bin/python3
"""The main job: compress a real cube with XAVIDEO and say what it cost.

Encodes the UWND variable of the 132-month Navy wind series (Float32,
144 x 73) with gdal_translate, lossy (defaults) and lossless, and prints for
each: size, ratio to the raw Float32 cube, bits per pixel per band (bpppb),
PSNR (peak = the variable's valid data range) and maximum absolute error.
Then shows gdalinfo of the lossy result.

Usage: scripts/demo.py [OUTPUT_DIR]   (default: a temporary directory)
"""
import os
import subprocess
import sys
import tempfile

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("GDAL_DRIVER_PATH", os.path.join(ROOT, "build"))
os.environ["GDAL_PAM_ENABLED"] = "NO"

from osgeo import gdal  # noqa: E402  (after GDAL_DRIVER_PATH is set)

gdal.UseExceptions()
SOURCE = 'NETCDF:"%s":UWND' % os.path.join(ROOT, "data", "cache",
                                          "monthly_navy_winds.cdf")


def read_cube(path):
    ds = gdal.Open(path)
    cube = ds.ReadAsArray().astype(np.float64)
    nodata = ds.GetRasterBand(1).GetNoDataValue()
    return ds, cube, nodata


def quality(src, out, nodata):
    valid = np.isfinite(src) & (src != np.float32(nodata))
    err = np.abs(src[valid] - out[valid])
    peak = src[valid].max() - src[valid].min()
    mse = float(np.mean(err ** 2))
    psnr = float("inf") if mse == 0 else 10 * np.log10(peak ** 2 / mse)
    same_mask = bool(np.array_equal(valid, np.isfinite(out) &
                                    (out != np.float32(nodata))))
    return psnr, float(err.max()), same_mask


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp()
    src_ds, src, nodata = read_cube(SOURCE)
    raw_bytes = src.size * 4
    print("source: %s\n  %d bands of %d x %d Float32, %.2f MB raw\n" % (
        SOURCE, src_ds.RasterCount, src_ds.RasterXSize, src_ds.RasterYSize,
        raw_bytes / 1e6))
    print("%-10s %12s %8s %8s %10s %10s %s" % (
        "run", "bytes", "ratio", "bpppb", "PSNR dB", "max err", "mask"))
    runs = [("lossy", []), ("lossless", ["-co", "LOSSLESS=YES"])]
    for name, options in runs:
        out = os.path.join(outdir, "uwnd_%s.mkv" % name)
        subprocess.run(["gdal_translate", "-q", "-of", "XAVIDEO", *options,
                        SOURCE, out], check=True)
        size = os.path.getsize(out) + os.path.getsize(out + ".json")
        _, dec, _ = read_cube(out)
        psnr, maxerr, same_mask = quality(src, dec, nodata)
        print("%-10s %12d %8.1f %8.3f %10.2f %10.4g %s" % (
            name, size, raw_bytes / size, size * 8 / src.size, psnr, maxerr,
            "identical" if same_mask else "DIFFERS"))
    print("\ngdalinfo %s (first 40 lines):" % os.path.join(outdir,
                                                          "uwnd_lossy.mkv"))
    info = subprocess.run(["gdalinfo", os.path.join(outdir, "uwnd_lossy.mkv")],
                          check=True, capture_output=True, text=True).stdout
    print("\n".join(info.splitlines()[:40]))


if __name__ == "__main__":
    main()
