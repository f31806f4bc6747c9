#!/usr/bin/python3
"""Rate-distortion benchmark (issues 5 and 12): XAVIDEO against GDAL's
compressors, GRIB2, zfp and xarrayvideo on every real cube. Writes rd.csv,
rd.md and one SVG plot per cube (PSNR against bpppb) into the output
directory; asserts nothing.

For every run: bpppb (every file of the output, tiles and sidecars
included, per pixel per band), PSNR (each pixel's error divided by its
variable's valid range, the peak; mean square over every valid pixel of
the cube), maximum absolute error over valid pixels, encode and decode
time.

Peers get the source as a user would give it (nodata fills included).
JP2OpenJPEG has no floating-point type: float cubes are scaled to UInt16
first (as users do, each band over its variable's range), which the table
marks. zfp (Debian's `zfp` command, fixed-accuracy mode) is the reference
for error-bounded float coding. GRIB2 (peer_grib.py) and xarrayvideo
(peer_xarrayvideo.py, a checkout that is never committed) have modules of
their own; doc/rd/README.md says how each peer is run.

Usage: /usr/bin/python3 autotest/benchmark/bench_rd.py [OUTPUT_DIR] [--quick]
           [--cubes=NAME,...] [--peers=NAME,...] [--merge]
       /usr/bin/python3 autotest/benchmark/bench_rd.py [OUTPUT_DIR] --report
         (rebuild the table and plots from OUTPUT_DIR/rd.csv)
  --quick: fewer cubes and settings. --cubes / --peers: only cubes /
  compressors whose names contain one of the words (case-insensitive).
  --merge: add the runs to OUTPUT_DIR/rd.csv, replacing the rows of the
  same cube, compressor and setting, and rebuild the reports from all.
"""
import csv
import math
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

import peer_grib
import peer_xarrayvideo

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("GDAL_DRIVER_PATH", os.path.join(ROOT, "build"))
os.environ["GDAL_PAM_ENABLED"] = "NO"
from osgeo import gdal  # noqa: E402

gdal.UseExceptions()
DATA = os.path.join(ROOT, "data", "cache")
QUICK = "--quick" in sys.argv


def _words(opt):
    for a in sys.argv[1:]:
        if a.startswith(opt + "="):
            return [w.strip().lower() for w in a.split("=", 1)[1].split(",") if w.strip()]
    return None


CUBES, PEERS = _words("--cubes"), _words("--peers")
HEAVY_PIXELS = 2e7  # cubes larger than this get the quick settings
L8 = ["B1", "B2", "B3", "B4", "B5", "B6", "B7", "B9", "B10", "B11"]


class Cube:
    """A cube of nvars variables x times time steps, bands in time-major
    order (band = time * nvars + variable), as every source here has them.
    xav_opts: XAVIDEO creation options that tell it that layout where it
    cannot read it from the source."""
    def __init__(self, name, path, times, xav_opts=()):
        self.name, self.path, self.times = name, path, times
        self.xav_opts = list(xav_opts)
        ds = gdal.Open(path)
        self.dtype = gdal.GetDataTypeName(ds.GetRasterBand(1).DataType)
        self.nodata = ds.GetRasterBand(1).GetNoDataValue()
        self.data = ds.ReadAsArray().astype(np.float64).reshape(
            ds.RasterCount, ds.RasterYSize, ds.RasterXSize)
        self.nvars = ds.RasterCount // times
        self.geotransform, self.wkt = ds.GetGeoTransform(), ds.GetProjection()
        self.time_units = "steps"
        self.valid = valid_mask(self.data, self.nodata, self.dtype)
        v = self.data[self.valid]
        self.lo, self.hi = float(v.min()), float(v.max())
        self.var_ranges = []
        for i in range(self.nvars):
            b = [self.band(i, t) for t in range(times)]
            vv = self.data[b][self.valid[b]]
            self.var_ranges.append((float(vv.min()), float(vv.max())))
        self.var_names = var_names(ds, self.nvars)
        self.pixels = self.data.size
        self.is_float = self.dtype.startswith("Float")
        self.heavy = self.pixels > HEAVY_PIXELS

    def band(self, var, t):
        return t * self.nvars + var

    def peaks(self):
        """(bands,) array: each band's peak, its variable's valid range."""
        return np.array([(lambda r: (r[1] - r[0]) or 1.0)(self.var_ranges[b % self.nvars])
                         for b in range(self.data.shape[0])])


