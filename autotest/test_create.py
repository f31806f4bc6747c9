"""Create: what GDAL users write through Create (gdalwarp -of XAVIDEO,
rasterio's 'w', rioxarray's to_raster, GDAL's own API) becomes a real
dataset, encoded with Create's options when the dataset is flushed or
closed, from the pixels, georeferencing, metadata and band attributes
written to it.

Checked against the source data (and, where a client writes everything a
source has, against CreateCopy of that source: the same sidecar, the same
pixels), with the pixels buffered in memory and in the temporary GTiff used
for rasters larger than XAVIDEO_CREATE_MEMORY. Failures are refused at
Create where they can be known then; a failure only the encode can see is a
CPLError with the reason, leaves no file, and reaches each client as
doc/xavideo.md ("Writing through Create") says."""
import logging
import os

import numpy as np
import pytest
from osgeo import gdal

from xavtest import (
    L7, LC, MAXT, UWND, assert_bits_equal, assert_georef_equal, capture_errors, cf_to_datetime, list_dir,
    open_ds, open_source, parse_nc_list, read_all, run_cli, valid_mask, with_srs,
)

import rasterio  # installed by scripts/bootstrap.sh: missing fails, never skips
import rioxarray  # noqa: F401  registers .rio

BUFFER_SUFFIX = ".xavbuffer.tif"


@pytest.fixture(params=["mem", "disk"])
def buffer(request):
    """Where Create keeps the pixels until the encode: in memory (MEM, the
    default for these sizes), or in a temporary GTiff next to the output,
    as for a raster larger than XAVIDEO_CREATE_MEMORY (0 here)."""
    if request.param == "disk":
        gdal.SetConfigOption("XAVIDEO_CREATE_MEMORY", "0")
    yield request.param
    gdal.SetConfigOption("XAVIDEO_CREATE_MEMORY", None)


def cli_config(buffer):
    return ["--config", "XAVIDEO_CREATE_MEMORY", "0"] if buffer == "disk" else []


def through_create(src, dst, options):
    """Writes src through Create with the GDAL API, carrying everything a
    client can set, and closes it (which encodes)."""
    drv = gdal.GetDriverByName("XAVIDEO")
    first = src.GetRasterBand(1)
    ds = drv.Create(str(dst), src.RasterXSize, src.RasterYSize, src.RasterCount, first.DataType,
                    options)
    assert ds is not None, gdal.GetLastErrorMsg()
    gt = src.GetGeoTransform(can_return_null=True)
    if gt is not None:
        assert ds.SetGeoTransform(gt) == gdal.CE_None
    if src.GetSpatialRef() is not None:
        assert ds.SetSpatialRef(src.GetSpatialRef()) == gdal.CE_None
    assert ds.SetMetadata(src.GetMetadata()) == gdal.CE_None
    for b in range(1, src.RasterCount + 1):
        s, d = src.GetRasterBand(b), ds.GetRasterBand(b)
        d.SetDescription(s.GetDescription())
        assert d.SetMetadata(s.GetMetadata()) == gdal.CE_None
        if s.GetNoDataValue() is not None:
            assert d.SetNoDataValue(s.GetNoDataValue()) == gdal.CE_None
        if s.GetUnitType():
            assert d.SetUnitType(s.GetUnitType()) == gdal.CE_None
        if s.GetColorTable() is not None:
            assert d.SetColorTable(s.GetColorTable()) == gdal.CE_None
        assert d.SetColorInterpretation(s.GetColorInterpretation()) == gdal.CE_None
        if s.GetOffset() not in (None, 0.0):
            assert d.SetOffset(s.GetOffset()) == gdal.CE_None
        if s.GetScale() not in (None, 1.0):
            assert d.SetScale(s.GetScale()) == gdal.CE_None
        if s.GetCategoryNames():
            assert d.SetCategoryNames(s.GetCategoryNames()) == gdal.CE_None
        assert d.WriteArray(s.ReadAsArray()) == gdal.CE_None
    with capture_errors() as log:
        ds = None
    assert not log.failures(), log.messages


