"""File management: GetFileList, Delete, Rename, CopyFiles (disk and
/vsimem/), and the interrupted CreateCopy that must leave nothing."""

import os

import pytest
from osgeo import gdal

from xavtest import (
    L7, UWND, DRIVER_NAME,
    assert_bits_equal, assert_datasets_bits_equal, capture_errors, file_exists,
    list_dir, open_ds, open_source, read_all, xav_create,
    xav_create_ok,
)


def _drv():
    return gdal.GetDriverByName(DRIVER_NAME)


@pytest.fixture(params=["disk", "vsimem"])
def where(request, tmp_path, vsimem_dir):
    return str(tmp_path) if request.param == "disk" else vsimem_dir


def _listing(d):
    return sorted(gdal.ReadDir(d) or [] if d.startswith("/vsimem/") else os.listdir(d))


def _names(d, base):
    return f"{d}/{base}.mkv", f"{d}/{base}.mkv.json"


def test_file_list(data_dir, where):
    mkv, js = _names(where, "a")
    ds = xav_create_ok(L7, mkv, ["LOSSLESS=YES"])
    fl = ds.GetFileList() or []
    assert mkv in fl and js in fl, f"GetFileList {fl}"
    ds = None
    ds = open_ds(js)
    fl = ds.GetFileList() or []
    assert mkv in fl and js in fl, f"GetFileList when opened from the sidecar: {fl}"
    assert _listing(where) == ["a.mkv", "a.mkv.json"], _listing(where)


def test_delete(data_dir, where):
    mkv, js = _names(where, "a")
    xav_create_ok(L7, mkv, ["LOSSLESS=YES"])
    assert _drv().Delete(mkv) == gdal.CE_None, gdal.GetLastErrorMsg()
    assert _listing(where) == [], f"Delete left {_listing(where)}"


def test_delete_by_sidecar_name(data_dir, where):
    mkv, js = _names(where, "a")
    xav_create_ok(L7, mkv, ["LOSSLESS=YES"])
    assert _drv().Delete(js) == gdal.CE_None, gdal.GetLastErrorMsg()
    assert _listing(where) == [], f"Delete left {_listing(where)}"


def test_rename(data_dir, where):
    src = open_source(L7)
    mkv, js = _names(where, "a")
    new_mkv, new_js = _names(where, "renamed")
    xav_create_ok(src, mkv, ["LOSSLESS=YES"])
    assert _drv().Rename(new_mkv, mkv) == gdal.CE_None, gdal.GetLastErrorMsg()
    assert _listing(where) == ["renamed.mkv", "renamed.mkv.json"], _listing(where)
    for name in (new_mkv, new_js):
        ds = open_ds(name)
        assert ds is not None, f"renamed dataset does not open from {name}: {gdal.GetLastErrorMsg()}"
        assert_datasets_bits_equal(src, ds, f"renamed {name}")
        fl = ds.GetFileList() or []
        assert new_mkv in fl and new_js in fl and mkv not in fl, fl


def test_copy_files(data_dir, where):
    src = open_source(UWND)
    mkv, js = _names(where, "a")
    cp_mkv, cp_js = _names(where, "copy")
    orig = read_all(xav_create_ok(src, mkv))  # lossy: compare copy to original decode
    assert _drv().CopyFiles(cp_mkv, mkv) == gdal.CE_None, gdal.GetLastErrorMsg()
    assert _listing(where) == ["a.mkv", "a.mkv.json", "copy.mkv", "copy.mkv.json"], _listing(where)
    # The copy must stand alone: delete the original first.
    assert _drv().Delete(mkv) == gdal.CE_None
    assert _listing(where) == ["copy.mkv", "copy.mkv.json"], _listing(where)
    for name in (cp_mkv, cp_js):
        ds = open_ds(name)
        assert ds is not None, f"copied dataset does not open from {name}: {gdal.GetLastErrorMsg()}"
        assert ds.RasterCount == 132
        assert_bits_equal(orig, read_all(ds), f"copy {name}")
        assert ds.GetRasterBand(1).GetDescription().startswith("UWND "), ds.GetRasterBand(1).GetDescription()


