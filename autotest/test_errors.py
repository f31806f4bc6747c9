"""Bad input: broken sidecars, missing/truncated videos, inconsistent
sidecars, refused options and types, strict identification.

Opening corrupted files runs in a child interpreter (conftest.run_python),
so that a crash or a hang is reported as a failure of that test instead of
killing the whole session."""

import json
import os
import shutil
import subprocess

import numpy as np
import pytest
from osgeo import gdal

from conftest import (
    L7, UWND, DRIVER_NAME,
    assert_error, capture_errors, list_dir, mem_dataset,
    open_source, run_python, sidecar_of, xav_create, xav_create_ok,
)


def run_child(code, timeout, doing, died):
    """Runs code in a child process (a crash or a hang must not take the
    session down) and returns the JSON it printed after "RESULT"."""
    try:
        p = run_python(code, timeout=timeout)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{doing} hung for more than {timeout}s", pytrace=False)
    assert p.returncode == 0, (
        f"{died} (return code {p.returncode}, negative = signal): "
        f"stderr {p.stderr[-2000:]}"
    )
    line = [l for l in p.stdout.splitlines() if l.startswith("RESULT")]
    assert line, f"no result from child: {p.stdout[-2000:]} {p.stderr[-2000:]}"
    return json.loads(line[-1][len("RESULT"):])

def probe_open(path, read=True, timeout=60):
    """Open `path` with gdal.Open (all drivers) in a child process, read every
    band, and report what happened."""
    code = f"""
import json
msgs = []
gdal.PushErrorHandler(lambda c, n, m: msgs.append([c, n, m]))
res = {{"opened": False, "driver": None, "read_ok": None}}
ds = gdal.Open({str(path)!r})
if ds is not None:
    res["opened"] = True
    res["driver"] = ds.GetDriver().ShortName
    if {bool(read)!r}:
        ok = True
        for i in range(1, ds.RasterCount + 1):
            a = ds.GetRasterBand(i).ReadAsArray()
            if a is None:
                ok = False
                break
        res["read_ok"] = ok
res["errors"] = msgs
res["last"] = gdal.GetLastErrorMsg()
print("RESULT" + json.dumps(res))
"""
    return run_child(code, timeout, f"opening/reading {path}",
                     f"child process opening {path} died")


def probe_create(src, dst, options, timeout=120):
    """CreateCopy(dst, gdal.Open(src), options) with the XAVIDEO driver in a
    child process (a crash must not take the session down)."""
    code = f"""
import json
msgs = []
gdal.PushErrorHandler(lambda c, n, m: msgs.append([c, n, m]))
src = gdal.Open({str(src)!r})
assert src is not None
out = gdal.GetDriverByName({DRIVER_NAME!r}).CreateCopy({str(dst)!r}, src, 0, {list(options)!r})
res = {{"created": out is not None, "errors": msgs, "last": gdal.GetLastErrorMsg()}}
out = None
print("RESULT" + json.dumps(res))
"""
    return run_child(code, timeout, f"CreateCopy {options}",
                     f"CreateCopy with {options} crashed the process")


def _error_text(res, strip=()):
    t = "\n".join(m for (_, _, m) in res["errors"])
    for s in sorted((str(x) for x in strip), key=len, reverse=True):
        t = t.replace(s, "<path>")
        t = t.replace(os.path.basename(s), "<path>")
    return t.lower()


def assert_open_refused(res, words, strip, what):
    assert not res["opened"], f"{what}: opened by {res['driver']} although it is broken"
    assert res["errors"] and res["last"], f"{what}: no CPLError message"
    text = _error_text(res, strip)
    assert any(w in text for w in words), f"{what}: no message mentions any of {words}: {res['errors']}"


@pytest.fixture
def good(tmp_path, data_dir):
    """A real lossless L7 output in tmp_path/good/: (mkv, sidecar, doc)."""
    d = tmp_path / "good"
    d.mkdir()
    mkv = d / "l7.mkv"
    xav_create_ok(L7, mkv, ["LOSSLESS=YES"])
    js = d / "l7.mkv.json"
    return mkv, js, json.loads(js.read_text())


