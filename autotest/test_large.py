"""A raster larger than any codec's frame: a 20242 x 20064 mosaic (a VRT of
58 x 57 copies of the Landsat 7 scene, bands 1 and 2 as two time steps) is
tiled even when asked for one tile (TILE_SIZE=0), each tile its own file,
and a 512 x 512 window at one time decodes only the tiles under it."""
import json

import numpy as np
import pytest
from osgeo import gdal

from xavtest import L7, open_ds, sidecar_streams, xav_create
from tools.mosaic import mosaic_vrt


@pytest.fixture(scope="module")
def mosaic(tmp_path_factory):
    root = tmp_path_factory.mktemp("large")
    width, height = mosaic_vrt(root / "m.vrt", L7, 58, 57, bands=(1, 2))
    assert width >= 20000 and height >= 20000
    src = gdal.Open(str(root / "m.vrt"))
    out, log = xav_create(src, root / "m.mkv", ["LOSSLESS=YES", "BAND_LAYOUT=TIME", "TILE_SIZE=0"])
    assert out is not None, log.messages
    assert any("do not fit one frame" in m and "TILE_SIZE=512" in m for m in log.messages), log.messages
    return src, root


def decoded(ds):
    return int(ds.GetMetadataItem("DECODED_FRAMES", "XAVIDEO"))


def test_tiled_automatically_each_tile_a_file(mosaic):
    src, root = mosaic
    side = json.loads((root / "m.mkv.json").read_text())
    assert side["tiling"] == {"tile_width": 512, "tile_height": 512,
                              "tiles_x": 40, "tiles_y": 40}
    assert len(list((root / "m.mkv.tiles").iterdir())) == 40 * 40 - 1
    ds = open_ds(root / "m.mkv")
    assert (ds.RasterXSize, ds.RasterYSize, ds.RasterCount) == (20242, 20064, 2)
    assert ds.GetGeoTransform() == src.GetGeoTransform()
    assert ds.GetRasterBand(1).GetBlockSize() == [512, 512]


@pytest.mark.parametrize("x,y,tiles", [(10240, 10240, 1), (10240, 4100, 2),
                                       (10000, 10000, 4), (19730, 19552, 4)])
def test_a_window_decodes_only_the_tiles_under_it(mosaic, x, y, tiles):
    """Time 1 (band 2) with GOP 16: frames 0 and 1 of each tile's stream.
    The last window is the bottom-right corner, over the smaller edge
    tiles."""
    src, root = mosaic
    ds = open_ds(root / "m.mkv")
    per_tile = sum(1 for s in sidecar_streams(json.loads((root / "m.mkv.json").read_text()))
                   if s["tile"] == 0)
    got = ds.GetRasterBand(2).ReadAsArray(x, y, 512, 512)
    assert np.array_equal(got, src.GetRasterBand(2).ReadAsArray(x, y, 512, 512))
    assert decoded(ds) == tiles * per_tile * 2