def var_names(ds, nvars):
    names = []
    for i in range(nvars):
        md = ds.GetRasterBand(i + 1).GetMetadata()
        names.append(md.get("GRIB_ELEMENT") or md.get("NETCDF_VARNAME") or "band")
    if len(set(names)) < nvars:
        names = ["%s_%d" % (n, i + 1) for i, n in enumerate(names)]
    return names


def valid_mask(a, nodata, dtype):
    m = np.isfinite(a)
    if nodata is not None:
        nd = np.float32(nodata) if dtype == "Float32" else nodata
        m &= a != nd
    return m


def cube_spec(tmp):
    """(name, source, time steps, XAVIDEO options, in --quick) of every cube."""
    nc = lambda f, v: 'NETCDF:"%s":%s' % (os.path.join(DATA, f), v)
    return [("UWND (Float32, 132 months)", nc("monthly_navy_winds.cdf", "UWND"), 132, (), True),
            ("VWND (Float32, 132 months)", nc("monthly_navy_winds.cdf", "VWND"), 132, (), False),
            ("SST (Float32, 12 months, land masked)", nc("coads_climatology.cdf", "SST"), 12, (), True),
            ("NDFD MaxT (Float64, 4 days)", os.path.join(DATA, "ds.maxt.bin"), 4, (), True),
            ("NDFD WaveH (Float64, 21 x 3 h, 86 % land)", os.path.join(DATA, "ds.waveh.bin"), 21, (), False),
            ("SAfrica (Float64, 3 variables x 25 x 3 h)", os.path.join(DATA, "safrica.grib2"), 25, (), True),
            ("Ocean TEMP (Float32, 19 depths x 12 months)", nc("ocean_atlas_subset.nc", "TEMP"), 12,
             ["BANDS_PER_TIME=19"], False),
            ("L7_ETMs (Byte, 6 bands)", os.path.join(DATA, "L7_ETMs.tif"), 1, (), True),
            ("Landsat 8 (Int16, 10 bands)", os.path.join(tmp, "l8.vrt"), 1, (), False)]


CUBE_ORDER = [c[0] for c in cube_spec("")]


def cubes(tmp):
    """The cubes of this run, read one at a time."""
    l8 = gdal.BuildVRT(os.path.join(tmp, "l8.vrt"), [
        os.path.join(DATA, "LC08_L1TP_195025_20130707_20170503_01_T1_%s.TIF" % b)
        for b in L8], separate=True)
    l8 = None
    for name, path, times, opts, quick in cube_spec(tmp):
        if (QUICK and not quick) or (CUBES and not any(w in name.lower() for w in CUBES)):
            continue
        yield Cube(name, path, times, opts)


# ---- running one compressor ---------------------------------------------

def files_size(path):
    """Bytes of every file whose name starts with path's, and of every file
    under such a directory (XAVIDEO's NAME.mkv.tiles/)."""
    d, base = os.path.split(path)
    total = 0
    for f in os.listdir(d):
        if not f.startswith(base):
            continue
        p = os.path.join(d, f)
        if os.path.isdir(p):
            total += sum(os.path.getsize(os.path.join(r, g))
                         for r, _, files in os.walk(p) for g in files)
        else:
            total += os.path.getsize(p)
    return total


def gdal_run(cube, tmp, driver, ext, options, translate_opts=None, back=None):
    """Encode with gdal.Translate, decode with ReadAsArray."""
    out = os.path.join(tmp, "o" + ext)
    for f in os.listdir(tmp):
        if f.startswith("o."):
            os.remove(os.path.join(tmp, f))
    t = time.perf_counter()
    gdal.Translate(out, cube.path, format=driver, creationOptions=options,
                   **(translate_opts or {}))
    enc = time.perf_counter() - t
    t = time.perf_counter()
    dec = read_all(out).reshape(cube.data.shape)
    dec_s = time.perf_counter() - t
    if back is not None:
        dec = back(dec)
    return files_size(out), dec, enc, dec_s


