"""`cmake --install` puts the plugin where GDAL looks for plugins: the
gdalplugins/ folder next to the libgdal that GDAL's Python bindings load
(not a 3.6/ subfolder), and the installed file registers the driver."""
import os
import subprocess
import sys

from xavtest import BUILD_DIR


def loaded_libgdal_dir():
    with open("/proc/self/maps") as f:
        for line in f:
            path = line.split()[-1]
            if os.path.basename(path).startswith("libgdal.so"):
                return os.path.dirname(os.path.realpath(path))
    raise AssertionError("libgdal is not loaded")


def test_install_goes_to_gdals_plugin_folder(tmp_path):
    env = dict(os.environ, DESTDIR=str(tmp_path))
    subprocess.run(["cmake", "--install", str(BUILD_DIR)], env=env, check=True,
                   capture_output=True)
    folder = os.path.join(loaded_libgdal_dir(), "gdalplugins")
    installed = str(tmp_path) + os.path.join(folder, "gdal_XAVIDEO.so")
    assert os.path.exists(installed), sorted(
        os.path.join(d, f) for d, _, fs in os.walk(tmp_path) for f in fs)
    probe = ("from osgeo import gdal; "
             "print(gdal.GetDriverByName('XAVIDEO') is not None)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         env=dict(os.environ, GDAL_DRIVER_PATH=os.path.dirname(installed)))
    assert out.stdout.strip() == "True", out.stderr
