"""Append in time (APPEND_SUBDATASET=YES): the source's time steps go after
the dataset's, as a part of their own, without touching what is there.

The Navy winds' UWND is cut into consecutive month ranges; every append is
checked against the source's own bands, through both of GDAL's views."""
import json
import os
import shutil

import numpy as np
import pytest

import xavtest  # noqa: F401  (registers the plugin before osgeo is used)
from osgeo import gdal

from xavtest import (
    DRIVER_NAME,
    UWND,
    assert_error,
    gdal_tool,
    list_dir,
    open_ds,
    read_band,
    run_cli,
    sidecar_of,
    valid_mask,
    xav_create,
    xav_create_ok,
)

APPEND = "APPEND_SUBDATASET=YES"
# first..last month (1-based, inclusive) of each piece of the series
PIECES = [(1, 5), (6, 12), (13, 20)]


def months(first, last, name=UWND, epsg=4326, src_win=None):
    """Months first..last of a Navy winds variable, as an in-memory VRT
    that keeps the netCDF time metadata."""
    opts = dict(format="VRT", bandList=list(range(first, last + 1)), outputSRS=f"EPSG:{epsg}")
    if src_win:
        opts["srcWin"] = src_win
    ds = gdal.Translate("", str(name), **opts)
    assert ds is not None, gdal.GetLastErrorMsg()
    return ds


def source_month(b):
    src = gdal.Open(str(UWND))  # kept while its band is read
    return read_band(src, b)


def append(src, mkv, options=()):
    out, log = xav_create(src, mkv, [APPEND, *options])
    assert out is not None, f"append to {mkv} failed: {log.messages}"
    return out


def build_series(mkv, options, pieces=PIECES):
    first, last = pieces[0]
    xav_create_ok(months(first, last), mkv, options)
    for first, last in pieces[1:]:
        append(months(first, last), mkv)


def assert_matches_source(ds, bound=None, first_month=1):
    """Every band equals the source's month (bit-exact, or within bound on
    its valid pixels), with the source's time in its description."""
    src = gdal.Open(str(UWND))
    for b in range(1, ds.RasterCount + 1):
        sb = src.GetRasterBand(first_month + b - 1)
        ref, got = sb.ReadAsArray(), read_band(ds, b)
        valid = valid_mask(ref, sb.GetNoDataValue())
        if bound is None:
            np.testing.assert_array_equal(got, ref, err_msg=f"band {b}")
        else:
            err = np.abs(got[valid].astype(np.float64) - ref[valid]).max()
            assert err <= bound, f"band {b}: error {err} beyond the bound {bound}"
        t = sb.GetMetadataItem("NETCDF_DIM_TIME")
        assert ds.GetRasterBand(b).GetMetadataItem("NETCDF_DIM_TIME") == t, f"band {b}"


def test_lossless_appends_are_exact_across_tiles(tmp_path):
    mkv = tmp_path / "uwnd.mkv"
    build_series(mkv, ["LOSSLESS=YES", "TILE_SIZE=64"])
    ds = open_ds(mkv)
    assert ds.RasterCount == 20, ds.RasterCount
    assert_matches_source(ds)
    doc = json.loads(open(sidecar_of(mkv)).read())
    assert doc["schema_version"] == 4
    # 3 x 2 tiles, each with the same streams: described once
    assert "tile_streams" in doc, list(doc)
    ranges = sorted({(s["first_time"], s["frames"]) for s in doc["tile_streams"]})
    assert ranges == [(0, 5), (5, 7), (12, 8)], ranges
    parts = tmp_path / "uwnd.mkv.parts"
    assert sorted(os.listdir(parts)) == [
        "t00000005.mkv", "t00000005.mkv.tiles", "t00000012.mkv", "t00000012.mkv.tiles",
    ], list_dir(parts)
    assert doc["encoder"]["appends"] == "2"
    # a part's bands keep only what differs from the variable's metadata
    for b, md in doc.get("band_metadata", {}).items():
        assert "long_name" not in md, (b, md)


