"""LOSSLESS=YES round trips: bit-exact data, same types, georeferencing.

The "done when" CLI checks are here: gdal_translate -of XAVIDEO then
-of GTiff back, bit-identical band by band against the SOURCE."""

import json
import math

import numpy as np
import pytest
from osgeo import gdal

from xavtest import (
    L7, LC, MAXT, UWND, DRIVER_NAME,
    assert_bits_equal, assert_datasets_bits_equal, assert_georef_equal,
    file_exists, l8_stack, mem_dataset, open_ds, open_source, read_all,
    run_cli, sidecar_of, xav_create_ok,
)


def cli_roundtrip(src_name, tmp_path, co=("LOSSLESS=YES",)):
    """gdal_translate -of XAVIDEO src out.mkv; gdal_translate -of GTiff
    out.mkv back.tif. Returns (mkv path, back.tif path)."""
    mkv = tmp_path / "out.mkv"
    back = tmp_path / "back.tif"
    args = ["gdal_translate", "-q", "-of", DRIVER_NAME]
    for c in co:
        args += ["-co", c]
    p = run_cli(args + [str(src_name), mkv])
    assert p.returncode == 0, f"gdal_translate -of XAVIDEO failed ({p.returncode}): {p.stderr}"
    assert mkv.exists(), "NAME.mkv not written"
    assert (tmp_path / "out.mkv.json").exists(), "sidecar NAME.mkv.json not written"
    p = run_cli(["gdal_translate", "-q", "-of", "GTiff", mkv, back])
    assert p.returncode == 0, f"gdal_translate -of GTiff from XAVIDEO failed ({p.returncode}): {p.stderr}"
    return mkv, back


def test_cli_lossless_l7_byte_utm(data_dir, tmp_path):
    src = open_source(L7)
    mkv, back = cli_roundtrip(L7, tmp_path)
    out = open_ds(mkv)
    assert out is not None, gdal.GetLastErrorMsg()
    assert_datasets_bits_equal(src, out, "L7 XAVIDEO")
    assert_georef_equal(src, out, "L7 XAVIDEO (UTM 25S)")
    tif = open_source(back)
    assert_datasets_bits_equal(src, tif, "L7 back.tif")
    assert_georef_equal(src, tif, "L7 back.tif (UTM 25S)")


def test_cli_lossless_lc_palette(data_dir, tmp_path):
    src = open_source(LC)
    sct = src.GetRasterBand(1).GetColorTable()
    assert sct is not None and sct.GetCount() > 0
    mkv, back = cli_roundtrip(LC, tmp_path)
    for name in (mkv, back):
        out = open_source(name)
        assert_datasets_bits_equal(src, out, f"lc {name.name}")
        assert_georef_equal(src, out, f"lc {name.name}")
        ct = out.GetRasterBand(1).GetColorTable()
        assert ct is not None, f"{name.name}: palette lost"
        assert ct.GetCount() == sct.GetCount(), (
            f"{name.name}: palette has {ct.GetCount()} entries, source {sct.GetCount()}"
        )
        for i in range(sct.GetCount()):
            assert ct.GetColorEntry(i) == sct.GetColorEntry(i), (
                f"{name.name}: palette entry {i} {ct.GetColorEntry(i)} != {sct.GetColorEntry(i)}"
            )
        assert out.GetRasterBand(1).GetColorInterpretation() == gdal.GCI_PaletteIndex


def test_cli_lossless_landsat8_int16_nodata(data_dir, tmp_path):
    vrt = l8_stack(("B1", "B2", "B3", "B4", "B10", "B11"))
    vrt_path = tmp_path / "l8.vrt"
    src = gdal.GetDriverByName("VRT").CreateCopy(str(vrt_path), vrt)
    src = None
    src = open_source(vrt_path)
    mkv, back = cli_roundtrip(vrt_path, tmp_path)
    for name in (mkv, back):
        out = open_source(name)
        assert_datasets_bits_equal(src, out, f"L8 {name.name}")
        assert_georef_equal(src, out, f"L8 {name.name}")
        for i in range(1, out.RasterCount + 1):
            assert out.GetRasterBand(i).DataType == gdal.GDT_Int16
            assert out.GetRasterBand(i).GetNoDataValue() == -32768, (
                f"{name.name} band {i}: nodata {out.GetRasterBand(i).GetNoDataValue()} != -32768"
            )


