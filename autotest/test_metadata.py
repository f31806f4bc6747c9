"""Band model, descriptions, metadata, nodata, units, color table, category
names, offset/scale, time-axis creation options, netCDF export."""

import datetime
import json

import numpy as np
import pytest
from osgeo import gdal

from xavtest import (
    L7, LC, UWND, SST,
    assert_bits_equal, assert_datasets_bits_equal, cf_to_datetime, l8_stack,
    mem_dataset, open_ds, open_source, parse_nc_list, psnr, read_all, read_band,
    sidecar_of, sidecar_streams, xav_create, xav_create_ok, with_srs, assert_error, list_dir,
    run_cli,
)


@pytest.fixture(scope="module")
def uwnd_xav(tmp_path_factory):
    """UWND (1 variable x 132 months), default lossy encoding."""
    gdal.ErrorReset()
    d = tmp_path_factory.mktemp("uwnd")
    src = open_source(UWND)
    out = xav_create_ok(src, d / "uwnd.mkv")
    return src, out, d / "uwnd.mkv"


def _expected_dates(src):
    units = src.GetMetadataItem("TIME#units")
    values = parse_nc_list(src.GetMetadataItem("NETCDF_DIM_TIME_VALUES"))
    return [cf_to_datetime(v, units) for v in values]


def test_uwnd_band_model(data_dir, uwnd_xav):
    src, out, _ = uwnd_xav
    assert (out.RasterXSize, out.RasterYSize) == (144, 73)
    assert out.RasterCount == 132, f"{out.RasterCount} bands, expected 132 (1 variable x 132 times)"
    for i in range(1, 133):
        assert out.GetRasterBand(i).DataType == gdal.GDT_Float32, f"band {i} type"


def test_uwnd_descriptions_and_xavideo_domain(data_dir, uwnd_xav):
    src, out, _ = uwnd_xav
    dates = _expected_dates(src)
    assert len(dates) == 132
    # 17598 hours after 1980-01-14 14:00 is 1982-01-16T20:00 (standard calendar).
    assert dates[0].isoformat() == "1982-01-16T20:00:00"
    for i in range(1, 133):
        b = out.GetRasterBand(i)
        day = dates[i - 1].date().isoformat()
        assert b.GetDescription() == f"UWND {day}", f"band {i}: description {b.GetDescription()!r}"
        md = b.GetMetadata("XAVIDEO") or {}
        assert md.get("VARIABLE") == "UWND", f"band {i}: XAVIDEO metadata {md}"
        assert md.get("TIME_INDEX") == str(i - 1), f"band {i}: XAVIDEO metadata {md}"
        assert (md.get("TIME") or "").startswith(day), f"band {i}: TIME {md.get('TIME')!r}, expected {day}..."


def test_subdaily_descriptions_tell_steps_apart(data_dir, tmp_path):
    """SAfrica's steps are 3 hours apart: a date alone would describe the
    eight bands of a variable on one day alike. Each description goes to
    the minute, and names the source's valid time."""
    src = open_source(str(data_dir / "safrica.grib2"))
    out = xav_create_ok(src, tmp_path / "sa.mkv", ["LOSSLESS=YES"])
    descriptions = [out.GetRasterBand(b).GetDescription() for b in range(1, out.RasterCount + 1)]
    assert len(set(descriptions)) == out.RasterCount == 75, descriptions[:6]
    for b in range(1, out.RasterCount + 1):
        valid = int(src.GetRasterBand(b).GetMetadataItem("GRIB_VALID_TIME").split()[0])
        when = datetime.datetime.fromtimestamp(valid, datetime.timezone.utc)
        element = src.GetRasterBand(b).GetMetadataItem("GRIB_ELEMENT")
        expected = f"{element} {when.strftime('%Y-%m-%dT%H:%M')}"
        assert descriptions[b - 1] == expected, f"band {b}: {descriptions[b - 1]!r}, expected {expected!r}"


@pytest.fixture(scope="module", params=["UWND", "SST"])
def netcdf_xav(request, tmp_path_factory):
    """(source, XAVIDEO output) for the two ferret netCDF series, lossy."""
    gdal.ErrorReset()
    name = {"UWND": UWND, "SST": SST}[request.param]
    d = tmp_path_factory.mktemp(request.param)
    src = open_source(name)
    out = xav_create_ok(src, d / "x.mkv")
    return request.param, src, out


