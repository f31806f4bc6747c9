"""The band model on real data (issue 11, items 8 to 10): every band
reachable under a unique, stable and meaningful name; the time axis and the
source's other dimensions from every source (netCDF, 4-D netCDF, GDAL's
multidimensional API, GRIB, the creation options), kept as dimensions by
gdal_translate -of netCDF and gdalmdimtranslate; options that do not fit the
source refused with the reason, never used to reshape it. Everything is
compared with the source: values, time values, dimension values."""
import json

import numpy as np
import pytest
from osgeo import gdal

from xavtest import (
    ETA, L7, OCEAN, UWND, WINDS, assert_bits_equal, assert_datasets_bits_equal,
    assert_error, list_dir, netcdf_name, open_ds, open_source, parse_nc_list,
    read_band, run_cli, sidecar_of, xav_create, xav_create_ok,
)

DEPTH = "ZAXLEVIT19"


def mdim(path):
    ds = gdal.OpenEx(str(path), gdal.OF_MULTIDIM_RASTER)
    assert ds is not None, f"cannot open {path} as multidimensional: {gdal.GetLastErrorMsg()}"
    return ds


def cli_ok(*args):
    p = run_cli([str(a) for a in args])
    assert p.returncode == 0, f"{args}: {p.stderr}"
    return p


def variables(ds):
    """The classic view's variable of each band (XAVIDEO domain)."""
    return [ds.GetRasterBand(b).GetMetadataItem("VARIABLE", "XAVIDEO")
            for b in range(1, ds.RasterCount + 1)]


def band_times(ds, key):
    return [float(ds.GetRasterBand(b).GetMetadataItem(key)) for b in range(1, ds.RasterCount + 1)]


def source_values(path, name):
    """An array of a netCDF file, read by GDAL's netCDF driver."""
    return mdim(path).GetRootGroup().OpenMDArray(name).ReadAsArray()


# --------------------------------------------------------------------------
# 8. Every band reachable, under a unique and stable name
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def rioxarray_tif(tmp_path_factory):
    """12 months of UWND as rioxarray's to_raster writes them: every band
    described 'ZONAL WIND', no time item on the bands, and the 132-month
    netCDF items of the whole file left in the dataset's metadata."""
    import rioxarray
    path = tmp_path_factory.mktemp("rio") / "uwnd12.tif"
    cube = rioxarray.open_rasterio(f"netcdf:{WINDS}:UWND", decode_times=False)
    cube[:12].rio.to_raster(str(path))
    src = open_source(path)
    assert {src.GetRasterBand(b).GetDescription() for b in range(1, 13)} == {"ZONAL WIND"}
    return path


def test_same_descriptions_are_twelve_arrays(data_dir, rioxarray_tif, tmp_path):
    src = open_source(rioxarray_tif)
    path = tmp_path / "u.mkv"
    out = xav_create_ok(src, path, ["LOSSLESS=YES"])
    names = [f"ZONAL WIND_{m}" for m in range(1, 13)]
    assert variables(out) == names, "names: unique, stable, in band order"
    rg = mdim(path).GetRootGroup()
    for b, name in enumerate(names, start=1):
        array = rg.OpenMDArray(name)
        assert array is not None, f"{name} unreachable: {rg.GetMDArrayNames()}"
        assert_bits_equal(read_band(src, b)[None], array.ReadAsArray(), name)
    # a netCDF copy holds every month (it held 1 of 12 and exited 0)
    nc = tmp_path / "u.nc"
    cli_ok("gdalmdimtranslate", "-q", path, nc)
    copy = mdim(nc).GetRootGroup()
    for b, name in enumerate(names, start=1):
        assert_bits_equal(read_band(src, b)[None], copy.OpenMDArray(name).ReadAsArray(),
                          f"netCDF copy {name}")


@pytest.fixture(scope="module")
def eta(tmp_path_factory):
    path = tmp_path_factory.mktemp("eta") / "eta.mkv"
    return xav_create_ok(open_source(ETA), path, ["LOSSLESS=YES"]), path


def test_grib_levels_name_their_variables(data_dir, eta):
    """eta.grb has TMP, RH, UGRD, ... at up to 27 levels each: a variable
    per element and level, named by GDAL's GRIB_SHORT_NAME of the level."""
    out, _ = eta
    src = open_source(ETA)
    names = variables(out)
    assert len(set(names)) == src.RasterCount == 181, "one variable per band, no two alike"
    for b in range(1, src.RasterCount + 1):
        md = src.GetRasterBand(b).GetMetadata()
        element, level = md["GRIB_ELEMENT"], md["GRIB_SHORT_NAME"]
        assert names[b - 1] in (element, f"{element}_{level}"), (b, names[b - 1], element, level)
    assert "TMP_85000-ISBL" in names and "TMP_50000-ISBL" in names
    assert "PRMSL" in names, "an element found once keeps its own name"


