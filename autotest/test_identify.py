"""Identify is strict: GDAL calls every plugin's Identify before its
built-in drivers, on every file it opens, so XAVIDEO must claim its own
files (video and sidecar) and nothing else: not unrelated JSON, not an
ordinary Matroska file."""

import shutil
import subprocess

import pytest
from osgeo import gdal

from xavtest import DRIVER_NAME, capture_errors, probe_open


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
