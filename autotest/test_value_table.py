"""Lossless coding of few distinct values (quantization "table"): a GRIB
field unpacked to floats holds a few hundred values in millions of pixels.
Each value's place in a table of them all is coded instead of its 8 bytes,
and read back bit for bit.

Checked against the sources themselves, and against GTiff ZSTD with the
best predictor, the smallest lossless GDAL peer on these cubes before
tables (doc/rd/rd.md)."""
import json
import os

import numpy as np
import pytest

import xavtest  # noqa: F401  (registers the plugin before osgeo is used)
from osgeo import gdal

from xavtest import (
    DATA_DIR,
    MAXT,
    UWND,
    assert_bits_equal,
    assert_datasets_bits_equal,
    assert_error,
    capture_errors,
    list_dir,
    mem_dataset,
    open_source,
    read_all,
    sidecar_of,
    xav_create,
    xav_create_ok,
)

SAFRICA = DATA_DIR / "safrica.grib2"  # 3 variables x 25 steps, 210 x 140


def dataset_bytes(mkv):
    d, base = os.path.split(str(mkv))
    total = 0
    for f in os.listdir(d):
        p = os.path.join(d, f)
        if f.startswith(base) and os.path.isfile(p):
            total += os.path.getsize(p)
        elif f.startswith(base) and os.path.isdir(p):
            total += sum(os.path.getsize(os.path.join(r, g)) for r, _, fs in os.walk(p) for g in fs)
    return total


def zstd_bytes(src, tmp_path):
    """GTiff ZSTD lossless with its best predictor (1 or 3 for floats)."""
    best = None
    for pred in (1, 3):
        out = str(tmp_path / f"zstd{pred}.tif")
        gdal.Translate(out, src, format="GTiff",
                       creationOptions=["COMPRESS=ZSTD", "ZSTD_LEVEL=9", f"PREDICTOR={pred}",
                                        "TILED=YES", "INTERLEAVE=BAND"])
        size = os.path.getsize(out)
        best = size if best is None else min(best, size)
    return best


def quantization(mkv):
    return [v["quantization"] for v in json.loads(open(sidecar_of(mkv)).read())["variables"]]


@pytest.mark.parametrize("name,path", [("maxt", MAXT), ("safrica", SAFRICA)])
def test_grib_lossless_is_exact_and_below_zstd(data_dir, tmp_path, name, path):
    src = open_source(path)
    mkv = tmp_path / f"{name}.mkv"
    out = xav_create_ok(src, mkv, ["LOSSLESS=YES"])
    assert_datasets_bits_equal(src, out, name)
    q = quantization(mkv)
    assert all(v["mode"] == "table" for v in q), q
    assert all(1 <= v["table_size"] <= 65536 for v in q), q
    assert json.loads(open(sidecar_of(mkv)).read())["schema_version"] == 5
    ours, zstd = dataset_bytes(mkv), zstd_bytes(src, tmp_path)
    assert ours < zstd, f"{name}: {ours} bytes lossless, GTiff ZSTD {zstd}"


def test_table_size_is_the_count_of_distinct_values(data_dir, tmp_path):
    src = open_source(MAXT)
    mkv = tmp_path / "maxt.mkv"
    xav_create_ok(src, mkv, ["LOSSLESS=YES"])
    a = read_all(src)
    distinct = len(np.unique(a.view(np.uint64)))  # bit patterns, nodata included
    assert quantization(mkv)[0]["table_size"] == distinct
    ds = gdal.Open(str(mkv))
    assert ds.GetRasterBand(1).GetMetadataItem("XAVIDEO_VALUE_TABLE", "IMAGE_STRUCTURE") == str(distinct)