def test_grib_levels_every_band_reachable(data_dir, eta):
    _, path = eta
    src = open_source(ETA)
    rg = mdim(path).GetRootGroup()
    out = open_ds(path)
    for b in range(1, src.RasterCount + 1):
        name = out.GetRasterBand(b).GetMetadataItem("VARIABLE", "XAVIDEO")
        array = rg.OpenMDArray(name)
        assert array is not None, f"band {b} ({name}) unreachable"
        assert_bits_equal(read_band(src, b)[None], array.ReadAsArray(), f"band {b} {name}")


def test_bands_per_time_blocks_of_one_name(data_dir, rioxarray_tif, tmp_path):
    """rioxarray's 12 bands, all 'ZONAL WIND', taken as 4 blocks of 3
    variables: three arrays, each over its own 4 bands."""
    src = open_source(rioxarray_tif)
    path = tmp_path / "b.mkv"
    out = xav_create_ok(src, path, ["LOSSLESS=YES", "BANDS_PER_TIME=3"])
    names = [f"ZONAL WIND_{v}" for v in (1, 2, 3)]
    assert variables(out) == names * 4
    rg = mdim(path).GetRootGroup()
    for v, name in enumerate(names):
        cube = np.stack([read_band(src, b) for b in range(v + 1, 13, 3)])
        assert_bits_equal(cube, rg.OpenMDArray(name).ReadAsArray(), name)


def test_bands_per_time_takes_the_source_times(data_dir, tmp_path):
    """UWND and VWND interleaved by month, as 2 variables per time step:
    the time axis is the source's months (it was 0 to 11)."""
    src = interleaved_winds(12)
    path = tmp_path / "b.mkv"
    out = xav_create_ok(src, path, ["LOSSLESS=YES", "BANDS_PER_TIME=2"])
    assert variables(out)[:2] == ["UWND", "VWND"]
    times = band_times(src, "NETCDF_DIM_TIME")[0::2]
    assert parse_nc_list(out.GetMetadataItem("NETCDF_DIM_TIME_VALUES")) == times
    assert out.GetMetadataItem("TIME#units") == src.GetMetadataItem("TIME#units")
    assert out.GetRasterBand(4).GetDescription() == "VWND 1982-02-16"
    assert_datasets_bits_equal(src, out, "BANDS_PER_TIME=2")


def test_bands_per_time_that_splits_a_time_step_is_refused(data_dir, tmp_path):
    """UWND and VWND interleaved by month, cut in blocks of 3: a block would
    hold two months."""
    src = interleaved_winds(6)
    out, log = xav_create(src, tmp_path / "x.mkv", ["LOSSLESS=YES", "BANDS_PER_TIME=3"])
    assert out is None
    assert_error(log, ["at one time step"], what="BANDS_PER_TIME=3")
    assert list_dir(tmp_path) == []


def test_sidecar_with_shared_names_reads_every_variable(data_dir, tmp_path):
    """A sidecar written before names were unique (all six Landsat 7
    variables called 'band'): read with the rule, every variable reachable
    in both views."""
    src = open_source(L7)
    path = tmp_path / "l7.mkv"
    xav_create_ok(src, path, ["LOSSLESS=YES"])
    doc = json.load(open(sidecar_of(path)))
    for var in doc["variables"]:
        var["name"] = "band"
    json.dump(doc, open(sidecar_of(path), "w"))
    out = open_ds(sidecar_of(path))
    names = [f"band_{b}" for b in range(1, 7)]
    assert variables(out) == names
    rg = mdim(sidecar_of(path)).GetRootGroup()
    for b, name in enumerate(names, start=1):
        assert_bits_equal(read_band(src, b)[None], rg.OpenMDArray(name).ReadAsArray(), name)


# --------------------------------------------------------------------------
# 9. The time axis, and the other dimensions, from every source
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ocean(tmp_path_factory):
    path = tmp_path_factory.mktemp("ocean") / "temp.mkv"
    return xav_create_ok(open_source(OCEAN), path, ["LOSSLESS=YES"]), path