def test_cli_lossless_uwnd_float32_series(data_dir, tmp_path):
    src = open_source(UWND)
    assert src.RasterCount == 132
    mkv, back = cli_roundtrip(UWND, tmp_path)
    for name in (mkv, back):
        out = open_source(name)
        assert_datasets_bits_equal(src, out, f"UWND {name.name}")
        for i in (1, 132):
            nd = out.GetRasterBand(i).GetNoDataValue()
            assert nd is not None and np.float32(nd) == np.float32(-99.9), (
                f"{name.name} band {i}: nodata {nd}"
            )
        gt = out.GetGeoTransform()
        assert np.allclose(gt, src.GetGeoTransform()), f"{name.name}: geotransform {gt}"


def test_cli_lossless_maxt_lambert_float64(data_dir, tmp_path):
    src = open_source(MAXT)
    mkv, back = cli_roundtrip(MAXT, tmp_path)
    for name in (mkv, back):
        out = open_source(name)
        assert_georef_equal(src, out, f"ds.maxt.bin {name.name} (Lambert conformal)")
        assert_datasets_bits_equal(src, out, f"ds.maxt.bin {name.name}")
        for i in range(1, out.RasterCount + 1):
            assert out.GetRasterBand(i).GetNoDataValue() == 9999


def test_lossy_default_keeps_georef_lambert(data_dir, tmp_path):
    """Georeferencing does not depend on the codec: default (lossy) too."""
    src = open_source(MAXT)
    out = xav_create_ok(src, tmp_path / "maxt.mkv")
    assert_georef_equal(src, out, "ds.maxt.bin lossy")
    assert out.RasterCount == 4
    assert all(out.GetRasterBand(i).DataType == gdal.GDT_Float64 for i in range(1, 5))


# --------------------------------------------------------------------------
# Every supported type, with extreme values, NaN, -0.0, inf.
# --------------------------------------------------------------------------

def _extreme_arrays(np_type, shape=(37, 53), nbands=3, seed=0):
    rng = np.random.default_rng(seed)
    arrays = []
    for b in range(nbands):
        if np.issubdtype(np_type, np.integer):
            info = np.iinfo(np_type)
            a = rng.integers(info.min, info.max, size=shape, endpoint=True, dtype=np_type)
            a[0, 0] = info.min
            a[0, 1] = info.max
            a[0, 2] = 0
            a[1, :] = np.arange(shape[1], dtype=np.int64).astype(np_type)  # smooth row
        else:
            info = np.finfo(np_type)
            a = (rng.standard_normal(shape) * 10.0 ** rng.integers(-30, 30, size=shape)).astype(np_type)
            a[0, 0] = np.nan
            a[0, 1] = -0.0
            a[0, 2] = 0.0
            a[0, 3] = np.inf
            a[0, 4] = -np.inf
            a[0, 5] = info.max
            a[0, 6] = info.min
            a[0, 7] = info.tiny
            a[0, 8] = np.float64(5e-324) if np_type == np.float64 else np.float32(1e-45)  # denormal
            # A NaN with a non-default payload and the sign bit set.
            u = a.view(np.uint64 if np_type == np.float64 else np.uint32)
            u[0, 9] = 0xFFF8000000000123 if np_type == np.float64 else 0xFFC00123
            a[1, :] = np.linspace(-1, 1, shape[1]).astype(np_type)
        arrays.append(a)
    return arrays


TYPES = [
    (gdal.GDT_Byte, np.uint8),
    (gdal.GDT_Int16, np.int16),
    (gdal.GDT_UInt16, np.uint16),
    (gdal.GDT_Int32, np.int32),
    (gdal.GDT_UInt32, np.uint32),
    (gdal.GDT_Float32, np.float32),
    (gdal.GDT_Float64, np.float64),
]