def test_netcdf_time_metadata_kept(data_dir, netcdf_xav):
    """The keys the netCDF driver needs to rebuild the time axis."""
    var, src, out = netcdf_xav
    for k in ("NETCDF_DIM_EXTRA", "NETCDF_DIM_TIME_DEF", "NETCDF_DIM_TIME_VALUES", "TIME#units"):
        assert out.GetMetadataItem(k) == src.GetMetadataItem(k), (
            f"{var} dataset metadata {k}: {out.GetMetadataItem(k)!r} != source {src.GetMetadataItem(k)!r}"
        )


def test_netcdf_dataset_metadata_kept(data_dir, netcdf_xav):
    """Every dataset metadata item, value kept verbatim (the ferret files
    have whitespace-only values such as FNOCX#modulo=' ')."""
    var, src, out = netcdf_xav
    smd, omd = src.GetMetadata(), out.GetMetadata()
    diffs = {k: (v, omd.get(k)) for k, v in smd.items() if omd.get(k) != v}
    assert not diffs, f"{var}: dataset metadata changed (source, output): {diffs}"


def test_netcdf_band_metadata_kept(data_dir, netcdf_xav):
    """Every band metadata item verbatim, NETCDF_DIM_TIME included (coads
    has values such as 1096.485 that must not become 1096.4849999999999)."""
    var, src, out = netcdf_xav
    assert out.RasterCount == src.RasterCount
    for i in range(1, src.RasterCount + 1):
        sbm, obm = src.GetRasterBand(i).GetMetadata(), out.GetRasterBand(i).GetMetadata()
        diffs = {k: (v, obm.get(k)) for k, v in sbm.items() if obm.get(k) != v}
        assert not diffs, f"{var} band {i}: metadata changed (source, output): {diffs}"
        assert obm.get("NETCDF_VARNAME") == var


def test_uwnd_nodata_units(data_dir, uwnd_xav):
    src, out, _ = uwnd_xav
    for i in (1, 132):
        sb, ob = src.GetRasterBand(i), out.GetRasterBand(i)
        assert ob.GetNoDataValue() is not None
        assert np.float32(ob.GetNoDataValue()) == np.float32(sb.GetNoDataValue()), (
            f"band {i}: nodata {ob.GetNoDataValue()} != {sb.GetNoDataValue()}"
        )
        assert ob.GetUnitType() == sb.GetUnitType() == "M/S", f"band {i}: units {ob.GetUnitType()!r}"


def test_decoded_frames_counter(data_dir, tmp_path):
    src = open_source(UWND)
    xav_create_ok(src, tmp_path / "u.mkv")
    ds = open_ds(tmp_path / "u.mkv")
    v0 = ds.GetMetadataItem("DECODED_FRAMES", "XAVIDEO")
    assert v0 is not None, f"no DECODED_FRAMES in XAVIDEO domain: {ds.GetMetadata('XAVIDEO')}"
    assert v0.isdigit(), f"DECODED_FRAMES {v0!r} is not an integer string"
    read_band(ds, 70)
    v1 = ds.GetMetadataItem("DECODED_FRAMES", "XAVIDEO")
    assert v1 is not None and v1.isdigit()
    assert int(v1) > int(v0), f"DECODED_FRAMES did not grow after a read: {v0} -> {v1}"
    print(f"\nDECODED_FRAMES after open: {v0}, after reading band 70 of 132: {v1}")


def test_l7_variables_without_time_axis(data_dir, tmp_path):
    src = open_source(L7)
    out = xav_create_ok(src, tmp_path / "l7.mkv", ["LOSSLESS=YES"])
    assert out.RasterCount == 6
    variables = []
    for i in range(1, 7):
        md = out.GetRasterBand(i).GetMetadata("XAVIDEO") or {}
        assert md.get("TIME_INDEX") == "0", f"band {i}: {md}"
        assert md.get("VARIABLE"), f"band {i}: no VARIABLE in {md}"
        variables.append(md["VARIABLE"])
    assert len(set(variables)) == 6, f"6 distinct variables expected: {variables}"
    for k, v in src.GetMetadata().items():
        assert out.GetMetadataItem(k) == v


def test_l7_file_list(data_dir, tmp_path):
    mkv = tmp_path / "l7.mkv"
    out = xav_create_ok(L7, mkv, ["LOSSLESS=YES"])
    files = [str(f) for f in (out.GetFileList() or [])]
    assert str(mkv) in files, files
    assert sidecar_of(mkv) in files, files


