"""Spatial tiles (TILE_SIZE): each tile is its own set of streams, GDAL's
block is the tile, and a window decodes only the tiles under it. Edge tiles
are smaller (padded only up to the codecs' 16-pixel minimum)."""
import json

import numpy as np
import pytest
from osgeo import gdal

from xavtest import (L7, MAXT, SST, capture_errors, file_exists, open_ds, read_all,
                      sidecar_streams, valid_mask, xav_create, xav_create_ok)


def decoded(ds):
    return int(ds.GetMetadataItem("DECODED_FRAMES", "XAVIDEO"))


@pytest.mark.parametrize("path,tile", [(MAXT, 256), (L7, 340), (L7, 100)])
def test_lossless_tiled_is_bit_exact(tmp_path, path, tile):
    """340 on L7 (349 x 352) leaves edge tiles 9 and 12 pixels wide."""
    src = gdal.Open(str(path))
    xav_create_ok(src, tmp_path / "t.mkv", ["LOSSLESS=YES", f"TILE_SIZE={tile}"])
    out = open_ds(tmp_path / "t.mkv")
    assert out.GetRasterBand(1).GetBlockSize() == [tile, tile]
    for b in range(1, src.RasterCount + 1):
        a, c = src.GetRasterBand(b).ReadAsArray(), out.GetRasterBand(b).ReadAsArray()
        assert a.tobytes() == c.tobytes(), f"band {b}"
    side = json.loads(open(f"{tmp_path / 't.mkv'}.json").read())
    tx = -(-src.RasterXSize // tile)
    ty = -(-src.RasterYSize // tile)
    assert side["tiling"] == {"tile_width": tile, "tile_height": tile,
                              "tiles_x": tx, "tiles_y": ty}
    assert {s["tile"] for s in sidecar_streams(side)} == set(range(tx * ty))


def test_lossy_tiled_masks_and_bound(tmp_path):
    """SST in 64-pixel tiles with MAX_ERROR: the bound and the land mask
    hold across tile edges."""
    src = gdal.Open(SST)
    xav_create_ok(src, tmp_path / "t.mkv", ["TILE_SIZE=64", "MAX_ERROR=0.05"])
    out = open_ds(tmp_path / "t.mkv")
    for b in range(1, src.RasterCount + 1):
        nd = src.GetRasterBand(b).GetNoDataValue()
        a = src.GetRasterBand(b).ReadAsArray().astype(np.float64)
        c = out.GetRasterBand(b).ReadAsArray().astype(np.float64)
        v = valid_mask(a, nd)
        assert np.array_equal(v, valid_mask(c, nd)), f"band {b}"
        assert np.abs(a[v] - c[v]).max() <= 0.05, f"band {b}"
        assert float(out.GetRasterBand(b).GetMetadataItem("XAVIDEO_MAX_ABS_ERROR", "IMAGE_STRUCTURE")) == \
            pytest.approx(np.abs(a[v] - c[v]).max(), rel=1e-6)


@pytest.mark.parametrize("window,tiles", [((300, 300, 100, 100), 1),
                                          ((200, 200, 100, 100), 4),
                                          ((0, 0, 1073, 689), 15)])
def test_window_decodes_only_the_tiles_under_it(tmp_path, window, tiles):
    """MaxT (1073 x 689) in 256-pixel tiles: 5 x 3 tiles. Band 3 is time 2:
    with GOP 4 each tile decodes frames 0..2 of its data, mask and
    correction streams; tiles of the sea's corners, with no valid pixel,
    are left out and decode nothing."""
    xav_create_ok(gdal.Open(str(MAXT)), tmp_path / "m.mkv", ["TILE_SIZE=256", "GOP=4"])
    empty = json.loads(open(f"{tmp_path / 'm.mkv'}.json").read())["tiling"].get("empty_tiles", [])
    x, y, w, h = window
    under = {r * 5 + c for r in range(y // 256, (y + h - 1) // 256 + 1)
             for c in range(x // 256, (x + w - 1) // 256 + 1)}
    assert len(under) == tiles
    ds = open_ds(tmp_path / "m.mkv")
    ds.GetRasterBand(3).ReadAsArray(*window)
    assert decoded(ds) == len(under - set(empty)) * 3 * 3


def test_tile_size_beyond_the_codecs_is_refused(tmp_path):
    out = tmp_path / "o.mkv"
    ds, log = xav_create(gdal.Open(str(L7)), out, ["TILE_SIZE=9000"])
    assert ds is None and any("TILE_SIZE=9000" in m for m in log.messages)
    assert not file_exists(out)


def tile_files(root, name):
    tiles = root / f"{name}.tiles"
    return sorted(p.name for p in tiles.iterdir()) if tiles.exists() else []


def test_each_tile_is_a_file_of_its_own(tmp_path):
    """L7 in 100-pixel tiles: 4 x 4 tiles, tile 0 in t.mkv, the others in
    t.mkv.tiles/, each file holding only its tile's streams; the video alone
    (its embedded description) still opens the whole dataset."""
    src = gdal.Open(str(L7))
    xav_create_ok(src, tmp_path / "t.mkv", ["LOSSLESS=YES", "TILE_SIZE=100"])
    names = tile_files(tmp_path, "t.mkv")
    assert names == sorted(f"r{r:04d}_c{c:04d}.mkv" for r in range(4)
                           for c in range(4) if (r, c) != (0, 0))
    side = json.loads((tmp_path / "t.mkv.json").read_text())
    for s in sidecar_streams(side):
        r, c = divmod(s["tile"], 4)
        assert s["file"] == ""  # its tile's own file, named by rule
    per_tile = len(sidecar_streams(side)) // 16
    assert [s["index"] for s in sidecar_streams(side)] == list(range(per_tile)) * 16
    out = open_ds(tmp_path / "t.mkv")
    assert len(out.GetFileList()) == 1 + 16
    (tmp_path / "t.mkv.json").unlink()
    alone = open_ds(tmp_path / "t.mkv")
    for b in range(1, src.RasterCount + 1):
        assert alone.GetRasterBand(b).ReadAsArray().tobytes() == \
            src.GetRasterBand(b).ReadAsArray().tobytes(), f"band {b}"


def test_many_lossy_tiles(tmp_path):
    """484 tiles of 16 x 16 (the codecs' smallest frame), lossy: every tile
    encoded in its own file, the whole read back close to the source, and
    each band's PSNR, summed over the tiles' errors, is what the reader
    gets."""
    src = gdal.Open(str(L7))
    xav_create_ok(src, tmp_path / "t.mkv", ["TILE_SIZE=16", "CRF=0"])
    assert len(tile_files(tmp_path, "t.mkv")) == 22 * 22 - 1
    out = open_ds(tmp_path / "t.mkv")
    for b in range(1, src.RasterCount + 1):
        a = src.GetRasterBand(b).ReadAsArray().astype(float)
        c = out.GetRasterBand(b).ReadAsArray().astype(float)
        assert np.abs(a - c).max() <= 8, f"band {b}"
        md = out.GetRasterBand(b).GetMetadata("IMAGE_STRUCTURE")
        peak = a.max() - a.min()
        expected = 10 * np.log10(peak ** 2 / np.mean((a - c) ** 2))
        assert float(md["XAVIDEO_PSNR_DB"]) == pytest.approx(expected, abs=0.01), f"band {b}"
        assert float(md["XAVIDEO_MAX_ABS_ERROR"]) == np.abs(a - c).max()


@pytest.mark.parametrize("options", [["LOSSLESS=YES"], ["MAX_ERROR=0.5"]])
def test_thread_count_does_not_change_the_result(tmp_path, options):
    """Tiles encoded on 1 or 3 threads: the same files (FFV1 is
    deterministic; tile 0's differs by the names in its embedded
    description) or the same values within the same bound."""
    src = gdal.Open(str(MAXT))
    outs = []
    for n in (1, 3):
        name = tmp_path / f"n{n}.mkv"
        xav_create_ok(src, name, options + ["TILE_SIZE=256", f"NUM_THREADS={n}"])
        outs.append(open_ds(name))
    for b in range(1, src.RasterCount + 1):
        a = src.GetRasterBand(b).ReadAsArray().astype(float)
        one, three = (o.GetRasterBand(b).ReadAsArray().astype(float) for o in outs)
        if options == ["LOSSLESS=YES"]:
            assert one.tobytes() == three.tobytes() == a.tobytes()
        else:
            v = a != 9999
            assert np.abs(one - a)[v].max() <= 0.5 and np.abs(three - a)[v].max() <= 0.5
    if options == ["LOSSLESS=YES"]:
        for f in [f"n1.mkv.tiles/{n}" for n in tile_files(tmp_path, "n1.mkv")]:
            assert (tmp_path / f).read_bytes() == (tmp_path / f.replace("n1", "n3")).read_bytes(), f


def test_interrupting_a_threaded_encode_leaves_nothing(tmp_path):
    calls = []

    def stop_soon(pct, msg, data):
        calls.append(pct)
        return 1 if len(calls) < 3 else 0

    ds, log = xav_create(gdal.Open(str(MAXT)), tmp_path / "o.mkv",
                         ["TILE_SIZE=128", "NUM_THREADS=2"], callback=stop_soon)
    assert ds is None and any("interrupted" in m for m in log.messages), log.messages
    assert list(tmp_path.iterdir()) == []


def test_a_failing_tile_reports_its_error_and_leaves_nothing(tmp_path):
    """A source read that fails inside a worker thread (the right half of a
    mosaic whose file went missing; lossless, so no scan reads it first in
    the calling thread): the caller gets that thread's message, and no
    file of the copy is left."""
    left = gdal.Translate(str(tmp_path / "left.tif"), str(L7))
    gt = list(left.GetGeoTransform())
    right = gdal.Translate(str(tmp_path / "right.tif"), str(L7))
    gt[0] += gt[1] * left.RasterXSize
    right.SetGeoTransform(gt)
    left = right = None
    gdal.BuildVRT(str(tmp_path / "m.vrt"),
                  [str(tmp_path / "left.tif"), str(tmp_path / "right.tif")])
    (tmp_path / "right.tif").unlink()
    out = tmp_path / "out"
    out.mkdir()
    ds, log = xav_create(gdal.Open(str(tmp_path / "m.vrt")), out / "o.mkv",
                         ["LOSSLESS=YES", "TILE_SIZE=128", "NUM_THREADS=2"])
    assert ds is None and any("right.tif" in m for m in log.messages), log.messages
    assert list(out.iterdir()) == []


def test_rename_copy_and_delete_move_the_tiles(tmp_path):
    src = gdal.Open(str(L7))
    xav_create_ok(src, tmp_path / "a.mkv", ["LOSSLESS=YES", "TILE_SIZE=200"])
    drv = gdal.GetDriverByName("XAVIDEO")
    assert drv.Rename(str(tmp_path / "b.mkv"), str(tmp_path / "a.mkv")) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.mkv", "b.mkv.json", "b.mkv.tiles"]
    assert drv.CopyFiles(str(tmp_path / "c.mkv"), str(tmp_path / "b.mkv")) == 0
    for name in ("b.mkv", "c.mkv"):
        out = open_ds(tmp_path / name)
        assert out.GetRasterBand(6).ReadAsArray().tobytes() == \
            src.GetRasterBand(6).ReadAsArray().tobytes()
        out = None
    assert drv.Delete(str(tmp_path / "b.mkv")) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.mkv", "c.mkv.json", "c.mkv.tiles"]


# ---- what a reader fetches at open (issue 14, part 5) ------------------------


def test_sidecar_size_does_not_grow_with_tiles(tmp_path):
    """Tiles that repeat one list of streams are described by it once
    (tile_streams): the sidecar of MaxT in 16 tiles is no larger than in
    4, and the streams are those of every tile."""
    sizes = {}
    for tile in (512, 256):
        out = tmp_path / f"t{tile}.mkv"
        xav_create_ok(gdal.Open(str(MAXT)), out, ["LOSSLESS=YES", f"TILE_SIZE={tile}"])
        side = json.loads((tmp_path / f"t{tile}.mkv.json").read_text())
        # version 5: MaxT's lossless values are a table (test_value_table.py)
        assert "streams" not in side and side["schema_version"] == 5
        assert all("tile" not in s for s in side["tile_streams"])
        sizes[tile] = len((tmp_path / f"t{tile}.mkv.json").read_bytes())
    assert sizes[256] <= sizes[512] + 16  # two more digits in the tiling
    ref = read_all(gdal.Open(str(MAXT)))
    assert read_all(open_ds(tmp_path / "t256.mkv")).tobytes() == ref.tobytes()


def test_earlier_sidecars_with_every_tile_listed_still_open(tmp_path):
    """A sidecar of schema 2 lists each tile's streams: written so from
    today's, it opens and reads as the source."""
    out = tmp_path / "t.mkv"
    xav_create_ok(gdal.Open(str(MAXT)), out, ["LOSSLESS=YES", "TILE_SIZE=256"])
    js = tmp_path / "t.mkv.json"
    doc = json.loads(js.read_text())
    doc["streams"] = sidecar_streams(doc)
    del doc["tile_streams"]
    doc["schema_version"] = 2
    js.write_text(json.dumps(doc))
    ref = read_all(gdal.Open(str(MAXT)))
    assert read_all(open_ds(js)).tobytes() == ref.tobytes()


@pytest.mark.parametrize("edit,words", [
    (lambda d: d.update(streams=sidecar_streams(d)), ["one of two lists"]),
    (lambda d: d["tile_streams"][0].update(tile=3), ["no tile number"]),
    (lambda d: d.update(width=2_000_000_000, height=2_000_000_000), ["tile"]),
], ids=["both-lists", "tile-in-shared", "forged-tiling"])
def test_malformed_shared_streams_refused(tmp_path, edit, words):
    out = tmp_path / "t.mkv"
    xav_create_ok(gdal.Open(str(MAXT)), out, ["LOSSLESS=YES", "TILE_SIZE=256"])
    js = tmp_path / "t.mkv.json"
    doc = json.loads(js.read_text())
    edit(doc)
    js.write_text(json.dumps(doc))
    with capture_errors() as log:
        assert gdal.OpenEx(str(js), gdal.OF_RASTER, allowed_drivers=["XAVIDEO"]) is None
    text = log.text()
    assert all(w in text for w in words), text