def read_all(path):
    """Every band as float64; a file of several variables (netCDF of a
    source without a time axis: one variable per band) has no bands of its
    own, its subdatasets are read in order."""
    ds = gdal.Open(path)
    if ds.RasterCount == 0:
        subs = [n for k, n in sorted(ds.GetMetadata("SUBDATASETS").items(),
                                     key=lambda kv: int(kv[0].split("_")[1]))
                if k.endswith("_NAME")]
        parts = [read_all(n) for n in subs]
        return np.concatenate([a.reshape((-1,) + a.shape[-2:]) for a in parts])
    return ds.ReadAsArray().astype(np.float64)


def zfp_run(cube, tmp, tol):
    raw, z, o = (os.path.join(tmp, n) for n in ("zfp.raw", "zfp.z", "zfp.out"))
    kind = "-f" if cube.dtype == "Float32" else "-d"
    np_type = np.float32 if cube.dtype == "Float32" else np.float64
    cube.data.astype(np_type).tofile(raw)
    b, h, w = cube.data.shape
    dims = ["-3", str(w), str(h), str(b)]
    t = time.perf_counter()
    subprocess.run(["zfp", "-q", kind, *dims, "-a", repr(tol), "-i", raw, "-z", z], check=True)
    enc = time.perf_counter() - t
    t = time.perf_counter()
    subprocess.run(["zfp", "-q", kind, *dims, "-a", repr(tol), "-z", z, "-o", o], check=True)
    dec_s = time.perf_counter() - t
    dec = np.fromfile(o, dtype=np_type).astype(np.float64).reshape(cube.data.shape)
    return os.path.getsize(z), dec, enc, dec_s


def to_uint16(cube):
    """Float cube -> UInt16 (each band's variable's valid range on
    1..65535, invalid 0), for JP2."""
    lo = np.array([cube.var_ranges[b % cube.nvars][0] for b in range(cube.data.shape[0])])
    scale = cube.peaks() / 65534
    opts = {"outputType": gdal.GDT_UInt16, "noData": 0,
            "scaleParams": [[cube.var_ranges[b % cube.nvars][0], cube.var_ranges[b % cube.nvars][1],
                             1, 65535] for b in range(cube.data.shape[0])]}
    return opts, lambda a: np.where(a == 0, np.nan, lo[:, None, None] + (a - 1) * scale[:, None, None])


# ---- the runs of one cube -----------------------------------------------

def runs(cube):
    """(compressor, parameter, callable(tmp) -> (bytes, decoded, enc, dec))."""
    everything = _runs(cube)
    if PEERS:
        everything = [r for r in everything if any(w in r[0].lower() for w in PEERS)]
    return everything


# XAVIDEO's default CRF (src/common/options.h)
DEFAULT_CRF = 6