def test_lc_color_table_and_interp(data_dir, tmp_path):
    src = open_source(LC)
    out = xav_create_ok(src, tmp_path / "lc.mkv")  # default codec, Byte palette data
    sct = src.GetRasterBand(1).GetColorTable()
    oct_ = out.GetRasterBand(1).GetColorTable()
    assert oct_ is not None, "color table lost"
    assert oct_.GetCount() == sct.GetCount()
    for i in range(sct.GetCount()):
        assert oct_.GetColorEntry(i) == sct.GetColorEntry(i), f"entry {i}"
    assert out.GetRasterBand(1).GetColorInterpretation() == gdal.GCI_PaletteIndex


def test_lc_palette_default_encoding_exact(data_dir, tmp_path):
    """Palette indices are categories: the default encoding must not blend
    them (a lossy codec on class indices would invent classes)."""
    src = open_source(LC)
    out = xav_create_ok(src, tmp_path / "lc.mkv")
    assert_datasets_bits_equal(src, out, "lc.tif default encoding")


def _mem_source_with_attributes():
    rng = np.random.default_rng(1)
    a1 = rng.integers(0, 4, size=(30, 40), dtype=np.uint8)
    a2 = rng.integers(0, 200, size=(30, 40)).astype(np.int16)
    a2[0:3, 0:3] = -1
    ds = mem_dataset([a1], gdal.GDT_Byte, gt=(100.0, 2.0, 0.0, 500.0, 0.0, -2.0))
    b = ds.GetRasterBand(1)
    b.SetCategoryNames(["water", "forest", "urban", "crop"])
    b.SetUnitType("class")
    b.SetMetadata({"SOURCE": "synthetic", "NOTE": "a=b c"})
    b.SetDescription("landcover")
    return ds, a1


def test_category_names_units_band_metadata(tmp_path):
    src, a = _mem_source_with_attributes()
    out = xav_create_ok(src, tmp_path / "cat.mkv", ["LOSSLESS=YES"])
    b = out.GetRasterBand(1)
    assert b.GetCategoryNames() == ["water", "forest", "urban", "crop"], b.GetCategoryNames()
    assert b.GetUnitType() == "class"
    md = b.GetMetadata()
    assert md.get("SOURCE") == "synthetic" and md.get("NOTE") == "a=b c", md
    assert_bits_equal(a, b.ReadAsArray(), "category band")


@pytest.mark.parametrize("options", [["LOSSLESS=YES"], []], ids=["lossless", "lossy"])
def test_offset_scale_roundtrip(tmp_path, options):
    rng = np.random.default_rng(2)
    a = rng.integers(-500, 3000, size=(32, 48)).astype(np.int16)
    src = mem_dataset([a, a[::-1].copy()], gdal.GDT_Int16, nodata=-9999)
    src.GetRasterBand(1).SetOffset(273.15)
    src.GetRasterBand(1).SetScale(0.01)
    src.GetRasterBand(2).SetOffset(-1.5)
    src.GetRasterBand(2).SetScale(2.0)
    out = xav_create_ok(src, tmp_path / "os.mkv", options)
    for i, (o, s) in enumerate([(273.15, 0.01), (-1.5, 2.0)], start=1):
        b = out.GetRasterBand(i)
        assert b.GetOffset() == o, f"band {i}: offset {b.GetOffset()} != {o}"
        assert b.GetScale() == s, f"band {i}: scale {b.GetScale()} != {s}"
        assert b.DataType == gdal.GDT_Int16
        assert b.GetNoDataValue() == -9999
    if options:
        assert_datasets_bits_equal(src, out, "offset/scale lossless")


# --------------------------------------------------------------------------
# Time-axis creation options
# --------------------------------------------------------------------------

def test_bands_per_time_and_time_options(data_dir, tmp_path):
    """6 Landsat 8 bands as 3 times x 2 variables."""
    src = l8_stack(("B1", "B2", "B3", "B4", "B10", "B11"))
    opts = [
        "LOSSLESS=YES",
        "BAND_LAYOUT=TIME",
        "BANDS_PER_TIME=2",
        "TIME_VALUES=0,31,60",
        "TIME_UNITS=days since 2000-01-01",
        "TIME_CALENDAR=standard",
        "TIME_NAME=time",
        "VARIABLE_NAMES=blue,red",
    ]
    out = xav_create_ok(src, tmp_path / "t.mkv", opts)
    assert out.RasterCount == 6
    assert_datasets_bits_equal(src, out, "BANDS_PER_TIME=2")
    dates = ["2000-01-01", "2000-02-01", "2000-03-01"]
    for i in range(1, 7):
        t, v = (i - 1) // 2, (i - 1) % 2
        name = ["blue", "red"][v]
        b = out.GetRasterBand(i)
        md = b.GetMetadata("XAVIDEO") or {}
        assert md.get("VARIABLE") == name, f"band {i}: {md}"
        assert md.get("TIME_INDEX") == str(t), f"band {i}: {md}"
        assert (md.get("TIME") or "").startswith(dates[t]), f"band {i}: {md}"
        assert b.GetDescription() == f"{name} {dates[t]}", f"band {i}: {b.GetDescription()!r}"
        assert b.GetNoDataValue() == -32768


