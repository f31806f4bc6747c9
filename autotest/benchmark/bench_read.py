#!/usr/bin/python3
"""Read-side benchmark (issue 3). Prints tables; asserts nothing.

1. Full-read throughput of XAVIDEO (every band, ReadAsArray) against
   `ffmpeg -i NAME.mkv -map 0 -f null -` on the same file, same threads.
2. File size and random-read cost against GOP.
3. Peak resident memory of CreateCopy at 50 and 500 time steps, and of a
   full read with two cache settings.

Cubes are real data from data/cache; the larger ones repeat real bands
through a VRT (the 1073 x 689 NDFD grid, 4 days, cycled).

Usage: /usr/bin/python3 autotest/benchmark/bench_read.py [--quick]
"""
import os
import random
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("GDAL_DRIVER_PATH", os.path.join(ROOT, "build"))
os.environ["GDAL_PAM_ENABLED"] = "NO"
from osgeo import gdal  # noqa: E402

gdal.UseExceptions()
DATA = os.path.join(ROOT, "data", "cache")
UWND = 'NETCDF:"%s":UWND' % os.path.join(DATA, "monthly_navy_winds.cdf")
MAXT = os.path.join(DATA, "ds.maxt.bin")
QUICK = "--quick" in sys.argv


def repeat_vrt(path, src, nbands):
    """A VRT of nbands real bands, cycling through src's bands."""
    s = gdal.Open(src)
    bands = [(i % s.RasterCount) + 1 for i in range(nbands)]
    gdal.Translate(path, s, format="VRT", bandList=bands)
    return path


def encode(src, out, options):
    t = time.perf_counter()
    gdal.Translate(out, src, format="XAVIDEO", creationOptions=options)
    return time.perf_counter() - t


def full_read_seconds(path, threads):
    """Open included, as ffmpeg's time includes its own start."""
    t = time.perf_counter()
    ds = gdal.OpenEx(path, open_options=["NUM_THREADS=%d" % threads])
    for b in range(1, ds.RasterCount + 1):
        ds.GetRasterBand(b).ReadAsArray()
    return time.perf_counter() - t


def ffmpeg_seconds(path, threads):
    t = time.perf_counter()
    subprocess.run(["ffmpeg", "-v", "error", "-threads", str(threads), "-i",
                    path, "-map", "0", "-f", "null", "-"], check=True)
    return time.perf_counter() - t


def best(f, *args, repeat=3):
    return min(f(*args) for _ in range(repeat))


def throughput(tmp):
    print("\n## 1. Full read against ffmpeg -f null (same file, same threads)\n")
    print("| cube | codec | frames x size | threads | ffmpeg s | XAVIDEO s | XAVIDEO / ffmpeg throughput |")
    print("|---|---|---|---|---|---|---|")
    big = repeat_vrt(os.path.join(tmp, "maxt64.vrt"), MAXT, 16 if QUICK else 64)
    for name, src, opts in [("UWND 132 x 144 x 73", UWND, []),
                            ("NDFD MaxT cycled", big, ["BAND_LAYOUT=TIME"]),
                            ("NDFD MaxT cycled", big, ["BAND_LAYOUT=TIME", "LOSSLESS=YES"])]:
        out = os.path.join(tmp, "tp.mkv")
        encode(src, out, opts)
        ds = gdal.Open(out)
        desc = "%d x %dx%d" % (ds.RasterCount, ds.RasterXSize, ds.RasterYSize)
        codec = "FFV1" if "LOSSLESS=YES" in opts else "x265"
        ds = None
        for threads in (1, 2):
            ff = best(ffmpeg_seconds, out, threads)
            xa = best(full_read_seconds, out, threads)
            print("| %s | %s | %s | %d | %.3f | %.3f | %.0f %% |" % (
                name, codec, desc, threads, ff, xa, 100 * ff / xa))


