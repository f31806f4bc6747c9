"""Correlated bands coded as their principal components (DECORRELATE, on
by default): three lossy variables that share a stream and move together
are coded as a transform of all three (quantization "mixed", schema 7).

The data is Landsat 7 ETM+ (6 Byte bands, 2 streams of 3), whose bands are
strongly correlated, and variants of it: with nodata, as Float32 with NaN,
beside bands of noise, and as a time series appended to. Every value is
checked against the source, and the sidecar's quality against the values
read."""
import json
import os

import numpy as np
import pytest

import xavtest  # noqa: F401  (registers the plugin before osgeo is used)
from osgeo import gdal

from xavtest import (
    L7,
    assert_open_refused,
    mem_dataset,
    probe_open,
    psnr,
    read_all,
    sidecar_of,
    valid_mask,
    xav_create,
    xav_create_ok,
)


def l7_bands():
    return read_all(gdal.Open(str(L7)))


def l7_like(arrays, dtype, nodata=None):
    src = gdal.Open(str(L7))
    ds = mem_dataset(arrays, dtype, nodata=nodata, gt=src.GetGeoTransform(), epsg=None)
    ds.SetSpatialRef(src.GetSpatialRef())
    return ds


def doc_of(mkv):
    with open(sidecar_of(mkv)) as f:
        return json.load(f)


def modes(doc):
    return [v["quantization"]["mode"] for v in doc["variables"]]


def bytes_of(folder):
    return sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(folder) for f in fs)


def assert_within_bounds(ds, ref, doc, nodata=None):
    """Every valid pixel within its variable's bound, invalid ones invalid,
    and the sidecar's PSNR that of the values read."""
    got = read_all(ds)
    nvars = len(doc["variables"])
    for b in range(ref.shape[0]):
        var = doc["variables"][b % nvars]
        valid = valid_mask(ref[b], nodata)
        err = np.abs(got[b][valid].astype(np.float64) - ref[b][valid])
        assert err.max() <= var["max_error"], f"band {b + 1}: {err.max()} > {var['max_error']}"
        if nodata is None and np.issubdtype(ref.dtype, np.floating):
            assert np.isnan(got[b][~valid]).all(), f"band {b + 1}: invalid pixels read as values"
        elif nodata is not None:
            assert (got[b][~valid] == nodata).all(), f"band {b + 1}: nodata not kept"
        peak = var["valid_range"][1] - var["valid_range"][0]
        measured = psnr(ref[b][valid], got[b][valid], peak=peak)
        assert abs(measured - doc["quality"]["psnr_db"][b]) < 0.01, (b, measured, doc["quality"])


def test_landsat_bands_are_coded_as_components(tmp_path):
    ref = l7_bands()
    (tmp_path / "mixed").mkdir()
    (tmp_path / "plain").mkdir()
    ds = xav_create_ok(str(L7), tmp_path / "mixed" / "l7.mkv")
    doc = doc_of(tmp_path / "mixed" / "l7.mkv")
    assert doc["schema_version"] == 7
    assert modes(doc) == ["mixed"] * 6, modes(doc)
    for v in doc["variables"][:3]:
        assert v["quantization"]["mix_variables"] == [0, 1, 2]
    assert {s["pix_fmt"] for s in doc["streams"] if s["role"] == "data"} == {"gbrp12le"}
    assert_within_bounds(ds, ref, doc)

    # against the same copy without the transform: fewer bytes, about the
    # same quality (measured: 18 % fewer for 0.65 dB, 14 % at equal PSNR)
    plain = xav_create_ok(str(L7), tmp_path / "plain" / "l7.mkv", ["DECORRELATE=NO"])
    pdoc = doc_of(tmp_path / "plain" / "l7.mkv")
    assert "mixed" not in modes(pdoc) and pdoc["schema_version"] == 3
    assert_within_bounds(plain, ref, pdoc)
    mean = lambda d: -10 * np.log10(np.mean(10 ** (-np.array(d["quality"]["psnr_db"]) / 10)))
    assert mean(doc) > mean(pdoc) - 1, (mean(doc), mean(pdoc))
    assert bytes_of(tmp_path / "mixed") < 0.9 * bytes_of(tmp_path / "plain")


