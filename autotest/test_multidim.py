"""The multidimensional view (GDAL_OF_MULTIDIM_RASTER, doc/multidim.md):
one array per variable over (time, y, x), indexing variables, CRS, nodata,
units, offset/scale and attributes, checked against the source; slab reads
counted in decoded frames; gdalmdimtranslate to netCDF and Zarr (time values
exact, georeferencing kept, -subset)."""
import json
import shutil

import numpy as np
import pytest
from osgeo import gdal, osr

from xavtest import (
    UWND, WINDS, assert_bits_equal, capture_errors, l8_stack, open_source,
    run_cli, with_srs, xav_create_ok,
)

GOP = 8
TILE = 64  # UWND (144 x 73) in 3 x 2 tiles
TILES = 6
# a lossy UWND tile: its data stream and the corrections of its bound
STREAMS = 2

# GDAL 3.6's gdalmdimtranslate -subset copies the root group's attributes
# twice and says so; the netCDF source itself triggers it. Nothing else may
# be reported.
KNOWN_GDAL_SUBSET_ERROR = "An attribute with same name (history) already exists"


def open_mdim(path):
    ds = gdal.OpenEx(str(path), gdal.OF_MULTIDIM_RASTER)
    assert ds is not None, f"cannot open {path} as multidimensional: {gdal.GetLastErrorMsg()}"
    return ds


def decoded(ds):
    return int(ds.GetMetadataItem("DECODED_FRAMES", "XAVIDEO"))


def source_time():
    """The source netCDF's TIME variable, read by GDAL's netCDF driver."""
    src = open_mdim(WINDS)
    time = src.GetRootGroup().OpenMDArray("TIME")
    return time.ReadAsArray(), time.GetUnit()


def source_cube():
    """UWND as the classic netCDF driver gives it: (time, y, x), north up."""
    src = open_source(UWND)
    return np.stack([src.GetRasterBand(b).ReadAsArray() for b in range(1, src.RasterCount + 1)])


@pytest.fixture(scope="module")
def uwnd_exact(tmp_path_factory):
    """UWND with EPSG:4326 assigned, lossless, in 64-pixel tiles (so reads
    cross tiles, and the edge tiles are partial)."""
    gdal.ErrorReset()
    path = tmp_path_factory.mktemp("mdim") / "uwnd.mkv"
    xav_create_ok(with_srs(UWND), path, ["LOSSLESS=YES", f"TILE_SIZE={TILE}"])
    return path


@pytest.fixture(scope="module")
def uwnd_gop(tmp_path_factory):
    """UWND lossy, GOP 8, 64-pixel tiles: what a slab costs."""
    gdal.ErrorReset()
    path = tmp_path_factory.mktemp("mdim_gop") / "uwnd.mkv"
    xav_create_ok(open_source(UWND), path, [f"GOP={GOP}", f"TILE_SIZE={TILE}"])
    return path


@pytest.fixture(scope="module")
def l8_scaled(tmp_path_factory):
    """Landsat 8 (5 Int16 bands, nodata, UTM 32N) with an offset and a scale
    on two bands; no time axis: 5 variables at one time step."""
    gdal.ErrorReset()
    src = l8_stack()
    src.GetRasterBand(1).SetOffset(273.15)
    src.GetRasterBand(1).SetScale(0.01)
    src.GetRasterBand(2).SetOffset(-1.5)
    src.GetRasterBand(2).SetScale(2.0)
    path = tmp_path_factory.mktemp("mdim_l8") / "l8.mkv"
    xav_create_ok(src, path, ["LOSSLESS=YES"])
    return src, path


def mdiminfo(path):
    p = run_cli(["gdalmdiminfo", path])
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)


def mdimtranslate(*args):
    p = run_cli(["gdalmdimtranslate", "-q"] + [str(a) for a in args])
    assert p.returncode == 0, f"gdalmdimtranslate {args}: {p.stderr}"
    unexpected = [line for line in p.stderr.splitlines()
                  if line.strip() and KNOWN_GDAL_SUBSET_ERROR not in line]
    assert not unexpected, f"gdalmdimtranslate {args} reported: {p.stderr}"


def assert_srs_is(srs_or_wkt, epsg, what):
    expected = osr.SpatialReference()
    expected.ImportFromEPSG(epsg)
    if isinstance(srs_or_wkt, str):
        srs = osr.SpatialReference()
        assert srs.ImportFromWkt(srs_or_wkt) == 0, f"{what}: bad WKT {srs_or_wkt}"
    else:
        srs = srs_or_wkt
    assert srs is not None, f"{what}: no CRS"
    assert srs.IsSame(expected, options=["IGNORE_DATA_AXIS_TO_SRS_AXIS_MAPPING=YES"]), (
        f"{what}: CRS {srs.ExportToWkt()} is not EPSG:{epsg}")