def test_variable_names_without_time(data_dir, tmp_path):
    src = open_source(L7)
    names = ["b1", "b2", "b3", "b4", "b5", "b7"]
    out = xav_create_ok(src, tmp_path / "v.mkv", ["LOSSLESS=YES", "BAND_LAYOUT=VARIABLE",
                                                  "VARIABLE_NAMES=" + ",".join(names)])
    assert out.RasterCount == 6
    for i, n in enumerate(names, start=1):
        md = out.GetRasterBand(i).GetMetadata("XAVIDEO") or {}
        assert md.get("VARIABLE") == n, f"band {i}: {md}"
        assert md.get("TIME_INDEX") == "0"
    assert_datasets_bits_equal(src, out, "VARIABLE_NAMES")


@pytest.mark.parametrize("groups", ["1,2,3;4;5;6", "6,5,4;3,2,1", "1;2;3;4;5;6"])
def test_groups_option(data_dir, tmp_path, groups):
    src = open_source(L7)
    out = xav_create_ok(src, tmp_path / "g.mkv", ["LOSSLESS=YES", f"GROUPS={groups}"])
    assert_datasets_bits_equal(src, out, f"GROUPS={groups}")
    doc = json.load(open(sidecar_of(tmp_path / "g.mkv")))
    assert doc["format"] == "xavideo"


def test_groups_two_channel_group(data_dir, tmp_path):
    """The option's example "1,2,3;4;5,6" has a 2-channel group while groups
    are said to be streams of 1 or 3 channels: accept either a clean refusal
    naming GROUPS or an exact round trip, never a crash or a half result."""
    src = open_source(L7)
    mkv = tmp_path / "g.mkv"
    out, log = xav_create(src, mkv, ["LOSSLESS=YES", "GROUPS=1,2,3;4;5,6"])
    if out is None:
        assert_error(log, ["groups"], strip=[mkv], what="GROUPS=1,2,3;4;5,6")
        assert list_dir(tmp_path) == [], list_dir(tmp_path)
    else:
        out = None
        assert_datasets_bits_equal(src, open_ds(mkv), "GROUPS=1,2,3;4;5,6")


@pytest.mark.parametrize("opts", [["CRF=35", "PRESET=ultrafast", "GOP=4"], ["BITS=10"], ["BITS=12"],
                                  ["CODEC=FFV1"], ["CODEC=X265", "BITS=8"]],
                         ids=lambda o: "+".join(o))
def test_encoding_options_accepted(data_dir, tmp_path, opts):
    src = open_source(UWND)
    sub = gdal.Translate("", src, format="VRT", bandList=list(range(1, 25)))
    out = xav_create_ok(sub, tmp_path / "o.mkv", opts)
    assert out.RasterCount == 24
    s, o = read_all(sub), read_all(out)
    assert o.dtype == np.float32
    assert np.all(np.isfinite(o)), "decoded values must be finite"
    p = psnr(s, o)
    err = float(np.max(np.abs(o.astype(np.float64) - s)))
    print(f"\n{opts}: PSNR {p:.2f} dB, max abs error {err:.4g} (range {float(s.max() - s.min()):.4g})")
    assert p > 25, f"{opts}: PSNR {p:.2f} dB"


# --------------------------------------------------------------------------
# netCDF export keeps the time axis
# --------------------------------------------------------------------------

@pytest.mark.parametrize("var,options", [("UWND", ["LOSSLESS=YES"]), ("UWND", []), ("SST", [])],
                         ids=["UWND-lossless", "UWND-lossy", "SST-lossy"])