def test_lossy_appends_keep_the_bound(tmp_path):
    mkv = tmp_path / "uwnd.mkv"
    # a series that grows needs a range that holds what comes
    build_series(mkv, ["VALID_RANGE=-30,30", "MAX_ERROR=0.05"])
    ds = open_ds(mkv)
    assert ds.RasterCount == 20
    for b in (1, 6, 20):
        md = ds.GetRasterBand(b).GetMetadata("IMAGE_STRUCTURE")
        assert float(md["XAVIDEO_MAX_ERROR_BOUND"]) == 0.05, (b, md)
        assert md["COMPRESSION_REVERSIBILITY"] == "LOSSY"
    assert_matches_source(ds, bound=0.05)


def test_multidimensional_view_sees_the_whole_axis(tmp_path):
    mkv = tmp_path / "uwnd.mkv"
    build_series(mkv, ["LOSSLESS=YES"])
    src = gdal.OpenEx(str(xavtest.WINDS), gdal.OF_MULTIDIM_RASTER)
    ds = gdal.OpenEx(str(mkv), gdal.OF_MULTIDIM_RASTER)
    arr = ds.GetRootGroup().OpenMDArray("UWND")
    dims = [d.GetName() for d in arr.GetDimensions()]
    time = arr.GetDimensions()[0]
    assert time.GetSize() == 20, dims
    ref_time = src.GetRootGroup().OpenMDArray("TIME").ReadAsArray()[:20]
    np.testing.assert_array_equal(time.GetIndexingVariable().ReadAsArray(), ref_time)
    ref = src.GetRootGroup().OpenMDArray("UWND").ReadAsArray(array_start_idx=[0, 0, 0], count=[20, 73, 144])
    # the source's rows run south to north, the classic raster's north down
    np.testing.assert_array_equal(arr.ReadAsArray(), ref[:, ::-1, :])


def test_a_read_in_the_last_part_decodes_only_that_part(tmp_path):
    mkv = tmp_path / "uwnd.mkv"
    build_series(mkv, ["LOSSLESS=YES"])
    ds = open_ds(mkv)
    before = int(ds.GetMetadataItem("DECODED_FRAMES", "XAVIDEO"))
    read_band(ds, 14)  # the second frame of the last part
    decoded = int(ds.GetMetadataItem("DECODED_FRAMES", "XAVIDEO")) - before
    # from the part's first frame at most (the decoder may read ahead):
    # from the series' first, a single encode would decode 14
    assert 1 <= decoded <= 8, f"{decoded} frames decoded for one band"


def test_an_open_reader_keeps_the_old_dataset(tmp_path):
    mkv = tmp_path / "uwnd.mkv"
    xav_create_ok(months(1, 5), mkv, ["LOSSLESS=YES"])
    old = open_ds(mkv)
    first = read_band(old, 5)
    append(months(6, 12), mkv)
    assert old.RasterCount == 5
    np.testing.assert_array_equal(read_band(old, 5), first)
    np.testing.assert_array_equal(read_band(old, 1), source_month(1))
    new = open_ds(mkv)
    assert new.RasterCount == 12
    assert_matches_source(new)


def test_gdal_translate_appends(tmp_path):
    mkv = tmp_path / "uwnd.mkv"
    tifs = []
    for first, last in PIECES:
        tif = tmp_path / f"m{first}.tif"
        gdal.Translate(str(tif), months(first, last), format="GTiff")
        tifs.append(tif)
    run_cli([gdal_tool("gdal_translate"), "-q", "-of", DRIVER_NAME, "-co", "LOSSLESS=YES", str(tifs[0]), str(mkv)])
    for tif in tifs[1:]:
        res = run_cli([gdal_tool("gdal_translate"), "-q", "-of", DRIVER_NAME, "-co", APPEND, str(tif), str(mkv)])
        assert res.returncode == 0, res.stderr
    assert_matches_source(open_ds(mkv))