def dataset_files(d):
    return sorted(os.path.relpath(os.path.join(r, f), d) for r, _, fs in os.walk(d) for f in fs)


def sidecar_text(mkv):
    with open(f"{mkv}.json", encoding="utf-8") as f:
        return f.read()


# ---- everything CreateCopy carries ----------------------------------------

SOURCES = {
    # Byte, 6 bands, 4 tiles of 256, lossless
    "l7": (lambda: open_source(L7), ["LOSSLESS=YES", "TILE_SIZE=256"]),
    # Float64 GRIB forecast: the time axis from GRIB_VALID_TIME, 6 tiles, lossy
    "maxt": (lambda: open_source(MAXT), ["PRESET=ultrafast"]),
    # netCDF time series with nodata, lossy with a bound
    "uwnd": (lambda: with_srs(UWND), ["MAX_ERROR=0.25"]),
    # a classified map with its color table
    "lc": (lambda: open_source(LC), []),
}


@pytest.mark.parametrize("name", ["l7", "maxt"])
def test_create_equals_createcopy_both_buffers(name, buffer, tmp_path):
    _check_create_equals_createcopy(name, tmp_path)


@pytest.mark.parametrize("name", ["uwnd", "lc"])
def test_create_equals_createcopy(name, tmp_path):
    _check_create_equals_createcopy(name, tmp_path)


def _check_create_equals_createcopy(name, tmp_path):
    """Create, given everything the source has, writes what CreateCopy of
    the source writes: the same sidecar, byte for byte, the same files and
    the same pixels (the source's, bit for bit, when lossless)."""
    make, options = SOURCES[name]
    src = make()
    (tmp_path / "create").mkdir()
    (tmp_path / "copy").mkdir()
    created, copied = tmp_path / "create" / "x.mkv", tmp_path / "copy" / "x.mkv"
    through_create(src, created, options)
    out = gdal.GetDriverByName("XAVIDEO").CreateCopy(str(copied), src, 0, options)
    assert out is not None, gdal.GetLastErrorMsg()
    out = None
    assert dataset_files(tmp_path / "create") == dataset_files(tmp_path / "copy")
    assert sidecar_text(created) == sidecar_text(copied)
    got, want = open_ds(created), open_ds(copied)
    assert got.RasterCount == src.RasterCount
    assert read_all(got).tobytes() == read_all(want).tobytes()
    if "LOSSLESS=YES" in options:
        assert read_all(got).tobytes() == read_all(src).tobytes()
    if name == "lc":
        assert got.GetRasterBand(1).GetColorTable().GetCount() == \
            src.GetRasterBand(1).GetColorTable().GetCount()
    if name == "maxt":
        times = [got.GetRasterBand(b).GetMetadataItem("TIME", "XAVIDEO") for b in (1, 4)]
        assert all(times) and times[0] < times[1], times


def test_disk_buffer_next_to_output_while_writing(tmp_path, vsimem_dir):
    """Beyond XAVIDEO_CREATE_MEMORY the pixels wait in NAME.mkv.xavbuffer.tif
    next to the output (/vsimem/ for an output there), gone after close."""
    gdal.SetConfigOption("XAVIDEO_CREATE_MEMORY", "0")
    try:
        for out in (tmp_path / "a.mkv", f"{vsimem_dir}/a.mkv"):
            ds = gdal.GetDriverByName("XAVIDEO").Create(str(out), 40, 30, 2, gdal.GDT_UInt16,
                                                         ["LOSSLESS=YES"])
            assert ds is not None, gdal.GetLastErrorMsg()
            assert gdal.VSIStatL(f"{out}{BUFFER_SUFFIX}") is not None
            data = np.arange(2 * 30 * 40, dtype=np.uint16).reshape(2, 30, 40)
            assert ds.WriteRaster(0, 0, 40, 30, data.tobytes()) == gdal.CE_None
            ds = None
            assert gdal.VSIStatL(f"{out}{BUFFER_SUFFIX}") is None
            assert read_all(open_ds(out)).tobytes() == data.tobytes()
    finally:
        gdal.SetConfigOption("XAVIDEO_CREATE_MEMORY", None)
    assert list_dir(tmp_path) == ["a.mkv", "a.mkv.json"]


