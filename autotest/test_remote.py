"""The sidecar and the video are found next to each other under /vsicurl/
(a real nginx on 127.0.0.1, which serves range requests), /vsizip/ and
/vsimem/, and reading one time step over HTTP fetches only a small part of
the video: the header, the container's index and the GOP it needs."""
import os
import zipfile

import numpy as np
import pytest
from osgeo import gdal

from xavtest import UWND, open_ds, read_band, xav_create_ok
from tools import nginx

GOP = 8
TIME = 100  # band 101


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """UWND lossless (about 4.4 MB, 132 frames, GOP 8) served by nginx.
    Yields (base URL, local directory, access log path)."""
    root = tmp_path_factory.mktemp("www")
    xav_create_ok(gdal.Open(UWND), root / "uwnd.mkv", ["LOSSLESS=YES", f"GOP={GOP}"])
    try:
        with nginx.serve(root, tmp_path_factory.mktemp("nginx")) as (base, log):
            yield base, root, log
    except RuntimeError as e:
        pytest.fail(str(e))


def served_bytes(log, name):
    """Bytes nginx sent for one file, from its access log."""
    total = 0
    for line in log.read_text().splitlines():
        method, uri, _rng, _status, sent = line.split()
        if uri == "/" + name:
            total += int(sent)
    return total


@pytest.fixture
def no_readdir():
    gdal.SetConfigOption("GDAL_DISABLE_READDIR_ON_OPEN", "EMPTY_DIR")
    gdal.VSICurlClearCache()
    yield
    gdal.SetConfigOption("GDAL_DISABLE_READDIR_ON_OPEN", None)
    gdal.VSICurlClearCache()


@pytest.mark.parametrize("opened", ["uwnd.mkv", "uwnd.mkv.json"])
def test_one_time_step_over_http_fetches_a_small_part(served, no_readdir, opened):
    url, root, log = served
    log.write_text("")  # nginx appends to the truncated file
    local = read_band(open_ds(root / "uwnd.mkv"), TIME + 1)
    ds = gdal.Open(f"/vsicurl/{url}/{opened}")
    assert ds is not None and ds.GetDriver().ShortName == "XAVIDEO", gdal.GetLastErrorMsg()
    assert ds.RasterCount == 132
    remote = ds.GetRasterBand(TIME + 1).ReadAsArray()
    assert np.array_equal(remote.view(np.uint32), local.view(np.uint32))
    ds = None
    size = os.path.getsize(root / "uwnd.mkv")
    fetched = served_bytes(log, "uwnd.mkv")
    fraction = fetched / size
    print(f"\nopened {opened}: fetched {fetched} of {size} video bytes "
          f"({100 * fraction:.1f} %) to read 1 of 132 time steps, GOP {GOP}")
    # the GOP itself is 8/132 = 6 % of the frames; allow for the index at
    # the end, the header and /vsicurl/'s read-ahead, but not for a whole
    # or half file
    assert 0 < fraction < 0.15


def test_found_next_to_each_other_in_a_zip(served, tmp_path):
    _url, root, _log = served
    zpath = tmp_path / "cube.zip"
    with zipfile.ZipFile(zpath, "w", compression=zipfile.ZIP_STORED) as z:
        for name in ("uwnd.mkv", "uwnd.mkv.json"):
            z.write(root / name, f"dir/{name}")
    local = open_ds(root / "uwnd.mkv")
    for name in ("uwnd.mkv", "uwnd.mkv.json"):
        ds = gdal.Open(f"/vsizip/{zpath}/dir/{name}")
        assert ds is not None and ds.GetDriver().ShortName == "XAVIDEO", gdal.GetLastErrorMsg()
        assert sorted(ds.GetFileList()) == sorted(
            f"/vsizip/{zpath}/dir/{n}" for n in ("uwnd.mkv", "uwnd.mkv.json"))
        for b in (1, TIME + 1):
            assert np.array_equal(read_band(ds, b).view(np.uint32),
                                  read_band(local, b).view(np.uint32))