def test_copy_files_is_independent_of_the_sidecar_reference(data_dir, where):
    """CopyFiles rewrites the sidecar's reference: the copied sidecar points
    to the copied video, not to the original."""
    import json
    src = open_source(L7)
    mkv, js = _names(where, "a")
    cp_mkv, cp_js = _names(where, "b")
    xav_create_ok(src, mkv, ["LOSSLESS=YES"])
    assert _drv().CopyFiles(cp_mkv, mkv) == gdal.CE_None
    f = gdal.VSIFOpenL(cp_js, "rb")
    text = gdal.VSIFReadL(1, 10_000_000, f).decode("utf-8")
    gdal.VSIFCloseL(f)
    doc = json.loads(text)
    assert doc["format"] == "xavideo"
    assert "a.mkv" not in text, "copied sidecar still references the original video"
    # Break the original video: the copy must still read.
    gdal.Unlink(mkv)
    ds = open_ds(cp_js)
    assert ds is not None, gdal.GetLastErrorMsg()
    assert_datasets_bits_equal(src, ds, "copy after original video removed")


# --------------------------------------------------------------------------
# Interrupted CreateCopy leaves nothing
# --------------------------------------------------------------------------

@pytest.mark.parametrize("stop_at", [0.0, 0.5, 0.99], ids=["first-call", "half", "late"])
def test_interrupted_createcopy_leaves_nothing(data_dir, where, stop_at):
    src = open_source(UWND)
    mkv, js = _names(where, "int")
    calls = []

    def cb(pct, msg, data):
        calls.append(pct)
        return 0 if pct >= stop_at else 1

    out, log = xav_create(src, mkv, [], callback=cb)
    assert calls, "progress callback never called"
    assert out is None, "CreateCopy succeeded although the progress callback returned 0"
    assert log.failures(), f"no CPLError after interruption: {log.records}"
    assert gdal.GetLastErrorMsg(), "gdal.GetLastErrorMsg() empty after interruption"
    assert not file_exists(mkv) and not file_exists(js)
    assert _listing(where) == [], f"interrupted CreateCopy left files: {_listing(where)}"


def test_interrupted_createcopy_lossless_leaves_nothing(data_dir, tmp_path):
    src = open_source(L7)
    mkv = tmp_path / "int.mkv"
    calls = []

    def cb(pct, msg, data):
        calls.append(pct)
        return 0 if len(calls) >= 3 else 1

    out, log = xav_create(src, mkv, ["LOSSLESS=YES"], callback=cb)
    assert out is None
    assert gdal.GetLastErrorMsg()
    assert list_dir(tmp_path) == [], list_dir(tmp_path)


def test_progress_reaches_one(data_dir, tmp_path):
    calls = []

    def cb(pct, msg, data):
        calls.append(pct)
        return 1

    out, log = xav_create(open_source(L7), tmp_path / "p.mkv", ["LOSSLESS=YES"], callback=cb)
    assert out is not None, log.messages
    assert calls and calls[-1] == pytest.approx(1.0), calls[-5:]
    assert all(b >= a for a, b in zip(calls, calls[1:])), "progress went backwards"


def test_createcopy_failure_leaves_nothing(data_dir, tmp_path):
    """A refused option after the source was seen: no file either."""
    with capture_errors():
        out, log = xav_create(open_source(L7), tmp_path / "f.mkv", ["CODEC=FOO"])
    assert out is None
    assert list_dir(tmp_path) == [], list_dir(tmp_path)


def test_createcopy_overwrites_existing_dataset(data_dir, where):
    """CreateCopy onto an existing XAVIDEO name replaces both files."""
    mkv, js = _names(where, "a")
    xav_create_ok(L7, mkv, ["LOSSLESS=YES"])
    src = open_source(UWND)
    out = xav_create_ok(src, mkv, ["LOSSLESS=YES"])
    assert out.RasterCount == 132
    assert_datasets_bits_equal(src, out, "overwritten dataset")
    out = None
    assert _listing(where) == ["a.mkv", "a.mkv.json"], _listing(where)
    ds = open_ds(js)
    assert ds is not None and ds.RasterCount == 132


# ---- files copied or moved by hand (cp, mv) --------------------------------