def _runs(cube):
    rng = cube.hi - cube.lo
    quick = QUICK or cube.heavy
    x = lambda opts: (lambda tmp: gdal_run(cube, tmp, "XAVIDEO", ".mkv", cube.xav_opts + opts))
    out = []
    for crf in ([0, 6, 10, 16] if quick else [0, 2, 4, 6, 8, 12, 16, 20, 26]):
        # CRF 6 is the default: that run has no quality option at all
        out.append(("XAVIDEO x265", "CRF=%d%s" % (crf, " (default)" if crf == DEFAULT_CRF else ""),
                    x([] if crf == DEFAULT_CRF else ["CRF=%d" % crf])))
    out.append(("XAVIDEO x265", "QP=0", x(["QP=0"])))
    for crf in ([2, 8, 20] if quick else [0, 2, 5, 8, 12, 18, 26, 36]):
        out.append(("XAVIDEO AV1", "CRF=%d" % crf, x(["CODEC=AV1", "CRF=%d" % crf])))
    errs = [rng * f for f in ([1e-3, 1e-2] if quick else [3e-4, 1e-3, 3e-3, 1e-2])]
    if not cube.is_float:
        errs = sorted({max(1, round(e)) for e in errs})
    for e in errs:
        out.append(("XAVIDEO MAX_ERROR", "%.3g" % e, x(["MAX_ERROR=%.6g" % e])))
    out.append(("XAVIDEO lossless", "FFV1", x(["LOSSLESS=YES"])))
    for pred in ([1, 2, 3] if cube.is_float and not cube.heavy else [1, 3] if cube.is_float else [1, 2]):
        out.append(("GTiff ZSTD", "PREDICTOR=%d" % pred,
                    lambda tmp, p=pred: gdal_run(cube, tmp, "GTiff", ".tif", [
                        "COMPRESS=ZSTD", "ZSTD_LEVEL=9", "PREDICTOR=%d" % p,
                        "INTERLEAVE=BAND", "TILED=YES"])))
    for e in errs:
        out.append(("GTiff LERC_ZSTD", "%.3g" % e,
                    lambda tmp, e=e: gdal_run(cube, tmp, "GTiff", ".tif", [
                        "COMPRESS=LERC_ZSTD", "MAX_Z_ERROR=%.6g" % e,
                        "INTERLEAVE=BAND", "TILED=YES"])))
    if cube.dtype == "Byte":
        for q in ([50, 90] if quick else [50, 75, 90, 95]):
            out.append(("GTiff JPEG", "Q=%d" % q, lambda tmp, q=q: gdal_run(
                cube, tmp, "GTiff", ".tif", ["COMPRESS=JPEG", "JPEG_QUALITY=%d" % q,
                                             "INTERLEAVE=BAND", "TILED=YES"])))
            out.append(("GTiff WEBP", "Q=%d" % q, lambda tmp, q=q: gdal_run(
                cube, tmp, "GTiff", ".tif", ["COMPRESS=WEBP", "WEBP_LEVEL=%d" % q,
                                             "INTERLEAVE=BAND", "TILED=YES"])))
    topts, back = to_uint16(cube) if cube.is_float else ({}, None)
    jp2 = "JP2OpenJPEG" + (" (via UInt16)" if cube.is_float else "")
    for q in ([10, 40] if quick else [5, 10, 20, 40, 70]):
        out.append((jp2, "QUALITY=%d" % q, lambda tmp, q=q: gdal_run(
            cube, tmp, "JP2OpenJPEG", ".jp2", ["QUALITY=%d" % q], topts, back)))
    out.append((jp2 + " reversible", "", lambda tmp: gdal_run(
        cube, tmp, "JP2OpenJPEG", ".jp2", ["REVERSIBLE=YES", "QUALITY=100"],
        topts, back)))
    out.append(("netCDF zlib", "DEFLATE 9", lambda tmp: gdal_run(
        cube, tmp, "netCDF", ".nc", ["FORMAT=NC4C", "COMPRESS=DEFLATE", "ZLEVEL=9"])))
    if cube.is_float:
        for e in errs:
            out.append(("zfp accuracy", "%.3g" % e, lambda tmp, e=e: zfp_run(cube, tmp, e)))
    out += peer_grib.runs(cube, QUICK, cube.heavy)
    out += peer_xarrayvideo.runs(cube, QUICK, cube.heavy)
    return out


def quality(cube, dec):
    """PSNR and max error over valid pixels. Each error is divided by the
    peak of its variable (its valid range), so a cube of one variable gets
    the usual PSNR and variables of different units weigh alike. A valid
    pixel that comes back invalid (NaN, or a peer's nodata code) counts as
    an error of the whole range in the PSNR, and makes the maximum error
    infinite."""
    peak = np.broadcast_to(cube.peaks()[:, None, None], cube.data.shape)[cube.valid]
    d = dec[cube.valid] - cube.data[cube.valid]
    lost = ~np.isfinite(d)
    mse = float(np.mean(np.where(lost, 1.0, d / peak) ** 2))
    psnr = math.inf if mse == 0 else -10 * math.log10(mse)
    return psnr, math.inf if lost.any() else float(np.abs(d).max())


def measure(cube):
    rows = []
    for comp, param, fn in runs(cube):
        with tempfile.TemporaryDirectory() as tmp:
            try:
                size, dec, enc, dec_s = fn(tmp)
            except Exception as e:  # a peer that cannot take this cube
                print("  %-28s %-12s skipped: %s" % (comp, param, str(e).splitlines()[0][:80]))
                continue
        psnr, maxerr = quality(cube, dec)
        row = dict(cube=cube.name, times=cube.times, float=cube.is_float,
                   compressor=comp, parameter=param,
                   bpppb=size * 8 / cube.pixels, psnr=psnr, max_error=maxerr,
                   encode_s=enc, decode_s=dec_s)
        rows.append(row)
        print("  %-28s %-12s %7.3f bpppb %7.2f dB  max err %-9.4g enc %.2fs dec %.2fs" % (
            comp, param, row["bpppb"], psnr, maxerr, enc, dec_s))
    return rows


