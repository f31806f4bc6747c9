"""Helpers of the XAVIDEO driver's pytest suite: data paths, creating,
opening, reading and comparing datasets, capturing errors, running GDAL's
tools and child interpreters. The fixtures are in conftest.py.

Importing this module sets the environment GDAL needs before osgeo.gdal is
imported: the plugin from the build directory (env XAVIDEO_BUILD_DIR,
default <repo>/build) through GDAL_DRIVER_PATH, and GDAL_PAM_ENABLED=NO so
that reading the read-only data never writes .aux.xml files. Errors: GDAL's
default (gdal.DontUseExceptions) everywhere; tests check return values and
capture CPLError messages with capture_errors(). Tests compare against the
SOURCE data, never against stored outputs.
"""

import contextlib
import datetime
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BUILD_DIR = Path(os.environ.get("XAVIDEO_BUILD_DIR", str(REPO / "build"))).resolve()
DATA_DIR = REPO / "data" / "cache"

# Must happen before `from osgeo import gdal`.
os.environ["GDAL_DRIVER_PATH"] = str(BUILD_DIR)
os.environ["GDAL_PAM_ENABLED"] = "NO"

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from osgeo import gdal, osr  # noqa: E402

gdal.DontUseExceptions()
gdal.SetConfigOption("GDAL_PAM_ENABLED", "NO")

DRIVER_NAME = "XAVIDEO"
PLUGIN = BUILD_DIR / "gdal_XAVIDEO.so"

L7 = DATA_DIR / "L7_ETMs.tif"
LC = DATA_DIR / "lc.tif"
WINDS = DATA_DIR / "monthly_navy_winds.cdf"
COADS = DATA_DIR / "coads_climatology.cdf"
MAXT = DATA_DIR / "ds.maxt.bin"
WAVEH = DATA_DIR / "ds.waveh.bin"  # 21 steps, 2517 x 1793, 86 % land
OCEAN = DATA_DIR / "ocean_atlas_subset.nc"  # TEMP, 12 months x 19 depths
ETA = DATA_DIR / "eta.grb"  # 181 GRIB fields, elements at many levels
L8_PREFIX = "LC08_L1TP_195025_20130707_20170503_01_T1_"
# The 41x41 Landsat 8 bands (B8, the panchromatic band, is 82x82).
L8_BANDS = ["B1", "B2", "B3", "B4", "B5", "B6", "B7", "B9", "B10", "B11"]


def l8_path(band):
    return DATA_DIR / f"{L8_PREFIX}{band}.TIF"


def netcdf_name(path, var):
    return f'NETCDF:"{path}":{var}'


UWND = netcdf_name(WINDS, "UWND")
SST = netcdf_name(COADS, "SST")


# --------------------------------------------------------------------------
# Session checks: driver present, data present.
# --------------------------------------------------------------------------


# --------------------------------------------------------------------------
# Error capture
# --------------------------------------------------------------------------


class ErrorLog:
    def __init__(self):
        self.records = []  # (err_class, err_no, msg)

    @property
    def messages(self):
        return [m for (_, _, m) in self.records]

    def text(self, strip=()):
        """All messages joined, lower case, with the given strings (e.g.
        file names, which may contain words such as 'json') removed."""
        t = "\n".join(self.messages)
        for s in sorted((str(x) for x in strip if x), key=len, reverse=True):
            t = t.replace(s, "<path>")
        return t.lower()

    def failures(self):
        return [r for r in self.records if r[0] >= gdal.CE_Failure]

    def __repr__(self):
        return f"ErrorLog({self.records!r})"


@contextlib.contextmanager
def capture_errors():
    """Collect CPLError messages instead of printing them.

    gdal.GetLastErrorMsg() still reflects the last one after the block."""
    log = ErrorLog()

    def handler(err_class, err_no, msg):
        log.records.append((err_class, err_no, msg))

    gdal.ErrorReset()
    gdal.PushErrorHandler(handler)
    try:
        yield log
    finally:
        gdal.PopErrorHandler()


