#!/usr/bin/python3
"""xavdask: encode one large raster as XAVIDEO on a Dask cluster.

The raster is cut into blocks of whole tiles. Workers first scan their
blocks (xavscan summary) and one step merges the scans into the VALID_RANGE
that one encode of the whole would have chosen (xavscan range), so that
every piece is quantized alike; then workers encode their blocks in
parallel (gdal_translate -srcwin, as the README's pieces recipe does), and
one step writes the sidecar over the pieces (xavassemble). The result
reads like a single-process encode of the same source: lossless, the same
values; lossy, the same range, hence the same bounds.

    from xavdask import encode
    with distributed.Client(scheduler) as client:
        encode(client, "big.vrt", "big.json", ["TILE_SIZE=512"])

    /usr/bin/python3 apps/xavdask.py [--scheduler ADDRESS | --workers N]
        [--block PIXELS] [-co NAME=VALUE]... SOURCE OUTPUT.json

Pieces go to OUTPUT's folder, under OUTPUT.pieces/, which every worker
must be able to write (a shared file system); the sidecar refers to them.
Nothing is left behind when a step fails. See doc/xavideo.md, "Encoding
on Dask".
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

from osgeo import gdal

DEFAULT_TILE = 512
DEFAULT_BLOCK_TILES = 4  # a piece: 4 x 4 tiles (2048 x 2048 by default)


def tool(name, tools_dir=None):
    """xavscan or xavassemble: in tools_dir, next to the plugin, or on PATH."""
    places = [tools_dir, os.environ.get("GDAL_DRIVER_PATH")]
    for place in places:
        if place and os.path.exists(os.path.join(place, name)):
            return os.path.join(place, name)
    found = shutil.which(name)
    if found is None:
        raise RuntimeError(f"{name} not found (build it, or cmake --install)")
    return found


def option_value(options, name):
    for o in options:
        key, _, value = o.partition("=")
        if key.upper() == name:
            return value
    return None


def windows(width, height, tile, block):
    """Blocks of whole tiles covering the raster, row by row: (x, y, w, h)."""
    if block % tile != 0:
        raise ValueError(f"the block ({block}) must be a whole number of tiles ({tile})")
    return [(x, y, min(block, width - x), min(block, height - y))
            for y in range(0, height, block) for x in range(0, width, block)]


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"{os.path.basename(cmd[0])} failed: {p.stderr.strip()}")
    return p.stdout


# ---- what the workers do ---------------------------------------------------

def scan_piece(source, window, options, xavscan):
    cmd = [xavscan, "summary", "-srcwin"] + [str(v) for v in window]
    for o in options:
        cmd += ["-co", o]
    return run(cmd + [source])


def encode_piece(source, window, options, path):
    ds = gdal.Open(source)
    if ds is None:
        raise RuntimeError(f"cannot open {source}: {gdal.GetLastErrorMsg()}")
    out = gdal.Translate(path, ds, format="XAVIDEO", srcWin=list(window),
                         creationOptions=list(options))
    if out is None:
        raise RuntimeError(f"piece {window} of {source}: {gdal.GetLastErrorMsg()}")
    out = None
    return path


# ---- the steps ---------------------------------------------------------------

def shared_range(client, source, blocks, options, tools_dir):
    """The VALID_RANGE of the whole from the workers' scans of the blocks."""
    xavscan = tool("xavscan", tools_dir)
    n = len(blocks)
    summaries = client.gather(client.map(scan_piece, [source] * n, blocks, [options] * n,
                                         [xavscan] * n, pure=False))
    with tempfile.TemporaryDirectory() as tmp:
        files = []
        for i, text in enumerate(summaries):
            files.append(os.path.join(tmp, f"{i}.json"))
            with open(files[-1], "w") as f:
                f.write(text)
        return run([xavscan, "range"] + files).strip()


def encode(client, source, output, options=(), block=None, tools_dir=None):
    """Encodes source into the dataset output (a sidecar, NAME.json) on the
    client's cluster. Returns output; raises RuntimeError, leaving nothing
    behind, if a step fails."""
    options = [o for o in options if o.split("=")[0].upper() != "NUM_THREADS"]
    options.append("NUM_THREADS=1")  # one piece per worker thread
    tile = int(option_value(options, "TILE_SIZE") or DEFAULT_TILE)
    if option_value(options, "TILE_SIZE") is None:
        options.append(f"TILE_SIZE={tile}")
    block = block or tile * DEFAULT_BLOCK_TILES
    if not output.endswith(".json"):
        raise ValueError("the output is a sidecar: NAME.json")
    ds = gdal.Open(source)
    if ds is None:
        raise RuntimeError(f"cannot open {source}: {gdal.GetLastErrorMsg()}")
    blocks = windows(ds.RasterXSize, ds.RasterYSize, tile, block)
    ds = None
    pieces_dir = output[:-len(".json")] + ".pieces"
    if os.path.exists(output) or os.path.exists(pieces_dir):
        raise RuntimeError(f"{output} or {pieces_dir} exists already")
    client.upload_file(os.path.abspath(__file__))  # workers import this module
    if option_value(options, "VALUE_TABLE") is None:
        options.append("VALUE_TABLE=NO")  # each piece's table would differ
    if option_value(options, "DECORRELATE") is None:
        options.append("DECORRELATE=NO")  # and each piece's transform
    lossless = (option_value(options, "LOSSLESS") or "").upper() in ("YES", "TRUE", "ON", "1")
    if not lossless and option_value(options, "VALID_RANGE") is None:
        options.append("VALID_RANGE=" + shared_range(client, source, blocks, options, tools_dir))
    os.makedirs(pieces_dir)
    try:
        paths = [os.path.join(pieces_dir, f"{x}_{y}.mkv") for x, y, _, _ in blocks]
        client.gather(client.map(encode_piece, [source] * len(blocks), blocks,
                                 [options] * len(blocks), paths, pure=False))
        run([tool("xavassemble", tools_dir), output] + paths)
    except BaseException:
        shutil.rmtree(pieces_dir, ignore_errors=True)
        if os.path.exists(output):
            os.remove(output)
        raise
    return output


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("source")
    ap.add_argument("output", help="the dataset's sidecar, NAME.json")
    ap.add_argument("--scheduler", help="address of a running Dask scheduler")
    ap.add_argument("--workers", type=int, default=os.cpu_count(),
                    help="worker processes of a local cluster (no --scheduler)")
    ap.add_argument("--block", type=int, help="piece size in pixels (whole tiles)")
    ap.add_argument("-co", action="append", default=[], metavar="NAME=VALUE")
    args = ap.parse_args(argv)
    import distributed
    if args.scheduler:
        client = distributed.Client(args.scheduler)
        cluster = None
    else:
        cluster = distributed.LocalCluster(n_workers=args.workers, threads_per_worker=1,
                                           processes=True, dashboard_address=None)
        client = distributed.Client(cluster)
    try:
        encode(client, args.source, args.output, args.co, args.block)
    except (RuntimeError, ValueError) as e:
        print(f"xavdask: {e}", file=sys.stderr)
        return 1
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    print(f"{args.output}: encoded")
    return 0


if __name__ == "__main__":
    sys.exit(main())
