"""Update access is refused, loudly, and leaves the files as they were
(issue 11: nothing wrong or lost silently).

XAVIDEO datasets are written whole, by CreateCopy or by Create (which
encodes at flush or close, autotest/test_create.py). rasterio 1.3 opens
'r+' on a driver that has CreateCopy but not Create by copying the dataset
to MEM and writing it back at close with CreateCopy and no creation
options: a lossless dataset came back lossy x265, with no error. The driver
declares a Create, so rasterio takes GDAL's update access, which Open
refuses."""

import hashlib
import os

import numpy as np
import pytest
from osgeo import gdal

from xavtest import (
    L7, assert_error, capture_errors, open_ds, open_source, read_all, run_cli,
    xav_create_ok,
)

import rasterio  # installed by scripts/bootstrap.sh: missing fails, never skips
import rasterio.shutil

# What every refusal must say: the format is read-only, and how it is
# written instead.
WORDS = ("read-only", "CreateCopy", "gdal_translate -of XAVIDEO")


def snapshot(root):
    """Every file under root (the video, the sidecar, the tile folder) by
    relative path, with the SHA-256 of its bytes."""
    out = {}
    for d, _, files in os.walk(root):
        for f in files:
            p = os.path.join(d, f)
            with open(p, "rb") as fh:
                out[os.path.relpath(p, root)] = hashlib.sha256(fh.read()).hexdigest()
    return out


def says_why(text):
    return all(w.lower() in text.lower() for w in WORDS)


@pytest.fixture
def lossless(data_dir, tmp_path):
    """Landsat 7 (349 x 352, 6 bands) lossless in 256-pixel tiles: a video,
    its sidecar and a tile folder."""
    d = tmp_path / "ds"
    d.mkdir()
    mkv = d / "l7.mkv"
    xav_create_ok(L7, mkv, ["LOSSLESS=YES", "TILE_SIZE=256"])
    files = snapshot(d)
    assert {"l7.mkv", "l7.mkv.json"} <= set(files)
    assert any(f.startswith("l7.mkv.tiles" + os.sep) for f in files), files
    return mkv


@pytest.mark.parametrize("name", ["l7.mkv", "l7.mkv.json"])
def test_rasterio_r_plus_refused_files_unchanged(lossless, name):
    d = lossless.parent
    before = snapshot(d)
    raised = None
    try:
        with rasterio.open(d / name, "r+") as ds:
            ds.update_tags(touched="yes")
    except Exception as e:  # whichever class, it must say why (below)
        raised = e
    after = snapshot(d)
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    assert not changed, f"rasterio 'r+' changed {changed}"
    assert raised is not None, "rasterio 'r+' opened an XAVIDEO dataset"
    assert says_why(str(raised)), str(raised)
    # still the source, bit for bit
    assert np.array_equal(read_all(open_ds(lossless)), read_all(open_source(L7)))


@pytest.mark.parametrize("name", ["l7.mkv", "l7.mkv.json"])
@pytest.mark.parametrize("how", ["OpenEx OF_UPDATE", "OpenEx OF_RASTER|OF_UPDATE",
                                 "OpenEx XAVIDEO only", "Open GA_Update"])
def test_gdal_update_refused(lossless, name, how):
    d = lossless.parent
    path = str(d / name)
    before = snapshot(d)
    with capture_errors() as log:
        if how == "OpenEx OF_UPDATE":
            ds = gdal.OpenEx(path, gdal.OF_UPDATE)
        elif how == "OpenEx OF_RASTER|OF_UPDATE":
            ds = gdal.OpenEx(path, gdal.OF_RASTER | gdal.OF_UPDATE)
        elif how == "OpenEx XAVIDEO only":
            ds = gdal.OpenEx(path, gdal.OF_RASTER | gdal.OF_UPDATE, allowed_drivers=["XAVIDEO"])
        else:
            ds = gdal.Open(path, gdal.GA_Update)
    assert ds is None, f"{how} opened {name} ({ds.GetDriver().ShortName})"
    assert_error(log, ["read-only"], strip=[path], what=how)
    assert any(says_why(m) and "without update access" in m for m in log.messages), log.messages
    assert snapshot(d) == before


def test_create_declared_so_rasterio_asks_gdal(driver):
    """rasterio emulates 'r+' only for drivers without Create."""
    assert driver.GetMetadataItem(gdal.DCAP_CREATE) == "YES"
    assert driver.GetMetadataItem(gdal.DCAP_CREATECOPY) == "YES"


def test_written_by_rasterio_w_then_r_plus_refused(tmp_path):
    """A dataset rasterio wrote ('w', through Create) is as read-only as
    any: 'r+' on it raises and changes nothing."""
    d = tmp_path / "ds"
    d.mkdir()
    out = d / "w.mkv"
    with rasterio.open(L7) as src:
        data = src.read()
        with rasterio.open(out, "w", driver="XAVIDEO", width=src.width, height=src.height,
                           count=src.count, dtype="uint8", crs=src.crs, transform=src.transform,
                           LOSSLESS="YES") as ds:
            ds.write(data)
    before = snapshot(d)
    with pytest.raises(Exception) as e:
        with rasterio.open(out, "r+") as ds:
            ds.write(np.zeros_like(data))
    assert says_why(str(e.value)), str(e.value)
    assert snapshot(d) == before
    assert np.array_equal(read_all(open_ds(out)), data)


def test_gdalwarp_onto_existing_dataset_refused(lossless):
    """gdalwarp into an existing output opens it for update: refused (in
    gdalwarp's words: it keeps the driver's to itself), and the files stay
    as they were (-overwrite replaces the dataset instead, as GDAL's Create
    does for any driver)."""
    d = lossless.parent
    before = snapshot(d)
    p = run_cli(["gdalwarp", "-q", "-of", "XAVIDEO", L7, lossless])
    assert p.returncode != 0
    assert "cannot be opened in update mode" in p.stderr, p.stderr
    assert snapshot(d) == before


def test_rasterio_writes_through_createcopy(data_dir, tmp_path):
    """The way to write with rasterio: rasterio.shutil.copy is CreateCopy,
    with its creation options."""
    out = tmp_path / "copy.mkv"
    rasterio.shutil.copy(str(L7), str(out), driver="XAVIDEO", LOSSLESS="YES")
    assert np.array_equal(read_all(open_ds(out)), read_all(open_source(L7)))
