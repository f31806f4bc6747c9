"""The folders of xarrayvideo (the library of "Video Compression for
Spatiotemporal Earth System Data"), read through XAVIDEO.

The folders in autotest/data/xarrayvideo were written by xarrayvideo itself
from real cubes, and each <cube>.decoded.npz holds what its own
video2xarray returned from them (autotest/tools/make_xarrayvideo_data.py):
every band must equal it, bit for bit."""
import os
import shutil
import subprocess

import numpy as np
import pytest

import xavtest  # noqa: F401  (registers the plugin before osgeo is used)
from osgeo import gdal, osr

from xavtest import DRIVER_NAME, REPO, assert_error, capture_errors, gdal_env, run_cli

FOLDERS = REPO / "autotest" / "data" / "xarrayvideo"
CUBES = ["winds", "landsat", "pca", "masked"]


def decoded(cube):
    """video2xarray's arrays, each as (time, y, x)."""
    ref = np.load(FOLDERS / f"{cube}.decoded.npz")
    out = {}
    for name in ref.files:
        if name.startswith("dims_"):
            continue
        dims = str(ref["dims_" + name]).split()
        a = ref[name]
        out[name] = a if dims[1] == "y" else a.transpose(0, 2, 1)
    return out


def open_folder(cube):
    ds = gdal.OpenEx(str(FOLDERS / cube), gdal.OF_RASTER)
    assert ds is not None, gdal.GetLastErrorMsg()
    assert ds.GetDriver().ShortName == DRIVER_NAME
    return ds


def x_nc(cube, name):
    """A coordinate of the cube's x.nc, and its attributes, read by GDAL's
    netCDF driver."""
    nc = gdal.OpenEx(str(FOLDERS / cube / "x.nc"), gdal.OF_MULTIDIM_RASTER)
    arr = nc.GetRootGroup().OpenMDArray(name)
    attrs = {a.GetName(): a.Read() for a in arr.GetAttributes()}
    attrs["units"] = arr.GetUnit()
    return arr.ReadAsArray(), attrs


@pytest.mark.parametrize("cube", CUBES)
def test_values_equal_video2xarray(cube):
    ds = open_folder(cube)
    ref = decoded(cube)
    seen = {}
    for b in range(1, ds.RasterCount + 1):
        band = ds.GetRasterBand(b)
        name = band.GetMetadataItem("NETCDF_VARNAME")
        t = seen[name] = seen.get(name, -1) + 1
        got = band.ReadAsArray()
        assert got.dtype == ref[name].dtype, (name, got.dtype, ref[name].dtype)
        np.testing.assert_array_equal(got, ref[name][t], err_msg=f"{cube} {name} time {t}")
    # every variable, at every time step, once
    assert seen == {name: len(a) - 1 for name, a in ref.items()}, seen


def test_time_comes_from_x_nc():
    ds = open_folder("winds")
    times, attrs = x_nc("winds", "time")
    assert len(times) == 12
    for t in range(12):
        band = ds.GetRasterBand(1 + t)
        assert float(band.GetMetadataItem("NETCDF_DIM_time")) == times[t]
    # CF time: the description names the date, in the file's calendar
    assert " since " in attrs["units"], attrs
    assert ds.GetRasterBand(1).GetDescription() == "UWND 1982-01-16T20:00:00"
    assert ds.GetRasterBand(13).GetDescription() == "VWND 1982-01-16T20:00:00"
    assert ds.GetRasterBand(1).GetMetadataItem("units") == "M/S"  # the tag's ATTRS


@pytest.mark.parametrize("cube", CUBES)
def test_georeferencing_comes_from_x_nc(cube):
    ds = open_folder(cube)
    xs, _ = x_nc(cube, "x")
    ys, _ = x_nc(cube, "y")
    assert (ds.RasterXSize, ds.RasterYSize) == (len(xs), len(ys))
    gt = ds.GetGeoTransform()
    dx, dy = xs[1] - xs[0], ys[1] - ys[0]
    assert gt[1] == pytest.approx(dx) and gt[5] == pytest.approx(dy), gt
    assert gt[0] == pytest.approx(xs[0] - dx / 2) and gt[3] == pytest.approx(ys[0] - dy / 2), gt
    _, ref = x_nc(cube, "spatial_ref")
    want = osr.SpatialReference(wkt=ref["crs_wkt"])
    want.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)  # GDAL's x, y
    assert ds.GetSpatialRef() is not None and ds.GetSpatialRef().IsSame(want), ds.GetProjection()[:80]


def test_landsat_crs_is_the_sources():
    ds = open_folder("landsat")
    src = gdal.Open(str(xavtest.L7))
    assert ds.GetSpatialRef().IsSame(src.GetSpatialRef())
    # a window of the source at the same place
    gt, sgt = ds.GetGeoTransform(), src.GetGeoTransform()
    assert (gt[0] - sgt[0]) / sgt[1] == pytest.approx(100) and (gt[3] - sgt[3]) / sgt[5] == pytest.approx(120)


def test_a_read_decodes_from_the_keyframe_only():
    ds = open_folder("winds")
    last = ds.GetRasterBand(12)
    before = int(ds.GetMetadataItem("DECODED_FRAMES", DRIVER_NAME))
    assert last.ReadAsArray() is not None
    n = int(ds.GetMetadataItem("DECODED_FRAMES", DRIVER_NAME)) - before
    assert 1 <= n <= 12, n