def test_a_damaged_part_is_an_error_and_the_rest_reads(tmp_path):
    mkv = tmp_path / "uwnd.mkv"
    build_series(mkv, ["LOSSLESS=YES"], PIECES[:2])
    part = tmp_path / "uwnd.mkv.parts" / "t00000005.mkv"
    data = bytearray(part.read_bytes())
    for i in range(len(data) // 3, len(data) // 3 + 64):
        data[i] ^= 0x5A
    part.write_bytes(bytes(data))
    ds = open_ds(mkv)
    with xavtest.capture_errors() as log:
        got = [ds.GetRasterBand(b).ReadAsArray() for b in range(6, 13)]
    assert any(g is None for g in got), "a damaged part read as pixels"
    assert_error(log, ["crc", "checksum", "damaged", "decode", "corrupt"], what="damaged part")
    for b in range(1, 6):
        np.testing.assert_array_equal(read_band(ds, b), source_month(b))


def test_copy_rename_delete_carry_the_parts(tmp_path):
    mkv = tmp_path / "uwnd.mkv"
    build_series(mkv, ["LOSSLESS=YES", "TILE_SIZE=64"])
    drv = gdal.GetDriverByName(DRIVER_NAME)
    other = tmp_path / "sub" / "copy.mkv"
    os.mkdir(tmp_path / "sub")
    assert drv.CopyFiles(str(other), str(mkv)) == gdal.CE_None, gdal.GetLastErrorMsg()
    moved = tmp_path / "sub" / "moved.mkv"
    assert drv.Rename(str(moved), str(other)) == gdal.CE_None, gdal.GetLastErrorMsg()
    assert sorted(os.listdir(tmp_path / "sub")) == ["moved.mkv", "moved.mkv.json", "moved.mkv.parts", "moved.mkv.tiles"]
    assert_matches_source(open_ds(moved))
    assert drv.Delete(str(moved)) == gdal.CE_None, gdal.GetLastErrorMsg()
    assert os.listdir(tmp_path / "sub") == []


def _refusal(tmp_path, base_options, source, options, words):
    mkv = tmp_path / "uwnd.mkv"
    xav_create_ok(months(1, 5), mkv, base_options)
    before = (open(sidecar_of(mkv), "rb").read(), list_dir(tmp_path))
    out, log = xav_create(source, mkv, [APPEND, *options])
    assert out is None, "the append was not refused"
    assert_error(log, words, strip=[mkv], what=str(words))
    assert (open(sidecar_of(mkv), "rb").read(), list_dir(tmp_path)) == before, "the dataset changed"
    assert open_ds(mkv).RasterCount == 5


REFUSALS = {
    "times-not-after": (["LOSSLESS=YES"], lambda: months(5, 8), [], ["not after"]),
    "other-grid": (["LOSSLESS=YES"], lambda: months(6, 8, src_win=[0, 0, 100, 73]), [], ["pixels"]),
    "other-crs": (["LOSSLESS=YES"], lambda: months(6, 8, epsg=4269), [], ["crs"]),
    "other-variable": (
        ["LOSSLESS=YES"], lambda: months(6, 8, name=xavtest.netcdf_name(xavtest.WINDS, "VWND")), [], ["vwnd"],
    ),
    "lossy-onto-lossless": (["LOSSLESS=YES"], lambda: months(6, 8), ["LOSSLESS=NO"], ["lossless"]),
    "values-beyond-range": ([], lambda: months(6, 12), [], ["valid_range"]),
    "other-tiles": (["LOSSLESS=YES"], lambda: months(6, 8), ["TILE_SIZE=32"], ["tile_size"]),
}


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_sources_that_do_not_fit_are_refused(tmp_path, case):
    base, source, options, words = REFUSALS[case]
    _refusal(tmp_path, base, source(), options, words)


def test_appending_to_nothing_is_refused(tmp_path):
    mkv = tmp_path / "none.mkv"
    out, log = xav_create(months(1, 5), mkv, [APPEND])
    assert out is None
    assert_error(log, ["no dataset"], strip=[mkv], what="append to nothing")
    assert os.listdir(tmp_path) == []
