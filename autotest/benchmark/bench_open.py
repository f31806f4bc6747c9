#!/usr/bin/python3
"""What a reader fetches over HTTP to open a tiled dataset and read one
tile (issue 14, part 5): requests and bytes for rasters of 16, 1600 and
about 10^5 tiles (16-pixel tiles of Landsat 7 band 1, mosaicked for the
largest: 5235 x 5280 pixels, 108240 tiles, each a file, all encoded), with
today's sidecar (tile_streams: the streams every tile repeats, once) and
with the same dataset's sidecar rewritten as schema 2 wrote it (every
tile's streams listed). Served by a real nginx on 127.0.0.1; prints a
table, asserts nothing.

Usage: /usr/bin/python3 autotest/benchmark/bench_open.py
"""
import json
import os
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("GDAL_DRIVER_PATH", os.path.join(ROOT, "build"))
os.environ["GDAL_PAM_ENABLED"] = "NO"
sys.path.insert(0, os.path.join(ROOT, "autotest"))

from osgeo import gdal  # noqa: E402

from tools import nginx  # noqa: E402
from tools.mosaic import mosaic_vrt  # noqa: E402
from xavtest import sidecar_streams  # noqa: E402

L7 = os.path.join(ROOT, "data", "cache", "L7_ETMs.tif")
TILE = 16


def encode(tmp, name, width, height):
    vrt = os.path.join(tmp, f"{name}.vrt")
    mosaic_vrt(vrt, L7, 15, 15, bands=(1,))
    out = os.path.join(tmp, "www", f"{name}.mkv")
    t = time.time()
    ds = gdal.Translate(out, vrt, format="XAVIDEO", srcWin=[0, 0, width, height],
                        creationOptions=["LOSSLESS=YES", f"TILE_SIZE={TILE}"])
    assert ds is not None, gdal.GetLastErrorMsg()
    ds = None
    return out, time.time() - t


def old_sidecar(out):
    """The same dataset described as schema 2 did: every tile listed."""
    doc = json.loads(open(out + ".json").read())
    doc["streams"] = sidecar_streams(doc)
    del doc["tile_streams"]
    doc["schema_version"] = 2
    folder = os.path.join(os.path.dirname(out), "v2")  # the same files beside it
    os.makedirs(folder, exist_ok=True)
    for f in (out, out + ".tiles"):
        os.symlink(f, os.path.join(folder, os.path.basename(f)))
    old = os.path.join(folder, os.path.basename(out) + ".json")
    with open(old, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
    return old


def fetch(base, log, name):
    """Opens name cold, reads its tile (1, 1); requests, KB and seconds of
    the open, then of the read."""
    gdal.VSICurlClearCache()
    open(log, "w").close()
    t = time.time()
    ds = gdal.Open(f"/vsicurl/{base}/{name}")
    assert ds is not None, gdal.GetLastErrorMsg()
    t_open = time.time() - t
    n_open, b_open = nginx.requests_and_bytes(log)
    t = time.time()
    assert ds.GetRasterBand(1).ReadAsArray(TILE, TILE, TILE, TILE) is not None
    t_read = time.time() - t
    n_all, b_all = nginx.requests_and_bytes(log)
    return n_open, b_open / 1e3, t_open, n_all - n_open, (b_all - b_open) / 1e3, t_read


def main():
    gdal.SetConfigOption("GDAL_DISABLE_READDIR_ON_OPEN", "EMPTY_DIR")
    print("| tiles | encode (s) | sidecar | open: requests, KB, s | one tile: requests, KB, s |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        os.makedirs(os.path.join(tmp, "www"))
        with nginx.serve(os.path.join(tmp, "www"), os.path.join(tmp, "nginx")) as (base, log):
            for name, w, h in (("t16", 64, 64), ("t1600", 640, 640), ("t1e5", 5235, 5280)):
                out, secs = encode(tmp, name, w, h)
                tiles = -(-w // TILE) * -(-h // TILE)
                for label, side in (("schema 3 (tile_streams)", out + ".json"),
                                    ("schema 2 (every tile)", old_sidecar(out))):
                    r = fetch(base, log, os.path.relpath(side, os.path.join(tmp, "www")))
                    print(f"| {tiles} | {secs:.0f} | {label}: {os.path.getsize(side) / 1e3:.1f} KB | "
                          f"{r[0]}, {r[1]:.1f}, {r[2]:.2f} | {r[3]}, {r[4]:.1f}, {r[5]:.2f} |",
                          flush=True)


if __name__ == "__main__":
    main()
