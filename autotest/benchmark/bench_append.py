#!/usr/bin/python3
"""What appending in time costs (APPEND_SUBDATASET=YES): the Navy winds'
UWND, 132 months, encoded at once against 12 months then 10 appends of 12
(the last part 12 too), lossless and lossy (VALID_RANGE=-30,30, the
default quality): every file's bytes (videos, parts, sidecar), wall time,
and the mean PSNR of the bands. Prints a table, asserts nothing.

Usage: /usr/bin/python3 autotest/benchmark/bench_append.py
"""
import os
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("GDAL_DRIVER_PATH", os.path.join(ROOT, "build"))
os.environ["GDAL_PAM_ENABLED"] = "NO"
sys.path.insert(0, os.path.join(ROOT, "autotest"))

import numpy as np  # noqa: E402
from osgeo import gdal  # noqa: E402

from xavtest import UWND  # noqa: E402

MONTHS, PART = 132, 12


def months(first, last):
    return gdal.Translate("", str(UWND), format="VRT", bandList=list(range(first, last + 1)),
                          outputSRS="EPSG:4326")


def dataset_bytes(ds):
    return sum(os.path.getsize(f) for f in ds.GetFileList())


def mean_psnr(ds):
    return float(np.mean([float(ds.GetRasterBand(b).GetMetadataItem("XAVIDEO_PSNR_DB", "IMAGE_STRUCTURE"))
                          for b in range(1, ds.RasterCount + 1)]))


def main():
    drv = gdal.GetDriverByName("XAVIDEO")
    print("| coding | one encode: bytes, s | 1 + %d appends: bytes, s | bytes appended / one | mean PSNR one / appended |"
          % (MONTHS // PART - 1))
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for name, opts in (("lossless", ["LOSSLESS=YES"]), ("lossy", ["VALID_RANGE=-30,30"])):
            one, app = os.path.join(tmp, name + "_one.mkv"), os.path.join(tmp, name + "_app.mkv")
            t = time.perf_counter()
            drv.CreateCopy(one, months(1, MONTHS), options=opts)
            t_one = time.perf_counter() - t
            t = time.perf_counter()
            drv.CreateCopy(app, months(1, PART), options=opts)
            for first in range(PART + 1, MONTHS + 1, PART):
                out = drv.CreateCopy(app, months(first, first + PART - 1), options=["APPEND_SUBDATASET=YES"])
                assert out is not None, gdal.GetLastErrorMsg()
            t_app = time.perf_counter() - t
            a, b = gdal.Open(one), gdal.Open(app)
            assert b.RasterCount == MONTHS
            na, nb = dataset_bytes(a), dataset_bytes(b)
            print("| %s | %d, %.1f | %d, %.1f | %.3f | %.2f / %.2f |" % (
                name, na, t_one, nb, t_app, nb / na, mean_psnr(a), mean_psnr(b)))


if __name__ == "__main__":
    main()
