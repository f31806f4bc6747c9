"""Piecewise encoding, as a cluster job does it: independent processes each
encode a block of tiles with its own gdal_translate -srcwin, and
xavassemble writes one sidecar over their files, like gdalbuildvrt. The
assembled dataset must read as the source (bit-exact when lossless, within
MAX_ERROR when lossy), with the source's size and georeferencing."""
import json
import subprocess

import numpy as np
import pytest
from osgeo import gdal

from xavtest import BUILD_DIR, MAXT, gdal_env, gdal_tool, open_ds, sidecar_streams

TILE = 256
BLOCK = 512  # each piece: 2 x 2 tiles


def assemble(out, pieces):
    return subprocess.run([str(BUILD_DIR / "xavassemble"), str(out)] + [str(p) for p in pieces],
                          env=gdal_env(), capture_output=True, text=True, timeout=120)


def encode_pieces(src_path, root, options, windows, tag="p"):
    """One gdal_translate process per piece, all running at once; without
    value tables, which would differ from piece to piece."""
    (root / "pieces").mkdir(exist_ok=True)
    procs, pieces = [], []
    for x, y, w, h in windows:
        piece = root / "pieces" / f"{tag}_{x}_{y}.mkv"
        cmd = [gdal_tool("gdal_translate"), "-q", "-of", "XAVIDEO", "-srcwin",
               str(x), str(y), str(w), str(h), "-co", f"TILE_SIZE={TILE}",
               "-co", "NUM_THREADS=1", "-co", "VALUE_TABLE=NO"]
        for o in options:
            cmd += ["-co", o]
        procs.append(subprocess.Popen(cmd + [str(src_path), str(piece)], env=gdal_env(),
                                      stderr=subprocess.PIPE, text=True))
        pieces.append(piece)
    for p in procs:
        assert p.wait(timeout=600) == 0, p.stderr.read()
    return pieces


def blocks(width, height, size=BLOCK):
    return [(x, y, min(size, width - x), min(size, height - y))
            for y in range(0, height, size) for x in range(0, width, size)]


def maxt_range():
    src = gdal.Open(str(MAXT))
    a = np.stack([src.GetRasterBand(b).ReadAsArray() for b in range(1, src.RasterCount + 1)])
    valid = a[a != src.GetRasterBand(1).GetNoDataValue()]
    return f"{np.floor(valid.min()) - 1:g},{np.ceil(valid.max()) + 1:g}"


@pytest.mark.parametrize("options", [["LOSSLESS=YES"], ["MAX_ERROR=0.5"]],
                         ids=["lossless", "lossy"])