def pixel_centres(gt):
    """x and y of the source's pixel centres, from its geotransform."""
    src = open_source(UWND)
    x = gt[0] + (np.arange(src.RasterXSize) + 0.5) * gt[1]
    y = gt[3] + (np.arange(src.RasterYSize) + 0.5) * gt[5]
    return x, y


# --------------------------------------------------------------------------
# The view
# --------------------------------------------------------------------------


def test_driver_says_multidim(driver):
    assert driver.GetMetadataItem(gdal.DCAP_MULTIDIM_RASTER) == "YES"


def test_mdiminfo_dimensions_and_arrays(data_dir, uwnd_exact):
    src = open_source(UWND)
    band = src.GetRasterBand(1)
    info = mdiminfo(uwnd_exact)
    assert info["driver"] == "XAVIDEO"
    dims = {d["name"]: d for d in info["dimensions"]}
    assert [d["name"] for d in info["dimensions"]] == ["TIME", "FNOCY", "FNOCX"], info["dimensions"]
    assert dims["TIME"]["size"] == src.RasterCount == 132
    assert dims["FNOCY"]["size"] == src.RasterYSize and dims["FNOCX"]["size"] == src.RasterXSize
    assert (dims["TIME"]["type"], dims["FNOCY"]["type"], dims["FNOCX"]["type"]) == (
        "TEMPORAL", "HORIZONTAL_Y", "HORIZONTAL_X")
    for name in ("TIME", "FNOCY", "FNOCX"):
        assert dims[name]["indexing_variable"] == f"/{name}"
    uwnd = info["arrays"]["UWND"]
    assert uwnd["dimensions"] == ["/TIME", "/FNOCY", "/FNOCX"]
    assert uwnd["datatype"] == gdal.GetDataTypeName(band.DataType) == "Float32"
    assert uwnd["unit"] == band.GetUnitType() == "M/S"
    assert np.float32(uwnd["nodata_value"]) == np.float32(band.GetNoDataValue())
    assert uwnd["block_size"] == [1, TILE, TILE]
    assert_srs_is(uwnd["srs"]["wkt"], 4326, "UWND array")
    # the source band's attributes, less those said by unit and nodata
    md = band.GetMetadata()
    assert uwnd["attributes"] == {"history": md["history"], "long_name": md["long_name"]}
    time = info["arrays"]["TIME"]
    assert time["attributes"]["units"] == src.GetMetadataItem("TIME#units")
    assert time["attributes"]["calendar"] == "standard"
    assert time["attributes"]["time_origin"] == src.GetMetadataItem("TIME#time_origin")
    assert time["unit"] == src.GetMetadataItem("TIME#units")
    assert info["arrays"]["FNOCX"]["attributes"]["standard_name"] == "longitude"
    assert info["arrays"]["FNOCY"]["attributes"]["units"] == "degrees_north"
    assert info["attributes"] == {"history": src.GetMetadataItem("NC_GLOBAL#history")}


def test_mdiminfo_offset_scale_nodata_projected(data_dir, l8_scaled):
    src, path = l8_scaled
    info = mdiminfo(path)
    assert [d["name"] for d in info["dimensions"]] == ["time", "y", "x"]
    assert info["dimensions"][0]["size"] == 1
    assert "TIME" not in info["arrays"] and "time" not in info["arrays"], "no time values to index"
    names = [n for n in info["arrays"] if n not in ("x", "y")]
    assert len(names) == src.RasterCount
    for i, name in enumerate(names, start=1):
        a, b = info["arrays"][name], src.GetRasterBand(i)
        assert a["datatype"] == "Int16"
        assert a["nodata_value"] == b.GetNoDataValue() == -32768
        assert a.get("offset", 0) == b.GetOffset() and a.get("scale", 1) == b.GetScale(), (
            f"{name}: offset/scale {a.get('offset')}/{a.get('scale')} != {b.GetOffset()}/{b.GetScale()}")
        assert_srs_is(a["srs"]["wkt"], 32632, name)
    assert info["arrays"]["x"]["attributes"] == {
        "axis": "X", "standard_name": "projection_x_coordinate", "units": "m"}