def test_reads_before_close_and_flush_then_write(tmp_path):
    """Reading a dataset being written gives what was written; FlushCache
    encodes, and a change after it is encoded again at close (the files
    then hold the new pixels, not the flushed ones)."""
    src = read_all(open_source(L7))
    out = tmp_path / "f.mkv"
    ds = gdal.GetDriverByName("XAVIDEO").Create(str(out), src.shape[2], src.shape[1], 6,
                                                 gdal.GDT_Byte, ["LOSSLESS=YES"])
    assert ds.WriteRaster(0, 0, src.shape[2], src.shape[1], src.tobytes()) == gdal.CE_None
    assert ds.GetRasterBand(3).ReadAsArray().tobytes() == src[2].tobytes()
    ds.FlushCache()
    assert list_dir(tmp_path) == ["f.mkv", "f.mkv.json"]
    assert read_all(open_ds(out)).tobytes() == src.tobytes()
    changed = src.copy()
    changed[4, 10:20, 30:40] = 7
    assert ds.GetRasterBand(5).WriteArray(changed[4]) == gdal.CE_None
    ds = None
    assert read_all(open_ds(out)).tobytes() == changed.tobytes()
    assert list_dir(tmp_path) == ["f.mkv", "f.mkv.json"]


# ---- rasterio 'w' and rioxarray to_raster ----------------------------------

def test_rasterio_w_lossless(buffer, tmp_path):
    """rasterio's 'w' with creation options as keyword arguments: Landsat 7
    back bit for bit, with its CRS, transform, descriptions and tags."""
    out = tmp_path / "l7.mkv"
    with rasterio.open(L7) as src:
        profile = {k: src.profile[k] for k in ("width", "height", "count", "dtype", "crs",
                                               "transform")}
        data = src.read()
    with rasterio.open(out, "w", driver="XAVIDEO", LOSSLESS="YES", TILE_SIZE=256,
                       **profile) as ds:
        ds.write(data)
        ds.descriptions = ("blue", "green", "red", "nir", "swir1", "swir2")
        ds.update_tags(mission="Landsat 7")
    assert list_dir(tmp_path) == ["l7.mkv", "l7.mkv.json", "l7.mkv.tiles"]
    with rasterio.open(out) as ds:
        assert ds.driver == "XAVIDEO"
        assert ds.read().tobytes() == data.tobytes()
        assert ds.crs == profile["crs"] and ds.transform == profile["transform"]
        assert ds.descriptions == ("blue", "green", "red", "nir", "swir1", "swir2")
        assert ds.tags()["mission"] == "Landsat 7"