def test_pieces_assemble_into_the_source(tmp_path, options):
    src = gdal.Open(str(MAXT))
    if options != ["LOSSLESS=YES"]:
        options = options + [f"VALID_RANGE={maxt_range()}"]
    windows = blocks(src.RasterXSize, src.RasterYSize)
    assert len(windows) == 6  # 3 x 2 pieces, the last column 49 pixels wide
    pieces = encode_pieces(MAXT, tmp_path, options, windows)
    p = assemble(tmp_path / "maxt.json", pieces)
    assert p.returncode == 0, p.stderr
    out = open_ds(tmp_path / "maxt.json")
    assert (out.RasterXSize, out.RasterYSize, out.RasterCount) == \
        (src.RasterXSize, src.RasterYSize, src.RasterCount)
    assert out.GetGeoTransform() == pytest.approx(src.GetGeoTransform(), rel=1e-12)
    assert out.GetSpatialRef().IsSame(src.GetSpatialRef())
    assert out.GetRasterBand(1).GetBlockSize() == [TILE, TILE]
    side = json.loads((tmp_path / "maxt.json").read_text())
    assert all(s["file"].startswith("pieces/p_") for s in side["streams"])
    assert side["tiling"]["tiles_x"] * side["tiling"]["tiles_y"] == 5 * 3
    # lossy pieces leave out their tiles of sea only (but their tile 0):
    # the mosaic lists them in its own numbering
    empty = set(side["tiling"].get("empty_tiles", []))
    assert bool(empty) == (options != ["LOSSLESS=YES"])
    nodata = src.GetRasterBand(1).GetNoDataValue()
    for k in range(15):
        x, y = (k % 5) * TILE, (k // 5) * TILE
        sea = all((src.GetRasterBand(b).ReadAsArray(x, y, min(TILE, src.RasterXSize - x),
                                                    min(TILE, src.RasterYSize - y)) == nodata).all()
                  for b in range(1, src.RasterCount + 1))
        assert k not in empty or sea, f"tile {k} left out but not all sea"
    for b in range(1, src.RasterCount + 1):
        sb, ob = src.GetRasterBand(b), out.GetRasterBand(b)
        assert ob.GetMetadataItem("GRIB_VALID_TIME") == sb.GetMetadataItem("GRIB_VALID_TIME")
        a, c = sb.ReadAsArray(), ob.ReadAsArray()
        if options == ["LOSSLESS=YES"]:
            assert a.tobytes() == c.tobytes(), f"band {b}"
        else:
            nd = sb.GetNoDataValue()
            assert np.array_equal(a == nd, c == nd), f"band {b}"
            v = a != nd
            err = np.abs(a[v].astype(float) - c[v])
            assert err.max() <= 0.5, f"band {b}"
            # a lower bound of the mosaic's: the worst piece's
            assert float(ob.GetMetadataItem("XAVIDEO_MAX_ABS_ERROR", "IMAGE_STRUCTURE")) == pytest.approx(err.max(), rel=1e-6)


def test_pieces_with_their_own_tables_are_refused(tmp_path):
    """Lossless pieces of MaxT each get a table of their own values: the
    assembly refuses them, and says how to encode them."""
    src = gdal.Open(str(MAXT))
    windows = blocks(src.RasterXSize, src.RasterYSize)[:2]
    pieces = []
    for x, y, w, h in windows:
        piece = tmp_path / f"t_{x}_{y}.mkv"
        assert gdal.Translate(str(piece), src, format="XAVIDEO", srcWin=[x, y, w, h],
                              creationOptions=[f"TILE_SIZE={TILE}", "LOSSLESS=YES"]) is not None
        pieces.append(piece)
    p = assemble(tmp_path / "maxt.json", pieces)
    assert p.returncode != 0
    assert "VALUE_TABLE=NO" in p.stderr, p.stderr
    assert not (tmp_path / "maxt.json").exists()


def test_a_window_of_the_assembly_decodes_only_its_tiles(tmp_path):
    src = gdal.Open(str(MAXT))
    pieces = encode_pieces(MAXT, tmp_path, ["LOSSLESS=YES", "GOP=4"],
                           blocks(src.RasterXSize, src.RasterYSize))
    assert assemble(tmp_path / "maxt.json", pieces).returncode == 0
    per_tile = sum(1 for s in sidecar_streams(json.loads((tmp_path / "maxt.json").read_text()))
                   if s["tile"] == 0)  # Float64 bit planes: 8 words, 4 streams
    # one tile, of the piece at (512, 0): time 0 of its streams; then a
    # window on tiles (1, 1) and (2, 1), of the pieces at (0, 0) and (512, 0)
    for window, tiles in (((600, 100, 100, 100), 1), ((400, 300, 200, 100), 2)):
        out = open_ds(tmp_path / "maxt.json")
        a = out.GetRasterBand(1).ReadAsArray(*window)
        assert a.tobytes() == src.GetRasterBand(1).ReadAsArray(*window).tobytes()
        assert int(out.GetMetadataItem("DECODED_FRAMES", "XAVIDEO")) == tiles * per_tile


def test_pieces_that_do_not_fit_are_refused_clearly(tmp_path):
    src = gdal.Open(str(MAXT))
    h = src.RasterYSize
    rng = f"VALID_RANGE={maxt_range()}"
    a, b, off_grid, far = encode_pieces(MAXT, tmp_path, [rng, "CRF=20"], [
        (0, 0, 512, 512), (512, 0, 512, 512), (100, 0, 512, 512),
        (512, 512, 512, h - 512)])
    other_range = encode_pieces(MAXT, tmp_path, ["VALID_RANGE=0,500", "CRF=20"],
                                [(512, 0, 512, 512)], "other")[0]
    (tmp_path / "sub").mkdir()
    cases = [([a, off_grid], tmp_path / "x.json", "off the 256x256 tile grid"),
             ([a, other_range], tmp_path / "x.json", "VALID_RANGE"),
             ([a, far], tmp_path / "x.json", "no piece covers tile column 2, row 0"),
             ([a, b, a], tmp_path / "x.json", "overlaps piece 1"),
             ([a, b], tmp_path / "sub" / "x.json", "not in the output's folder or below"),
             ([a, b], tmp_path / "x.mkv", "ends in .json")]
    for group, out, words in cases:
        p = assemble(out, group)
        assert p.returncode != 0 and words in p.stderr, (words, p.stderr)
        assert not out.exists()
    assert assemble(tmp_path / "x.json", [a, b]).returncode == 0
