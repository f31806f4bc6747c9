"""Peer: GRIB2 as GDAL writes it (`gdal_translate -of GRIB`), the format
weather centres distribute forecasts in. Float cubes only.

Each band becomes one GRIB2 message. Values are quantized to integers and
packed; the quantization step is what the sweep varies:

- `NBITS=n` (DECIMAL_SCALE_FACTOR=0): n-bit codes over each band's range, the
  step a power of two (binary scale factor); one point per n.
- `D=d` (DECIMAL_SCALE_FACTOR=d, NBITS=0: GDAL picks the bits): values
  rounded to 10^-d, as NCEP sets a precision per parameter.

Encodings (GDAL's DATA_ENCODING):

- `COMPLEX_PACKING` with `SPATIAL_DIFFERENCING_ORDER=2` (template 5.3, what
  NCEP and the NDFD use): the only one of GDAL's GRIB2 encodings that keeps
  nodata (missing-value management), so the one run on masked cubes.
- `JPEG2000` (template 5.40): the quantized integers coded by OpenJPEG,
  losslessly (COMPRESSION_RATIO=1, GDAL's default). GDAL cannot keep nodata
  with it, so cubes with invalid pixels skip it.

Sources without a CRS (the ferret grids) get EPSG:4326, as the tests do:
the GRIB2 grid definition needs one. Temperatures read in C are stored in K
by GDAL and read back in C (a float32 offset, below 1e-4).
"""
import math
import os
import time

import numpy as np
from osgeo import gdal


def _size(tmp):
    return sum(os.path.getsize(os.path.join(tmp, f)) for f in os.listdir(tmp)
               if f.startswith("o.grb2"))


def run(cube, tmp, options):
    out = os.path.join(tmp, "o.grb2")
    kw = {}
    if not cube.wkt:
        kw["outputSRS"] = "EPSG:4326"
    # GDAL moves GRIB longitudes to [-180, 180] (split and swap) by default:
    # the ferret grids (20E..380E) would come back shifted by columns
    gdal.SetConfigOption("GRIB_ADJUST_LONGITUDE_RANGE", "NO")
    try:
        t = time.perf_counter()
        gdal.Translate(out, cube.path, format="GRIB", creationOptions=options, **kw)
        enc = time.perf_counter() - t
        t = time.perf_counter()
        ds = gdal.Open(out)
        dec = ds.ReadAsArray().astype(np.float64).reshape(cube.data.shape)
        dec_s = time.perf_counter() - t
    finally:
        gdal.SetConfigOption("GRIB_ADJUST_LONGITUDE_RANGE", None)
    gt, src = ds.GetGeoTransform(), cube.geotransform
    if max(abs(a - b) for a, b in zip(gt, src)) > 1e-3 * abs(src[1]):
        raise RuntimeError("grid read back at %s, not %s" % (gt, src))
    return _size(tmp), dec, enc, dec_s


def runs(cube, quick, heavy):
    """(compressor, parameter, callable(tmp)) for bench_rd.py."""
    if not cube.is_float:
        return []
    out = []
    nbits = [6, 8, 10, 12] if quick or heavy else [6, 7, 8, 9, 10, 11, 12, 14, 16]
    # decimal precisions giving about 8 to 16 bits over the widest variable
    rng = max(hi - lo for lo, hi in cube.var_ranges) or 1
    d0 = math.ceil(math.log10(256 / rng))
    decs = [d0, d0 + 1] if quick or heavy else [d0, d0 + 1, d0 + 2, d0 + 3]
    encodings = [("GRIB2 complex+SD2", ["DATA_ENCODING=COMPLEX_PACKING",
                                        "SPATIAL_DIFFERENCING_ORDER=2"])]
    if cube.valid.all():
        encodings.append(("GRIB2 JPEG2000", ["DATA_ENCODING=JPEG2000"]))
    for name, enc in encodings:
        for n in nbits:
            out.append((name, "NBITS=%d" % n, lambda tmp, o=enc + [
                "NBITS=%d" % n, "DECIMAL_SCALE_FACTOR=0"]: run(cube, tmp, o)))
        for d in decs:
            out.append((name, "D=%d" % d, lambda tmp, o=enc + [
                "NBITS=0", "DECIMAL_SCALE_FACTOR=%d" % d]: run(cube, tmp, o)))
    return out
