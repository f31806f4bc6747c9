"""Seed corpora for the fuzz targets, made from the real data at run time.

Usage: /usr/bin/python3 make_seeds.py PLUGIN_DIR OUT_DIR

Encodes small windows of the real cubes (data/cache) with the plain build's
driver, one per kind of description the writer makes (lossless, lossy with
a mask, MAX_ERROR corrections, tiles, AV1, palette and attribute table,
time axis), and writes
  OUT_DIR/sidecar/NAME       the sidecar (fuzz_sidecar)
  OUT_DIR/open/NAME          sidecar + separator + video (fuzz_open), the
                             sidecar's streams renamed to the fuzz target's
                             video name
  OUT_DIR/open/NAME.embedded the video alone (its embedded description)
Small windows keep each seed to a few kB, so each execution is fast."""
import json
import os
import sys
import tempfile
from pathlib import Path

PLUGIN_DIR, OUT = sys.argv[1], Path(sys.argv[2])
os.environ["GDAL_DRIVER_PATH"] = str(Path(PLUGIN_DIR).resolve())
os.environ["GDAL_PAM_ENABLED"] = "NO"
from osgeo import gdal  # noqa: E402

gdal.UseExceptions()
DATA = Path(__file__).resolve().parents[2] / "data" / "cache"
SEPARATOR = b"\n--XAVIDEO-FUZZ-VIDEO--\n"  # as in fuzz_open.cpp
VIDEO = "v.mkv"  # the name fuzz_open gives the video

winds = f'NETCDF:"{DATA}/monthly_navy_winds.cdf":UWND'
coads = f'NETCDF:"{DATA}/coads_climatology.cdf":SST'
l8 = str(DATA / "LC08_L1TP_195025_20130707_20170503_01_T1_B10.TIF")

# name: (source, gdal_translate options, creation options)
SEEDS = {
    "l7_x265": (DATA / "L7_ETMs.tif", "-srcwin 100 100 24 20", ["DECORRELATE=NO"]),
    # the bands as principal components: quantization "mixed"
    "l7_mixed": (DATA / "L7_ETMs.tif", "-srcwin 100 100 24 20", ["MAX_ERROR=2"]),
    "l7_ffv1_rgb": (DATA / "L7_ETMs.tif", "-srcwin 0 0 20 17 -b 1 -b 2 -b 3",
                    ["LOSSLESS=YES", "GROUPS=1,2,3"]),
    "lc_palette_rat": (DATA / "lc.tif", "-srcwin 10 10 18 18", ["LOSSLESS=YES"]),
    "uwnd_time": (winds, "-srcwin 0 0 20 16 -b 1 -b 2 -b 3 -b 4", ["GOP=2"]),
    "uwnd_max_error": (winds, "-srcwin 0 0 17 16 -b 1 -b 2", ["MAX_ERROR=0.5"]),
    "uwnd_lossless_float": (winds, "-srcwin 30 30 16 16 -b 1 -b 2", ["LOSSLESS=YES"]),
    "sst_mask": (coads, "-srcwin 0 20 24 20 -b 1 -b 2", ["BITS=10"]),
    "sst_tiles": (coads, "-srcwin 0 20 40 33 -b 1", ["TILE_SIZE=16"]),
    # tiles 2 and 5 all land: left out, listed in tiling.empty_tiles
    "sst_empty_tiles": (coads, "-srcwin 0 0 48 32 -b 1 -b 2", ["TILE_SIZE=16"]),
    "sst_mask_max_error": (coads, "-srcwin 0 20 24 20 -b 1 -b 2", ["MAX_ERROR=0.5"]),
    "l8_int16_av1": (l8, "-srcwin 0 0 20 20", ["CODEC=AV1"]),
    "maxt_lcc": (DATA / "ds.maxt.bin", "-srcwin 500 300 24 18 -b 1 -b 2",
                 ["LOSSLESS=YES", "VALUE_TABLE=NO"]),
    # lossless GRIB values: a value table in the sidecar and the video
    "maxt_table": (DATA / "ds.maxt.bin", "-srcwin 500 300 64 48 -b 1 -b 2",
                   ["LOSSLESS=YES"]),
}


def encode(tmp, name, src, window, options):
    sub = gdal.Translate("", str(src), options=f"-of VRT {window}")
    mkv = Path(tmp) / f"{name}.mkv"
    gdal.Translate(str(mkv), sub, format="XAVIDEO", creationOptions=options)
    return mkv


def main():
    for kind in ("sidecar", "open"):
        (OUT / kind).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for name, (src, window, options) in SEEDS.items():
            mkv = encode(tmp, name, src, window, options)
            text = Path(f"{mkv}.json").read_bytes()
            video = mkv.read_bytes()
            (OUT / "sidecar" / name).write_bytes(text)
            desc = json.loads(text)
            for stream in desc.get("streams") or desc["tile_streams"]:
                stream["file"] = VIDEO
            pair = json.dumps(desc, indent=1).encode() + SEPARATOR + video
            (OUT / "open" / name).write_bytes(pair)
            (OUT / "open" / f"{name}.embedded").write_bytes(video)
            print(f"seed {name}: sidecar {len(text)} B, video {len(video)} B")


main()