def _copy_pair(good, tmp_path, name="bad"):
    mkv, js, _ = good
    d = tmp_path / name
    d.mkdir()
    shutil.copy(mkv, d / "l7.mkv")
    shutil.copy(js, d / "l7.mkv.json")
    return d / "l7.mkv", d / "l7.mkv.json"


# --------------------------------------------------------------------------
# Broken sidecars
# --------------------------------------------------------------------------

def test_malformed_json_sidecar(good, tmp_path):
    mkv, js = _copy_pair(good, tmp_path)
    text = js.read_text()
    # Keep the identifying start, break the syntax further on.
    broken = text.replace('"width"', '"width" : : ,', 1)
    assert broken != text
    js.write_text(broken)
    res = probe_open(js)
    assert_open_refused(res, ["json", "sidecar", "parse", "syntax"], [js, mkv], "malformed sidecar")


def test_truncated_sidecar(good, tmp_path):
    mkv, js = _copy_pair(good, tmp_path)
    data = js.read_bytes()
    js.write_bytes(data[: len(data) // 2])
    res = probe_open(js)
    assert_open_refused(res, ["json", "sidecar", "parse", "syntax", "truncat"], [js, mkv], "truncated sidecar")


def test_unknown_schema_version(good, tmp_path):
    mkv, js = _copy_pair(good, tmp_path)
    doc = json.loads(js.read_text())
    doc["schema_version"] = 999
    js.write_text(json.dumps(doc))
    res = probe_open(js)
    assert_open_refused(res, ["schema", "version"], [js, mkv], "schema_version 999")


def test_sidecar_video_missing(good, tmp_path):
    mkv, js = _copy_pair(good, tmp_path)
    mkv.unlink()
    res = probe_open(js)
    assert_open_refused(res, ["video", "mkv", "no such file", "missing", "cannot open", "not found",
                              "exist"], [js], "sidecar without its video")


@pytest.mark.parametrize("mutation", ["width0", "height-negative", "channel-variable-99",
                                      "data_type", "no-streams", "variables-not-list"])
def test_inconsistent_sidecar(good, tmp_path, mutation):
    mkv, js = _copy_pair(good, tmp_path)
    doc = json.loads(js.read_text())
    if mutation == "width0":
        doc["width"] = 0
    elif mutation == "height-negative":
        doc["height"] = -5
    elif mutation == "channel-variable-99":
        doc["streams"][0]["channels"][0]["variable"] = 99
    elif mutation == "data_type":
        doc["variables"][0]["data_type"] = "NotAType"
    elif mutation == "no-streams":
        doc["streams"] = []
    elif mutation == "variables-not-list":
        doc["variables"] = "oops"
    js.write_text(json.dumps(doc))
    res = probe_open(js)
    # Generic words: the driver should say the sidecar is invalid/inconsistent.
    assert_open_refused(res, ["sidecar", "invalid", "inconsistent", "width", "height", "variable",
                              "stream", "channel", "type"], [js, mkv], f"inconsistent sidecar ({mutation})")


def test_broken_sidecar_opening_the_video_does_not_crash(good, tmp_path):
    """The mkv next to a corrupted sidecar: opening it either fails with an
    error or (falling back to the embedded sidecar) reads correct data."""
    mkv, js = _copy_pair(good, tmp_path)
    js.write_text('{"format": "xavideo", "schema_version": 1, "width": ')
    res = probe_open(mkv)
    if res["opened"]:
        assert res["read_ok"], f"opened but reading failed: {res}"
    else:
        assert res["errors"] and res["last"], res


# --------------------------------------------------------------------------
# Truncated videos
# --------------------------------------------------------------------------

@pytest.mark.parametrize("keep", [1000, "half"])
def test_truncated_video(good, tmp_path, keep):
    mkv, js = _copy_pair(good, tmp_path)
    data = mkv.read_bytes()
    n = 1000 if keep == 1000 else len(data) // 2
    mkv.write_bytes(data[:n])
    for name in (js, mkv):
        res = probe_open(name, read=True)
        if res["opened"]:
            assert res["driver"] == DRIVER_NAME
            assert res["read_ok"] is False, (
                f"truncated video ({n} of {len(data)} bytes) opened from {name.name} and read "
                f"without error"
            )
        assert res["errors"] and res["last"], f"truncated video via {name.name}: no CPLError: {res}"


@pytest.mark.parametrize("codec_opts", [["LOSSLESS=YES"], []], ids=["ffv1", "x265"])
def test_corrupted_video_bytes_no_crash(data_dir, tmp_path, codec_opts):
    """Garbage in the middle of the video: an error or (concealed) data,
    never a crash or a hang."""
    mkv = tmp_path / "u.mkv"
    xav_create_ok(UWND, mkv, codec_opts)
    data = bytearray(mkv.read_bytes())
    rng = np.random.default_rng(5)
    for start in (len(data) // 3, len(data) // 2, 2 * len(data) // 3):
        data[start:start + 4096] = rng.integers(0, 256, size=4096, dtype=np.uint8).tobytes()
    mkv.write_bytes(bytes(data))
    res = probe_open(sidecar_of(mkv), read=True)
    if not res["opened"] or res["read_ok"] is False:
        assert res["errors"] and res["last"], f"failure without a CPLError: {res}"


def test_truncated_lossy_video(data_dir, tmp_path):
    mkv = tmp_path / "u.mkv"
    xav_create_ok(UWND, mkv)
    data = mkv.read_bytes()
    mkv.write_bytes(data[: len(data) // 3])
    res = probe_open(sidecar_of(mkv), read=True)
    if res["opened"]:
        assert res["read_ok"] is False, "a third of the frames are missing yet every band read"
    assert res["errors"] and res["last"], res


# --------------------------------------------------------------------------
# Identification must be strict
# --------------------------------------------------------------------------

@pytest.mark.parametrize("content", [
    '{"type": "FeatureCollection", "features": []}',
    '{"name": "not a cube", "values": [1, 2, 3]}',
    '{"note": "made with xavideo", "format": "xavideo"}',
    '{"format": "geojson", "schema_version": 1}',
    '[1, 2, 3]',
    '',
], ids=["geojson", "plain", "xavideo-not-first-key", "other-format", "array", "empty"])
def test_identify_unrelated_json(tmp_path, content):
    for name in ("x.json", "x.mkv.json"):
        p = tmp_path / name
        p.write_text(content)
        with capture_errors():
            drv = gdal.IdentifyDriver(str(p))
            ds = gdal.Open(str(p))
        assert drv is None or drv.ShortName != DRIVER_NAME, f"XAVIDEO claims unrelated {name}: {content!r}"
        assert ds is None or ds.GetDriver().ShortName != DRIVER_NAME


@pytest.fixture(scope="module")
def ffmpeg_mkv(tmp_path_factory):
    ff = shutil.which("ffmpeg")
    if ff is None:
        pytest.skip("ffmpeg CLI not installed (needed to make an ordinary .mkv)")
    d = tmp_path_factory.mktemp("ffmpeg")
    out = d / "out.mkv"
    p = subprocess.run([ff, "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i",
                        "testsrc=size=64x64:rate=1", "-frames:v", "2", str(out)],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0 and out.exists(), p.stderr
    return out


def test_identify_ordinary_mkv(ffmpeg_mkv):
    with capture_errors():
        drv = gdal.IdentifyDriver(str(ffmpeg_mkv))
    assert drv is None or drv.ShortName != DRIVER_NAME, "XAVIDEO claims an ordinary ffmpeg .mkv"
    res = probe_open(ffmpeg_mkv, read=False)
    assert res["driver"] != DRIVER_NAME, res


def test_identify_own_files(good):
    mkv, js, _ = good
    for name in (mkv, js):
        drv = gdal.IdentifyDriver(str(name))
        assert drv is not None and drv.ShortName == DRIVER_NAME, f"{name.name} not identified"


# --------------------------------------------------------------------------
# Refused options and types
# --------------------------------------------------------------------------

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
    text = _error_text(res, [mkv])
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