# ---- reports ------------------------------------------------------------

def bpppb_at(rows, target):
    """bpppb where the compressor's curve reaches target dB (linear
    interpolation between measured points), or None."""
    pts = sorted((r["bpppb"], r["psnr"]) for r in rows)
    best = None
    for (b0, p0), (b1, p1) in zip(pts, pts[1:]):
        if p0 < target <= p1 and math.isfinite(p1):
            b = b0 + (b1 - b0) * (target - p0) / (p1 - p0)
            best = b if best is None else min(best, b)
    for b, p in pts:
        if p >= target and (best is None or b < best):
            best = b
    return best


def by(rows, **kw):
    return [r for r in rows if all(r[k] == v for k, v in kw.items())]


def peer_versions(rows=()):
    x = peer_xarrayvideo.why_not()
    if not x:
        return "xarrayvideo " + peer_xarrayvideo.version()
    if any(r["compressor"].startswith("xarrayvideo") for r in rows):
        # a --merge run without the checkout keeps the earlier run's rows
        return "xarrayvideo rows kept from an earlier run, doc/rd/README.md"
    return "xarrayvideo not run: " + x


def markdown(all_rows, cube_list, versions=None):
    lines = ["# Rate-distortion: XAVIDEO against GDAL's compressors, GRIB2, zfp and xarrayvideo", "",
             "Generated by `autotest/benchmark/bench_rd.py` (GDAL %s, FFmpeg 5.1, %d cores; %s)."
             % (gdal.VersionInfo("RELEASE_NAME"), os.cpu_count(), versions or peer_versions(all_rows)), ""]
    lines += defaults_table(all_rows, cube_list)
    lines += ["## bpppb at equal PSNR", "",
              "Linear interpolation between measured points; n/a: the curve does not reach it.", ""]
    lossless = ("XAVIDEO lossless", "GTiff ZSTD", "netCDF zlib")
    comps = []
    for r in all_rows:
        if r["compressor"] not in comps and r["compressor"] not in lossless \
                and "reversible" not in r["compressor"]:
            comps.append(r["compressor"])
    lines.append("| cube | dB | " + " | ".join(comps) + " |")
    lines.append("|---|---|" + "---|" * len(comps))
    targets = []
    for cube in cube_list:
        rows = by(all_rows, cube=cube.name)
        for db in (50, 60):
            vals = {c: bpppb_at(by(rows, compressor=c), db) for c in comps}
            lines.append("| %s | %d | %s |" % (cube.name, db, " | ".join(
                "%.3f" % v if v is not None else "n/a" for v in vals.values())))
            x = min([v for c, v in vals.items() if c.startswith("XAVIDEO") and v], default=None)
            jp2 = "JP2OpenJPEG (via UInt16)" if cube.is_float else "JP2OpenJPEG"
            for peer in ("GTiff LERC_ZSTD", jp2):
                if cube.times > 1 and peer in vals:
                    p = vals[peer]
                    ok = x is not None and (p is None or x <= p / 2)
                    verdict = ("met (the peer's curve does not reach it)" if ok and p is None
                               else "met" if ok else "**missed**")
                    targets.append("| %s | %d dB: XAVIDEO <= half of %s | %s | %s | %s |" % (
                        cube.name, db, peer, fmt(x), fmt(p), verdict))
    lines += ["", "## MAX_ERROR against LERC_ZSTD and zfp at the same bound", "",
              "| cube | bound | XAVIDEO MAX_ERROR bpppb (max err) | LERC_ZSTD bpppb (max err) | zfp bpppb (max err) |",
              "|---|---|---|---|---|"]
    for cube in cube_list:
        rows = by(all_rows, cube=cube.name)
        for r in by(rows, compressor="XAVIDEO MAX_ERROR"):
            lerc = by(rows, compressor="GTiff LERC_ZSTD", parameter=r["parameter"])
            zfp = by(rows, compressor="zfp accuracy", parameter=r["parameter"])
            cell = lambda l: "%.3f (%.3g)" % (l[0]["bpppb"], l[0]["max_error"]) if l else "-"
            lines.append("| %s | %s | %s | %s | %s |" % (cube.name, r["parameter"], cell([r]), cell(lerc), cell(zfp)))
            if cube.times > 1 and lerc:
                ok = r["bpppb"] < lerc[0]["bpppb"]
                targets.append("| %s | MAX_ERROR=%s below LERC_ZSTD | %.3f | %.3f | %s |" % (
                    cube.name, r["parameter"], r["bpppb"], lerc[0]["bpppb"], "met" if ok else "**missed**"))
    lines += ["", "## Lossless", "", "| cube | XAVIDEO (FFV1) | GTiff ZSTD, best predictor | netCDF zlib | JP2 reversible |",
              "|---|---|---|---|---|"]
    for cube in cube_list:
        rows = by(all_rows, cube=cube.name)
        x = by(rows, compressor="XAVIDEO lossless")
        z = sorted(by(rows, compressor="GTiff ZSTD"), key=lambda r: r["bpppb"])
        n = by(rows, compressor="netCDF zlib")
        j = [r for r in rows if "reversible" in r["compressor"]]
        cell = lambda l: ("%.3f" % l[0]["bpppb"] + ("" if l[0]["max_error"] == 0 else " (lossy: %.3g)" % l[0]["max_error"])) if l else "-"
        lines.append("| %s | %s | %s | %s | %s |" % (cube.name, cell(x), cell(z[:1]) + (" (%s)" % z[0]["parameter"] if z else ""), cell(n), cell(j)))
        if not cube.is_float and x and z:
            ok = x[0]["bpppb"] <= z[0]["bpppb"]
            targets.append("| %s | lossless no larger than GTiff ZSTD best predictor | %.3f | %.3f | %s |" % (
                cube.name, x[0]["bpppb"], z[0]["bpppb"], "met" if ok else "**missed**"))
    lines += ["", "## Targets of issue 5", "", "| cube | target | XAVIDEO | peer | |", "|---|---|---|---|---|"] + targets
    lines += issue12_table(all_rows, cube_list)
    lines += ["", "## Every run", "", "| cube | compressor | parameter | bpppb | PSNR dB | max error | encode s | decode s |",
              "|---|---|---|---|---|---|---|---|"]
    for r in all_rows:
        lines.append("| %s | %s | %s | %.3f | %.2f | %.4g | %.2f | %.2f |" % (
            r["cube"], r["compressor"], r["parameter"], r["bpppb"], r["psnr"],
            r["max_error"], r["encode_s"], r["decode_s"]))
    return "\n".join(lines) + "\n"


