#!/usr/bin/python3
"""Encoding on Dask (issue 14, part 3): the speed-up of apps/xavdask.py
against one process, on the 4292 x 2756 x 4-day mosaic of the NDFD
forecast (the tiles benchmark's), lossy at the defaults and lossless.
Prints a table; asserts nothing.

One process is timed twice: with NUM_THREADS=1 and with its default (a
thread per core, tiles encoded at once), since on one machine the threads
already use every core. The Dask run uses a LocalCluster of one worker
process per core, with one thread each; its time includes the scan of
the pieces, the encode and the assembly, not the cluster's start.

Usage: /usr/bin/python3 autotest/benchmark/bench_dask.py
"""
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("GDAL_DRIVER_PATH", os.path.join(ROOT, "build"))
os.environ["GDAL_PAM_ENABLED"] = "NO"
sys.path.insert(0, os.path.join(ROOT, "autotest"))
sys.path.insert(0, os.path.join(ROOT, "apps"))

import distributed  # noqa: E402
from osgeo import gdal  # noqa: E402

import xavdask  # noqa: E402
from tools.mosaic import mosaic_vrt  # noqa: E402

MAXT = os.path.join(ROOT, "data", "cache", "ds.maxt.bin")
TILE = 512


def size(paths):
    total = 0
    for p in paths:
        for d, _, files in os.walk(p) if os.path.isdir(p) else [("", [], [p])]:
            total += sum(os.path.getsize(os.path.join(d, f)) for f in files)
    return total


def one_process(src, out, options):
    t = time.time()
    p = subprocess.run(["gdal_translate", "-q", "-of", "XAVIDEO"] +
                       sum((["-co", o] for o in options), []) + [src, out],
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    return time.time() - t


def main():
    cores = os.cpu_count()
    with tempfile.TemporaryDirectory() as tmp:
        vrt = os.path.join(tmp, "maxt.vrt")
        w, h = mosaic_vrt(vrt, MAXT, 4, 4, bands=(1, 2, 3, 4))
        src = os.path.join(tmp, "maxt.tif")  # read cost alike for both
        gdal.Translate(src, vrt, creationOptions=["TILED=YES"])
        print(f"# Dask encode: NDFD mosaic {w} x {h} x 4 days, {TILE}-pixel tiles, "
              f"{cores} cores; pieces of 2048 x 2048 (4 x 4 tiles)")
        print("| coding | one process, 1 thread (s) | one process, "
              f"{cores} threads (s) | Dask, {cores} workers (s) | speed-up vs 1 thread | "
              f"vs {cores} threads | bytes one / Dask |")
        print("|---|---|---|---|---|---|---|")
        with distributed.LocalCluster(n_workers=cores, threads_per_worker=1, processes=True,
                                      dashboard_address=None) as cluster, \
                distributed.Client(cluster) as client:
            for name, options in (("lossy (defaults)", []), ("lossless", ["LOSSLESS=YES"])):
                base = options + [f"TILE_SIZE={TILE}"]
                t1 = one_process(src, os.path.join(tmp, f"a{len(name)}.mkv"), base + ["NUM_THREADS=1"])
                out_n = os.path.join(tmp, f"b{len(name)}.mkv")
                tn = one_process(src, out_n, base)
                t = time.time()
                out_d = os.path.join(tmp, f"d{len(name)}.json")
                xavdask.encode(client, src, out_d, base)
                td = time.time() - t
                one = size([out_n, out_n + ".json", out_n + ".tiles"])
                many = size([out_d, out_d[:-5] + ".pieces"])
                print(f"| {name} | {t1:.1f} | {tn:.1f} | {td:.1f} | {t1 / td:.2f}x | "
                      f"{tn / td:.2f}x | {one} / {many} |", flush=True)


if __name__ == "__main__":
    main()