@pytest.mark.parametrize("gdt,np_type", TYPES, ids=[gdal.GetDataTypeName(t) for t, _ in TYPES])
def test_lossless_bit_exact_all_types(tmp_path, gdt, np_type):
    arrays = _extreme_arrays(np_type)
    src = mem_dataset(arrays, gdt)
    out = xav_create_ok(src, tmp_path / "t.mkv", ["LOSSLESS=YES"])
    assert out.RasterCount == len(arrays)
    for i, a in enumerate(arrays, start=1):
        assert out.GetRasterBand(i).DataType == gdt, (
            f"band {i}: type {gdal.GetDataTypeName(out.GetRasterBand(i).DataType)}"
        )
        assert_bits_equal(a, out.GetRasterBand(i).ReadAsArray(), f"{gdal.GetDataTypeName(gdt)} band {i}")


@pytest.mark.parametrize("gdt,np_type,nodata", [
    (gdal.GDT_Int16, np.int16, -32768),
    (gdal.GDT_Float32, np.float32, -9999.0),
    (gdal.GDT_Float64, np.float64, float("nan")),
], ids=["Int16", "Float32", "Float64-nan"])
def test_lossless_with_nodata_pixels(tmp_path, gdt, np_type, nodata):
    arrays = _extreme_arrays(np_type, nbands=2, seed=3)
    for a in arrays:
        a[5:9, 10:20] = nodata
    src = mem_dataset(arrays, gdt, nodata=nodata)
    out = xav_create_ok(src, tmp_path / "t.mkv", ["LOSSLESS=YES"])
    for i, a in enumerate(arrays, start=1):
        b = out.GetRasterBand(i)
        nd = b.GetNoDataValue()
        assert nd is not None, f"band {i}: nodata lost"
        if math.isnan(nodata):
            assert math.isnan(nd)
        else:
            assert nd == nodata
        assert_bits_equal(a, b.ReadAsArray(), f"band {i}")


# --------------------------------------------------------------------------
# Python API, /vsimem/, opening from either file.
# --------------------------------------------------------------------------

def test_lossless_vsimem_l8(data_dir, vsimem_dir):
    src = l8_stack()
    mkv = f"{vsimem_dir}/l8.mkv"
    out = xav_create_ok(src, mkv, ["LOSSLESS=YES"])
    assert file_exists(mkv) and file_exists(sidecar_of(mkv)), gdal.ReadDir(vsimem_dir)
    assert_datasets_bits_equal(src, out, "L8 /vsimem/")
    assert_georef_equal(src, out, "L8 /vsimem/")
    out = None
    assert gdal.GetDriverByName(DRIVER_NAME).Delete(mkv) == gdal.CE_None
    assert not file_exists(mkv) and not file_exists(sidecar_of(mkv)), (
        f"Delete left files in /vsimem/: {gdal.ReadDir(vsimem_dir)}"
    )
    assert not (gdal.ReadDir(vsimem_dir) or []), gdal.ReadDir(vsimem_dir)


def test_lossless_uwnd_vsimem(data_dir, vsimem_dir):
    src = open_source(UWND)
    mkv = f"{vsimem_dir}/uwnd.mkv"
    out = xav_create_ok(src, mkv, ["LOSSLESS=YES"])
    assert_datasets_bits_equal(src, out, "UWND /vsimem/")
    out = None
    assert gdal.GetDriverByName(DRIVER_NAME).Delete(mkv) == gdal.CE_None
    assert not (gdal.ReadDir(vsimem_dir) or []), gdal.ReadDir(vsimem_dir)


def test_open_from_video_or_sidecar(data_dir, tmp_path):
    src = open_source(L7)
    mkv = tmp_path / "l7.mkv"
    xav_create_ok(src, mkv, ["LOSSLESS=YES"])
    doc = json.loads(open(sidecar_of(mkv)).read())
    assert list(doc.keys())[0] == "format" and doc["format"] == "xavideo", list(doc.keys())[:3]
    assert doc.get("schema_version") == 3, f"schema_version {doc.get('schema_version')}"
    expected = read_all(src)
    for name in (mkv, sidecar_of(mkv)):
        ds = gdal.Open(str(name))
        assert ds is not None, f"gdal.Open({name}) failed: {gdal.GetLastErrorMsg()}"
        assert ds.GetDriver().ShortName == DRIVER_NAME, f"{name} opened by {ds.GetDriver().ShortName}"
        assert_bits_equal(expected, read_all(ds), f"opened from {name}")
        assert gdal.IdentifyDriver(str(name)).ShortName == DRIVER_NAME


