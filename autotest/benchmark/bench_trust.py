#!/usr/bin/python3
"""What trust costs (issue 11): the default error bound and the frame
checksums, on the real cubes. Prints a table; asserts nothing.

For each cube, coded with the default settings:
- the whole dataset in bits per pixel per band (every file counted);
- what the correction streams of the default bound take, and the share of
  valid pixels they move (their non-zero codes, decoded by ffmpeg);
- what the frame checksums take (16 bytes a packet);
- full-read time with the checksums checked, and the share of it spent
  computing them (the CRC of every decoded frame, timed alone on the same
  frames).

Usage: /usr/bin/python3 autotest/benchmark/bench_trust.py [BUILD_DIR]
"""
import json
import os
import subprocess
import sys
import tempfile
import time
import zlib

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build")
os.environ["GDAL_DRIVER_PATH"] = BUILD
os.environ["GDAL_PAM_ENABLED"] = "NO"
os.environ["XAVIDEO_BUILD_DIR"] = BUILD
sys.path.insert(0, os.path.join(ROOT, "autotest"))
from osgeo import gdal  # noqa: E402

from xavtest import sidecar_streams  # noqa: E402

gdal.UseExceptions()
DATA = os.path.join(ROOT, "data", "cache")
NC = 'NETCDF:"%s":%s'
CUBES = [
    ("UWND (132 months)", NC % (os.path.join(DATA, "monthly_navy_winds.cdf"), "UWND")),
    ("SST (12 months, land)", NC % (os.path.join(DATA, "coads_climatology.cdf"), "SST")),
    ("NDFD MaxT (4 days)", os.path.join(DATA, "ds.maxt.bin")),
    ("NDFD wave height (21 steps)", os.path.join(DATA, "ds.waveh.bin")),
    ("Landsat 7 (6 bands)", os.path.join(DATA, "L7_ETMs.tif")),
]


def files_of(path):
    ds = gdal.Open(path)
    return ds.GetFileList()


def packets(path):
    out = subprocess.run(["ffprobe", "-v", "error", "-show_entries",
                          "packet=stream_index,size", "-of", "json", path],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)["packets"]


def main():
    print("| cube | bpppb | bound (share of range) | corrections bpppb | pixels corrected | checksums bpppb | full read s | CRC share of read |")
    print("|---|---|---|---|---|---|---|---|")
    tmp = tempfile.mkdtemp()
    for name, path in CUBES:
        if not os.path.exists(path.split('"')[1] if path.startswith("NETCDF") else path):
            print(f"| {name} | (missing) |")
            continue
        src = gdal.Open(path)
        out = os.path.join(tmp, "c.mkv")
        gdal.Translate(out, src, format="XAVIDEO")
        doc = json.load(open(out + ".json"))
        files = files_of(out)
        total = sum(os.path.getsize(f) for f in files)
        nbands = src.RasterCount
        pixels = src.RasterXSize * src.RasterYSize * nbands
        corr_bytes = checks = 0
        tiles_x = doc.get("tiling", {}).get("tiles_x", 1)
        for f in files:
            if not f.endswith(".mkv"):
                continue
            own = [s for s in sidecar_streams(doc) if file_of(s, tiles_x, out) == f]
            for p in packets(f):
                checks += 16
                s = own[p["stream_index"]] if p["stream_index"] < len(own) else None
                if s is not None and s["role"] == "correction":
                    corr_bytes += int(p["size"])
        bound = max(v.get("max_error", 0) for v in doc["variables"])
        lo, hi = doc["variables"][0]["valid_range"]
        rng = float(hi) - float(lo)
        a = src.ReadAsArray()
        nodata = src.GetRasterBand(1).GetNoDataValue()
        valid = np.isfinite(a) if a.dtype.kind == "f" else np.ones(a.shape, bool)
        if nodata is not None:
            valid &= a != np.array(nodata).astype(a.dtype)
        corrected = corrected_share(doc, files, out, int(valid.sum()))
        t = time.perf_counter()
        ds = gdal.Open(out)
        frames = []
        for b in range(1, nbands + 1):
            frames.append(ds.GetRasterBand(b).ReadAsArray())
        read_s = time.perf_counter() - t
        # the checksums cover every decoded frame of every stream: time the
        # same CRC over as many bytes as the streams decode
        decoded = int(ds.GetMetadataItem("DECODED_FRAMES", "XAVIDEO"))
        tile = doc.get("tiling", {})
        frame_bytes = (min(tile.get("tile_width", src.RasterXSize), src.RasterXSize) *
                       min(tile.get("tile_height", src.RasterYSize), src.RasterYSize) * 2)
        buf = os.urandom(frame_bytes)
        t = time.perf_counter()
        for _ in range(decoded):
            zlib.crc32(buf)
        crc_s = time.perf_counter() - t
        print(f"| {name} | {total * 8 / pixels:.3f} | {bound:.4g} ({bound / rng:.4f}) | "
              f"{corr_bytes * 8 / pixels:.4f} | {corrected:.2e} | {checks * 8 / pixels:.4f} | "
              f"{read_s:.2f} | {crc_s / read_s:.1%} |", flush=True)
        gdal.GetDriverByName("XAVIDEO").Delete(out)


def corrected_share(doc, files, out, valid_pixels):
    """Share of valid pixels the default bound's corrections move: the
    non-zero codes of every correction stream, decoded by ffmpeg."""
    tiles_x = doc.get("tiling", {}).get("tiles_x", 1)
    moved = 0
    for f in files:
        if not f.endswith(".mkv"):
            continue
        own = [s for s in sidecar_streams(doc) if file_of(s, tiles_x, out) == f]
        for i, s in enumerate(own):
            if s["role"] != "correction":
                continue
            raw = subprocess.run(["ffmpeg", "-v", "error", "-i", f, "-map", f"0:{i}",
                                  "-f", "rawvideo", "-pix_fmt", s["pix_fmt"], "-"],
                                 capture_output=True, check=True).stdout
            codes = np.frombuffer(raw, dtype=np.uint16 if s["bits"] > 8 else np.uint8)
            moved += int((codes != 1 << (s["bits"] - 1)).sum())
    return moved / valid_pixels


def file_of(s, tiles_x, out):
    t = s["tile"]
    if t == 0:
        return out
    return f"{out}.tiles/r{t // tiles_x:04d}_c{t % tiles_x:04d}.mkv"


if __name__ == "__main__":
    main()