def assert_error(log, words, strip=(), what=""):
    """The operation failed with a non-empty CPLError mentioning one of
    `words` (case-insensitive; file names in `strip` are ignored)."""
    last = gdal.GetLastErrorMsg()
    assert log.records, f"{what}: expected a CPLError, none was emitted"
    assert last, f"{what}: gdal.GetLastErrorMsg() is empty (errors: {log.messages})"
    text = log.text(strip=list(strip) + [os.path.basename(str(s)) for s in strip])
    if isinstance(words, str):
        words = [words]
    assert any(w.lower() in text for w in words), (
        f"{what}: no error message mentions any of {words}: {log.messages}"
    )


# --------------------------------------------------------------------------
# Dataset helpers
# --------------------------------------------------------------------------


def open_ds(name, allowed=(DRIVER_NAME,)):
    """gdal.OpenEx restricted to the XAVIDEO driver by default."""
    return gdal.OpenEx(str(name), gdal.OF_RASTER, allowed_drivers=list(allowed) if allowed else None)


def xav_create(src, dst, options=None, callback=None, callback_data=None):
    """CreateCopy with the XAVIDEO driver. Returns (dataset or None, ErrorLog)."""
    drv = gdal.GetDriverByName(DRIVER_NAME)
    if isinstance(src, (str, Path)):
        src_ds = gdal.Open(str(src))
        assert src_ds is not None, f"cannot open source {src}"
    else:
        src_ds = src
    with capture_errors() as log:
        out = drv.CreateCopy(
            str(dst), src_ds, 0, list(options or []), callback=callback, callback_data=callback_data
        )
    return out, log


def xav_create_ok(src, dst, options=None):
    out, log = xav_create(src, dst, options)
    assert out is not None, f"CreateCopy({dst}, {options}) failed: {log.messages}"
    # Close, so that everything is flushed, and reopen from disk.
    out = None
    ds = open_ds(dst)
    assert ds is not None, f"cannot reopen {dst}: {gdal.GetLastErrorMsg()}"
    return ds


def read_all(ds):
    """All bands as a (bands, rows, cols) array in the bands' native type."""
    arrs = []
    for i in range(1, ds.RasterCount + 1):
        a = ds.GetRasterBand(i).ReadAsArray()
        assert a is not None, f"band {i} read failed: {gdal.GetLastErrorMsg()}"
        arrs.append(a)
    return np.stack(arrs)


def read_band(ds, i):
    a = ds.GetRasterBand(i).ReadAsArray()
    assert a is not None, f"band {i} read failed: {gdal.GetLastErrorMsg()}"
    return a


_UINT = {1: np.uint8, 2: np.uint16, 4: np.uint32, 8: np.uint64, 16: np.uint64}


def bits(a):
    a = np.ascontiguousarray(a)
    return a.view(_UINT[a.dtype.itemsize])


def assert_bits_equal(expected, actual, what=""):
    """Bit-exact comparison (NaN payloads and -0.0 included)."""
    expected = np.asarray(expected)
    actual = np.asarray(actual)
    assert expected.shape == actual.shape, f"{what}: shape {actual.shape} != {expected.shape}"
    assert expected.dtype == actual.dtype, f"{what}: dtype {actual.dtype} != {expected.dtype}"
    be, ba = bits(expected), bits(actual)
    diff = be != ba
    if diff.any():
        idx = tuple(int(x) for x in np.argwhere(diff)[0])
        raise AssertionError(
            f"{what}: {int(diff.sum())} of {diff.size} values differ bit-wise; "
            f"first at {idx}: expected {expected[idx]!r} (0x{int(be[idx]):x}) "
            f"got {actual[idx]!r} (0x{int(ba[idx]):x})"
        )


