"""Tiles with no valid pixel at any time step are left out: no streams, no
file. The sidecar lists them (tiling.empty_tiles) and a reader gives their
pixels back as nodata (NaN where there is none).

The data is a strip of NDFD WaveH (wave height, 86 % land), four forecast
steps, in 256-pixel tiles: 7 x 2 tiles, of which the source itself says
which hold no wave at all. Everything is checked against the source."""
import json

import numpy as np
import pytest

import xavtest  # noqa: F401  (registers the plugin before osgeo is used)
from osgeo import gdal

from xavtest import (
    WAVEH,
    assert_bits_equal,
    assert_error,
    capture_errors,
    file_exists,
    mem_dataset,
    open_ds,
    read_all,
    sidecar_of,
    valid_mask,
    xav_create,
    xav_create_ok,
)

TILE = 256
WINDOW = [0, 512, 1792, 512]  # 7 x 2 tiles
TILES_X = 7


def strip(bands=(1, 2, 3, 4)):
    src = gdal.Translate("", str(WAVEH), format="MEM", bandList=list(bands), srcWin=WINDOW)
    assert src is not None, gdal.GetLastErrorMsg()
    return src


def tile_window(k):
    return (k % TILES_X) * TILE, (k // TILES_X) * TILE, TILE, TILE


def all_invalid_tiles(a, nodata):
    """Tiles but tile 0 whose pixels are invalid at every time step."""
    v = valid_mask(a, nodata)
    out = set()
    for k in range(1, TILES_X * 2):
        x, y, w, h = tile_window(k)
        if not v[:, y:y + h, x:x + w].any():
            out.add(k)
    return out


def tile_file(mkv, k):
    return f"{mkv}.tiles/r{k // TILES_X:04d}_c{k % TILES_X:04d}.mkv"


def sidecar(mkv):
    return json.loads(open(sidecar_of(mkv)).read())


def assert_read_back(src_arrays, nodata, out, bound, what=""):
    got = read_all(out).astype(np.float64)
    a = src_arrays.astype(np.float64)
    v = valid_mask(a, nodata)
    assert np.array_equal(v, valid_mask(got, nodata)), f"{what}: masks differ"
    assert np.abs(a[v] - got[v]).max() <= bound, what
    if nodata is None:
        assert np.isnan(got[~v]).all(), what
    else:
        assert (got[~v] == nodata).all(), what


@pytest.fixture(scope="module")
def encoded(tmp_path_factory):
    src = strip()
    mkv = tmp_path_factory.mktemp("empty") / "w.mkv"
    xav_create_ok(src, mkv, [f"TILE_SIZE={TILE}"])
    return src, read_all(src), mkv


def test_the_tiles_left_out_are_the_sources_empty_ones(data_dir, encoded):
    src, a, mkv = encoded
    nodata = src.GetRasterBand(1).GetNoDataValue()
    expected = all_invalid_tiles(a, nodata)
    assert expected == {5, 6, 7}  # the data as Debian ships it
    doc = sidecar(mkv)
    assert set(doc["tiling"]["empty_tiles"]) == expected
    assert doc["schema_version"] == 6
    for k in range(1, TILES_X * 2):
        assert file_exists(tile_file(mkv, k)) == (k not in expected), f"tile {k}"
    assert {s["tile"] for s in doc.get("streams", [])} <= set(range(14)) - expected


def test_reads_back_nodata_where_tiles_were_left_out(data_dir, encoded):
    src, a, mkv = encoded
    out = open_ds(mkv)
    bound = float(out.GetRasterBand(1).GetMetadataItem("XAVIDEO_MAX_ERROR_BOUND", "IMAGE_STRUCTURE"))
    assert_read_back(a, src.GetRasterBand(1).GetNoDataValue(), out, bound, "whole strip")


def test_a_window_over_a_left_out_tile_decodes_nothing(data_dir, encoded):
    src, a, mkv = encoded
    out = open_ds(mkv)
    nodata = src.GetRasterBand(1).GetNoDataValue()
    x, y, w, h = tile_window(6)
    band = out.GetRasterBand(3)
    assert (band.ReadAsArray(x, y, w, h) == nodata).all()
    assert (band.GetMaskBand().ReadAsArray(x, y, w, h) == 0).all()
    assert int(out.GetMetadataItem("DECODED_FRAMES", "XAVIDEO")) == 0


def test_lossless_leaves_no_tile_out(data_dir, tmp_path):
    """Lossless nodata pixels are values like any other: every tile is
    coded, and the copy is bit-exact."""
    src = strip((1, 2))
    mkv = tmp_path / "l.mkv"
    xav_create_ok(src, mkv, [f"TILE_SIZE={TILE}", "LOSSLESS=YES"])
    assert "empty_tiles" not in sidecar(mkv)["tiling"]
    assert_bits_equal(read_all(src), read_all(open_ds(mkv)), "lossless")


def test_nan_tiles_read_back_as_nan(data_dir, tmp_path):
    """The strip as Float32 with NaN for land and no nodata declared."""
    src = strip((1, 2))
    a = read_all(src).astype(np.float32)
    a[a == src.GetRasterBand(1).GetNoDataValue()] = np.nan
    nan_src = mem_dataset(list(a), gdal.GDT_Float32, gt=src.GetGeoTransform())
    mkv = tmp_path / "n.mkv"
    xav_create_ok(nan_src, mkv, [f"TILE_SIZE={TILE}"])
    assert set(sidecar(mkv)["tiling"]["empty_tiles"]) == {5, 6, 7}
    out = open_ds(mkv)
    assert out.GetRasterBand(1).GetNoDataValue() is None
    bound = float(out.GetRasterBand(1).GetMetadataItem("XAVIDEO_MAX_ERROR_BOUND", "IMAGE_STRUCTURE"))
    assert_read_back(a, None, out, bound, "NaN strip")


def test_a_sidecar_that_leaves_out_a_coded_tile_is_refused(data_dir, encoded, tmp_path):
    """Tile 1 added to the list by hand: its pixels are not handed out as
    nodata, since the video's own description says the tile is coded.
    The other tiles still read."""
    src, a, mkv = encoded
    doc = sidecar(mkv)
    doc["tiling"]["empty_tiles"] = sorted(doc["tiling"]["empty_tiles"] + [1])
    bad = tmp_path / "bad.mkv"
    bad.write_bytes(open(mkv, "rb").read())
    open(sidecar_of(bad), "w").write(json.dumps(doc))
    out = open_ds(bad)
    with capture_errors() as log:
        assert out.GetRasterBand(1).ReadAsArray(*tile_window(1)) is None
    assert_error(log, ["tile 1", "does not match the video"], what="tile 1")
    x, y, w, h = tile_window(0)
    assert np.array_equal(out.GetRasterBand(1).ReadAsArray(x, y, w, h).shape, (h, w))


@pytest.mark.parametrize("value", [[-1], [14], [6, 5], ["5"], [5.5], [5, 5], 5, [0, 5, 6, 7]])
def test_bad_empty_tile_lists_are_refused(data_dir, encoded, tmp_path, value):
    """Not tile numbers in increasing order, or tile 0 (whose file carries
    the embedded description)."""
    src, a, mkv = encoded
    doc = sidecar(mkv)
    doc["tiling"]["empty_tiles"] = value
    bad = tmp_path / "bad.mkv"
    bad.write_bytes(open(mkv, "rb").read())
    open(sidecar_of(bad), "w").write(json.dumps(doc))
    with capture_errors() as log:
        assert gdal.Open(str(bad)) is None, value
    assert_error(log, ["tile 0" if value == [0, 5, 6, 7] else "empty_tiles"], what=str(value))


def test_appends_leave_out_tiles_of_their_own(data_dir, tmp_path):
    """Steps 3 and 4 appended to steps 1 and 2, changed so that tile 4
    (coded in the dataset) has no valid pixel in the part, and tile 5
    (left out of the dataset) has some: both read back as their sources
    say, the whole listing both tiles."""
    first = strip((1, 2))
    nodata = first.GetRasterBand(1).GetNoDataValue()
    mkv = tmp_path / "w.mkv"
    xav_create_ok(first, mkv, [f"TILE_SIZE={TILE}"])
    assert set(sidecar(mkv)["tiling"]["empty_tiles"]) == {5, 6, 7}
    later = strip((3, 4))
    b = read_all(later)
    x4, y4, w, h = tile_window(4)
    x5, y5, _, _ = tile_window(5)
    x2, y2, _, _ = tile_window(2)
    b[:, y4:y4 + h, x4:x4 + w] = nodata
    b[:, y5:y5 + h, x5:x5 + w] = b[:, y2:y2 + h, x2:x2 + w]
    for i in range(2):
        later.GetRasterBand(i + 1).WriteArray(b[i])
    out, log = xav_create(later, mkv, ["APPEND_SUBDATASET=YES"])
    assert out is not None, log.messages
    out = None
    doc = sidecar(mkv)
    assert set(doc["tiling"]["empty_tiles"]) == {4, 5, 6, 7}
    whole = open_ds(mkv)
    assert whole.RasterCount == 4
    bound = float(whole.GetRasterBand(1).GetMetadataItem("XAVIDEO_MAX_ERROR_BOUND", "IMAGE_STRUCTURE"))
    expected = np.concatenate([read_all(first), b])
    assert_read_back(expected, nodata, whole, bound, "dataset and part")