def test_max_error_holds_through_the_transform(tmp_path):
    ref = l7_bands()
    ds = xav_create_ok(str(L7), tmp_path / "l7.mkv", ["MAX_ERROR=1"])
    doc = doc_of(tmp_path / "l7.mkv")
    assert modes(doc) == ["mixed"] * 6
    assert all(v["max_error"] == 1 for v in doc["variables"])
    assert_within_bounds(ds, ref, doc)


def test_av1_keeps_the_bands_apart_and_target_psnr_mixes_them(tmp_path):
    """The CRF shift is in x265's units: AV1 streams are not mixed."""
    ref = l7_bands()
    ds = xav_create_ok(str(L7), tmp_path / "av1.mkv", ["CODEC=AV1"])
    doc = doc_of(tmp_path / "av1.mkv")
    assert "mixed" not in modes(doc)
    assert_within_bounds(ds, ref, doc)
    ds = xav_create_ok(str(L7), tmp_path / "target.mkv", ["TARGET_PSNR=45"])
    doc = doc_of(tmp_path / "target.mkv")
    assert modes(doc) == ["mixed"] * 6
    assert_within_bounds(ds, ref, doc)
    assert min(doc["quality"]["psnr_db"]) >= 45, doc["quality"]


def test_nodata_pixels_stay_nodata(tmp_path):
    """Byte bands with a nodata block: each band has its own mask, and the
    transform is made of the pixels valid in all three."""
    ref = l7_bands()[:3].copy()
    ref[0, 40:90, 60:200] = 0
    ref[1, 100:180, 10:50] = 0
    ref[2, 300:, :] = 0
    ds = xav_create_ok(l7_like(list(ref), gdal.GDT_Byte, nodata=0), tmp_path / "nd.mkv")
    doc = doc_of(tmp_path / "nd.mkv")
    assert modes(doc) == ["mixed"] * 3
    assert all(v["mask"] for v in doc["variables"])
    assert_within_bounds(ds, ref, doc, nodata=0)


def test_float_bands_with_nan(tmp_path):
    ref = l7_bands()[3:].astype(np.float32) / 255
    ref[:, :30, :] = np.nan
    ref[1, 200:260, 100:300] = np.nan
    ds = xav_create_ok(l7_like(list(ref), gdal.GDT_Float32), tmp_path / "f.mkv")
    doc = doc_of(tmp_path / "f.mkv")
    assert modes(doc) == ["mixed"] * 3
    assert_within_bounds(ds, ref, doc)


def test_bands_that_do_not_move_together_stay_apart(tmp_path):
    """A Landsat band beside two bands of noise: the components would gain
    nothing, and the variables keep their own codes."""
    rng = np.random.default_rng(7)
    band = l7_bands()[0]
    arrays = [band, rng.integers(0, 256, band.shape, dtype=np.uint8),
              rng.integers(0, 256, band.shape, dtype=np.uint8)]
    ds = xav_create_ok(l7_like(arrays, gdal.GDT_Byte), tmp_path / "noise.mkv")
    doc = doc_of(tmp_path / "noise.mkv")
    assert "mixed" not in modes(doc), modes(doc)
    assert_within_bounds(ds, np.array(arrays), doc)


def test_lossless_is_exact_and_never_mixed(tmp_path):
    ref = l7_bands()
    ds = xav_create_ok(str(L7), tmp_path / "ll.mkv", ["LOSSLESS=YES"])
    assert "mixed" not in modes(doc_of(tmp_path / "ll.mkv"))
    np.testing.assert_array_equal(read_all(ds), ref)


def series(steps):
    """L7's first three bands as a time series: step k shifted by 40 k
    pixels, three variables a step."""
    bands = l7_bands()[:3]
    arrays = [np.roll(bands[c], 40 * k, axis=1) for k in steps for c in range(3)]
    ds = l7_like(arrays, gdal.GDT_Byte)
    opts = ["BANDS_PER_TIME=3", "TIME_VALUES=" + ",".join(str(k) for k in steps),
            "TIME_UNITS=days since 2001-01-01"]
    return ds, np.array(arrays), opts