def test_4d_netcdf_time_and_depth(data_dir, ocean):
    out, _ = ocean
    src = open_source(OCEAN)
    depths = parse_nc_list(src.GetMetadataItem(f"NETCDF_DIM_{DEPTH}_VALUES"))
    times = parse_nc_list(src.GetMetadataItem("NETCDF_DIM_TIME_VALUES"))
    md = out.GetMetadata("XAVIDEO")
    assert (md["VARIABLES"], md["TIMES"]) == ("19", "12"), "a variable per depth, 12 months"
    names = variables(out)
    assert names[:19] == [f"TEMP_{DEPTH}_{d:g}" for d in depths], "the depth in the name"
    for b in (1, 20, 228):
        sb, ob = src.GetRasterBand(b), out.GetRasterBand(b)
        for key in ("NETCDF_DIM_TIME", f"NETCDF_DIM_{DEPTH}", "NETCDF_VARNAME"):
            assert ob.GetMetadataItem(key) == sb.GetMetadataItem(key), (b, key)
    assert out.GetRasterBand(20).GetDescription() == f"TEMP_{DEPTH}_0 0000-02-15"
    assert out.GetMetadataItem("NETCDF_DIM_EXTRA") == "{TIME,%s}" % DEPTH
    assert parse_nc_list(out.GetMetadataItem("NETCDF_DIM_TIME_VALUES")) == times
    assert parse_nc_list(out.GetMetadataItem(f"NETCDF_DIM_{DEPTH}_VALUES")) == depths
    assert_datasets_bits_equal(src, out, "ocean atlas")


def assert_4d_copy(path, what):
    """A netCDF copy of the ocean atlas: TEMP over (TIME, depth, y, x), the
    depths and times the source's, every value the source's."""
    rg = mdim(path).GetRootGroup()
    temp = rg.OpenMDArray("TEMP")
    assert temp is not None, f"{what}: {rg.GetMDArrayNames()}"
    dims = [d.GetName() for d in temp.GetDimensions()]
    assert dims[:2] == ["TIME", DEPTH], f"{what}: {dims}"
    assert np.array_equal(rg.OpenMDArray(DEPTH).ReadAsArray(), source_values(OCEAN, DEPTH)), what
    assert np.array_equal(rg.OpenMDArray("TIME").ReadAsArray(), source_values(OCEAN, "TIME")), what
    assert rg.OpenMDArray(DEPTH).GetUnit() == "METERS", what
    src, copy = open_source(OCEAN), gdal.Open(str(path))
    assert copy.RasterCount == src.RasterCount == 228, what
    assert_datasets_bits_equal(src, copy, what)


def test_4d_netcdf_round_trips_through_gdal_translate(data_dir, ocean, tmp_path):
    _, path = ocean
    nc = tmp_path / "temp.nc"
    assert gdal.Translate(str(nc), str(path), format="netCDF") is not None
    assert_4d_copy(nc, "gdal_translate -of netCDF")


def test_4d_netcdf_round_trips_through_gdalmdimtranslate(data_dir, ocean, tmp_path):
    _, path = ocean
    rg = mdim(path).GetRootGroup()
    temp = rg.OpenMDArray("TEMP")
    assert [d.GetName() for d in temp.GetDimensions()] == ["TIME", DEPTH, "YAX_SUBSET", "XAX_SUBSET"]
    assert [d.GetType() for d in rg.GetDimensions()][:2] == ["TEMPORAL", "VERTICAL"]
    slab = temp.ReadAsArray(array_start_idx=[3, 5, 0, 0], count=[2, 3, 90, 180])
    src = open_source(OCEAN)
    for i, t in enumerate((3, 4)):
        for j, z in enumerate((5, 6, 7)):
            assert_bits_equal(read_band(src, t * 19 + z + 1), slab[i, j], f"TEMP[{t},{z}]")
    nc = tmp_path / "temp_md.nc"
    cli_ok("gdalmdimtranslate", "-q", path, nc)
    assert_4d_copy(nc, "gdalmdimtranslate")