def fmt(v):
    return "%.3f" % v if v is not None else "n/a"


XAV_DEFAULT = ("XAVIDEO x265", "CRF=%d (default)" % DEFAULT_CRF)
LOSSLESS = ("XAVIDEO lossless", "GTiff ZSTD", "netCDF zlib")


def lossy_peers(rows):
    out = []
    for r in rows:
        c = r["compressor"]
        if not c.startswith("XAVIDEO") and c not in LOSSLESS and "reversible" not in c \
                and c not in out:
            out.append(c)
    return out


def defaults_table(all_rows, cube_list):
    """XAVIDEO's default run against each peer's curve at the same PSNR."""
    peers = lossy_peers(all_rows)
    lines = ["## XAVIDEO defaults against every peer at equal PSNR", "",
             ("XAVIDEO with no option (x265, 12 bits, CRF %d); each peer's bpppb where its "
              "curve reaches the same PSNR (linear interpolation between its measured "
              "points; n/a: its curve does not reach it), and in brackets how many times "
              "XAVIDEO's bits that is (above 1: XAVIDEO needs fewer bits).") % DEFAULT_CRF, "",
             "| cube | XAVIDEO default bpppb | PSNR dB | " + " | ".join(peers) + " |",
             "|---|---|---|" + "---|" * len(peers)]
    for cube in cube_list:
        rows = by(all_rows, cube=cube.name)
        d = by(rows, compressor=XAV_DEFAULT[0], parameter=XAV_DEFAULT[1])
        if not d:
            continue
        b, p = d[0]["bpppb"], d[0]["psnr"]
        cells = []
        for c in peers:
            v = bpppb_at(by(rows, compressor=c), p)
            cells.append("-" if not by(rows, compressor=c) else
                         "n/a" if v is None else "%.3f (%.2fx)" % (v, v / b))
        lines.append("| %s | %.3f | %.2f | %s |" % (cube.name, b, p, " | ".join(cells)))
    return lines + [""]