def test_open_video_without_sidecar(data_dir, tmp_path):
    """The sidecar is embedded as a Matroska tag: the mkv alone opens."""
    src = open_source(L7)
    mkv = tmp_path / "l7.mkv"
    xav_create_ok(src, mkv, ["LOSSLESS=YES"])
    (tmp_path / "l7.mkv.json").unlink()
    assert gdal.IdentifyDriver(str(mkv)) is not None
    assert gdal.IdentifyDriver(str(mkv)).ShortName == DRIVER_NAME
    ds = gdal.Open(str(mkv))
    assert ds is not None, f"mkv without sidecar does not open: {gdal.GetLastErrorMsg()}"
    assert ds.GetDriver().ShortName == DRIVER_NAME
    assert_datasets_bits_equal(src, ds, "mkv without sidecar")
    assert_georef_equal(src, ds, "mkv without sidecar")


def test_open_video_without_sidecar_lossy_vsimem(data_dir, vsimem_dir):
    src = open_source(UWND)
    mkv = f"{vsimem_dir}/u.mkv"
    a = xav_create_ok(src, mkv)
    first = read_all(a)
    a = None
    assert gdal.Unlink(sidecar_of(mkv)) == 0
    ds = open_ds(mkv)
    assert ds is not None, f"mkv without sidecar does not open: {gdal.GetLastErrorMsg()}"
    assert ds.RasterCount == 132
    assert_bits_equal(first, read_all(ds), "same decode with and without sidecar")


# --------------------------------------------------------------------------
# Random access: bands in any order, windows, multi-band and resampled reads.
# --------------------------------------------------------------------------

def test_random_access_reads_uwnd(data_dir, tmp_path):
    src = open_source(UWND)
    out = xav_create_ok(src, tmp_path / "u.mkv", ["LOSSLESS=YES", "GOP=8"])
    rng = np.random.default_rng(11)
    order = list(rng.permutation(np.arange(1, 133))[:40]) + [132, 1, 131, 2, 66, 66]
    for i in order:
        i = int(i)
        assert_bits_equal(src.GetRasterBand(i).ReadAsArray(), out.GetRasterBand(i).ReadAsArray(),
                          f"band {i} read out of order")
    # Windows.
    for i, (x, y, w, h) in [(5, (0, 0, 1, 1)), (77, (143, 72, 1, 1)), (100, (10, 20, 50, 30)),
                            (3, (0, 35, 144, 2))]:
        assert_bits_equal(src.GetRasterBand(i).ReadAsArray(x, y, w, h),
                          out.GetRasterBand(i).ReadAsArray(x, y, w, h), f"band {i} window {(x, y, w, h)}")
    # Multi-band read through the dataset, with a band list.
    bl = [10, 3, 120]
    a = np.frombuffer(src.ReadRaster(0, 0, 144, 73, band_list=bl), dtype=np.float32)
    b = np.frombuffer(out.ReadRaster(0, 0, 144, 73, band_list=bl), dtype=np.float32)
    assert_bits_equal(a, b, f"dataset ReadRaster band_list={bl}")
    # Down-sampled read (nearest, no overviews on either side).
    assert_bits_equal(src.GetRasterBand(50).ReadAsArray(buf_xsize=36, buf_ysize=18),
                      out.GetRasterBand(50).ReadAsArray(buf_xsize=36, buf_ysize=18), "decimated read")


def test_two_handles_interleaved(data_dir, tmp_path):
    src = open_source(L7)
    mkv = tmp_path / "l7.mkv"
    xav_create_ok(src, mkv, ["LOSSLESS=YES"])
    a, b = open_ds(mkv), open_ds(sidecar_of(mkv))
    for i in (6, 1, 4, 2, 5, 3):
        assert_bits_equal(read_all(src)[i - 1], a.GetRasterBand(i).ReadAsArray(), f"handle A band {i}")
        assert_bits_equal(read_all(src)[7 - i - 1], b.GetRasterBand(7 - i).ReadAsArray(),
                          f"handle B band {7 - i}")