def test_gdal_tools_and_rasterio(tmp_path):
    tif = tmp_path / "winds.tif"
    p = run_cli(["gdal_translate", "-q", "-b", "1", "-b", "13", str(FOLDERS / "winds"), str(tif)])
    assert p.returncode == 0, p.stderr
    out = gdal.Open(str(tif))
    ref = decoded("winds")
    np.testing.assert_array_equal(out.GetRasterBand(2).ReadAsArray(), ref["VWND"][0])
    code = (
        "import rasterio, numpy as np\n"
        f"with rasterio.open({str(FOLDERS / 'winds')!r}) as r:\n"
        "    print(r.driver, r.count, r.crs.to_epsg(), r.descriptions[0], float(r.read(13)[0, 0]))\n"
    )
    res = subprocess.run(["/usr/bin/python3", "-c", code], env=gdal_env(), capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    words = res.stdout.split()
    assert words[:3] == [DRIVER_NAME, "24", "4326"], res.stdout
    assert words[3] == "UWND", res.stdout
    assert float(words[-1]) == float(ref["VWND"][0][0, 0]), res.stdout


def test_identify_is_cheap_and_strict(tmp_path):
    drv = gdal.GetDriverByName(DRIVER_NAME)
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "notes.txt").write_text("x")
    assert gdal.IdentifyDriverEx(str(plain), allowed_drivers=[DRIVER_NAME]) is None
    # an x.nc alone, or videos alone, are not xarrayvideo's folders
    only_nc = tmp_path / "only_nc"
    only_nc.mkdir()
    shutil.copy(FOLDERS / "winds" / "x.nc", only_nc / "x.nc")
    assert gdal.IdentifyDriverEx(str(only_nc), allowed_drivers=[DRIVER_NAME]) is None
    only_mkv = tmp_path / "only_mkv"
    only_mkv.mkdir()
    shutil.copy(FOLDERS / "winds" / "wind_001.mkv", only_mkv / "wind_001.mkv")
    assert gdal.IdentifyDriverEx(str(only_mkv), allowed_drivers=[DRIVER_NAME]) is None
    assert drv is not None
    assert gdal.IdentifyDriverEx(str(FOLDERS / "winds"), allowed_drivers=[DRIVER_NAME]) is not None


def _broken(tmp_path, cube, change):
    folder = tmp_path / cube
    shutil.copytree(FOLDERS / cube, folder)
    change(folder)
    return folder


def _open_or_read(folder):
    ds = gdal.OpenEx(str(folder), gdal.OF_RASTER, allowed_drivers=[DRIVER_NAME])
    if ds is None:
        return None
    return [ds.GetRasterBand(b).ReadAsArray() for b in range(1, ds.RasterCount + 1)]


def _flip(path, at=0.5, n=64):
    data = bytearray(path.read_bytes())
    start = int(len(data) * at)
    for i in range(start, min(start + n, len(data))):
        data[i] ^= 0x5A
    path.write_bytes(bytes(data))


def _retag(folder, old, new):
    """wind_001.mkv with its XARRAY tag edited (old -> new), remuxed."""
    video = folder / "wind_001.mkv"
    probe = subprocess.run(["ffprobe", "-v", "quiet", "-show_entries", "format_tags=XARRAY", "-of",
                            "default=nw=1:nk=1", str(video)], capture_output=True, text=True, check=True)
    tag = probe.stdout.strip()
    assert old in tag, tag[:200]
    out = folder / "edited.mkv"
    subprocess.run(["ffmpeg", "-v", "quiet", "-i", str(video), "-c", "copy", "-metadata",
                    "XARRAY=" + tag.replace(old, new), str(out)], check=True)
    out.replace(video)


BROKEN = {
    "missing-video": ("landsat", lambda f: os.remove(f / "bands_002.mkv"), ["video 2", "missing"]),
    "foreign-video": (
        "winds", lambda f: shutil.copy(REPO / "autotest" / "data" / "xarrayvideo" / "masked" / "masks_001.mkv",
                                       f / "other_001.mkv"), ["grid", "not all of one"]),
    "no-tag": ("winds", lambda f: subprocess.run(
        ["ffmpeg", "-v", "quiet", "-i", str(f / "wind_001.mkv"), "-map_metadata", "-1", "-c", "copy",
         str(f / "zz_001.mkv")], check=True), ["XARRAY"]),
    # tags that lie: refused at open, or at the read, never read past a frame
    "frames-out-of-range": ("winds", lambda f: _retag(f, "'FRAMES': '12'", "'FRAMES': '99999999'"), ["FRAMES"]),
    "format-not-the-frames": (
        "winds", lambda f: _retag(f, "'OUT_PIX_FMT': 'gbrp12le'", "'OUT_PIX_FMT': 'gbrp'"), ["three planes of"]),
    "no-range": ("winds", lambda f: _retag(f, "'RANGE': '", "'RANGES': '"), ["RANGE"]),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_folders_that_do_not_hold_together_are_refused(tmp_path, case):
    cube, change, words = BROKEN[case]
    folder = _broken(tmp_path, cube, change)
    with capture_errors() as log:
        got = _open_or_read(folder)
    assert got is None or all(g is None for g in got), f"{case}: read"
    assert_error(log, words, what=case)


def test_a_truncated_video_is_an_error(tmp_path):
    def cut(folder):
        video = folder / "wind_001.mkv"
        data = video.read_bytes()
        video.write_bytes(data[: len(data) * 2 // 3])

    folder = _broken(tmp_path, "winds", cut)
    with capture_errors() as log:
        got = _open_or_read(folder)
    assert got is None or any(g is None for g in got), "a truncated video read whole"
    assert_error(log, ["truncated", "shorter"], what="truncated video")