def issue12_table(all_rows, cube_list):
    """Issue 12: fewer bits than every peer (xarrayvideo and the GDAL
    compressors) at 50 and 60 dB, XAVIDEO's best mode against each peer."""
    lines = ["", "## Targets of issue 12", "",
             "XAVIDEO's best lossy mode (x265, AV1 or MAX_ERROR) against every lossy peer, "
             "bpppb at the same PSNR; the peer named is the one with the fewest bits.", "",
             "| cube | dB | XAVIDEO best | best peer | peer bpppb | |", "|---|---|---|---|---|---|"]
    for cube in cube_list:
        rows = by(all_rows, cube=cube.name)
        for db in (50, 60):
            xs = {c: bpppb_at(by(rows, compressor=c), db)
                  for c in ("XAVIDEO x265", "XAVIDEO AV1", "XAVIDEO MAX_ERROR")}
            xs = {c: v for c, v in xs.items() if v is not None}
            ps = {c: bpppb_at(by(rows, compressor=c), db) for c in lossy_peers(rows)}
            ps = {c: v for c, v in ps.items() if v is not None}
            if not xs or not ps:
                continue
            xc = min(xs, key=xs.get)
            pc = min(ps, key=ps.get)
            ok = xs[xc] < ps[pc]
            lines.append("| %s | %d | %.3f (%s) | %s | %.3f | %s |" % (
                cube.name, db, xs[xc], xc, pc, ps[pc], "met" if ok else "**missed**"))
    return lines


COLORS = ["#d62728", "#ff7f0e", "#8c564b", "#1f77b4", "#2ca02c", "#9467bd",
          "#17becf", "#7f7f7f", "#bcbd22", "#e377c2"]


def svg(cube, rows):
    """PSNR against bpppb, one polyline per compressor (lossless runs, at
    infinite PSNR, are left out)."""
    w, h, m, legend = 900, 440, 60, 250  # legend: a column on the right
    pts = [r for r in rows if math.isfinite(r["psnr"])]
    if not [r for r in pts if r["psnr"] >= 20]:
        return ""
    # the window: 20 to 100 dB, and up to 3 times the bits of XAVIDEO's
    # costliest lossy point in it; points outside are left out and their
    # compressors named under the legend
    ymin, ytop = 20, 100  # zfp on SST's -1e34 land fill lands far below
    inside = [r for r in pts if ymin <= r["psnr"] <= ytop]
    xav = [r["bpppb"] for r in inside if r["compressor"].startswith("XAVIDEO")]
    xmax = min(max(r["bpppb"] for r in inside), 3 * max(xav) if xav else math.inf) * 1.05
    off = {r["compressor"] for r in pts if not (ymin <= r["psnr"] <= ytop and r["bpppb"] <= xmax)}
    pts = [r for r in inside if r["bpppb"] <= xmax]
    ymax = max(r["psnr"] for r in pts) + 5
    X = lambda b: m + (w - legend - 2 * m) * b / xmax
    Y = lambda p: h - m - (h - 2 * m) * (p - ymin) / (ymax - ymin)
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="12">' % (w, h),
           '<rect width="100%" height="100%" fill="white"/>',
           '<text x="%d" y="20" font-size="14">%s: PSNR against bits per pixel per band</text>' % (m, cube.name)]
    for i in range(6):
        b, p = xmax * i / 5, ymin + (ymax - ymin) * i / 5
        out.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#ddd"/>' % (X(b), m, X(b), h - m))
        out.append('<text x="%.1f" y="%d" text-anchor="middle">%.1f</text>' % (X(b), h - m + 16, b))
        out.append('<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#ddd"/>' % (m, Y(p), w - legend - m, Y(p)))
        out.append('<text x="%d" y="%.1f" text-anchor="end">%.0f</text>' % (m - 6, Y(p) + 4, p))
    out.append('<text x="%d" y="%d" text-anchor="middle">bpppb</text>' % ((w - legend) / 2, h - 20))
    out.append('<text x="16" y="%d" transform="rotate(-90 16 %d)" text-anchor="middle">PSNR (dB)</text>' % (h / 2, h / 2))
    comps = []
    for r in pts:
        if r["compressor"] not in comps:
            comps.append(r["compressor"])
    for i, c in enumerate(sorted(off)):
        out.append('<text x="%d" y="%d" fill="#555">%s: %s off the plot</text>' % (
            w - legend, h - m - 18 * i, c, "some points" if c in comps else "all points"))
    for i, c in enumerate(comps):
        cp = sorted((r["bpppb"], r["psnr"]) for r in pts if r["compressor"] == c)
        col = COLORS[i % len(COLORS)]
        out.append('<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>' % (
            col, " ".join("%.1f,%.1f" % (X(b), Y(p)) for b, p in cp)))
        out += ['<circle cx="%.1f" cy="%.1f" r="3" fill="%s"/>' % (X(b), Y(p), col) for b, p in cp]
        out.append('<text x="%d" y="%d" fill="%s">%s</text>' % (w - legend, m + 18 * i + 10, col, c))
    out.append("</svg>")
    return "\n".join(out) + "\n"