def assert_datasets_bits_equal(src, out, what=""):
    assert out.RasterXSize == src.RasterXSize and out.RasterYSize == src.RasterYSize, (
        f"{what}: size {out.RasterXSize}x{out.RasterYSize} != {src.RasterXSize}x{src.RasterYSize}"
    )
    assert out.RasterCount == src.RasterCount, f"{what}: {out.RasterCount} bands != {src.RasterCount}"
    for i in range(1, src.RasterCount + 1):
        sb, ob = src.GetRasterBand(i), out.GetRasterBand(i)
        assert ob.DataType == sb.DataType, (
            f"{what} band {i}: type {gdal.GetDataTypeName(ob.DataType)} != "
            f"{gdal.GetDataTypeName(sb.DataType)}"
        )
        assert_bits_equal(read_band(src, i), read_band(out, i), f"{what} band {i}")


def assert_georef_equal(src, out, what=""):
    sgt, ogt = src.GetGeoTransform(can_return_null=True), out.GetGeoTransform(can_return_null=True)
    assert ogt is not None, f"{what}: output has no geotransform"
    assert sgt is not None
    assert np.allclose(sgt, ogt, rtol=1e-12, atol=1e-9), f"{what}: geotransform {ogt} != {sgt}"
    ssrs, osrs = src.GetSpatialRef(), out.GetSpatialRef()
    assert ssrs is not None
    assert osrs is not None, f"{what}: output has no CRS"
    assert osrs.IsSame(ssrs), (
        f"{what}: CRS differ:\nsource {ssrs.ExportToWkt()}\noutput {osrs.ExportToWkt()}"
    )


def file_exists(name):
    return gdal.VSIStatL(str(name)) is not None


def sidecar_streams(doc):
    """Every stream a sidecar describes, each with its tile: its "streams",
    or its "tile_streams" (the list every tile repeats) for each tile."""
    if "streams" in doc:
        return doc["streams"]
    tiles = doc["tiling"]["tiles_x"] * doc["tiling"]["tiles_y"]
    return [dict(s, tile=k) for k in range(tiles) for s in doc["tile_streams"]]


def sidecar_of(mkv):
    return f"{mkv}.json"


def valid_mask(arr, nodata):
    """True where the pixel is valid (not nodata and not NaN)."""
    m = np.ones(arr.shape, dtype=bool)
    if np.issubdtype(arr.dtype, np.floating):
        m &= ~np.isnan(arr)
    if nodata is not None:
        nd = np.array(nodata).astype(arr.dtype)
        if not (np.issubdtype(arr.dtype, np.floating) and np.isnan(nd)):
            m &= arr != nd
    return m


def psnr(ref, test, mask=None, peak=None):
    """PSNR in dB over the masked pixels, peak = max-min of the valid
    reference pixels unless given."""
    ref = np.asarray(ref, dtype=np.float64)
    test = np.asarray(test, dtype=np.float64)
    if mask is None:
        mask = np.ones(ref.shape, dtype=bool)
    r, t = ref[mask], test[mask]
    if peak is None:
        peak = float(r.max() - r.min())
    mse = float(np.mean((r - t) ** 2))
    if mse == 0:
        return float("inf")
    return 10.0 * np.log10(peak * peak / mse)


# --------------------------------------------------------------------------
# Time helpers (netCDF-style time axis)
# --------------------------------------------------------------------------

_UNITS_RE = re.compile(r"^\s*(\w+)\s+since\s+(\d{1,4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{1,2})(?::(\d{1,2}(?:\.\d*)?))?)?")
_UNIT_SECONDS = {
    "second": 1, "seconds": 1, "sec": 1, "s": 1,
    "minute": 60, "minutes": 60, "min": 60,
    "hour": 3600, "hours": 3600, "hr": 3600, "h": 3600,
    "day": 86400, "days": 86400, "d": 86400,
}