def test_rasterio_w_lossy_within_stated_bound(buffer, tmp_path):
    """UWND (Float32, nodata -99.9) through rasterio 'w' with MAX_ERROR:
    every valid pixel within the band's XAVIDEO_MAX_ERROR_BOUND of the
    source, nodata where the source has it."""
    out = tmp_path / "uwnd.mkv"
    src = gdal.Open(UWND)
    data = src.ReadAsArray()
    nodata = src.GetRasterBand(1).GetNoDataValue()
    with rasterio.open(out, "w", driver="XAVIDEO", width=src.RasterXSize,
                       height=src.RasterYSize, count=src.RasterCount, dtype="float32",
                       crs="EPSG:4326", transform=rasterio.Affine.from_gdal(*src.GetGeoTransform()),
                       nodata=nodata, MAX_ERROR="0.25") as ds:
        ds.write(data)
    got = gdal.Open(str(out))
    assert got.GetDriver().ShortName == "XAVIDEO" and got.RasterCount == 132
    valid = valid_mask(data, nodata)
    worst = 0.0
    for b in range(1, 133):
        band = got.GetRasterBand(b)
        bound = float(band.GetMetadataItem("XAVIDEO_MAX_ERROR_BOUND", "IMAGE_STRUCTURE"))
        assert bound == 0.25
        a, v = band.ReadAsArray().astype(np.float64), valid[b - 1]
        diff = np.abs(a[v] - data[b - 1][v])
        assert diff.max() <= bound, (b, diff.max())
        assert np.all(a[~v] == np.float32(nodata))
        worst = max(worst, diff.max())
    assert worst > 0  # lossy indeed


def test_rasterio_w_time_series(tmp_path):
    """The NDFD forecast through rasterio 'w' with its band tags: the time
    axis comes from the GRIB items as it does for CreateCopy."""
    out = tmp_path / "maxt.mkv"
    with rasterio.open(MAXT) as src:
        data = src.read()
        with rasterio.open(out, "w", driver="XAVIDEO", LOSSLESS="YES", width=src.width,
                           height=src.height, count=src.count, dtype=src.dtypes[0],
                           crs=src.crs, transform=src.transform, nodata=src.nodata) as ds:
            ds.write(data)
            for b in range(1, src.count + 1):
                ds.update_tags(b, **src.tags(b))
                ds.set_band_description(b, src.descriptions[b - 1])
    copy = tmp_path / "copy.mkv"
    assert gdal.GetDriverByName("XAVIDEO").CreateCopy(str(copy), gdal.Open(str(MAXT)), 0,
                                                      ["LOSSLESS=YES"]) is not None
    got, want = open_ds(out), open_ds(copy)
    assert read_all(got).tobytes() == data.tobytes()
    assert got.GetMetadata("XAVIDEO").keys() == want.GetMetadata("XAVIDEO").keys()
    for b in range(1, 5):
        for key in ("VARIABLE", "TIME", "TIME_INDEX"):
            assert got.GetRasterBand(b).GetMetadataItem(key, "XAVIDEO") == \
                want.GetRasterBand(b).GetMetadataItem(key, "XAVIDEO")
    assert got.GetRasterBand(1).GetMetadataItem("VARIABLE", "XAVIDEO") == "MaxT"


def test_rioxarray_to_raster_cube(tmp_path):
    """A real cube, UWND (132 months), written by rioxarray's to_raster in
    windows, as one variable over a time axis given by creation options:
    bit for bit, with its CRS, transform and nodata, each band at its date."""
    src = gdal.Open(UWND)
    times = parse_nc_list(src.GetMetadataItem("NETCDF_DIM_TIME_VALUES"))
    units = src.GetMetadataItem("TIME#units")
    cube = rioxarray.open_rasterio(UWND).rio.write_crs("EPSG:4326")
    out = tmp_path / "uwnd.mkv"
    cube.rio.to_raster(out, driver="XAVIDEO", windowed=True, LOSSLESS="YES",
                       BAND_LAYOUT="TIME", TIME_VALUES=",".join(f"{t:g}" for t in times),
                       TIME_UNITS=units, VARIABLE_NAMES="UWND")
    got = open_ds(out)
    assert_bits_equal(src.ReadAsArray(), read_all(got), "to_raster")
    assert np.allclose(got.GetGeoTransform(), src.GetGeoTransform(), rtol=1e-12)
    assert got.GetSpatialRef().GetAuthorityCode(None) == "4326"
    assert got.GetRasterBand(1).GetNoDataValue() == src.GetRasterBand(1).GetNoDataValue()
    for b in (1, 66, 132):
        band = got.GetRasterBand(b)
        assert band.GetMetadataItem("VARIABLE", "XAVIDEO") == "UWND"
        assert band.GetMetadataItem("TIME_INDEX", "XAVIDEO") == str(b - 1)
        assert band.GetMetadataItem("TIME", "XAVIDEO")[:10] == \
            f"{cf_to_datetime(times[b - 1], units):%Y-%m-%d}"
    back = rioxarray.open_rasterio(out)
    assert back.shape == (132, 73, 144)
    assert back.values.tobytes() == src.ReadAsArray().tobytes()