class Saved:
    """What the reports need of a cube, read back from rd.csv."""
    def __init__(self, row):
        self.name, self.times = row["cube"], int(row["times"])
        self.is_float = row["float"] == "True"


def write_reports(outdir, all_rows, cube_list, versions=None):
    for cube in cube_list:
        name = "".join(ch if ch.isalnum() else "_" for ch in cube.name.split(" (")[0])
        with open(os.path.join(outdir, "rd_%s.svg" % name), "w") as f:
            f.write(svg(cube, by(all_rows, cube=cube.name)))
    with open(os.path.join(outdir, "rd.csv"), "w", newline="") as f:
        wr = csv.DictWriter(f, fieldnames=list(all_rows[0]))
        wr.writeheader()
        wr.writerows(all_rows)
    md = markdown(all_rows, cube_list, versions)
    with open(os.path.join(outdir, "rd.md"), "w") as f:
        f.write(md)
    print("\n" + md.split("## Every run")[0])


def read_csv(outdir):
    with open(os.path.join(outdir, "rd.csv")) as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        for k in ("bpppb", "psnr", "max_error", "encode_s", "decode_s"):
            r[k] = float(r[k])
    return rows


def saved_cubes(rows):
    cube_list, seen = [], set()
    for r in rows:
        if r["cube"] not in seen:
            seen.add(r["cube"])
            cube_list.append(Saved(r))
    return cube_list


def report_only(outdir):
    """--report: rebuild rd.md and the plots from rd.csv, without encoding."""
    rows = read_csv(outdir)
    write_reports(outdir, rows, saved_cubes(rows))


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    outdir = args[0] if args else os.path.join(ROOT, "doc", "rd")
    os.makedirs(outdir, exist_ok=True)
    if "--report" in sys.argv:
        report_only(outdir)
        return
    all_rows = []
    print(peer_versions())
    with tempfile.TemporaryDirectory() as tmp:
        for cube in cubes(tmp):
            print("%s: %d bands of %s (%d variables x %d times), valid range %.4g .. %.4g, %.1f %% valid" % (
                cube.name, cube.data.shape[0], cube.dtype, cube.nvars, cube.times,
                cube.lo, cube.hi, 100 * cube.valid.mean()))
            all_rows += measure(cube)
            del cube  # the large cubes are freed before the next is read
    if "--merge" in sys.argv and os.path.exists(os.path.join(outdir, "rd.csv")):
        key = lambda r: (r["cube"], r["compressor"], r["parameter"])
        new = {key(r) for r in all_rows}
        old = [r for r in read_csv(outdir) if key(r) not in new]
        for r in all_rows:
            r["float"] = str(r["float"])
            r["times"] = str(r["times"])
        all_rows = old + all_rows
        order = [c for c in CUBE_ORDER if c in {r["cube"] for r in all_rows}]
        all_rows.sort(key=lambda r: order.index(r["cube"]) if r["cube"] in order else len(order))
    write_reports(outdir, all_rows, saved_cubes(all_rows) if "--merge" in sys.argv
                  else saved_cubes([dict(r, times=str(r["times"]), float=str(r["float"])) for r in all_rows]))


if __name__ == "__main__":
    main()
