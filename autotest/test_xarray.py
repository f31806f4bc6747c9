"""rioxarray.open_rasterio and xarray.open_dataset(engine="rasterio") on
XAVIDEO datasets: the band dimension of a time series is its time axis,
decoded to the source's dates; band descriptions become a coordinate;
nodata becomes NaN under mask_and_scale; a multi-variable dataset opens
with one variable per band; values equal the source."""
import numpy as np
import pytest
import xarray as xr
from osgeo import gdal

from xavtest import SST, UWND, cf_to_datetime, l8_stack, parse_nc_list, with_srs, xav_create_ok

import rioxarray  # noqa: F401  installed by scripts/bootstrap.sh; registers .rio and the engine

# rioxarray 0.13 parses metadata lists with a deprecated numpy call
pytestmark = pytest.mark.filterwarnings("ignore:string or file could not be read:DeprecationWarning")


def source_times():
    src = gdal.Open(UWND)
    units = src.GetMetadataItem("TIME#units")
    return [cf_to_datetime(v, units) for v in parse_nc_list(src.GetMetadataItem("NETCDF_DIM_TIME_VALUES"))]


def as_tuple(t):
    return (t.year, t.month, t.day, t.hour, t.minute)


def test_open_rasterio_time_series(uwnd_cube):
    da = rioxarray.open_rasterio(uwnd_cube)
    assert da.dims == ("TIME", "y", "x") and da.shape == (132, 73, 144)
    assert [as_tuple(t) for t in da.TIME.values] == [as_tuple(t) for t in source_times()]
    assert da.rio.crs.to_epsg() == 4326
    gt = gdal.Open(UWND).GetGeoTransform()
    assert da.x.values[0] == pytest.approx(gt[0] + gt[1] / 2)
    assert da.y.values[-1] == pytest.approx(gt[3] + 72.5 * gt[5])
    assert da.values.tobytes() == gdal.Open(UWND).ReadAsArray().tobytes()


def test_descriptions_and_times_as_coordinates(uwnd_cube):
    """What the README shows: descriptions as a coordinate along time,
    selection by date and by description."""
    da = rioxarray.open_rasterio(uwnd_cube)
    da = da.assign_coords(description=("TIME", list(da.attrs.pop("long_name"))))
    june = da.sel(TIME="1985-06")
    assert june.sizes["TIME"] == 1
    assert str(june.description.values[0]) == "UWND 1985-06-17"
    by_name = da.swap_dims(TIME="description").sel(description="UWND 1985-06-17")
    index = list(da.description.values).index("UWND 1985-06-17")
    src = gdal.Open(UWND)
    assert by_name.values.tobytes() == src.GetRasterBand(index + 1).ReadAsArray().tobytes()
    assert as_tuple(source_times()[index])[:2] == (1985, 6)
    mean = da.sel(TIME=slice("1990-01", "1990-12")).mean("TIME")
    assert mean.shape == (73, 144)


def test_open_dataset_engine_rasterio(uwnd_cube):
    ds = xr.open_dataset(uwnd_cube, engine="rasterio")
    assert list(ds.data_vars) == ["UWND"]
    assert ds.UWND.dims == ("TIME", "y", "x")
    window = ds.UWND.isel(TIME=slice(10, 13), x=slice(20, 90), y=slice(5, 50)).values
    assert window.tobytes() == gdal.Open(UWND).ReadAsArray()[10:13, 5:50, 20:90].tobytes()


def test_mask_and_scale_nodata_lossy(tmp_path):
    """COADS SST (land = -1e34), lossy: land is NaN exactly where the
    source has nodata (the mask is lossless), the sea within the recorded
    error. Its time units start in year 0, which cftime refuses under the
    default calendar: decode_times=False keeps the raw values."""
    path = tmp_path / "sst.mkv"
    xav_create_ok(with_srs(SST), path, [])
    src = gdal.Open(SST)
    da = rioxarray.open_rasterio(path, mask_and_scale=True, decode_times=False)
    ref = src.ReadAsArray()
    land = ref == np.float32(-1e34)
    assert land.any() and np.array_equal(np.isnan(da.values), land)
    assert list(da.TIME.values) == parse_nc_list(src.GetMetadataItem("NETCDF_DIM_TIME_VALUES"))
    # rioxarray keeps band 1's tags only: each band's bound from GDAL
    xav = gdal.Open(str(path))
    err = np.array([float(xav.GetRasterBand(b).GetMetadataItem("XAVIDEO_MAX_ABS_ERROR", "IMAGE_STRUCTURE"))
                    for b in range(1, xav.RasterCount + 1)])
    diff = np.nanmax(np.abs(da.values - ref), axis=(1, 2))
    assert np.all(diff <= err + 1e-6) and diff.max() > 0


def test_band_as_variable(l8_cube):
    ds = xr.open_dataset(l8_cube, engine="rasterio", band_as_variable=True, mask_and_scale=False)
    assert [ds[v].attrs["long_name"] for v in ds.data_vars] == ["coastal", "blue", "green"]
    ref = l8_stack(("B1", "B2", "B3")).ReadAsArray()
    for i, v in enumerate(ds.data_vars):
        assert ds[v].dtype == np.int16 and np.array_equal(ds[v].values, ref[i])


def test_explicit_time_axis_decoded(tmp_path):
    """A plain GeoTIFF stack given a time axis by creation options comes
    back from rioxarray with dates as its band coordinate."""
    from xavtest import L7
    path = tmp_path / "series.mkv"
    xav_create_ok(str(L7), path, ["BAND_LAYOUT=TIME", "TIME_VALUES=0,16,32,48,64,80",
                                  "TIME_UNITS=days since 2001-07-30", "VARIABLE_NAMES=dn",
                                  "LOSSLESS=YES"])
    da = rioxarray.open_rasterio(path)
    assert da.dims == ("time", "y", "x")
    assert [str(t)[:10] for t in da.time.values] == [
        "2001-07-30", "2001-08-15", "2001-08-31", "2001-09-16", "2001-10-02", "2001-10-18"]
    assert np.array_equal(da.values, gdal.Open(str(L7)).ReadAsArray())