def test_translate_to_netcdf_keeps_time(data_dir, tmp_path, var, options):
    src = open_source({"UWND": UWND, "SST": SST}[var])
    out = xav_create_ok(src, tmp_path / "x.mkv", options)
    nc = tmp_path / "x.nc"
    res = gdal.Translate(str(nc), out, format="netCDF")
    assert res is not None, f"Translate to netCDF failed: {gdal.GetLastErrorMsg()}"
    res = None
    back = open_source(nc)
    assert back.RasterCount == src.RasterCount
    src_times = parse_nc_list(src.GetMetadataItem("NETCDF_DIM_TIME_VALUES"))
    tv = back.GetMetadataItem("NETCDF_DIM_TIME_VALUES")
    assert tv is not None, f"netCDF has no TIME dimension: {back.GetMetadata()}"
    assert parse_nc_list(tv) == src_times, f"time values differ: {tv} vs {src_times}"
    assert back.GetMetadataItem("TIME#units") == src.GetMetadataItem("TIME#units")
    # Read the time variable itself with the multidimensional API.
    md = gdal.OpenEx(str(nc), gdal.OF_MULTIDIM_RASTER)
    assert md is not None
    arr = md.GetRootGroup().OpenMDArray("TIME")
    assert arr is not None, md.GetRootGroup().GetMDArrayNames()
    np.testing.assert_array_equal(np.asarray(arr.ReadAsArray(), dtype=np.float64), np.asarray(src_times))
    if options:
        assert_datasets_bits_equal(src, back, f"{var} -> XAVIDEO -> netCDF")


def test_sst_with_assigned_crs(data_dir, tmp_path):
    """ferret files carry no CRS; with EPSG:4326 assigned it round-trips."""
    src = with_srs(SST)
    out = xav_create_ok(src, tmp_path / "sst.mkv", ["LOSSLESS=YES"])
    assert out.GetSpatialRef() is not None and out.GetSpatialRef().IsSame(src.GetSpatialRef())
    assert np.allclose(out.GetGeoTransform(), src.GetGeoTransform())
    assert out.RasterCount == 12
    assert_datasets_bits_equal(src, out, "SST lossless")


def _lc_class_names():
    """The 'Land Cover Class' column of lc.tif.aux.xml's RAT, parsed
    directly (PAM is disabled in the tests)."""
    import xml.etree.ElementTree as ET
    root = ET.parse(str(LC) + ".aux.xml").getroot()
    rat = root.find(".//GDALRasterAttributeTable")
    fields = [f.findtext("Name") for f in rat.findall("FieldDefn")]
    col = fields.index("Land Cover Class")
    names = {}
    for row in rat.findall("Row"):
        names[int(row.get("index"))] = (row.findall("F")[col].text or "")
    return [names.get(i, "") for i in range(max(names) + 1)]


def test_lc_category_names_from_rat(data_dir, tmp_path):
    """lc.tif with its RAT class names as GDAL category names (MEM copy):
    names, palette and pixels survive."""
    names = _lc_class_names()
    assert any(names), "no class names in lc.tif.aux.xml"
    src = gdal.GetDriverByName("MEM").CreateCopy("", open_source(LC))
    assert src.GetRasterBand(1).SetCategoryNames(names) == gdal.CE_None
    out = xav_create_ok(src, tmp_path / "lc.mkv", ["LOSSLESS=YES"])
    b = out.GetRasterBand(1)
    got = b.GetCategoryNames()
    assert got is not None, "category names lost"
    # Trailing empty names carry no information; compare the meaningful part.
    trim = lambda l: list(l)[: max([i + 1 for i, n in enumerate(l) if n] or [0])]
    assert trim(got) == trim(names), f"category names differ: {got[:20]} vs {names[:20]}"
    assert b.GetColorTable() is not None and b.GetColorTable().GetCount() == 256
    assert_datasets_bits_equal(src, out, "lc with category names")


@pytest.mark.parametrize("src_name,opts,bits,lossless", [
    (L7, ["DECORRELATE=NO"], 8, False),  # Byte: 8 bits by default
    (L7, [], 12, False),           # but principal components take 12
    (UWND, [], 12, False),         # otherwise 12
    (UWND, ["BITS=10"], 10, False),
    (L7, ["LOSSLESS=YES"], None, True),
], ids=["byte-default", "byte-components", "float-default", "bits10", "lossless"])
def test_sidecar_streams_bits_and_codec(data_dir, tmp_path, src_name, opts, bits, lossless):
    """Codec/bit depth as documented (doc/sidecar.md: streams[].bits, codec)."""
    mkv = tmp_path / "s.mkv"
    src = open_source(src_name)
    sub = gdal.Translate("", src, format="VRT", bandList=list(range(1, min(src.RasterCount, 6) + 1)))
    xav_create_ok(sub, mkv, opts)
    doc = json.load(open(sidecar_of(mkv)))
    data = [s for s in sidecar_streams(doc) if s.get("role", "data") == "data"]
    assert data, doc
    for s in data:
        if lossless:
            assert s["codec"] == "ffv1" and s["lossless"] is True, s
        else:
            assert s["codec"] == "x265", s
            assert s["bits"] == bits, f"{opts}: stream bits {s['bits']} != {bits}"


