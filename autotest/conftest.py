"""Fixtures of the XAVIDEO driver's pytest suite; the helpers are in
xavtest.py (imported first: it sets the environment GDAL needs).

If the XAVIDEO driver is not registered, every test fails (CI must be red
when the build is missing); it is never skipped.
"""

import json
import os

import pytest

# xavtest first: it sets GDAL_DRIVER_PATH before osgeo.gdal registers drivers.
from xavtest import (  # noqa: F401 (environment first)
    BUILD_DIR, COADS, DATA_DIR, DRIVER_NAME, ETA, L7, L8_BANDS, LC, MAXT, OCEAN, PLUGIN, WAVEH,
    UWND, WINDS, l8_path, l8_stack, with_srs, xav_create_ok,
)
from osgeo import gdal  # noqa: E402 (after xavtest)


@pytest.fixture(scope="session")
def driver():
    drv = gdal.GetDriverByName(DRIVER_NAME)
    if drv is None:
        pytest.fail(
            f"GDAL driver {DRIVER_NAME} is not registered. Expected plugin "
            f"{PLUGIN} (exists: {PLUGIN.exists()}), GDAL_DRIVER_PATH="
            f"{os.environ.get('GDAL_DRIVER_PATH')}. Build it first "
            f"(cmake -S . -B build && cmake --build build) or set "
            f"XAVIDEO_BUILD_DIR.",
            pytrace=False,
        )
    return drv


@pytest.fixture(scope="session", autouse=True)
def _require_driver(driver):
    """Every test needs the driver: fail (never skip) when it is missing.
    Session-scoped, so it runs before any module-scoped fixture."""
    return driver


@pytest.fixture(autouse=True)
def _reset_errors():
    gdal.ErrorReset()
    yield


@pytest.fixture(scope="session")
def data_dir():
    needed = [L7, LC, WINDS, COADS, MAXT, WAVEH, OCEAN, ETA] + [l8_path(b) for b in L8_BANDS]
    missing = [str(p) for p in needed if not p.exists()]
    if missing:
        pytest.fail(
            "test data missing (run `bash data/fetch_data.sh`): " + ", ".join(missing),
            pytrace=False,
        )
    return DATA_DIR


@pytest.fixture
def vsimem_dir():
    """A fresh /vsimem/ directory, removed (and checked empty-able) after."""
    d = f"/vsimem/xavtest_{os.getpid()}_{next(_counter)}"
    gdal.Mkdir(d, 0o755)
    yield d
    for name in gdal.ReadDirRecursive(d) or []:
        gdal.Unlink(f"{d}/{name}")
    gdal.Rmdir(d)


def _count():
    i = 0
    while True:
        i += 1
        yield i


_counter = _count()


# --------------------------------------------------------------------------
# XAVIDEO datasets shared by the client-library tests (rasterio, xarray,
# QGIS): built once per session in a tmp dir.
# --------------------------------------------------------------------------


@pytest.fixture(scope="session")
def uwnd_cube(tmp_path_factory):
    """Navy winds UWND (132 months, Float32, nodata -99.9) with EPSG:4326,
    lossless, in 64-pixel tiles so windows cross tiles."""
    path = tmp_path_factory.mktemp("uwnd_cube") / "uwnd.mkv"
    xav_create_ok(with_srs(UWND), path, ["LOSSLESS=YES", "TILE_SIZE=64"])
    return path


@pytest.fixture(scope="session")
def l8_cube(tmp_path_factory):
    """Landsat 8 B1, B2, B3 (Int16, nodata -32768, UTM 32N), lossless,
    with variable names (the bands' descriptions)."""
    path = tmp_path_factory.mktemp("l8_cube") / "l8.mkv"
    xav_create_ok(l8_stack(("B1", "B2", "B3")), path,
                  ["LOSSLESS=YES", "VARIABLE_NAMES=coastal,blue,green"])
    return path


@pytest.fixture
def good(tmp_path, data_dir):
    """A real lossless L7 output in tmp_path/good/: (mkv, sidecar, doc)."""
    d = tmp_path / "good"
    d.mkdir()
    mkv = d / "l7.mkv"
    xav_create_ok(L7, mkv, ["LOSSLESS=YES"])
    js = d / "l7.mkv.json"
    return mkv, js, json.loads(js.read_text())
