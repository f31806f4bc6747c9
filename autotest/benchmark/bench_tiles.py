#!/usr/bin/python3
"""Tiles and parallel encoding (issue 4). Prints tables; asserts nothing.

1. Encode throughput against NUM_THREADS (tiles encoded at once), lossy
   and lossless, on a 4292 x 2756 x 4-day mosaic of the NDFD forecast.
2. Tile size: bits, PSNR, encode time and the cost of a 512 x 512 window
   (cold open + read) and of a full read, on the same mosaic.
3. A 512 x 512 window at one time from the 20242 x 20064 Landsat 7 mosaic
   (two bands as two times): XAVIDEO (lossless in 512- and 1024-pixel tiles,
   lossy in 512) against a
   GTiff COG with ZSTD of the same data, each read cold (open included) and
   warm (dataset kept open, another window).
4. Over HTTP (a real nginx on 127.0.0.1): requests and bytes a 512 x 512
   window costs from the per-tile files.

Usage: /usr/bin/python3 autotest/benchmark/bench_tiles.py [--quick]
"""
import os
import random
import statistics
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("GDAL_DRIVER_PATH", os.path.join(ROOT, "build"))
os.environ["GDAL_PAM_ENABLED"] = "NO"
sys.path.insert(0, os.path.join(ROOT, "autotest"))
import numpy as np  # noqa: E402
from osgeo import gdal  # noqa: E402

from tools import nginx  # noqa: E402
from tools.mosaic import mosaic_vrt  # noqa: E402

gdal.UseExceptions()
DATA = os.path.join(ROOT, "data", "cache")
MAXT = os.path.join(DATA, "ds.maxt.bin")
L7 = os.path.join(DATA, "L7_ETMs.tif")
QUICK = "--quick" in sys.argv
WINDOWS = 5 if QUICK else 20


def encode(src, out, options):
    t = time.perf_counter()
    gdal.Translate(out, src, format="XAVIDEO", creationOptions=options)
    return time.perf_counter() - t


def dataset_bytes(path):
    total = os.path.getsize(path)
    for root, _dirs, files in os.walk(path + ".tiles"):
        total += sum(os.path.getsize(os.path.join(root, f)) for f in files)
    return total


def windows(ds, n, seed=1):
    rnd = random.Random(seed)
    return [(rnd.randrange(0, ds.RasterXSize - 512), rnd.randrange(0, ds.RasterYSize - 512))
            for _ in range(n)]


def window_ms(path, band, spots, cold):
    """Median time of a 512 x 512 read; cold: a fresh open each time."""
    times, ds = [], None if cold else gdal.Open(path)
    for x, y in spots:
        t = time.perf_counter()
        d = gdal.Open(path) if cold else ds
        d.GetRasterBand(band).ReadAsArray(x, y, 512, 512)
        d = None
        times.append(1000 * (time.perf_counter() - t))
        gdal.SetCacheMax(gdal.GetCacheMax())  # keep GDAL's cache bound
    return statistics.median(times)


def psnr_worst(src, path):
    out = gdal.Open(path)
    nd = src.GetRasterBand(1).GetNoDataValue()
    worst = float("inf")
    for b in range(1, src.RasterCount + 1):
        a = src.GetRasterBand(b).ReadAsArray().astype(float)
        c = out.GetRasterBand(b).ReadAsArray().astype(float)
        v = a != nd
        peak = a[v].max() - a[v].min()
        mse = np.mean((a[v] - c[v]) ** 2)
        worst = min(worst, 10 * np.log10(peak ** 2 / mse) if mse > 0 else float("inf"))
    return worst


def threads_table(tmp, src, npx):
    print("\n## Encode throughput against NUM_THREADS (%d cores)\n" % os.cpu_count())
    print("| coding | threads | seconds | Mpixel-steps/s | speed-up |")
    print("|---|---|---|---|---|")
    for name, opts in (("lossy x265", []), ("lossless FFV1", ["LOSSLESS=YES"])):
        base = None
        for n in (1, 2, 4):
            s = encode(src, f"{tmp}/thr.mkv",
                       opts + ["BAND_LAYOUT=TIME", "TILE_SIZE=512", f"NUM_THREADS={n}"])
            gdal.GetDriverByName("XAVIDEO").Delete(f"{tmp}/thr.mkv")
            base = base or s
            print(f"| {name} | {n} | {s:.1f} | {npx / s / 1e6:.1f} | {base / s:.2f} |")