def test_every_bit_pattern_is_its_own_value(data_dir, tmp_path):
    """-0.0 beside 0.0, NaN payloads beside NaN, nodata and infinities: each
    a value of the table, each read back with its bits."""
    src = open_source(MAXT)
    a = read_all(src)[:2].astype(np.float32)
    flat = a.reshape(-1).view(np.uint32)
    specials = np.array([0x80000000, 0x7FC00000, 0x7FC00001, 0xFFC00123, 0x7F800000, 0xFF800000],
                        dtype=np.uint32)
    flat[: 6 * 1000] = np.repeat(specials, 1000)
    flat[10**5: 10**5 + 1000] = 0  # +0.0 too
    mem = mem_dataset(list(a), gdal.GDT_Float32, nodata=9999)
    mkv = tmp_path / "specials.mkv"
    out = xav_create_ok(mem, mkv, ["LOSSLESS=YES"])
    assert quantization(mkv)[0]["mode"] == "table"
    assert_bits_equal(a, read_all(out), "specials")


def test_many_values_keep_the_bits_coding(data_dir, tmp_path):
    """UWND: 708 thousand distinct values in 1.4 million pixels, no table."""
    src = open_source(UWND)
    mkv = tmp_path / "uwnd.mkv"
    out = xav_create_ok(src, mkv, ["LOSSLESS=YES"])
    assert quantization(mkv)[0]["mode"] == "bits"
    assert json.loads(open(sidecar_of(mkv)).read())["schema_version"] == 3
    assert_datasets_bits_equal(src, out, "UWND")


def _damage(mkv, how):
    js = sidecar_of(mkv)
    doc = json.loads(open(js).read())
    how(doc["variables"][0]["quantization"])
    open(js, "w").write(json.dumps(doc))


@pytest.mark.parametrize("case,how", [
    ("size", lambda q: q.update(table_size=q["table_size"] + 1)),
    ("bytes", lambda q: q.update(table=q["table"][:-8] + "AAAAAAA=")),
    ("missing", lambda q: q.pop("table")),
    ("not-base64", lambda q: q.update(table="!!!")),
])
def test_a_damaged_table_is_refused(data_dir, tmp_path, case, how):
    mkv = tmp_path / "maxt.mkv"
    xav_create_ok(open_source(MAXT), mkv, ["LOSSLESS=YES"])
    _damage(mkv, how)
    with capture_errors() as log:
        ds = gdal.OpenEx(str(mkv), gdal.OF_RASTER, allowed_drivers=["XAVIDEO"])
    assert ds is None, f"a sidecar with a damaged table ({case}) opened"
    assert_error(log, ["table"], what=case)


def test_an_edited_table_does_not_pass_for_the_videos(data_dir, tmp_path):
    """Another table of the same size would give other values for the same
    codes: the video's embedded description says which table it was coded
    with, and the read is refused."""
    mkv = tmp_path / "maxt.mkv"
    xav_create_ok(open_source(MAXT), mkv, ["LOSSLESS=YES"])
    other = tmp_path / "other.mkv"
    b = read_all(open_source(MAXT))[:1] + 0.5  # as many values, shifted
    xav_create_ok(mem_dataset(list(b), gdal.GDT_Float64), other, ["LOSSLESS=YES"])
    theirs = quantization(other)[0]
    _damage(mkv, lambda q: q.update(table=theirs["table"], table_size=theirs["table_size"]))
    with capture_errors() as log:
        ds = gdal.OpenEx(str(mkv), gdal.OF_RASTER, allowed_drivers=["XAVIDEO"])
        a = ds.GetRasterBand(1).ReadAsArray() if ds is not None else None
    assert a is None, "a sidecar with another table read"
    assert_error(log, ["does not match", "differ"], what="edited table")