def cf_to_datetime(value, units):
    """Standard-calendar conversion of a CF time value (tests' own oracle)."""
    m = _UNITS_RE.match(units)
    assert m, f"unparsed time units {units!r}"
    unit = m.group(1).lower()
    y, mo, d = int(m.group(2)), int(m.group(3)), int(m.group(4))
    hh = int(m.group(5) or 0)
    mm = int(m.group(6) or 0)
    ss = float(m.group(7) or 0)
    origin = datetime.datetime(y, mo, d, hh, mm) + datetime.timedelta(seconds=ss)
    return origin + datetime.timedelta(seconds=float(value) * _UNIT_SECONDS[unit])


def parse_nc_list(s):
    """'{1,2.5,3}' -> [1.0, 2.5, 3.0]"""
    s = s.strip().strip("{}")
    return [float(x) for x in s.split(",") if x.strip()]


# --------------------------------------------------------------------------
# Subprocess helpers (CLI, crash/hang isolation)
# --------------------------------------------------------------------------


def gdal_env():
    env = dict(os.environ)
    env["GDAL_DRIVER_PATH"] = str(BUILD_DIR)
    env["GDAL_PAM_ENABLED"] = "NO"
    return env


def gdal_tool(name):
    for cand in (shutil.which(name), f"/usr/bin/{name}"):
        if cand and os.path.exists(cand):
            return cand
    pytest.fail(f"{name} CLI not found", pytrace=False)


def run_cli(args, timeout=300):
    exe = gdal_tool(args[0])
    p = subprocess.run([exe] + [str(a) for a in args[1:]], env=gdal_env(), capture_output=True,
                       text=True, timeout=timeout)
    return p


def run_python(code, timeout=120):
    """Run Python code in a fresh interpreter (the GDAL-enabled one running
    the tests), so that a crash or a hang cannot take the test session down.
    Returns the CompletedProcess; raises subprocess.TimeoutExpired on hang."""
    prelude = (
        "import os, sys\n"
        f"os.environ['GDAL_DRIVER_PATH'] = {str(BUILD_DIR)!r}\n"
        "os.environ['GDAL_PAM_ENABLED'] = 'NO'\n"
        "from osgeo import gdal\n"
        "gdal.DontUseExceptions()\n"
    )
    return subprocess.run([sys.executable, "-c", prelude + code], env=gdal_env(),
                          capture_output=True, text=True, timeout=timeout)


# --------------------------------------------------------------------------
# Sources
# --------------------------------------------------------------------------


def open_source(name):
    ds = gdal.Open(str(name))
    assert ds is not None, f"cannot open source {name}: {gdal.GetLastErrorMsg()}"
    return ds


def with_srs(src_name, epsg=4326):
    """The ferret netCDF files carry no CRS: an in-memory VRT of the source
    with the CRS assigned (metadata kept)."""
    ds = gdal.Translate("", str(src_name), format="VRT", outputSRS=f"EPSG:{epsg}")
    assert ds is not None, gdal.GetLastErrorMsg()
    return ds


def l8_stack(bands=("B1", "B2", "B3", "B10", "B11")):
    """Landsat 8 41x41 Int16 bands stacked with an in-memory VRT."""
    paths = [str(l8_path(b)) for b in bands]
    vrt = gdal.BuildVRT("", paths, separate=True)
    assert vrt is not None, gdal.GetLastErrorMsg()
    # BuildVRT picks up each source's nodata; make sure it is there.
    for i in range(1, vrt.RasterCount + 1):
        assert vrt.GetRasterBand(i).GetNoDataValue() == -32768
    return vrt


def mem_dataset(arrays, dtype, nodata=None, gt=(0, 1, 0, 0, 0, -1), epsg=4326):
    """A MEM dataset from a list of 2-D numpy arrays."""
    arrays = [np.asarray(a) for a in arrays]
    h, w = arrays[0].shape
    ds = gdal.GetDriverByName("MEM").Create("", w, h, len(arrays), dtype)
    ds.SetGeoTransform(gt)
    if epsg:
        srs = osr.SpatialReference()
        srs.ImportFromEPSG(epsg)
        ds.SetSpatialRef(srs)
    for i, a in enumerate(arrays, start=1):
        b = ds.GetRasterBand(i)
        assert b.WriteArray(a) == gdal.CE_None
        if nodata is not None:
            b.SetNoDataValue(nodata)
    return ds