def random_read(path, count, rng):
    """Mean seconds and decoded frames of a read of one random time step
    from a fresh open (no cache of any kind)."""
    secs, frames = 0.0, 0
    ds = gdal.Open(path)
    n = ds.RasterCount
    ds = None
    for _ in range(count):
        b = rng.randrange(1, n + 1)
        t = time.perf_counter()
        ds = gdal.Open(path)
        ds.GetRasterBand(b).ReadAsArray()
        secs += time.perf_counter() - t
        frames += int(ds.GetMetadataItem("DECODED_FRAMES", "XAVIDEO"))
        ds = None
    return secs / count, frames / count


def gop_sweep(tmp):
    print("\n## 2. Size and random-read cost against GOP\n")
    print("| cube | GOP | bpppb | size / size at GOP 1 | random read ms | frames decoded |")
    print("|---|---|---|---|---|---|")
    big = repeat_vrt(os.path.join(tmp, "maxt32.vrt"), MAXT, 32)
    rng = random.Random(42)
    for name, src, opts in [("UWND (x265)", UWND, []),
                            ("NDFD MaxT cycled (x265)", big, ["BAND_LAYOUT=TIME"])]:
        base = None
        for gop in (1, 4, 8, 16, 32, 64):
            out = os.path.join(tmp, "g.mkv")
            encode(src, out, opts + ["GOP=%d" % gop])
            ds = gdal.Open(out)
            pixels = ds.RasterCount * ds.RasterXSize * ds.RasterYSize
            ds = None
            size = os.path.getsize(out)
            base = base or size
            ms, frames = random_read(out, 10 if QUICK else 30, rng)
            print("| %s | %d | %.3f | %.2f | %.1f | %.1f |" % (
                name, gop, size * 8 / pixels, size / base, 1000 * ms, frames))


CHILD = r"""
import os, sys
from osgeo import gdal
gdal.UseExceptions()
what, a, b, c = sys.argv[1:5]
if what == "copy":
    gdal.Translate(b, a, format="XAVIDEO", creationOptions=["BAND_LAYOUT=TIME"])
else:
    ds = gdal.OpenEx(a, open_options=["CACHE_SIZE=" + c])
    for i in range(1, ds.RasterCount + 1):
        ds.GetRasterBand(i).ReadAsArray()
# VmHWM, not ru_maxrss: Linux carries ru_maxrss across execve, so a child
# would inherit the benchmark's own peak
print([l.split()[1] for l in open("/proc/self/status") if l.startswith("VmHWM")][0])
"""


def peak_rss_mib(*args):
    """Peak resident memory of a child process, as it reports it, in MiB."""
    out = subprocess.run([sys.executable, "-c", CHILD, *args], check=True,
                         capture_output=True, text=True).stdout
    return int(out.split()[-1]) / 1024


def memory(tmp):
    print("\n## 3. Peak resident memory\n")
    print("| job | time steps | peak RSS MiB |")
    print("|---|---|---|")
    os.environ["GDAL_CACHEMAX"] = "64"
    for steps in (50, 500):
        vrt = repeat_vrt(os.path.join(tmp, "m%d.vrt" % steps), MAXT, steps)
        out = os.path.join(tmp, "m%d.mkv" % steps)
        print("| CreateCopy, 1073 x 689 Float64, x265, GDAL_CACHEMAX=64 MiB | %d | %.0f |" % (
            steps, peak_rss_mib("copy", vrt, out, "0")))
    for cache in ("16", "256"):
        out = os.path.join(tmp, "m500.mkv")
        print("| full read, CACHE_SIZE=%s MiB, GDAL_CACHEMAX=64 MiB | 500 | %.0f |" % (
            cache, peak_rss_mib("read", out, "", cache)))


def main():
    with tempfile.TemporaryDirectory() as tmp:
        print("# XAVIDEO read benchmark (%s, %d cores)" % (
            gdal.VersionInfo("RELEASE_NAME"), os.cpu_count()))
        throughput(tmp)
        gop_sweep(tmp)
        memory(tmp)


if __name__ == "__main__":
    main()