# ---- gdalwarp ---------------------------------------------------------------

@pytest.mark.parametrize("name,args", [
    ("l7", ["-t_srs", "EPSG:4326", "-r", "bilinear"]),
    ("maxt", ["-t_srs", "EPSG:4326", "-tr", "0.1", "0.1"]),
])
def test_gdalwarp_like_gtiff(name, args, buffer, tmp_path):
    """gdalwarp -of XAVIDEO (lossless) gives what gdalwarp -of GTiff gives:
    pixels, georeferencing, nodata."""
    source = {"l7": L7, "maxt": MAXT}[name]
    tif, mkv = tmp_path / "w.tif", tmp_path / "w.mkv"
    p = run_cli(["gdalwarp", "-q", *args, "-of", "GTiff", source, tif])
    assert p.returncode == 0, p.stderr
    p = run_cli(["gdalwarp", "-q", *cli_config(buffer), *args, "-of", "XAVIDEO",
                 "-co", "LOSSLESS=YES", source, mkv])
    assert p.returncode == 0, p.stderr
    assert not p.stderr.strip(), p.stderr
    want, got = gdal.Open(str(tif)), open_ds(mkv)
    # (the sidecar keeps 15 significant digits, as for CreateCopy)
    assert_georef_equal(want, got, "gdalwarp")
    assert [got.GetRasterBand(b).GetNoDataValue() for b in range(1, got.RasterCount + 1)] == \
        [want.GetRasterBand(b).GetNoDataValue() for b in range(1, want.RasterCount + 1)]
    assert_bits_equal(read_all(want), read_all(got), "gdalwarp")
    assert not any(f.endswith(BUFFER_SUFFIX) for f in list_dir(tmp_path))


# ---- failures ----------------------------------------------------------------

REFUSED_AT_CREATE = [
    # (what, name, size, bands, type, options, config, words in the message)
    ("bad CODEC", "x.mkv", 16, 3, gdal.GDT_Byte, ["CODEC=NOPE"], None, ["CODEC=NOPE"]),
    ("bad LOSSLESS", "x.mkv", 16, 3, gdal.GDT_Byte, ["LOSSLESS=maybe"], None, ["LOSSLESS"]),
    ("lossy codec lossless", "x.mkv", 16, 3, gdal.GDT_Byte, ["LOSSLESS=YES", "CODEC=X265"],
     None, ["LOSSLESS"]),
    ("TILE_SIZE too large", "x.mkv", 16, 3, gdal.GDT_Byte, ["TILE_SIZE=9000"], None,
     ["TILE_SIZE"]),
    ("BANDS_PER_TIME", "x.mkv", 16, 3, gdal.GDT_Byte, ["BANDS_PER_TIME=2"], None,
     ["BANDS_PER_TIME=2"]),
    ("complex type", "x.mkv", 16, 3, gdal.GDT_CFloat32, [], None, ["CFloat32"]),
    ("no band", "x.mkv", 16, 0, gdal.GDT_Byte, [], None, ["bands"]),
    ("a sidecar's name", "x.mkv.json", 16, 3, gdal.GDT_Byte, [], None, ["sidecar"]),
    ("no such folder", "nowhere/x.mkv", 16, 3, gdal.GDT_Byte, [], None, ["does not exist"]),
    ("bad memory budget", "x.mkv", 16, 3, gdal.GDT_Byte, [], "abc", ["XAVIDEO_CREATE_MEMORY"]),
]