def test_4d_netcdf_subset_of_depths(data_dir, tmp_path):
    """Three depths of every month (-b): a depth dimension of three."""
    bands = [t * 19 + z + 1 for t in range(12) for z in (0, 4, 9)]
    src = gdal.Translate("", str(OCEAN), format="VRT", bandList=bands)
    path = tmp_path / "three.mkv"
    out = xav_create_ok(src, path, ["LOSSLESS=YES"])
    assert out.GetMetadataItem(f"NETCDF_DIM_{DEPTH}_VALUES") == "{0,50,200}"
    assert out.GetMetadataItem("NETCDF_DIM_EXTRA") == "{TIME,%s}" % DEPTH
    nc = tmp_path / "three.nc"
    assert gdal.Translate(str(nc), out, format="netCDF") is not None
    rg = mdim(nc).GetRootGroup()
    assert rg.OpenMDArray(DEPTH).ReadAsArray().tolist() == [0, 50, 200]
    assert_datasets_bits_equal(src, gdal.Open(str(nc)), "three depths")


def test_time_axis_from_gdal_multidimensional_api(data_dir, tmp_path):
    """gdalmdimtranslate -array to GeoTIFF (GDAL's AsClassicDataset) puts
    DIM_TIME_VALUE and DIM_TIME_UNIT on the bands, and DIM_<depth>_VALUE
    for the 4-D file: both make a time axis, the depth a dimension."""
    tif = tmp_path / "uwnd.tif"
    cli_ok("gdalmdimtranslate", "-q", "-array", "UWND", WINDS, tif)
    out = xav_create_ok(open_source(tif), tmp_path / "u.mkv", ["LOSSLESS=YES"])
    src = open_source(UWND)
    assert out.GetMetadataItem("TIME#units") == src.GetMetadataItem("TIME#units")
    assert (parse_nc_list(out.GetMetadataItem("NETCDF_DIM_TIME_VALUES")) ==
            parse_nc_list(src.GetMetadataItem("NETCDF_DIM_TIME_VALUES")))
    assert out.GetRasterBand(1).GetDescription().endswith("1982-01-16")
    tif4 = tmp_path / "temp.tif"
    cli_ok("gdalmdimtranslate", "-q", "-array", "TEMP", OCEAN, tif4)
    path = tmp_path / "t.mkv"
    out4 = xav_create_ok(open_source(tif4), path, ["LOSSLESS=YES"])
    assert out4.GetMetadataItem("NETCDF_DIM_EXTRA") == "{TIME,%s}" % DEPTH
    rg = mdim(path).GetRootGroup()
    assert np.array_equal(rg.OpenMDArray(DEPTH).ReadAsArray(), source_values(OCEAN, DEPTH))
    assert rg.OpenMDArray(DEPTH).GetUnit() == "METERS"
    assert_datasets_bits_equal(open_source(tif4), out4, "TEMP via AsClassicDataset")


def test_time_axis_from_the_lists_of_rioxarrays_geotiff(data_dir, tmp_path):
    """rioxarray's to_raster of all 132 months keeps the netCDF lists of
    the whole file and no item on the bands: the lists, one value per band,
    are the time axis."""
    import rioxarray
    tif = tmp_path / "uwnd.tif"
    rioxarray.open_rasterio(f"netcdf:{WINDS}:UWND", decode_times=False).rio.to_raster(str(tif))
    out = xav_create_ok(open_source(tif), tmp_path / "u.mkv", ["LOSSLESS=YES"])
    src = open_source(UWND)
    assert out.GetMetadataItem("NETCDF_DIM_EXTRA") == "{TIME}"
    assert (parse_nc_list(out.GetMetadataItem("NETCDF_DIM_TIME_VALUES")) ==
            parse_nc_list(src.GetMetadataItem("NETCDF_DIM_TIME_VALUES")))
    assert variables(out) == ["ZONAL WIND"] * 132


def test_subset_of_time_steps_to_netcdf(data_dir, tmp_path):
    """Months 13 to 24 of UWND: one variable over the 12 months in a netCDF
    copy (it came out as 12 unrelated 2-D variables: the source's 132-month
    items were passed through)."""
    src = gdal.Translate("", UWND, format="VRT", bandList=list(range(13, 25)))
    path = tmp_path / "s.mkv"
    out = xav_create_ok(src, path, ["LOSSLESS=YES"])
    assert out.GetMetadataItem("NETCDF_DIM_TIME_DEF") == "{12,6}"
    nc = tmp_path / "s.nc"
    assert gdal.Translate(str(nc), out, format="netCDF") is not None
    rg = mdim(nc).GetRootGroup()
    uwnd = rg.OpenMDArray("UWND")
    assert uwnd is not None and len(uwnd.GetDimensions()) == 3, rg.GetMDArrayNames()
    assert rg.OpenMDArray("TIME").ReadAsArray().tolist() == band_times(src, "NETCDF_DIM_TIME")
    assert_datasets_bits_equal(src, gdal.Open(str(nc)), "months 13 to 24")


