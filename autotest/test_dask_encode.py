"""Encoding on Dask (issue 14, part 3; apps/xavdask.py): workers of a
distributed.LocalCluster (2 processes) scan and encode blocks of tiles, one
step assembles them. The result must read like a single-process encode of
the same source: lossless, the source's values; lossy, the same valid range
and bounds, every pixel within them. A source whose pieces cannot share one
quantization (outliers) is refused before anything is written."""
import json
import sys

import numpy as np
import pytest
from osgeo import gdal

from xavtest import MAXT, REPO, list_dir, read_all, xav_create_ok

import distributed  # noqa: E402  (installed by scripts/bootstrap.sh)

sys.path.insert(0, str(REPO / "apps"))
import xavdask  # noqa: E402

TILE = 256
BLOCK = 512  # 3 x 2 pieces of MaxT (1073 x 689)


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as c:
        yield c


def bounds(ds):
    return [float(ds.GetRasterBand(b).GetMetadataItem("XAVIDEO_MAX_ERROR_BOUND", "IMAGE_STRUCTURE"))
            for b in range(1, ds.RasterCount + 1)]


def test_lossless_reads_as_the_source(client, tmp_path):
    out = xavdask.encode(client, str(MAXT), str(tmp_path / "maxt.json"),
                         ["LOSSLESS=YES", f"TILE_SIZE={TILE}"], block=BLOCK)
    ds = gdal.Open(out)
    assert ds is not None and ds.GetDriver().ShortName == "XAVIDEO"
    src = gdal.Open(str(MAXT))
    assert read_all(ds).tobytes() == read_all(src).tobytes()
    assert ds.GetGeoTransform() == src.GetGeoTransform()
    assert len(list((tmp_path / "maxt.pieces").glob("*.mkv"))) == 6


def test_lossy_has_the_single_process_range_and_bounds(client, tmp_path):
    options = [f"TILE_SIZE={TILE}"]
    single = xav_create_ok(gdal.Open(str(MAXT)), tmp_path / "one.mkv", options)
    out = xavdask.encode(client, str(MAXT), str(tmp_path / "maxt.json"), options, block=BLOCK)
    ds = gdal.Open(out)
    one = json.loads((tmp_path / "one.mkv.json").read_text())["variables"][0]
    many = json.loads((tmp_path / "maxt.json").read_text())["variables"][0]
    assert many["valid_range"] == one["valid_range"]
    assert many["quantization"] == one["quantization"]
    assert bounds(ds) == bounds(single)
    src = gdal.Open(str(MAXT))
    a, b = read_all(src).astype(np.float64), read_all(ds).astype(np.float64)
    nodata = src.GetRasterBand(1).GetNoDataValue()
    valid = a != nodata
    assert (b[~valid] == nodata).all()
    for i, bound in enumerate(bounds(ds)):
        assert np.abs(a[i][valid[i]] - b[i][valid[i]]).max() <= bound


def test_outliers_refused_nothing_written(client, tmp_path):
    """MaxT without its nodata: the 9999 fills are outliers, which one
    encode keeps in its own mask and pieces could not share."""
    vrt = tmp_path / "undeclared.vrt"
    gdal.Translate(str(vrt), str(MAXT), format="VRT", noData="none")
    out = tmp_path / "out" / "maxt.json"
    out.parent.mkdir()
    with pytest.raises(RuntimeError, match="outliers.*9999.*nodata"):
        xavdask.encode(client, str(vrt), str(out), [f"TILE_SIZE={TILE}"], block=BLOCK)
    assert list_dir(out.parent) == []


def test_a_failing_piece_leaves_nothing(client, tmp_path):
    out = tmp_path / "out" / "maxt.json"
    out.parent.mkdir()
    with pytest.raises(RuntimeError, match="CRF"):
        xavdask.encode(client, str(MAXT), str(out), ["LOSSLESS=YES", "CRF=99", f"TILE_SIZE={TILE}"],
                       block=BLOCK)
    assert list_dir(out.parent) == []