def test_append_codes_the_part_as_the_dataset(tmp_path):
    mkv = tmp_path / "s.mkv"
    src, ref0, opts = series([0, 1])
    xav_create_ok(src, mkv, opts + ["VALID_RANGE=0,255"])
    src, ref1, opts = series([2])
    out, log = xav_create(src, mkv, opts + ["APPEND_SUBDATASET=YES"])
    assert out is not None, log.messages
    out = None
    doc = doc_of(mkv)
    assert modes(doc) == ["mixed"] * 3
    data = [s for s in doc["streams"] if s["role"] == "data"]
    assert len(data) == 2 and data[0]["crf"] == data[1]["crf"], data
    assert data[0]["pix_fmt"] == data[1]["pix_fmt"] == "gbrp12le"
    ds = gdal.OpenEx(str(mkv), gdal.OF_RASTER, allowed_drivers=["XAVIDEO"])
    assert ds.RasterCount == 9
    assert_within_bounds(ds, np.concatenate([ref0, ref1]), doc)


@pytest.fixture(scope="module")
def mixed_pair(tmp_path_factory):
    d = tmp_path_factory.mktemp("mixed")
    xav_create_ok(str(L7), d / "l7.mkv")
    return d / "l7.mkv"


def _mix(k, **changes):
    def f(doc):
        doc["variables"][k]["quantization"].update(changes)
    return f


def _lossless_stream(doc):
    doc["streams"][0]["lossless"] = True


MALFORMED = {
    "a weight missing": (_mix(0, mix=[0.1, 0.2]), ["mix"]),
    "a weight not a number": (_mix(1, mix=[0.1, "nan", 0.2]), ["mix"]),
    "a variable of another stream": (_mix(2, mix_variables=[0, 1, 3]), ["lacks a variable"]),
    "a variable number not an integer": (_mix(0, mix_variables=[0, 1.5, 2]), ["mix_variables"]),
    "a variable number negative": (_mix(0, mix_variables=[-1, 1, 2]), ["mix_variables"]),
    "no weights": (lambda d: d["variables"][0]["quantization"].pop("mix"), ["mix"]),
    "a lossless stream": (_lossless_stream, ["three of them, lossy"]),
    "one mixed variable beside plain ones": (
        lambda d: [d["variables"][k]["quantization"].update(mode="linear") for k in (1, 2)],
        ["three of them"]),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_mixed_sidecar_is_refused(mixed_pair, tmp_path, case):
    mutate, words = MALFORMED[case]
    doc = doc_of(mixed_pair)
    mutate(doc)
    os.link(mixed_pair, tmp_path / "l7.mkv")
    (tmp_path / "l7.mkv.json").write_text(json.dumps(doc))
    res = probe_open(tmp_path / "l7.mkv.json")
    assert_open_refused(res, [w.lower() for w in words], [tmp_path], case)


def test_edited_weights_are_refused_on_read(mixed_pair, tmp_path):
    """A sidecar whose weights differ from the video's own description
    would read other values from the same frames: the read fails."""
    doc = doc_of(mixed_pair)
    doc["variables"][1]["quantization"]["mix"][0] *= 1.01
    os.link(mixed_pair, tmp_path / "l7.mkv")
    (tmp_path / "l7.mkv.json").write_text(json.dumps(doc))
    res = probe_open(tmp_path / "l7.mkv.json")
    assert res["opened"] and res["read_ok"] is False, res
    assert "does not match" in " ".join(m for (_, _, m) in res["errors"]), res["errors"]


@pytest.mark.parametrize("quality", ["CRF=0", "QP=0"])
def test_finest_qualities_keep_the_bands_apart(tmp_path, quality):
    """The components share a step coarser than each band's own, which the
    CRF makes up for by going lower (3 or 4 on L7_ETMs): at CRF 0 or QP 0
    there is no lower, and the bands stay apart rather than lose quality."""
    ref = l7_bands()
    ds = xav_create_ok(str(L7), tmp_path / "q.mkv", [quality])
    doc = doc_of(tmp_path / "q.mkv")
    assert "mixed" not in modes(doc), modes(doc)
    plain = xav_create_ok(str(L7), tmp_path / "p.mkv", [quality, "DECORRELATE=NO"])
    pdoc = doc_of(tmp_path / "p.mkv")
    assert doc["quality"]["psnr_db"] == pytest.approx(pdoc["quality"]["psnr_db"], abs=0.05)
    assert_within_bounds(ds, ref, doc)