def test_values_and_indexing_variables_match_source(data_dir, uwnd_exact):
    ds = open_mdim(uwnd_exact)
    rg = ds.GetRootGroup()
    uwnd = rg.OpenMDArray("UWND")
    assert_bits_equal(source_cube(), uwnd.ReadAsArray(), "UWND (time, y, x)")
    src_time, src_units = source_time()
    time = rg.OpenMDArray("TIME")
    assert np.array_equal(time.ReadAsArray(), src_time), "time values"
    assert time.GetAttribute("units").Read() == src_units
    # named as the source's dimensions (its coordinate variables' CF units
    # say which is which), at the pixel centres of the source's
    # geotransform; the netCDF source's own coordinate variables say the
    # same (its y runs south-north)
    gt = open_source(UWND).GetGeoTransform()
    x, y = pixel_centres(gt)
    assert np.array_equal(rg.OpenMDArray("FNOCX").ReadAsArray(), x)
    assert np.array_equal(rg.OpenMDArray("FNOCY").ReadAsArray(), y)
    nc = open_mdim(WINDS).GetRootGroup()
    assert np.allclose(rg.OpenMDArray("FNOCX").ReadAsArray(), nc.OpenMDArray("FNOCX").ReadAsArray())
    assert np.allclose(rg.OpenMDArray("FNOCY").ReadAsArray(), nc.OpenMDArray("FNOCY").ReadAsArray()[::-1])
    dims = uwnd.GetDimensions()
    assert [d.GetIndexingVariable().GetName() for d in dims] == ["TIME", "FNOCY", "FNOCX"]
    srs = uwnd.GetSpatialRef()
    assert_srs_is(srs, 4326, "UWND")
    # EPSG:4326 is (latitude, longitude): dimensions 2 (y) and 3 (x)
    assert srs.GetDataAxisToSRSAxisMapping() == [2, 3]
    # GDAL's own classic view of the array finds the source's grid
    classic = uwnd.AsClassicDataset(2, 1)
    assert classic.GetGeoTransform() == gt and classic.RasterCount == 132
    assert_srs_is(classic.GetSpatialRef(), 4326, "AsClassicDataset")


@pytest.mark.parametrize("start,count,step", [
    ([5, 10, 30], [3, 50, 70], [1, 1, 1]),        # across tile edges
    ([130, 72, 143], [4, 20, 25], [-7, -3, -5]),  # backwards, strided
    ([0, 60, 100], [132, 13, 44], [1, 1, 1]),     # the partial edge tiles
    ([17, 0, 0], [1, 73, 72], [0, 1, 2]),
])
def test_slab_reads_match_source(data_dir, uwnd_exact, start, count, step):
    cube = source_cube()
    uwnd = open_mdim(uwnd_exact).GetRootGroup().OpenMDArray("UWND")
    got = uwnd.ReadAsArray(array_start_idx=start, count=count, array_step=step)
    idx = tuple(np.arange(count[k]) * step[k] + start[k] for k in range(3))
    assert_bits_equal(cube[np.ix_(*idx)], got, f"slab {start} {count} {step}")


def test_slab_decodes_only_its_frames(data_dir, uwnd_gop):
    """A slab decodes its time steps (from their keyframe) in the tiles it
    touches, nothing else; the whole array decodes every frame once."""
    ds = open_mdim(uwnd_gop)
    uwnd = ds.GetRootGroup().OpenMDArray("UWND")
    assert decoded(ds) == 0
    # times 40-42 (40 is a keyframe), one tile
    assert uwnd.ReadAsArray(array_start_idx=[40, 5, 5], count=[3, 20, 30]) is not None
    one_tile = decoded(ds)
    assert 3 * STREAMS <= one_tile <= GOP * STREAMS, \
        f"3 time steps of one tile cost {one_tile} frames"
    # the same times over the whole grid: the other tiles' frames only
    assert uwnd.ReadAsArray(array_start_idx=[40, 0, 0], count=[3, 73, 144]) is not None
    all_tiles = decoded(ds)
    assert 3 * TILES * STREAMS <= all_tiles <= GOP * TILES * STREAMS, \
        f"3 time steps of 6 tiles cost {all_tiles}"
    # time 100 = 12 * 8 + 4: from the keyframe at 96, in every tile
    assert uwnd.ReadAsArray(array_start_idx=[100, 0, 0], count=[1, 73, 144]) is not None
    jump = decoded(ds) - all_tiles
    assert 5 * TILES * STREAMS <= jump <= GOP * TILES * STREAMS, f"time 100 cost {jump}"
    ds = open_mdim(uwnd_gop)
    ds.GetRootGroup().OpenMDArray("UWND").ReadAsArray()
    assert decoded(ds) == 132 * TILES * STREAMS


def test_multidim_update_refused(data_dir, uwnd_exact):
    with capture_errors() as log:
        ds = gdal.OpenEx(str(uwnd_exact), gdal.OF_MULTIDIM_RASTER | gdal.OF_UPDATE)
    assert ds is None
    assert any("read-only" in m for m in log.messages), log.messages