def list_dir(path):
    return sorted(os.listdir(path))


# --------------------------------------------------------------------------
# Child interpreters: a crash or a hang fails one test, not the session
# --------------------------------------------------------------------------


def run_child(code, timeout, doing, died):
    """Runs code in a child process (a crash or a hang must not take the
    session down) and returns the JSON it printed after "RESULT"."""
    try:
        p = run_python(code, timeout=timeout)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{doing} hung for more than {timeout}s", pytrace=False)
    assert p.returncode == 0, (
        f"{died} (return code {p.returncode}, negative = signal): "
        f"stderr {p.stderr[-2000:]}"
    )
    line = [l for l in p.stdout.splitlines() if l.startswith("RESULT")]
    assert line, f"no result from child: {p.stdout[-2000:]} {p.stderr[-2000:]}"
    return json.loads(line[-1][len("RESULT"):])


def probe_open(path, read=True, timeout=60):
    """Open `path` with gdal.Open (all drivers) in a child process, read every
    band, and report what happened."""
    code = f"""
import json
msgs = []
gdal.PushErrorHandler(lambda c, n, m: msgs.append([c, n, m]))
res = {{"opened": False, "driver": None, "read_ok": None}}
ds = gdal.Open({str(path)!r})
if ds is not None:
    res["opened"] = True
    res["driver"] = ds.GetDriver().ShortName
    if {bool(read)!r}:
        ok = True
        for i in range(1, ds.RasterCount + 1):
            a = ds.GetRasterBand(i).ReadAsArray()
            if a is None:
                ok = False
                break
        res["read_ok"] = ok
res["errors"] = msgs
res["last"] = gdal.GetLastErrorMsg()
print("RESULT" + json.dumps(res))
"""
    return run_child(code, timeout, f"opening/reading {path}",
                     f"child process opening {path} died")


def probe_create(src, dst, options, timeout=120):
    """CreateCopy(dst, gdal.Open(src), options) with the XAVIDEO driver in a
    child process (a crash must not take the session down)."""
    code = f"""
import json
msgs = []
gdal.PushErrorHandler(lambda c, n, m: msgs.append([c, n, m]))
src = gdal.Open({str(src)!r})
assert src is not None
out = gdal.GetDriverByName({DRIVER_NAME!r}).CreateCopy({str(dst)!r}, src, 0, {list(options)!r})
res = {{"created": out is not None, "errors": msgs, "last": gdal.GetLastErrorMsg()}}
out = None
print("RESULT" + json.dumps(res))
"""
    return run_child(code, timeout, f"CreateCopy {options}",
                     f"CreateCopy with {options} crashed the process")


def error_text(res, strip=()):
    t = "\n".join(m for (_, _, m) in res["errors"])
    for s in sorted((str(x) for x in strip), key=len, reverse=True):
        t = t.replace(s, "<path>")
        t = t.replace(os.path.basename(s), "<path>")
    return t.lower()


def assert_open_refused(res, words, strip, what):
    assert not res["opened"], f"{what}: opened by {res['driver']} although it is broken"
    assert res["errors"] and res["last"], f"{what}: no CPLError message"
    text = error_text(res, strip)
    assert any(w in text for w in words), f"{what}: no message mentions any of {words}: {res['errors']}"


def copy_pair(good, tmp_path, name="bad"):
    """A copy of the `good` fixture's video and sidecar in tmp_path/name/,
    to damage: (mkv, sidecar)."""
    mkv, js, _ = good
    d = tmp_path / name
    d.mkdir()
    shutil.copy(mkv, d / "l7.mkv")
    shutil.copy(js, d / "l7.mkv.json")
    return d / "l7.mkv", d / "l7.mkv.json"