def test_sst_climatology_descriptions(data_dir, tmp_path):
    """coads: 'hour since 0000-01-01', 12 mid-month steps of year 0."""
    src = open_source(SST)
    out = xav_create_ok(src, tmp_path / "sst.mkv")
    assert out.RasterCount == 12
    for i in range(1, 13):
        d = out.GetRasterBand(i).GetDescription()
        assert d.startswith(f"SST 0000-{i:02d}-"), f"band {i}: description {d!r}"
        md = out.GetRasterBand(i).GetMetadata("XAVIDEO") or {}
        assert md.get("VARIABLE") == "SST" and md.get("TIME_INDEX") == str(i - 1), md


def test_netcdf_integer_levels_stay_integers(tmp_path):
    """A netCDF whose only extra dimension is pressure levels stored as
    integers: through XAVIDEO and back to netCDF, the level variable is
    still Int32 with its values, no calendar is invented for it, and no
    warning says its units are not a time's."""
    rng = np.random.default_rng(7)
    arrays = [rng.normal(280, 5, (10, 20)).astype(np.float32) for _ in range(3)]
    mem = mem_dataset(arrays, gdal.GDT_Float32)
    mem.SetMetadata({"NETCDF_DIM_EXTRA": "{level}", "NETCDF_DIM_level_DEF": "{3,4}",
                     "NETCDF_DIM_level_VALUES": "{1000,850,700}", "level#units": "hPa"})
    for b, level in enumerate([1000, 850, 700], 1):
        mem.GetRasterBand(b).SetMetadata({"NETCDF_DIM_level": str(level)})
    source_nc = tmp_path / "levels.nc"
    assert gdal.Translate(str(source_nc), mem, format="netCDF") is not None
    src = open_source(source_nc)
    gdal.ErrorReset()
    out = xav_create_ok(src, tmp_path / "levels.mkv", ["LOSSLESS=YES"])
    assert gdal.GetLastErrorType() == gdal.CE_None, gdal.GetLastErrorMsg()
    assert out.GetMetadataItem("NETCDF_DIM_level_DEF") == "{3,4}"
    assert out.GetMetadataItem("level#calendar") is None
    assert out.GetMetadataItem("level#units") == "hPa"
    back_nc = tmp_path / "back.nc"
    assert gdal.Translate(str(back_nc), out, format="netCDF") is not None
    md = gdal.OpenEx(str(back_nc), gdal.OF_MULTIDIM_RASTER)
    level = md.GetRootGroup().OpenMDArray("level")
    assert level.GetDataType().GetNumericDataType() == gdal.GDT_Int32
    np.testing.assert_array_equal(level.ReadAsArray(), [1000, 850, 700])
    back = open_source(back_nc)
    for b in range(3):
        np.testing.assert_array_equal(back.GetRasterBand(b + 1).ReadAsArray(), arrays[b])


def test_single_time_listed_as_gdal_netcdf_does(tmp_path):
    """GDAL's netCDF driver lists a dimension of one value without braces;
    so does XAVIDEO, and gdal_translate -of netCDF writes it back."""
    rng = np.random.default_rng(11)
    mem = mem_dataset([rng.normal(0, 1, (8, 8)).astype(np.float32)], gdal.GDT_Float32)
    out = xav_create_ok(mem, tmp_path / "one.mkv",
                        ["LOSSLESS=YES", "TIME_VALUES=12", "TIME_UNITS=hours since 1996-01-01"])
    assert out.GetMetadataItem("NETCDF_DIM_time_VALUES") == "12"
    assert out.GetRasterBand(1).GetMetadataItem("TIME", "XAVIDEO") == "1996-01-01T12:00:00"
    nc = tmp_path / "one.nc"
    assert gdal.Translate(str(nc), out, format="netCDF") is not None
    md = gdal.OpenEx(str(nc), gdal.OF_MULTIDIM_RASTER)
    np.testing.assert_array_equal(md.GetRootGroup().OpenMDArray("time").ReadAsArray(), [12])


