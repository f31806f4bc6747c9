"""Spatial tiles (TILE_SIZE): each tile is its own set of streams, GDAL's
block is the tile, and a window decodes only the tiles under it. Edge tiles
are smaller (padded only up to the codecs' 16-pixel minimum)."""
import json

import numpy as np
import pytest
from osgeo import gdal

from conftest import (L7, MAXT, SST, capture_errors, file_exists, open_ds,
                      valid_mask, xav_create, xav_create_ok)


def decoded(ds):
    return int(ds.GetMetadataItem("DECODED_FRAMES", "XAVIDEO"))


@pytest.mark.parametrize("path,tile", [(MAXT, 256), (L7, 340), (L7, 100)])
def test_lossless_tiled_is_bit_exact(tmp_path, path, tile):
    """340 on L7 (349 x 352) leaves edge tiles 9 and 12 pixels wide."""
    src = gdal.Open(str(path))
    xav_create_ok(src, tmp_path / "t.mkv", ["LOSSLESS=YES", f"TILE_SIZE={tile}"])
    out = open_ds(tmp_path / "t.mkv")
    assert out.GetRasterBand(1).GetBlockSize() == [tile, tile]
    for b in range(1, src.RasterCount + 1):
        a, c = src.GetRasterBand(b).ReadAsArray(), out.GetRasterBand(b).ReadAsArray()
        assert a.tobytes() == c.tobytes(), f"band {b}"
    side = json.loads(open(f"{tmp_path / 't.mkv'}.json").read())
    tx = -(-src.RasterXSize // tile)
    ty = -(-src.RasterYSize // tile)
    assert side["tiling"] == {"tile_width": tile, "tile_height": tile,
                              "tiles_x": tx, "tiles_y": ty}
    assert {s["tile"] for s in side["streams"]} == set(range(tx * ty))


def test_lossy_tiled_masks_and_bound(tmp_path):
    """SST in 64-pixel tiles with MAX_ERROR: the bound and the land mask
    hold across tile edges."""
    src = gdal.Open(SST)
    xav_create_ok(src, tmp_path / "t.mkv", ["TILE_SIZE=64", "MAX_ERROR=0.05"])
    out = open_ds(tmp_path / "t.mkv")
    for b in range(1, src.RasterCount + 1):
        nd = src.GetRasterBand(b).GetNoDataValue()
        a = src.GetRasterBand(b).ReadAsArray().astype(np.float64)
        c = out.GetRasterBand(b).ReadAsArray().astype(np.float64)
        v = valid_mask(a, nd)
        assert np.array_equal(v, valid_mask(c, nd)), f"band {b}"
        assert np.abs(a[v] - c[v]).max() <= 0.05, f"band {b}"
        assert float(out.GetRasterBand(b).GetMetadataItem("XAVIDEO_MAX_ABS_ERROR")) == \
            pytest.approx(np.abs(a[v] - c[v]).max(), rel=1e-6)


@pytest.mark.parametrize("window,tiles", [((300, 300, 100, 100), 1),
                                          ((200, 200, 100, 100), 4),
                                          ((0, 0, 1073, 689), 15)])
def test_window_decodes_only_the_tiles_under_it(tmp_path, window, tiles):
    """MaxT (1073 x 689) in 256-pixel tiles: 5 x 3 tiles. Band 3 is time 2:
    with GOP 4 each tile decodes frames 0..2 of its data and mask streams."""
    xav_create_ok(gdal.Open(str(MAXT)), tmp_path / "m.mkv", ["TILE_SIZE=256", "GOP=4"])
    ds = open_ds(tmp_path / "m.mkv")
    ds.GetRasterBand(3).ReadAsArray(*window)
    assert decoded(ds) == tiles * 2 * 3


def test_tile_size_beyond_the_codecs_is_refused(tmp_path):
    out = tmp_path / "o.mkv"
    ds, log = xav_create(gdal.Open(str(L7)), out, ["TILE_SIZE=9000"])
    assert ds is None and any("TILE_SIZE=9000" in m for m in log.messages)
    assert not file_exists(out)


def test_too_many_lossy_tiles_refused_clearly(tmp_path):
    out = tmp_path / "o.mkv"
    ds, log = xav_create(gdal.Open(str(L7)), out, ["TILE_SIZE=16"])
    assert ds is None and any("tiles" in m and "TILE_SIZE" in m for m in log.messages), log.messages
    assert not file_exists(out)
