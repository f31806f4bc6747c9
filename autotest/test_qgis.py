"""QGIS (Debian's python3-qgis, headless) with GDAL_DRIVER_PATH set: an
XAVIDEO dataset, opened by its video or its sidecar, is a valid raster
layer with the source's extent and CRS and the bands listed with their
descriptions; rendered to a PNG it is not blank and equals the rendering
of the same data from a GTiff (within a small tolerance when lossy); the
driver is in QGIS's raster file dialog.

QGIS runs in a child process (tools/qgis_render.py) with a clean environment,
so it cannot disturb the GDAL of the other tests."""
import json
import os
import re
import subprocess
from pathlib import Path

import numpy as np
import pytest
from osgeo import gdal

from xavtest import BUILD_DIR, L7, UWND, open_ds, with_srs, xav_create_ok

CHILD = Path(__file__).resolve().parent / "tools" / "qgis_render.py"
# a folder written by xarrayvideo (test_xarrayvideo.py)
XV_LANDSAT = Path(__file__).resolve().parent / "data" / "xarrayvideo" / "landsat"
WIDTH, HEIGHT = 400, 300


def run_qgis(tmp_path, rasters):
    """Loads and renders each raster in headless QGIS; returns its report
    and the rendered images as (rows, cols, RGBA) arrays."""
    home = tmp_path / "home"
    runtime = tmp_path / "runtime"
    for d in (home, runtime, tmp_path / "profile", tmp_path / "png"):
        d.mkdir(exist_ok=True)
    runtime.chmod(0o700)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8",
           "XDG_RUNTIME_DIR": str(runtime), "QT_QPA_PLATFORM": "offscreen",
           "GDAL_DRIVER_PATH": str(BUILD_DIR), "GDAL_PAM_ENABLED": "NO"}
    # scripts/sanitize.sh's plugin needs the sanitizer runtime it preloads
    env.update({k: v for k, v in os.environ.items()
                if k in ("LD_PRELOAD", "ASAN_OPTIONS", "UBSAN_OPTIONS")})
    p = subprocess.run(["/usr/bin/python3", str(CHILD), str(tmp_path / "profile"),
                        str(tmp_path / "png"), str(WIDTH), str(HEIGHT)] + [str(r) for r in rasters],
                       env=env, capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, f"QGIS child failed ({p.returncode}): {p.stderr[-3000:]}"
    report = json.loads(p.stdout)
    images = []
    for layer in report["layers"]:
        assert layer["valid"], layer
        assert layer["saved"], layer
        png = gdal.Open(layer["png"])
        images.append(np.moveaxis(png.ReadAsArray(), 0, -1).astype(np.int16))
    return report, images


def gtiff_of(src, path):
    assert gdal.Translate(str(path), src, format="GTiff") is not None
    return path


def assert_not_blank(img):
    rgb = img[..., :3]
    assert (img[..., 3] == 255).all(), "transparent pixels: the layer did not cover the map"
    assert len(np.unique(rgb.reshape(-1, 3), axis=0)) > 100, "the image is (almost) uniform"


def extent_of(path):
    ds = gdal.Open(str(path))
    gt = ds.GetGeoTransform()
    return [gt[0], gt[3] + ds.RasterYSize * gt[5], gt[0] + ds.RasterXSize * gt[1], gt[3]]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory, uwnd_cube):
    d = tmp_path_factory.mktemp("qgis")
    xav_create_ok(str(L7), d / "l7.mkv", ["LOSSLESS=YES"])
    xav_create_ok(str(L7), d / "l7_lossy.mkv", [])
    rasters = [d / "l7.mkv", gtiff_of(str(L7), d / "l7.tif"), d / "l7_lossy.mkv",
               uwnd_cube, f"{uwnd_cube}.json", gtiff_of(with_srs(UWND), d / "uwnd.tif"),
               XV_LANDSAT, gtiff_of(str(XV_LANDSAT), d / "xv_landsat.tif")]
    report, images = run_qgis(d, rasters)
    return dict(zip(["l7", "l7_tif", "l7_lossy", "uwnd", "uwnd_json", "uwnd_tif",
                     "xv", "xv_tif"],
                    zip(report["layers"], images))), report["filters"]


def test_layers_valid_with_extent_crs_bands(rendered, uwnd_cube):
    layers, _ = rendered
    for key, source, epsg in (("l7", L7, "EPSG:31985"), ("uwnd", UWND, "EPSG:4326"),
                              ("uwnd_json", UWND, "EPSG:4326")):
        info = layers[key][0]
        assert info["provider"] == "gdal" and info["crs"] == epsg, info
        assert info["extent"] == pytest.approx(extent_of(source), abs=1e-6), key
    names = layers["uwnd"][0]["band_names"]
    xav = open_ds(uwnd_cube)
    assert len(names) == xav.RasterCount == 132
    for b, name in enumerate(names, start=1):
        description = xav.GetRasterBand(b).GetDescription()
        assert name == f"Band {b:03d}: {description}"
    assert names[0].endswith("UWND 1982-01-16")
    assert layers["uwnd_json"][0]["band_names"] == names
    assert layers["l7"][0]["size"] == [349, 352]


def test_rendering_equals_gtiff(rendered):
    layers, _ = rendered
    for key, ref in (("l7", "l7_tif"), ("uwnd", "uwnd_tif"), ("uwnd_json", "uwnd_tif")):
        (info, img), (ref_info, ref_img) = layers[key], layers[ref]
        assert info["renderer"] == ref_info["renderer"] and info["bands_rendered"] == ref_info["bands_rendered"]
        assert img.shape == (HEIGHT, WIDTH, 4)
        assert_not_blank(img)
        assert np.array_equal(img, ref_img), f"{key}: {int((img != ref_img).any(axis=2).sum())} pixels differ"


def test_xarrayvideo_folder_is_a_layer(rendered):
    layers, _ = rendered
    (info, img), (ref_info, ref_img) = layers["xv"], layers["xv_tif"]
    assert info["provider"] == "gdal" and info["crs"] == ref_info["crs"] != "", info
    assert info["extent"] == pytest.approx(extent_of(XV_LANDSAT), abs=1e-6)
    assert info["band_names"][0].startswith("Band 1: B1 2001-07-30"), info["band_names"][:2]
    assert_not_blank(img)
    assert np.array_equal(img, ref_img), f"{int((img != ref_img).any(axis=2).sum())} pixels differ"


def test_lossy_rendering_close_to_gtiff(rendered):
    layers, _ = rendered
    img, ref = layers["l7_lossy"][1], layers["l7_tif"][1]
    assert_not_blank(img)
    diff = np.abs(img - ref)[..., :3]
    print(f"lossy L7 rendering: mean |diff| {diff.mean():.2f}, 99th percentile {np.percentile(diff, 99)}")
    assert diff.mean() < 1.0, diff.mean()
    assert np.percentile(diff, 99) <= 4, np.percentile(diff, 99)


def test_driver_in_raster_file_dialog(rendered, driver):
    _, filters = rendered
    long_name = re.sub(r"\s*\(.*\)$", "", driver.GetMetadataItem("DMD_LONGNAME"))
    ours = [f for f in filters if f.startswith(long_name)]
    assert len(ours) == 1, filters
    assert "*.mkv" in ours[0] and "*.json" in ours[0]
    everything = [f for f in filters if f.startswith("All supported files")]
    assert everything and "*.mkv" in everything[0]