def interleaved_winds(months):
    """UWND and VWND as one time-major stack (month 1: UWND, VWND; month 2:
    ...), each band with its netCDF metadata: a multi-variable netCDF cube
    as GDAL's classic view gives it."""
    srcs = [open_source(netcdf_name(WINDS, n)) for n in ("UWND", "VWND")]
    vrt = gdal.GetDriverByName("VRT").Create("", srcs[0].RasterXSize, srcs[0].RasterYSize, 0)
    vrt.SetGeoTransform(srcs[0].GetGeoTransform())
    vrt.SetMetadata(srcs[0].GetMetadata())
    for t in range(1, months + 1):
        for s, name in zip(srcs, ("UWND", "VWND")):
            sb = s.GetRasterBand(t)
            vrt.AddBand(sb.DataType)
            b = vrt.GetRasterBand(vrt.RasterCount)
            b.SetMetadata(sb.GetMetadata())
            b.SetNoDataValue(sb.GetNoDataValue())
            b.SetMetadataItem("source_0", (
                f"<SimpleSource><SourceFilename>{netcdf_name(WINDS, name)}</SourceFilename>"
                f"<SourceBand>{t}</SourceBand></SimpleSource>"), "new_vrt_sources")
    return vrt


def test_two_netcdf_variables_over_time(data_dir, tmp_path):
    src = interleaved_winds(12)
    path = tmp_path / "uv.mkv"
    out = xav_create_ok(src, path, ["LOSSLESS=YES"])
    assert variables(out)[:2] == ["UWND", "VWND"]
    assert band_times(out, "NETCDF_DIM_TIME") == band_times(src, "NETCDF_DIM_TIME")
    rg = mdim(path).GetRootGroup()
    assert rg.OpenMDArray("TIME").ReadAsArray().tolist() == band_times(src, "NETCDF_DIM_TIME")[0::2]
    assert_datasets_bits_equal(src, out, "UWND and VWND")


def test_source_calendar_julian(data_dir, tmp_path):
    """UWND with its calendar said to be julian: dates as cftime reads
    them (13 days from the Gregorian ones in 1982)."""
    import cftime
    src = gdal.Translate("", UWND, format="VRT", bandList=list(range(1, 13)))
    src.SetMetadataItem("TIME#calendar", "julian")
    out = xav_create_ok(src, tmp_path / "j.mkv", ["LOSSLESS=YES"])
    units = src.GetMetadataItem("TIME#units")
    for b in range(1, 13):
        value = float(src.GetRasterBand(b).GetMetadataItem("NETCDF_DIM_TIME"))
        want = cftime.num2date(value, units, "julian").isoformat()
        assert out.GetRasterBand(b).GetMetadataItem("TIME", "XAVIDEO") == want, b
    assert out.GetMetadataItem("TIME#calendar") == "julian"


@pytest.mark.parametrize("calendar", ["360_day", "standard"])
def test_months_since(data_dir, tmp_path, calendar):
    """12 months of UWND numbered in 'months since 1982-01-16': each a
    calendar month later (cftime's 30-day months in 360_day)."""
    import cftime
    src = gdal.Translate("", UWND, format="VRT", bandList=list(range(1, 13)))
    out = xav_create_ok(src, tmp_path / "m.mkv", [
        "LOSSLESS=YES", "TIME_VALUES=" + ",".join(str(m) for m in range(12)),
        "TIME_UNITS=months since 1982-01-16", f"TIME_CALENDAR={calendar}"])
    for m in range(12):
        if calendar == "360_day":
            want = cftime.num2date(m, "months since 1982-01-16", "360_day").isoformat()
        else:
            want = f"{1982 + m // 12}-{m % 12 + 1:02d}-16T00:00:00"
        assert out.GetRasterBand(m + 1).GetMetadataItem("TIME", "XAVIDEO") == want, m
    assert not out.GetRasterBand(1).GetDescription().endswith(" 0"), "not a raw number"