def _tiled_copy(tmp_path, name):
    """A lossless NDFD forecast in 256-pixel tiles: a video, a sidecar and a
    folder of tiles, the three kinds of files a dataset has."""
    from xavtest import MAXT
    mkv = tmp_path / f"{name}.mkv"
    xav_create_ok(MAXT, mkv, ["LOSSLESS=YES", "TILE_SIZE=256"])
    assert (tmp_path / f"{name}.mkv.tiles").is_dir()
    return mkv


def _assert_reads_source(name):
    from xavtest import MAXT
    ds = open_ds(name)
    assert ds is not None, gdal.GetLastErrorMsg()
    assert_bits_equal(read_all(open_source(MAXT)), read_all(ds), str(name))


@pytest.mark.parametrize("opened", ["video", "sidecar"])
def test_cp_of_every_file_opens_under_the_new_name(data_dir, tmp_path, opened):
    """cp a.mkv b.mkv; cp a.mkv.json b.mkv.json; cp -r a.mkv.tiles
    b.mkv.tiles: b is a dataset of its own, read from b's files."""
    import shutil
    a = _tiled_copy(tmp_path, "a")
    b = tmp_path / "b.mkv"
    shutil.copy(a, b)
    shutil.copy(f"{a}.json", f"{b}.json")
    shutil.copytree(f"{a}.tiles", f"{b}.tiles")
    shutil.rmtree(f"{a}.tiles")  # b must not read a's tiles
    a.unlink()
    _assert_reads_source(b if opened == "video" else f"{b}.json")
    assert sorted(open_ds(b).GetFileList())[:2] == [str(b), f"{b}.json"]


def test_mv_of_every_file_opens_under_the_new_name(data_dir, tmp_path):
    a = _tiled_copy(tmp_path, "a")
    moved = tmp_path / "sub"
    moved.mkdir()
    for suffix in ("", ".json", ".tiles"):
        os.rename(f"{a}{suffix}", moved / f"renamed.mkv{suffix}")
    assert sorted(os.listdir(tmp_path)) == ["sub"]
    _assert_reads_source(moved / "renamed.mkv")
    _assert_reads_source(moved / "renamed.mkv.json")


def test_renamed_video_alone_finds_its_tiles_by_its_new_name(data_dir, tmp_path):
    """Opened without its sidecar (the embedded description), a renamed
    video looks for renamed.mkv.tiles/, and says which file is missing when
    the folder kept the old name."""
    a = _tiled_copy(tmp_path, "a")
    os.unlink(f"{a}.json")
    os.rename(a, tmp_path / "renamed.mkv")
    ds = open_ds(tmp_path / "renamed.mkv")
    with capture_errors() as log:
        assert ds.GetRasterBand(1).ReadRaster(512, 512, 16, 16) is None
    assert "renamed.mkv.tiles" in " ".join(log.messages), log.messages
    os.rename(f"{a}.tiles", tmp_path / "renamed.mkv.tiles")
    _assert_reads_source(tmp_path / "renamed.mkv")


def test_sidecar_copied_beside_another_dataset_is_refused(data_dir, tmp_path):
    """The names follow the dataset, the checks stay: a's sidecar copied as
    the sidecar of another dataset's video does not read that video's
    pixels as a's."""
    import shutil
    a = _tiled_copy(tmp_path, "a")
    other = tmp_path / "l7.mkv"
    xav_create_ok(L7, other, ["LOSSLESS=YES"])
    shutil.copy(f"{a}.json", f"{other}.json")
    with capture_errors() as log:
        ds = open_ds(other)
        ok = ds is not None and ds.GetRasterBand(1).ReadRaster(0, 0, 8, 8) is not None
    assert not ok, "a foreign sidecar read another dataset's video"
    assert log.failures(), log.messages


def test_createcopy_to_a_sidecars_name_is_refused_and_leaves_nothing(data_dir, tmp_path):
    """gdal_translate -of XAVIDEO src out.json wrote out.json (a video) and
    out.json.json, then failed to open them, and left them."""
    ds, log = xav_create(open_source(L7), tmp_path / "out.json", ["LOSSLESS=YES"])
    assert ds is None
    assert any("name of a sidecar" in m for m in log.messages), log.messages
    assert list(tmp_path.iterdir()) == []