@pytest.mark.parametrize("case", REFUSED_AT_CREATE, ids=[c[0] for c in REFUSED_AT_CREATE])
def test_refused_at_create(case, tmp_path):
    what, name, size, bands, typ, options, memory, words = case
    gdal.SetConfigOption("XAVIDEO_CREATE_MEMORY", memory)
    try:
        with capture_errors() as log:
            ds = gdal.GetDriverByName("XAVIDEO").Create(str(tmp_path / name), size, size, bands,
                                                         typ, options)
    finally:
        gdal.SetConfigOption("XAVIDEO_CREATE_MEMORY", None)
    assert ds is None, what
    failures = [m for c, _, m in log.records if c >= gdal.CE_Failure]
    assert any(all(w in m for w in words) for m in failures), log.messages
    assert list_dir(tmp_path) == []


def test_bad_option_refused_at_open_by_clients(tmp_path):
    """An option value the encode would refuse is refused when the dataset
    is created: rasterio raises at open, gdalwarp fails, nothing written."""
    with pytest.raises(Exception) as e:
        with rasterio.open(tmp_path / "r.mkv", "w", driver="XAVIDEO", width=16, height=16,
                           count=1, dtype="uint8", CODEC="NOPE") as ds:
            ds.write(np.zeros((1, 16, 16), np.uint8))
    assert "CODEC=NOPE" in str(e.value)
    p = run_cli(["gdalwarp", "-q", "-of", "XAVIDEO", "-co", "CODEC=NOPE", L7, tmp_path / "w.mkv"])
    assert p.returncode != 0 and "CODEC=NOPE" in p.stderr, p.stderr
    assert list_dir(tmp_path) == []


# VALID_RANGE=0,10 parses, but the encode finds Landsat 7's values (47 to
# 255) outside it: a failure only the encode, at flush or close, can see.
OUT_OF_RANGE = ["VALID_RANGE=0,10"]


def _l7_create(out):
    src = read_all(open_source(L7))
    ds = gdal.GetDriverByName("XAVIDEO").Create(str(out), src.shape[2], src.shape[1], 6,
                                                 gdal.GDT_Byte, OUT_OF_RANGE)
    assert ds is not None, gdal.GetLastErrorMsg()
    assert ds.WriteRaster(0, 0, src.shape[2], src.shape[1], src.tobytes()) == gdal.CE_None
    return ds


def _says_not_written(message, out):
    return f"{out} was not written" in message and "VALID_RANGE=0,10 does not hold" in message


def test_failure_at_close_reported_nothing_left(buffer, tmp_path):
    """GDALClose cannot return it (GDAL 3.6): the failure is a CE_Failure
    CPLError with the reason, and no file is left, buffer included."""
    out = tmp_path / "c.mkv"
    ds = _l7_create(out)
    with capture_errors() as log:
        del ds
    failures = [m for c, _, m in log.records if c == gdal.CE_Failure]
    assert any(_says_not_written(m, out) and "closed" in m for m in failures), log.messages
    assert gdal.GetLastErrorType() == gdal.CE_Failure
    assert _says_not_written(gdal.GetLastErrorMsg(), out)
    assert list_dir(tmp_path) == []


def test_failure_at_flush_raises_with_exceptions(buffer, tmp_path):
    """FlushCache encodes, so a GDAL Python user gets the failure as an
    exception (gdal.UseExceptions) or as the error state before closing;
    close does not encode (nor report) it again when nothing changed."""
    out = tmp_path / "f.mkv"
    ds = _l7_create(out)
    gdal.UseExceptions()
    try:
        with pytest.raises(RuntimeError) as e:
            ds.FlushCache()
    finally:
        gdal.DontUseExceptions()
    message = str(e.value)
    del e  # its traceback holds the dataset open
    assert _says_not_written(message, out) and "flushed" in message
    # the pixels stay buffered: the dataset is still open
    assert list_dir(tmp_path) == ([f"f.mkv{BUFFER_SUFFIX}"] if buffer == "disk" else [])
    with capture_errors() as log:
        ds = None
    assert not log.records, log.messages
    assert list_dir(tmp_path) == []