# A rational polynomial model of L7_ETMs' scene (Recife: 8.04 S, 34.91 W),
# as a Level-1 product carries one: gdalwarp -rpc georeferences with it.
L7_RPC = {
    "LINE_OFF": "176", "SAMP_OFF": "174", "LAT_OFF": "-8.05", "LONG_OFF": "-34.9",
    "HEIGHT_OFF": "0", "LINE_SCALE": "176", "SAMP_SCALE": "174", "LAT_SCALE": "0.01",
    "LONG_SCALE": "0.01", "HEIGHT_SCALE": "100",
    "LINE_NUM_COEFF": " ".join(["0", "0", "-1"] + ["0"] * 17),
    "LINE_DEN_COEFF": " ".join(["1"] + ["0"] * 19),
    "SAMP_NUM_COEFF": " ".join(["0", "1"] + ["0"] * 18),
    "SAMP_DEN_COEFF": " ".join(["1"] + ["0"] * 19),
}
XMP = ('<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf='
       '"http://www.w3.org/1999/02/22-rdf-syntax-ns#"/></x:xmpmeta>')


def test_rpc_imagery_and_xmp_domains_are_kept(tmp_path):
    """Metadata domains besides the default one (RPC, IMAGERY, xml:XMP)
    come back as the source had them; gdalwarp -rpc on the copy puts the
    scene where it puts the source, and GeoTIFF gets the RPCs on."""
    src = gdal.Translate(str(tmp_path / "l1.tif"), str(L7), bandList=[1, 2, 3])
    src.SetMetadata(L7_RPC, "RPC")
    src.SetMetadata({"SATELLITEID": "L7", "CLOUDCOVER": "0"}, "IMAGERY")
    src.SetMetadata([XMP], "xml:XMP")
    src = None
    src = gdal.Open(str(tmp_path / "l1.tif"))
    assert src.GetMetadata("RPC") and src.GetMetadata("xml:XMP") == [XMP]
    mkv = tmp_path / "l1.mkv"
    out = xav_create_ok(src, mkv)
    for domain in ("RPC", "IMAGERY", "xml:XMP"):
        assert out.GetMetadata(domain) == src.GetMetadata(domain), domain
        assert domain in out.GetMetadataDomainList()
    assert json.loads((tmp_path / "l1.mkv.json").read_text())["schema_version"] == 8

    warped = {}
    for name, path in (("source", tmp_path / "l1.tif"), ("copy", mkv)):
        dst = tmp_path / f"warped_{name}.tif"
        p = run_cli(["gdalwarp", "-q", "-rpc", "-of", "GTiff", path, dst])
        assert p.returncode == 0, p.stderr
        ds = gdal.Open(str(dst))
        warped[name] = (ds.RasterXSize, ds.RasterYSize, ds.GetGeoTransform())
    assert warped["copy"] == warped["source"]
    assert warped["copy"][2][0] == pytest.approx(-34.91, abs=0.01)

    back = gdal.Translate(str(tmp_path / "back.tif"), str(mkv))
    assert back.GetMetadata("RPC") == src.GetMetadata("RPC")


def test_geolocation_arrays_left_out_are_said(tmp_path):
    """A source georeferenced by geolocation arrays (other datasets the
    GEOLOCATION domain names) is copied on its grid, with a warning that
    names the arrays and what to do; the copy does not point at them."""
    l7 = gdal.Open(str(L7))
    w, h = l7.RasterXSize, l7.RasterYSize
    gt = l7.GetGeoTransform()
    lon = np.tile(gt[0] + gt[1] * (np.arange(w) + 0.5), (h, 1))
    lat = np.tile((gt[3] + gt[5] * (np.arange(h) + 0.5))[:, None], (1, w))
    for name, a in (("lon", lon), ("lat", lat)):
        gdal.Translate(str(tmp_path / f"{name}.tif"), mem_dataset([a], gdal.GDT_Float64, epsg=None))
    src = gdal.Translate(str(tmp_path / "swath.vrt"), str(L7), format="VRT", bandList=[1])
    src.SetMetadata({"X_DATASET": str(tmp_path / "lon.tif"), "X_BAND": "1",
                     "Y_DATASET": str(tmp_path / "lat.tif"), "Y_BAND": "1",
                     "PIXEL_OFFSET": "0", "PIXEL_STEP": "1", "LINE_OFFSET": "0", "LINE_STEP": "1",
                     "SRS": "EPSG:32725"}, "GEOLOCATION")
    src = None
    src = gdal.Open(str(tmp_path / "swath.vrt"))
    assert src.GetMetadata("GEOLOCATION")
    out, log = xav_create(src, str(tmp_path / "swath.mkv"))
    assert out is not None, log.messages
    warnings = [m for c, _, m in log.records if c == gdal.CE_Warning]
    assert any("geolocation arrays" in m and "lon.tif" in m and "gdalwarp -geoloc" in m
               for m in warnings), log.messages
    out = None
    out = open_ds(str(tmp_path / "swath.mkv"))
    assert not out.GetMetadata("GEOLOCATION")
    assert out.GetGeoTransform() == gt


