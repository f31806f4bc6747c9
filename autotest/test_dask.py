"""rioxarray with Dask over a tiled XAVIDEO dataset: chunks aligned on the
tiles, read by a distributed.LocalCluster of 2 worker processes, give the
same array as reading the source whole, and a time mean of one window."""
import numpy as np
import pytest
from osgeo import gdal

from xavtest import MAXT, xav_create_ok

# installed by scripts/bootstrap.sh: a missing one fails, it is not skipped
import distributed  # noqa: E402
import rioxarray  # noqa: E402


@pytest.fixture(scope="module")
def tiled(tmp_path_factory):
    """NDFD MaxT (4 days, 1073 x 689, Float64), lossless, 256-pixel tiles."""
    path = tmp_path_factory.mktemp("dask") / "maxt.mkv"
    xav_create_ok(gdal.Open(str(MAXT)), path, ["LOSSLESS=YES", "TILE_SIZE=256"])
    return path


def test_dask_workers_read_the_same_array(tiled):
    source = gdal.Open(str(MAXT)).ReadAsArray()
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        assert len(client.scheduler_info()["workers"]) == 2
        # the band dimension is "time": the dataset carries its time axis
        da = rioxarray.open_rasterio(str(tiled), chunks={"time": 1, "y": 256, "x": 256},
                                     lock=False)
        assert da.dims == ("time", "y", "x") and da.chunks[1][0] == 256
        assert str(da.time.values[0]).startswith("2011-09-30")
        got = da.data.compute()
        assert got.tobytes() == source.tobytes()
        window = da.isel(x=slice(300, 600), y=slice(200, 400))
        mean = window.where(window != 9999).mean(dim="time").compute().values
    expected = np.where(source == 9999, np.nan, source)[:, 200:400, 300:600]
    assert np.allclose(mean, np.nanmean(expected, axis=0), equal_nan=True)