def test_failure_at_flush_then_fixed(tmp_path):
    """A failed flush is not the end: what is written after it is encoded
    at close."""
    out = tmp_path / "g.mkv"
    ds = _l7_create(out)
    with capture_errors() as log:
        ds.FlushCache()
    assert any(_says_not_written(m, out) for m in log.messages), log.messages
    assert list_dir(tmp_path) == []
    fixed = np.minimum(read_all(open_source(L7)), 10)
    assert ds.WriteRaster(0, 0, fixed.shape[2], fixed.shape[1], fixed.tobytes()) == gdal.CE_None
    with capture_errors() as log:
        ds = None
    assert not log.failures(), log.messages
    got = open_ds(out)
    for b in range(1, 7):
        err = float(got.GetRasterBand(b).GetMetadataItem("XAVIDEO_MAX_ABS_ERROR", "IMAGE_STRUCTURE"))
        diff = np.abs(got.GetRasterBand(b).ReadAsArray().astype(int) - fixed[b - 1])
        assert diff.max() <= err


def test_gdalwarp_failure_exit_code(buffer, tmp_path):
    """gdalwarp flushes its output before returning and checks the error
    state: an encode failure makes it exit 1 with the reason."""
    p = run_cli(["gdalwarp", "-q", *cli_config(buffer), "-of", "XAVIDEO",
                 *[a for o in OUT_OF_RANGE for a in ("-co", o)], L7, tmp_path / "w.mkv"])
    assert p.returncode == 1, (p.returncode, p.stderr)
    assert _says_not_written(p.stderr, tmp_path / "w.mkv"), p.stderr
    assert list_dir(tmp_path) == []


def test_rasterio_failure_at_close(buffer, tmp_path, caplog):
    """rasterio 1.3 calls GDALClose and looks at no error after it: close()
    returns, and the failure reaches the user only as GDAL's error, which
    rasterio logs (logger rasterio._env, INFO) inside a rasterio.Env and
    GDAL prints on stderr outside one. No file is left."""
    out = tmp_path / "r.mkv"
    with rasterio.open(L7) as src:
        data = src.read()
    raised = None
    with caplog.at_level(logging.INFO, logger="rasterio._env"), rasterio.Env():
        try:
            with rasterio.open(out, "w", driver="XAVIDEO", width=data.shape[2],
                               height=data.shape[1], count=6, dtype="uint8",
                               VALID_RANGE="0,10") as ds:
                ds.write(data)
        except Exception as e:  # not rasterio 1.3's way; accepted if it says why
            raised = e
    said = [r.getMessage() for r in caplog.records] + ([str(raised)] if raised else [])
    assert any(_says_not_written(m, out) for m in said), said
    assert list_dir(tmp_path) == []


def test_rioxarray_failure_at_close(tmp_path, caplog):
    """rioxarray's to_raster closes through rasterio: it returns, the
    failure is GDAL's message in rasterio's log, and no file is left."""
    out = tmp_path / "x.mkv"
    cube = rioxarray.open_rasterio(L7)
    raised = None
    with caplog.at_level(logging.INFO, logger="rasterio._env"), rasterio.Env():
        try:
            cube.rio.to_raster(out, driver="XAVIDEO", VALID_RANGE="0,10")
        except Exception as e:  # not rioxarray 0.13's way; accepted if it says why
            raised = e
    said = [r.getMessage() for r in caplog.records] + ([str(raised)] if raised else [])
    assert any(_says_not_written(m, out) for m in said), said
    assert list_dir(tmp_path) == []
