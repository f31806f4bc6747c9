"""What CreateCopy refuses before writing anything: options that are
malformed or do not fit the source, types it cannot store. Every refusal
names what is wrong and leaves no file."""

import numpy as np
import pytest
from osgeo import gdal

from xavtest import (
    L7, LC, assert_error, error_text, list_dir, mem_dataset, open_source,
    probe_create, xav_create,
)


@pytest.mark.parametrize("opts,words", [
    (["CODEC=FOO"], ["codec"]),
    (["BITS=13"], ["bits"]),
    (["BITS=abc"], ["bits"]),
    (["BAND_LAYOUT=DIAGONAL"], ["band_layout"]),
    (["BANDS_PER_TIME=4"], ["bands_per_time"]),          # 6 bands are not T blocks of 4
    (["BANDS_PER_TIME=0"], ["bands_per_time"]),
    (["GROUPS=1,2,7"], ["groups"]),                      # variable 7 does not exist
    (["GROUPS=1,2"], ["groups"]),                        # 2 channels
    (["BAND_LAYOUT=TIME", "BANDS_PER_TIME=2", "TIME_VALUES=1,2"], ["time_values"]),  # 3 times, 2 values
], ids=lambda v: "+".join(v) if isinstance(v, list) and "=" in v[0] else None)
def test_bad_creation_options(data_dir, tmp_path, opts, words):
    mkv = tmp_path / "o.mkv"
    res = probe_create(L7, mkv, opts)
    assert not res["created"], f"CreateCopy accepted {opts}"
    assert res["errors"] and res["last"], f"{opts}: no CPLError message"
    text = error_text(res, [mkv])
    assert any(w in text for w in words), f"{opts}: no message mentions any of {words}: {res['errors']}"
    assert list_dir(tmp_path) == [], f"{opts}: files left {list_dir(tmp_path)}"


@pytest.mark.parametrize("gdt", [gdal.GDT_CInt16, gdal.GDT_CFloat32, gdal.GDT_CFloat64],
                         ids=["CInt16", "CFloat32", "CFloat64"])
def test_complex_types_refused(tmp_path, gdt):
    src = gdal.GetDriverByName("MEM").Create("", 16, 8, 1, gdt)
    src.GetRasterBand(1).Fill(3.0)
    mkv = tmp_path / "c.mkv"
    out, log = xav_create(src, mkv, ["LOSSLESS=YES"])
    assert out is None, f"complex type {gdal.GetDataTypeName(gdt)} accepted"
    assert_error(log, ["complex", "type", gdal.GetDataTypeName(gdt).lower()], strip=[mkv],
                 what=gdal.GetDataTypeName(gdt))
    assert list_dir(tmp_path) == [], list_dir(tmp_path)


def test_complex_vrt_band_among_real_ones_refused(data_dir, tmp_path):
    """A VRT with one complex band after real ones: refused, nothing written."""
    real = mem_dataset([np.zeros((8, 16), np.float32)] * 2, gdal.GDT_Float32)
    vrt = gdal.Translate("", real, format="VRT")
    vrt.AddBand(gdal.GDT_CFloat32)
    mkv = tmp_path / "c.mkv"
    out, log = xav_create(vrt, mkv, [])
    assert out is None
    assert_error(log, ["complex", "type", "cfloat32"], strip=[mkv], what="VRT with CFloat32 band")
    assert list_dir(tmp_path) == [], list_dir(tmp_path)


def test_bad_options_vsimem(data_dir, vsimem_dir):
    mkv = f"{vsimem_dir}/o.mkv"
    out, log = xav_create(open_source(L7), mkv, ["CODEC=FOO"])
    assert out is None
    assert_error(log, ["codec"], strip=[mkv], what="CODEC=FOO /vsimem/")
    assert not (gdal.ReadDir(vsimem_dir) or []), gdal.ReadDir(vsimem_dir)


@pytest.mark.parametrize("differs,words", [
    ("scale", ["band 2 has another offset or scale", "-unscale"]),
    ("offset", ["band 2 has another offset or scale"]),
    ("units", ["band 2 has another units"]),
    ("type", ["band 2 has another data type", "-ot"]),
])
def test_time_steps_of_one_variable_that_differ_are_refused(tmp_path, differs, words):
    """L7_ETMs' bands 1 and 2 stated to be two time steps of one variable
    (BANDS_PER_TIME=1), scaled (DN to reflectance) alike but for one thing:
    one offset, scale, units and type per variable would make band 2's
    values or meaning wrong, so the copy is refused and says how to fix
    it."""
    l7 = gdal.Open(str(L7))
    a = [l7.GetRasterBand(b).ReadAsArray() for b in (1, 2)]
    src = gdal.GetDriverByName("MEM").Create("", a[0].shape[1], a[0].shape[0], 1, gdal.GDT_Byte)
    src.AddBand(gdal.GDT_Int16 if differs == "type" else gdal.GDT_Byte)
    for i in (1, 2):
        band = src.GetRasterBand(i)
        band.WriteArray(a[i - 1])
        band.SetScale(0.002 if (differs == "scale" and i == 2) else 0.001)
        band.SetOffset(-0.1 if (differs == "offset" and i == 2) else 0.0)
        band.SetUnitType("%" if (differs == "units" and i == 2) else "1")
    mkv = tmp_path / "o.mkv"
    out, log = xav_create(src, mkv, ["BANDS_PER_TIME=1"])
    assert out is None, f"{differs}: accepted"
    text = log.text(strip=[mkv])
    assert all(w.lower() in text for w in words), log.messages
    assert list_dir(tmp_path) == [], list_dir(tmp_path)
    ok, _ = xav_create(src, tmp_path / "ok.mkv", ["BANDS_PER_TIME=2"])
    assert ok is not None, "as variables of their own they are accepted"


def test_time_steps_with_other_classes_are_refused(tmp_path):
    """NLCD land cover (a palette) as two years of one variable, the
    second with one class's color changed: one variable has one table, so
    giving the first year's to both would change the second's. Refused;
    with the same table both years, accepted."""
    lc = gdal.Open(str(LC))
    table = lc.GetRasterBand(1).GetColorTable()
    assert table is not None
    src = gdal.Translate("", lc, format="MEM", bandList=[1, 1])
    for b in (1, 2):
        src.GetRasterBand(b).SetColorTable(table)
    ok, log = xav_create(src, tmp_path / "same.mkv", ["BANDS_PER_TIME=1"])
    assert ok is not None, log.messages
    ok = None
    other = table.Clone()
    c = other.GetColorEntry(11)
    other.SetColorEntry(11, (255 - c[0], c[1], c[2], c[3]))
    src.GetRasterBand(2).SetColorTable(other)
    out, log = xav_create(src, tmp_path / "o.mkv", ["BANDS_PER_TIME=1"])
    assert out is None, "accepted"
    assert "band 2 has another color table or category names" in log.text(), log.messages
    assert not any(f.startswith("o.mkv") for f in list_dir(tmp_path)), list_dir(tmp_path)