def test_appending_values_outside_the_table_is_refused(data_dir, tmp_path):
    """The table is fixed at the first encode: a part with other values is
    refused before anything is written, the dataset left as it was."""
    mkv = tmp_path / "maxt.mkv"
    first = gdal.Translate("", str(MAXT), format="VRT", bandList=[1, 2])
    xav_create_ok(first, mkv, ["LOSSLESS=YES"])
    before, listing = open(sidecar_of(mkv), "rb").read(), list_dir(tmp_path)
    later = gdal.Translate("", str(MAXT), format="VRT", bandList=[3, 4])
    out, log = xav_create(later, mkv, ["APPEND_SUBDATASET=YES"])
    assert out is None, "an append of values outside the table succeeded"
    assert_error(log, ["value table"], what="append")
    assert open(sidecar_of(mkv), "rb").read() == before
    assert list_dir(tmp_path) == listing


def test_appending_values_of_the_table_is_exact(data_dir, tmp_path):
    """Days 3 and 4 of MaxT, each value moved to the nearest of days 1 and
    2's, appended to days 1 and 2: codes of the dataset's table."""
    mkv = tmp_path / "maxt.mkv"
    first = gdal.Translate("", str(MAXT), format="VRT", bandList=[1, 2])
    xav_create_ok(first, mkv, ["LOSSLESS=YES"])
    table = np.unique(read_all(first))
    later = gdal.Translate("", str(MAXT), format="MEM", bandList=[3, 4])
    b = read_all(later)
    idx = np.clip(np.searchsorted(table, b), 1, len(table) - 1)
    nearest = np.where(np.abs(table[idx - 1] - b) <= np.abs(table[idx] - b), table[idx - 1], table[idx])
    for i in range(2):
        later.GetRasterBand(i + 1).WriteArray(nearest[i])
    out, log = xav_create(later, mkv, ["APPEND_SUBDATASET=YES"])
    assert out is not None, log.messages
    out = None
    ds = gdal.Open(str(mkv))
    assert ds.RasterCount == 4
    got = read_all(ds)
    assert_bits_equal(read_all(first), got[:2], "days 1-2")
    assert_bits_equal(nearest, got[2:], "days 3-4")


def test_a_bound_below_two_steps_is_met_exactly(data_dir, tmp_path):
    """MaxT lies on a 0.1 K lattice: MAX_ERROR=0.145 (under two steps) is
    met by the table, bit for bit and in fewer bytes than lossy coding with
    corrections at that bound; MAX_ERROR=0.3 stays lossy, within it."""
    src = open_source(MAXT)
    a = read_all(src)
    sizes = {}
    for bound, table in [(0.145, "YES"), (0.145, "NO"), (0.3, "YES")]:
        mkv = tmp_path / f"maxt_{bound}_{table}.mkv"
        out = xav_create_ok(src, mkv, [f"MAX_ERROR={bound}", f"VALUE_TABLE={table}"])
        got = read_all(out)
        out = None
        mode = quantization(mkv)[0]["mode"]
        sizes[(bound, table)] = dataset_bytes(mkv)
        if (bound, table) == (0.145, "YES"):
            assert mode == "table"
            assert_bits_equal(a, got, "MAX_ERROR=0.145")
        else:
            assert mode == "linear", mode
            valid = a != 9999
            assert np.abs(got[valid] - a[valid]).max() <= bound
    assert sizes[(0.145, "YES")] < sizes[(0.145, "NO")], sizes


def test_value_table_no_keeps_the_bits(data_dir, tmp_path):
    src = open_source(MAXT)
    mkv = tmp_path / "maxt.mkv"
    out = xav_create_ok(src, mkv, ["LOSSLESS=YES", "VALUE_TABLE=NO"])
    assert quantization(mkv)[0]["mode"] == "bits"
    assert_datasets_bits_equal(src, out, "VALUE_TABLE=NO")


def test_a_bad_value_table_option_is_refused(data_dir, tmp_path):
    mkv = tmp_path / "maxt.mkv"
    out, log = xav_create(open_source(MAXT), mkv, ["LOSSLESS=YES", "VALUE_TABLE=MAYBE"])
    assert out is None
    assert_error(log, ["VALUE_TABLE"], what="VALUE_TABLE=MAYBE")
    assert not os.path.exists(mkv)