def test_variables_by_time(data_dir, tmp_path):
    """6 Landsat 8 bands as 3 times x 2 variables: one array per variable,
    each holding its own bands; the time axis from the creation options."""
    src = l8_stack(("B1", "B2", "B3", "B4", "B10", "B11"))
    path = tmp_path / "vt.mkv"
    xav_create_ok(src, path, [
        "LOSSLESS=YES", "BAND_LAYOUT=TIME", "BANDS_PER_TIME=2", "TIME_VALUES=0,31,60",
        "TIME_UNITS=days since 2000-01-01", "TIME_CALENDAR=noleap", "TIME_NAME=time",
        "VARIABLE_NAMES=blue,red"])
    rg = open_mdim(path).GetRootGroup()
    assert rg.GetMDArrayNames() == ["time", "y", "x", "blue", "red"]
    time = rg.OpenMDArray("time")
    assert time.ReadAsArray().tolist() == [0, 31, 60]
    assert time.GetAttribute("units").Read() == "days since 2000-01-01"
    assert time.GetAttribute("calendar").Read() == "noleap"
    bands = [src.GetRasterBand(b).ReadAsArray() for b in range(1, 7)]
    assert_bits_equal(np.stack(bands[0::2]), rg.OpenMDArray("blue").ReadAsArray(), "blue")
    assert_bits_equal(np.stack(bands[1::2]), rg.OpenMDArray("red").ReadAsArray(), "red")
    assert rg.OpenMDArray("red").GetNoDataValueAsDouble() == -32768


def test_missing_video_is_reported(data_dir, uwnd_exact, tmp_path):
    side = tmp_path / "lonely.mkv.json"
    shutil.copy(f"{uwnd_exact}.json", side)
    with capture_errors() as log:
        ds = gdal.OpenEx(str(side), gdal.OF_MULTIDIM_RASTER)
    assert ds is None
    assert any("missing" in m for m in log.messages), log.messages


def test_array_outlives_dataset(data_dir, uwnd_exact):
    """Arrays keep the core alive after the dataset is closed."""
    ds = open_mdim(uwnd_exact)
    uwnd = ds.GetRootGroup().OpenMDArray("UWND")
    ds = None
    got = uwnd.ReadAsArray(array_start_idx=[131, 0, 0], count=[1, 73, 144])
    assert_bits_equal(source_cube()[131:132], got, "last time step")


# --------------------------------------------------------------------------
# gdalmdimtranslate
# --------------------------------------------------------------------------


def check_copy(path, cube, time_values, what):
    """A translated copy: time values exact, x/y and CRS kept, data exact."""
    rg = open_mdim(path).GetRootGroup()
    time = rg.OpenMDArray("TIME")
    assert time is not None, f"{what}: no TIME array"
    got = time.ReadAsArray()
    assert got.dtype == np.float64 and np.array_equal(got, time_values), (
        f"{what}: time values {got[:5]}... != {time_values[:5]}...")
    _, units = source_time()
    assert time.GetUnit() == units or time.GetAttribute("units").Read() == units
    assert time.GetAttribute("calendar").Read() == "standard"
    x, y = pixel_centres(open_source(UWND).GetGeoTransform())
    assert np.array_equal(rg.OpenMDArray("FNOCX").ReadAsArray(), x), what
    assert np.array_equal(rg.OpenMDArray("FNOCY").ReadAsArray(), y), what
    uwnd = rg.OpenMDArray("UWND")
    assert_srs_is(uwnd.GetSpatialRef(), 4326, what)
    assert_bits_equal(cube, uwnd.ReadAsArray(), what)


def test_translate_to_netcdf_keeps_time_values_exactly(data_dir, uwnd_exact, tmp_path):
    out = tmp_path / "uwnd.nc"
    mdimtranslate(uwnd_exact, out)
    src_time, _ = source_time()
    check_copy(out, source_cube(), src_time, "netCDF copy")
    # the classic netCDF driver sees the same grid and time axis
    nc, src = gdal.Open(f'NETCDF:"{out}":UWND'), open_source(UWND)
    assert nc.GetGeoTransform() == src.GetGeoTransform()
    assert_srs_is(nc.GetSpatialRef(), 4326, "netCDF copy, classic view")
    assert nc.GetMetadataItem("NETCDF_DIM_TIME_VALUES") == src.GetMetadataItem("NETCDF_DIM_TIME_VALUES")


def test_translate_to_zarr(data_dir, uwnd_exact, tmp_path):
    out = tmp_path / "uwnd.zarr"
    mdimtranslate("-of", "ZARR", uwnd_exact, out)
    src_time, _ = source_time()
    check_copy(out, source_cube(), src_time, "Zarr copy")


@pytest.mark.parametrize("fmt,name", [("netCDF", "sub.nc"), ("ZARR", "sub.zarr")])
def test_translate_subset_time(data_dir, uwnd_exact, tmp_path, fmt, name):
    src_time, _ = source_time()
    lo, hi = src_time[40], src_time[47]
    out = tmp_path / name
    mdimtranslate("-of", fmt, "-subset", f"TIME({lo!r},{hi!r})", uwnd_exact, out)
    check_copy(out, source_cube()[40:48], src_time[40:48], f"{fmt} time subset")
