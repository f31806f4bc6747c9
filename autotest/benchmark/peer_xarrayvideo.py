"""Peer: xarrayvideo, the library of "Video Compression for Spatiotemporal
Earth System Data" (Pellicer-Valero, Aybar, Camps-Valls, 2025), run as its
authors run it (README, scripts/run_tests.py, scripts/process_deepextremes.py).

The library is never committed here. Check it out, ignored by git, into
autotest/benchmark/peers/xarrayvideo (or point XARRAYVIDEO_DIR at a
checkout); doc/rd/README.md says how. Without it the runs are skipped.

What one run does, and what it counts:

- The cube becomes an xarray Dataset as a user opening the file with xarray
  would have it: one (time, y, x) variable per cube variable, in the
  source's dtype, invalid pixels NaN (xarray's mask_and_scale), coordinates
  x and y (from the geotransform), time, and the CRS as a CF grid-mapping
  variable (`spatial_ref` with `crs_wkt`).
- Rule as the paper's best: libx265, preset medium, tune psnr, 12 bits
  (gbrp12le frames coded as yuv444p12le), per-band min/max scaling, no PCA;
  8 bits for Byte cubes (xarrayvideo writes uint8 arrays as they are, which
  only an 8-bit pixel format takes). The quality parameter is x265's crf;
  "crf=51:qpmax=0.01" is the authors' "Very high" point (QP 0).
- Bands go to videos in triplets (`{name}_001.mkv`, ...): a cube of 1
  variable is coded as three copies of it, 19 as 21 (the last repeated).
- Masked cubes: xarrayvideo has no mask of its own (NaN is scaled to 0, the
  band minimum). Its authors keep validity as a uint8 `invalid` variable
  (gap_fill's `new_mask`) coded losslessly in a `masks` rule: FFV1, 8 bits,
  also in triplets. Done the same here (one `invalid` variable when every
  cube variable has the same mask, one per variable otherwise). gap_fill
  itself is not run: with a mask that never changes it fills nothing, and
  it replaces the first frame by a temporal mean when no frame is complete.
- Counted: every file the encoder wrote (all videos, whose Matroska tags
  hold xarrayvideo's per-video metadata, the masks video and `x.nc`, the
  rest of the dataset: coordinates, attributes, CRS).
- Decoded with its own `video2xarray`; pixels its decoded mask calls
  invalid become NaN (a valid pixel lost that way counts as a full-range
  error in the PSNR). Its directory listing is sorted by name first: see
  _sorted_glob() for the decoder's ordering bug that this avoids.
"""
import contextlib
import os
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
CHECKOUT = os.environ.get("XARRAYVIDEO_DIR", os.path.join(HERE, "peers", "xarrayvideo"))
_xv = None
_why_not = None


def _load():
    """Import xarrayvideo from the checkout (ffmpeg-python from shims/ if the
    machine has none). Returns the module or None (reason in why_not())."""
    global _xv, _why_not
    if _xv is not None or _why_not is not None:
        return _xv
    if not os.path.isfile(os.path.join(CHECKOUT, "xarrayvideo", "xarrayvideo.py")):
        _why_not = "no checkout in %s (see doc/rd/README.md)" % CHECKOUT
        return None
    try:
        import ffmpeg  # noqa: F401
        if not hasattr(ffmpeg, "probe"):
            raise ImportError
    except ImportError:
        sys.modules.pop("ffmpeg", None)
        sys.path.insert(0, os.path.join(HERE, "shims"))
    sys.path.insert(0, CHECKOUT)
    try:
        import xarrayvideo
        _xv = xarrayvideo
    except Exception as e:  # a missing dependency (see doc/rd/README.md)
        _why_not = "cannot import xarrayvideo: %s" % e
    return _xv


def why_not():
    _load()
    return _why_not


def version():
    """Commit of the checkout, for the report."""
    try:
        return subprocess.run(["git", "-C", CHECKOUT, "log", "-1", "--format=%h %cs"],
                              capture_output=True, text=True, check=True).stdout.strip()
    except Exception:
        return "unknown"


@contextlib.contextmanager
def _quiet_stderr():
    """x265 prints its banner on stderr whatever ffmpeg's loglevel."""
    sys.stderr.flush()
    saved = os.dup(2)
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(null)


@contextlib.contextmanager
def _sorted_glob():
    """video2xarray puts a variable's videos in order with the inverse of
    the permutation it means (`array_list[i] for i in sort_keys`, where
    sort_keys are the ORDER tags in listing order): right only when the
    directory lists them in name order or the permutation is its own
    inverse (one or two videos). With 3 or more videos listed out of order
    it hands the bands of one video to the names of another. Listing in
    name order, as `ls` does, gives it the order it expects; the decoding
    is its own."""
    import pathlib
    glob = pathlib.Path.glob
    pathlib.Path.glob = lambda self, pattern: iter(sorted(glob(self, pattern)))
    try:
        yield
    finally:
        pathlib.Path.glob = glob