def tile_size_table(tmp, src, npx):
    print("\n## Tile size (lossy, default CRF)\n")
    print("| TILE_SIZE | files | bpppb | worst PSNR dB | encode s | 512 window cold ms | full read s |")
    print("|---|---|---|---|---|---|---|")
    spots = windows(src, WINDOWS)
    for size in (256, 512, 1024, 2048, 0):
        out = f"{tmp}/ts{size}.mkv"
        s = encode(src, out, ["BAND_LAYOUT=TIME", f"TILE_SIZE={size}"])
        files = 1 + (len(os.listdir(out + ".tiles")) if os.path.exists(out + ".tiles") else 0)
        bpppb = 8 * dataset_bytes(out) / npx
        ms = window_ms(out, 3, spots, cold=True)
        t = time.perf_counter()
        ds = gdal.Open(out)
        for b in range(1, ds.RasterCount + 1):
            ds.GetRasterBand(b).ReadAsArray()
        full = time.perf_counter() - t
        ds = None
        print(f"| {size or 'none (one tile)'} | {files} | {bpppb:.2f} | {psnr_worst(src, out):.1f} "
              f"| {s:.1f} | {ms:.0f} | {full:.1f} |")
        gdal.GetDriverByName("XAVIDEO").Delete(out)


def window_table(tmp):
    vrt = f"{tmp}/l7.vrt"
    mosaic_vrt(vrt, L7, 58, 57, bands=(1, 2))
    src = gdal.Open(vrt)
    cog = f"{tmp}/l7_cog.tif"
    rows = []
    for name, opts in (("FFV1, 512 tiles", ["LOSSLESS=YES"]),
                       ("FFV1, 1024 tiles", ["LOSSLESS=YES", "TILE_SIZE=1024"]),
                       ("x265 PRESET=faster, 512 tiles", ["PRESET=faster"])):
        xav = f"{tmp}/l7_{len(rows)}.mkv"
        enc = encode(src, xav, ["BAND_LAYOUT=TIME"] + opts)
        rows.append((f"XAVIDEO {name}", xav, dataset_bytes(xav), enc))
    t = time.perf_counter()
    gdal.Translate(cog, src, format="COG", creationOptions=["COMPRESS=ZSTD", "NUM_THREADS=ALL_CPUS"])
    rows.append(("GTiff COG ZSTD, 512 blocks", cog, os.path.getsize(cog), time.perf_counter() - t))
    spots = windows(src, WINDOWS, seed=2)
    print("\n## 512 x 512 window at one time, 20242 x 20064 x 2 steps\n")
    print("| format | size MB | encode s | cold ms (open + read) | warm ms |")
    print("|---|---|---|---|---|")
    for name, path, size, enc in rows:
        print(f"| {name} | {size / 1e6:.0f} | {enc:.0f} | {window_ms(path, 2, spots, True):.1f} "
              f"| {window_ms(path, 2, spots, False):.1f} |")
    return rows[0][1]


def http_table(tmp, xav):
    gdal.SetConfigOption("GDAL_DISABLE_READDIR_ON_OPEN", "EMPTY_DIR")
    print("\n## Over HTTP: a 512 x 512 window at one time, from a cold open\n")
    print("| window | tiles | requests | KB fetched | of the dataset |")
    print("|---|---|---|---|---|")
    total = dataset_bytes(xav)
    try:
        with nginx.serve(os.path.dirname(xav), f"{tmp}/nginx") as (base, log):
            url = f"/vsicurl/{base}/{os.path.basename(xav)}"
            for (x, y), tiles in (((10240, 10240), 1), ((10000, 10000), 4)):
                gdal.VSICurlClearCache()
                open(log, "w").close()
                ds = gdal.Open(url + ".json")
                ds.GetRasterBand(2).ReadAsArray(x, y, 512, 512)
                ds = None
                n, got = nginx.requests_and_bytes(log)
                print(f"| {x},{y} | {tiles} | {n} | {got / 1e3:.0f} | {100 * got / total:.3f} % |")
    except RuntimeError as e:
        print(f"\n(HTTP table skipped: {e})")
    finally:
        gdal.SetConfigOption("GDAL_DISABLE_READDIR_ON_OPEN", None)


def main():
    with tempfile.TemporaryDirectory() as tmp:
        maxt = f"{tmp}/maxt.vrt"
        w, h = mosaic_vrt(maxt, MAXT, 4, 4, bands=(1, 2, 3, 4))
        src = gdal.Open(maxt)
        npx = w * h * src.RasterCount
        print(f"# Tiles benchmark: NDFD mosaic {w} x {h} x {src.RasterCount} days")
        threads_table(tmp, src, npx)
        tile_size_table(tmp, src, npx)
        xav = window_table(tmp)
        http_table(tmp, xav)


if __name__ == "__main__":
    main()