@pytest.mark.parametrize("options", [["LOSSLESS=YES"], []], ids=["lossless", "lossy"])
def test_bands_of_a_variable_with_other_nodata(tmp_path, options):
    """SST's months as a series of bands where month 3 marks its land
    with -9999, not -1e34: the variable has one nodata value, the first
    band's, and month 3's land reads back as it (not as valid -9999s),
    with a warning that names the band."""
    src = gdal.Open(SST)
    a = read_all(src)
    fill = src.GetRasterBand(1).GetNoDataValue()
    land = a[2] == np.float32(fill)
    a[2][land] = -9999
    ds = mem_dataset(list(a), gdal.GDT_Float32, nodata=fill)
    ds.GetRasterBand(3).SetNoDataValue(-9999)
    out, log = xav_create(ds, str(tmp_path / "sst.mkv"), ["BANDS_PER_TIME=1"] + options)
    assert out is not None, log.messages
    assert any("band 3: -9999" in m and "one nodata" in m for m in log.messages), log.messages
    out = None
    out = open_ds(str(tmp_path / "sst.mkv"))
    band = out.GetRasterBand(3)
    assert band.GetNoDataValue() == pytest.approx(fill)
    got = band.ReadAsArray()
    assert (got[land] == np.float32(fill)).all()
    assert (band.GetMaskBand().ReadAsArray()[land] == 0).all()
    if options:
        assert_bits_equal(a[2][~land], got[~land], "month 3's sea")


def test_signed_bytes_stay_signed(tmp_path):
    """GDAL 3.6 has no Int8: a signed GeoTIFF or a netCDF byte variable is
    a Byte band that says PIXELTYPE=SIGNEDBYTE. SST's anomaly from its
    yearly mean, in whole degrees (-128 to 127), comes back signed,
    exactly (by default too), and GeoTIFF gets it signed."""
    src = gdal.Open(SST)
    a = read_all(src).astype(np.float64)
    land = a == np.float32(src.GetRasterBand(1).GetNoDataValue())
    a[land] = np.nan
    anomaly = np.where(land, -128, np.clip(np.round(a - np.nanmean(a, axis=0)), -127, 127))
    signed = anomaly.astype(np.int8)
    assert signed.min() < 0 < signed.max()
    gt = gdal.GetDriverByName("GTiff").Create(str(tmp_path / "a.tif"), a.shape[2], a.shape[1],
                                              a.shape[0], gdal.GDT_Byte, ["PIXELTYPE=SIGNEDBYTE"])
    for i in range(a.shape[0]):
        gt.GetRasterBand(i + 1).WriteArray(signed[i].view(np.uint8))
    gt = None
    nc = gdal.Translate(str(tmp_path / "a.nc"), str(tmp_path / "a.tif"), format="netCDF",
                        bandList=[3])
    assert nc.GetRasterBand(1).GetMetadataItem("PIXELTYPE", "IMAGE_STRUCTURE") == "SIGNEDBYTE"
    nc = None
    march = xav_create_ok(str(tmp_path / "a.nc"), tmp_path / "march.mkv")
    assert (march.GetRasterBand(1).ReadAsArray().view(np.int8) == signed[2]).all()
    out = xav_create_ok(str(tmp_path / "a.tif"), tmp_path / "a.mkv", ["BANDS_PER_TIME=1"])
    for b in (1, 12):
        band = out.GetRasterBand(b)
        assert band.GetMetadataItem("PIXELTYPE", "IMAGE_STRUCTURE") == "SIGNEDBYTE"
        assert (band.ReadAsArray().view(np.int8) == signed[b - 1]).all(), b
    back = gdal.Translate(str(tmp_path / "back.tif"), str(tmp_path / "a.mkv"))
    assert back.GetRasterBand(1).GetMetadataItem("PIXELTYPE", "IMAGE_STRUCTURE") == "SIGNEDBYTE"
    assert (back.GetRasterBand(1).ReadAsArray().view(np.int8) == signed[0]).all()