def params(crf):
    """The authors' x265 rule at one quality point: crf, or "qpmax" for their
    "Very high" point (crf 51 with qpmin=0:qpmax=0.01)."""
    if crf == "qpmax":
        return {"c:v": "libx265", "preset": "medium", "tune": "psnr", "crf": 51,
                "x265-params": "qpmin=0:qpmax=0.01"}
    return {"c:v": "libx265", "preset": "medium", "tune": "psnr", "crf": crf,
            "x265-params": ""}


def _dataset(cube):
    import xarray as xr
    nv, nt, ny, nx = cube.nvars, cube.times, cube.data.shape[1], cube.data.shape[2]
    np_type = {"Byte": np.uint8, "Int16": np.int16, "UInt16": np.uint16,
               "Float32": np.float32}.get(cube.dtype, np.float64)
    gt = cube.geotransform
    coords = {"time": ("time", np.arange(nt, dtype=np.float64), {"units": cube.time_units}),
              "y": ("y", gt[3] + (np.arange(ny) + 0.5) * gt[5]),
              "x": ("x", gt[0] + (np.arange(nx) + 0.5) * gt[1])}
    ds = xr.Dataset(coords={k: xr.Variable(*v) for k, v in coords.items()})
    if cube.wkt:
        ds["spatial_ref"] = xr.DataArray(np.int32(0), attrs={"crs_wkt": cube.wkt})
    names, masks = [], []
    for v in range(nv):
        bands = [cube.band(v, t) for t in range(nt)]
        a = cube.data[bands]
        valid = cube.valid[bands]
        if not valid.all() and not np.issubdtype(np_type, np.floating):
            np_type = np.float32  # an integer cube with holes: xarray gives float + NaN
        a = np.where(valid, a, np.nan).astype(np_type)
        name = cube.var_names[v]
        ds[name] = xr.DataArray(a, dims=("time", "y", "x"),
                                attrs={"grid_mapping": "spatial_ref"} if cube.wkt else {})
        names.append(name)
        masks.append(~valid)
    mask_names = []
    if not cube.valid.all():
        if all((m == masks[0]).all() for m in masks):
            ds["invalid"] = xr.DataArray(masks[0].astype(np.uint8), dims=("time", "y", "x"))
            mask_names = ["invalid"]
        else:
            for name, m in zip(names, masks):
                ds["invalid_" + name] = xr.DataArray(m.astype(np.uint8), dims=("time", "y", "x"))
                mask_names.append("invalid_" + name)
    return ds, names, mask_names


def _tree_size(path):
    return sum(os.path.getsize(os.path.join(d, f))
               for d, _, files in os.walk(path) for f in files)


def run(cube, tmp, crf, nan_fill=None):
    """Encode with xarray2video, decode with video2xarray. Returns (bytes,
    decoded cube as (bands, y, x) float64, encode s, decode s)."""
    xv = _load()
    if xv is None:
        raise RuntimeError(_why_not)
    ds, names, mask_names = _dataset(cube)
    bits = 8 if cube.dtype == "Byte" else 12
    rules = {"data": (names, ("time", "x", "y"), 0, params(crf), bits)}
    if mask_names:
        rules["masks"] = (mask_names, ("time", "x", "y"), 0, {"c:v": "ffv1"}, 8)
    out = os.path.join(tmp, "xarrayvideo")
    t = time.perf_counter()
    with _quiet_stderr():
        xv.xarray2video(ds, "cube", rules, output_path=out, compute_stats=False,
                        loglevel="quiet", verbose=False, save_dataset=True,
                        nan_fill=nan_fill)
    enc = time.perf_counter() - t
    size = _tree_size(os.path.join(out, "cube"))
    t = time.perf_counter()
    with _quiet_stderr(), _sorted_glob():
        back = xv.video2xarray(out, "cube")
    dec = np.empty(cube.data.shape)
    for v, name in enumerate(names):
        a = back[name].transpose("time", "y", "x").values.astype(np.float64)
        if mask_names:
            m = back[mask_names[0] if len(mask_names) == 1 else mask_names[v]]
            a[m.transpose("time", "y", "x").values != 0] = np.nan
        for t_ in range(cube.times):
            dec[cube.band(v, t_)] = a[t_]
    dec_s = time.perf_counter() - t
    return size, dec, enc, dec_s


def runs(cube, quick, heavy):
    """(compressor, parameter, callable(tmp)) for bench_rd.py."""
    if quick or heavy:
        crfs = ["qpmax", 1, 7, 16]
    else:
        crfs = ["qpmax", 1, 4, 7, 12, 16, 21, 27]
    bits = " (8 bits)" if cube.dtype == "Byte" else ""
    return [("xarrayvideo x265", ("crf=51:qpmax=0.01" if c == "qpmax" else "crf=%d" % c) + bits,
             lambda tmp, c=c: run(cube, tmp, c)) for c in crfs]
