"""rasterio (Debian's python3-rasterio, on the same libgdal) opens XAVIDEO
datasets: count, dtype, CRS, transform, nodata, descriptions and tags are
the source's, and windowed reads (across tiles, band subsets, lossy within
the recorded error) equal the source read through GDAL."""
import numpy as np
import pytest
from osgeo import gdal

from xavtest import UWND, cf_to_datetime, l8_stack, parse_nc_list, with_srs, xav_create_ok

import rasterio  # installed by scripts/bootstrap.sh: missing fails, never skips
from rasterio.windows import Window


def test_time_series_profile(uwnd_cube):
    src = gdal.Open(UWND)
    with rasterio.open(uwnd_cube) as ds:
        assert ds.driver == "XAVIDEO"
        assert (ds.count, ds.width, ds.height) == (132, 144, 73)
        assert set(ds.dtypes) == {"float32"}
        assert ds.crs.to_epsg() == 4326
        assert ds.transform.to_gdal() == pytest.approx(src.GetGeoTransform())
        assert ds.nodata == pytest.approx(src.GetRasterBand(1).GetNoDataValue())
        assert ds.block_shapes[0] == (64, 64)
        tags = ds.tags()
        assert tags["NETCDF_DIM_EXTRA"] == "{TIME}"
        times = parse_nc_list(tags["NETCDF_DIM_TIME_VALUES"])
        assert times == parse_nc_list(src.GetMetadataItem("NETCDF_DIM_TIME_VALUES"))
        units = src.GetMetadataItem("TIME#units")
        assert tags["TIME#units"] == units
        for b in (1, 60, 132):
            assert ds.descriptions[b - 1] == f"UWND {cf_to_datetime(times[b - 1], units):%Y-%m-%d}"
            assert float(ds.tags(b)["NETCDF_DIM_TIME"]) == times[b - 1]
            assert ds.tags(b)["long_name"] == "ZONAL WIND"
        assert ds.units[0] == src.GetRasterBand(1).GetUnitType()


def test_multivariable_profile(l8_cube):
    src = l8_stack(("B1", "B2", "B3"))
    with rasterio.open(l8_cube) as ds:
        assert (ds.count, ds.width, ds.height) == (3, 41, 41)
        assert set(ds.dtypes) == {"int16"}
        assert ds.crs.to_epsg() == 32632 == int(src.GetSpatialRef().GetAuthorityCode(None))
        assert ds.transform.to_gdal() == pytest.approx(src.GetGeoTransform())
        assert ds.nodatavals == (-32768,) * 3
        assert ds.descriptions == ("coastal", "blue", "green")
        assert np.array_equal(ds.read(), src.ReadAsArray())
        assert np.array_equal(ds.read_masks(2) == 0, src.ReadAsArray()[1] == -32768)


WINDOWS = [Window(0, 0, 144, 73), Window(50, 10, 40, 30), Window(60, 60, 84, 13), Window(143, 72, 1, 1)]


@pytest.mark.parametrize("window", WINDOWS, ids=str)
def test_windowed_reads_equal_source(uwnd_cube, window):
    src = gdal.Open(UWND)
    bands = [1, 17, 100, 132]
    want = np.stack([src.GetRasterBand(b).ReadAsArray(window.col_off, window.row_off,
                                                       window.width, window.height) for b in bands])
    with rasterio.open(f"{uwnd_cube}.json") as ds:  # the sidecar opens it too
        got = ds.read(bands, window=window)
    assert got.tobytes() == want.tobytes()


def test_lossy_windowed_read_within_recorded_error(tmp_path):
    path = tmp_path / "lossy.mkv"
    xav_create_ok(with_srs(UWND), path, ["MAX_ERROR=0.25"])
    src = gdal.Open(UWND)
    window = Window(30, 20, 70, 40)
    with rasterio.open(path) as ds:
        got = ds.read(window=window)
        errors = [float(ds.tags(b, ns="IMAGE_STRUCTURE")["XAVIDEO_MAX_ABS_ERROR"]) for b in range(1, ds.count + 1)]
    want = src.ReadAsArray(30, 20, 70, 40)
    diff = np.abs(got.astype(np.float64) - want).max(axis=(1, 2))
    assert max(errors) <= 0.25 and np.all(diff <= np.array(errors) + 1e-6)
    assert diff.max() > 0  # lossy indeed