def test_time_values_option_is_the_band_items_too(data_dir, tmp_path):
    """TIME_VALUES replaces the source's times everywhere: the bands'
    NETCDF_DIM_TIME and a netCDF copy say the new values, not the
    source's."""
    src = gdal.Translate("", UWND, format="VRT", bandList=list(range(1, 13)))
    values = [float(d) for d in range(0, 360, 30)]
    out = xav_create_ok(src, tmp_path / "v.mkv", [
        "LOSSLESS=YES", "TIME_VALUES=" + ",".join(f"{v:g}" for v in values),
        "TIME_UNITS=days since 1990-01-01"])
    assert band_times(out, "NETCDF_DIM_TIME") == values
    nc = tmp_path / "v.nc"
    assert gdal.Translate(str(nc), out, format="netCDF") is not None
    rg = mdim(nc).GetRootGroup()
    assert rg.OpenMDArray("TIME").ReadAsArray().tolist() == values
    assert rg.OpenMDArray("TIME").GetUnit() == "days since 1990-01-01"


# --------------------------------------------------------------------------
# 10. Options that do not fit are refused, with the reason
# --------------------------------------------------------------------------


def refused(tmp_path, src, options, words):
    out, log = xav_create(src, tmp_path / "r.mkv", options)
    assert out is None, f"{options} accepted"
    assert_error(log, words, strip=[tmp_path / "r.mkv"], what=str(options))
    assert list_dir(tmp_path) == [], list_dir(tmp_path)
    return log


def test_time_values_that_do_not_fit_the_source(data_dir, tmp_path):
    """3 values for UWND's 132 months made 44 variables x 3 times."""
    log = refused(tmp_path, open_source(UWND), ["TIME_VALUES=1,2,3"], ["132 time steps"])
    assert "netcdf_dim_time" in log.text(), log.messages


def test_time_values_alone_never_make_variables(data_dir, tmp_path):
    """Landsat 7's 6 bands and 3 values: which bands are which variable is
    for BANDS_PER_TIME to say."""
    refused(tmp_path, open_source(L7), ["TIME_VALUES=0,16,32"], ["bands_per_time"])
    refused(tmp_path, open_source(L7), ["TIME_VALUES=0,16,32,48,64,x"], ["not a number"])


def test_variable_names_that_do_not_fit(data_dir, tmp_path):
    refused(tmp_path, open_source(L7), ["VARIABLE_NAMES=b1,b2,b3,b4,b5,b7,extra"],
            ["7 names for 6 variables"])
    refused(tmp_path, open_source(L7), ["VARIABLE_NAMES=b1,b2"], ["2 names for 6 variables"])
    refused(tmp_path, open_source(L7), ["VARIABLE_NAMES=b,b,b,b,b,b"], ["distinct"])


def test_time_options_win_over_the_source(data_dir, tmp_path):
    """TIME_NAME and TIME_CALENDAR were ignored where the source had a time
    axis; a calendar the driver does not know is refused."""
    src = gdal.Translate("", UWND, format="VRT", bandList=list(range(1, 4)))
    out = xav_create_ok(src, tmp_path / "n.mkv",
                        ["LOSSLESS=YES", "TIME_NAME=t", "TIME_CALENDAR=noleap"])
    assert out.GetMetadataItem("NETCDF_DIM_EXTRA") == "{t}"
    assert out.GetMetadataItem("t#calendar") == "noleap"
    assert out.GetRasterBand(2).GetMetadataItem("NETCDF_DIM_t") == src.GetRasterBand(2).GetMetadataItem(
        "NETCDF_DIM_TIME")
    out, log = xav_create(src, tmp_path / "bad.mkv", ["TIME_CALENDAR=lunar"])
    assert out is None
    assert_error(log, ["time_calendar=lunar"], what="TIME_CALENDAR=lunar")


def many_bands(count):
    """count bands of real pixels: Landsat 7's first band again and again,
    64 x 64 of it where it spans 208 levels (fewer than 128 would be coded
    exactly, without corrections)."""
    vrt = gdal.BuildVRT("", [str(L7)] * count, separate=True)
    assert vrt is not None and vrt.RasterCount == count
    return gdal.Translate("", vrt, format="VRT", srcWin=[192, 112, 64, 64])


def test_more_variables_than_a_file_takes_refused_at_once(data_dir, tmp_path):
    """3001 variables need 1001 streams a file at the least, beyond
    FFmpeg's max_streams (it failed after 28 s and 4 GB with 'Cannot
    allocate memory')."""
    import time
    src = many_bands(3001)
    start = time.monotonic()
    refused(tmp_path, src, ["LOSSLESS=YES"], ["max_streams"])
    assert time.monotonic() - start < 5, "refused before any work"


def test_lossy_variables_beyond_the_streams_refused(data_dir, tmp_path):
    """1600 lossy variables: 534 data and 534 correction streams."""
    log = refused(tmp_path, many_bands(1600), [], ["max_streams"])
    assert "correction" in log.text()
