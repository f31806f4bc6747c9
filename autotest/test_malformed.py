"""Malformed inputs (issue 7): videos truncated at many offsets or with
flipped bytes, sidecars that disagree with their video, absurd numbers,
wrong JSON types, missing keys, deep nesting, huge strings, invalid UTF-8,
non-finite numbers, and references outside the sidecar's folder.

Every case runs in a child interpreter with a timeout (xavtest's
run_child: a crash or a hang fails the test, not the session). What must
hold: opening or reading fails with a CPLError that names the problem, and
whatever reads succeed give exactly the source's pixels: wrong data is never
returned silently. The inputs are real outputs of the driver (Landsat 7 and
the Navy winds, lossless), corrupted here."""

import json
import os
import shutil

import numpy as np
import pytest

from xavtest import L7, UWND, open_source, read_all, xav_create_ok
from osgeo import gdal
from xavtest import DRIVER_NAME, assert_open_refused, copy_pair, probe_open, run_child, sidecar_of
from xavtest import sidecar_streams

# Words of the messages that say the video is damaged.
DAMAGE_WORDS = ["corrupt", "truncated", "missing", "cannot read", "no video stream",
                "no frame", "invalid", "sidecar says", "does not match"]


def _pair(tmp_path_factory, name, src, options):
    """A real dataset (video + sidecar) and its source's pixels (.npy)."""
    d = tmp_path_factory.mktemp(name)
    mkv = d / f"{name}.mkv"
    xav_create_ok(src, mkv, options)
    np.save(d / "source.npy", read_all(open_source(src)))
    return mkv


@pytest.fixture(scope="module")
def l7(tmp_path_factory, data_dir):
    return _pair(tmp_path_factory, "l7", L7, ["LOSSLESS=YES"])


@pytest.fixture(scope="module")
def uwnd(tmp_path_factory, data_dir):
    """132 Float32 fields as 4 byte planes, GOP 16: many packets, seeks."""
    return _pair(tmp_path_factory, "uwnd", UWND, ["LOSSLESS=YES"])


# --------------------------------------------------------------------------
# The child: open + read every band of many corrupted copies in /vsimem/
# --------------------------------------------------------------------------

PROBE = r"""
import json, os, sys
import numpy as np
mkv, cases = ARGS
ref = np.load(os.path.join(os.path.dirname(mkv), "source.npy"))
data = open(mkv, "rb").read()
sidecar = open(mkv + ".json", "rb").read()
base = os.path.basename(mkv)
msgs = []
gdal.PushErrorHandler(lambda c, n, m: msgs.append(m))
out = []

def corrupt(case):
    kind = case[0]
    if kind == "truncate":
        return data[: case[1]]
    if kind == "flip":
        b = bytearray(data)
        b[case[1]] ^= case[2]
        return bytes(b)
    raise ValueError(kind)

for i, case in enumerate(cases):
    print("START", i, json.dumps(case), flush=True)
    gdal.FileFromMemBuffer(f"/vsimem/p/{base}", corrupt(case))
    gdal.FileFromMemBuffer(f"/vsimem/p/{base}.json", sidecar)
    del msgs[:]
    ds = gdal.OpenEx(f"/vsimem/p/{base}.json", gdal.OF_RASTER, allowed_drivers=["XAVIDEO"])
    res = {"case": case, "opened": ds is not None, "failed": [], "wrong": [], "good": 0}
    for b in range(ds.RasterCount if ds else 0):
        a = ds.GetRasterBand(b + 1).ReadAsArray()
        if a is None:
            res["failed"].append(b)
        elif a.dtype != ref.dtype or a.tobytes() != ref[b].tobytes():
            res["wrong"].append(b)
        else:
            res["good"] += 1
    ds = None
    res["messages"] = msgs[:3]
    gdal.Unlink(f"/vsimem/p/{base}")
    gdal.Unlink(f"/vsimem/p/{base}.json")
    out.append(res)
print("RESULT" + json.dumps(out))
"""


def probe_corruptions(mkv, cases, timeout=600):
    code = f"ARGS = ({str(mkv)!r}, {cases!r})\n" + PROBE
    return run_child(code, timeout, f"reading corrupted copies of {mkv.name}",
                     f"a corrupted copy of {mkv.name} crashed the reader")


def assert_never_wrong(results, what):
    """No band read as other pixels than the source's; every failure comes
    with a message that says what is wrong."""
    for r in results:
        assert not r["wrong"], f"{what} {r['case']}: bands {r['wrong']} read WRONG data silently"
        if not r["opened"] or r["failed"]:
            text = " ".join(r["messages"]).lower()
            assert r["messages"], f"{what} {r['case']}: failed without a CPLError"
            assert any(w in text for w in DAMAGE_WORDS + ["sidecar", "xavideo"]), (
                f"{what} {r['case']}: message does not say what is wrong: {r['messages']}")


def damaged(r):
    return not r["opened"] or bool(r["failed"])


def _vint(data, i, keep_marker):
    """An EBML variable-length integer at data[i]: (value, next index)."""
    n = 1
    while n < 8 and not data[i] & (0x80 >> (n - 1)):
        n += 1
    v = data[i] if keep_marker else data[i] & (0xFF >> n)
    for k in range(1, n):
        v = (v << 8) | data[i + k]
    return v, i + n


# Matroska elements holding blocks (Segment, Cluster, BlockGroup), and the
# blocks (SimpleBlock, Block).
_CONTAINERS = (0x18538067, 0x1F43B675, 0xA0)
_BLOCKS = (0xA3, 0xA1)


def packets(mkv):
    """(offset, size) of the coded frame inside every block of the video:
    the block's header (track number, timecode, flags) left out."""
    data = mkv.read_bytes()
    out = []

    def walk(i, end):
        while i < end:
            eid, j = _vint(data, i, True)
            size, j = _vint(data, j, False)
            stop = min(j + size, end)
            if eid in _CONTAINERS:
                walk(j, stop)
            elif eid in _BLOCKS:
                _, k = _vint(data, j, False)
                out.append((k + 3, stop - k - 3))
            i = stop

    walk(0, len(data))
    assert out, f"no block found in {mkv}"
    return out


# --------------------------------------------------------------------------
# Truncated videos
# --------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["l7", "uwnd"])
def test_truncated_video_at_many_offsets(request, name):
    """Offsets spread over the file (40 on Landsat, 24 on the winds, where a
    read of the 132 bands of a cut file costs a scan per band) plus the
    first 2 KiB (EBML header, tracks, tags) in steps: an error naming the
    damage, or the source's pixels; and where frame data is cut off, an
    error."""
    mkv = request.getfixturevalue(name)
    size = mkv.stat().st_size
    spread = np.linspace(0, size - 1, 40 if name == "l7" else 24)
    offsets = sorted(set([0, 1, 4, 16, 40, 64, 100, 200, 300, 500, 700, 1000, 1500, 2000]
                         + [int(x) for x in spread]))
    last_packet_end = max(pos + n for pos, n in packets(mkv))
    results = probe_corruptions(mkv, [["truncate", k] for k in offsets])
    assert_never_wrong(results, f"{name} truncated")
    for r in results:
        if r["case"][1] < last_packet_end:
            assert damaged(r), (f"{name} cut at {r['case'][1]} of {size} bytes (frames end at "
                                f"{last_packet_end}) opened and read every band")


# --------------------------------------------------------------------------
# Flipped bytes: FFV1's slice CRCs
# --------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["l7", "uwnd"])
def test_flipped_byte_in_lossless_stream_is_corruption(request, name):
    """A byte flipped anywhere inside a packet of a lossless stream: the read
    of that frame fails with 'corrupt', never returns pixels."""
    mkv = request.getfixturevalue(name)
    pk = packets(mkv)
    rng = np.random.default_rng(7)
    per_packet = max(2, 30 // len(pk))
    cases = []
    for i in sorted(set(np.linspace(0, len(pk) - 1, min(len(pk), 15)).astype(int))):
        pos, n = pk[i]
        offs = {pos, pos + n - 1} | {pos + int(rng.integers(0, n)) for _ in range(per_packet - 2)}
        cases += [["flip", off, int(rng.choice([0x01, 0x80, 0xFF]))] for off in sorted(offs)]
    results = probe_corruptions(mkv, cases)
    assert_never_wrong(results, f"{name} flipped")
    for r in results:
        assert damaged(r), f"{name}: byte {r['case'][1]} of a packet flipped, yet every band read"
        assert any("corrupt" in m.lower() for m in r["messages"]), (
            f"{name} flip at {r['case'][1]}: not reported as corruption: {r['messages']}")


def test_flipped_bytes_in_container_never_give_wrong_data(l7):
    """Bytes of the container itself (EBML header, track entries with the
    frame size, tags, cluster and block headers, index) flipped: opening or
    reading may fail, but what is read is the source."""
    size = l7.stat().st_size
    inside = set()
    for pos, n in packets(l7):
        inside.update(range(pos, pos + n))
    header = [k for k in range(0, 1200, 4) if k not in inside]
    spread = [int(x) for x in np.linspace(0, size - 1, 200) if int(x) not in inside]
    cases = ([["flip", k, 0xFF] for k in header + spread]
             + [["flip", k, 0x01] for k in header[::3]])
    results = probe_corruptions(l7, cases)
    assert_never_wrong(results, "l7 container byte flipped")


# --------------------------------------------------------------------------
# Sidecars that disagree with their video, or are malformed
# --------------------------------------------------------------------------

BIG = 2 ** 31


def _set(path, value):
    """Setter of doc[path...] = value (path: keys and indexes)."""
    def f(doc):
        o = doc
        for k in path[:-1]:
            o = o[k]
        o[path[-1]] = value
    return f


def _delete(path):
    def f(doc):
        o = doc
        for k in path[:-1]:
            o = o[k]
        del o[path[-1]]
    return f


def _swap_indexes(doc):
    s = doc["streams"]
    s[0]["index"], s[1]["index"] = s[1]["index"], s[0]["index"]


def _swap_channels(doc):
    s = doc["streams"]
    s[0]["channels"], s[1]["channels"] = s[1]["channels"], s[0]["channels"]


def _more_times(n):
    """A time axis of n steps where the video has frames for one."""
    def f(doc):
        doc["time"] = {"name": "time", "values": list(range(n))}
        doc.pop("quality", None)
    return f


def _text(f):
    """A mutation of the sidecar's bytes rather than of its document."""
    f.of_text = True
    return f


# name -> (mutation of the JSON document, or a function of the text giving
# bytes; words one of which the message must contain; "open" if the
# sidecar is refused at open, "read" if at the first read of a frame)
SIDECAR_CASES = {
    # disagreeing with the video
    "width+1": (_set(["width"], 350), ["sidecar says"], "read"),
    "height-1": (_set(["height"], 351), ["sidecar says"], "read"),
    "pix_fmt-other": (_set(["streams", 0, "pix_fmt"], "gbrp10le"),
                      ["sidecar says", "does not match the video"], "read"),
    "pix_fmt-unknown": (_set(["streams", 0, "pix_fmt"], "nonsense"), ["pixel format"], "open"),
    "pix_fmt-gray": (_set(["streams", 0, "pix_fmt"], "gray"), ["pixel format"], "open"),
    "channels-one": (lambda d: d["streams"][0].update(channels=d["streams"][0]["channels"][:1]),
                     ["carry every variable"], "open"),
    "channels-swapped": (_swap_channels, ["does not match the video"], "read"),
    "index-swapped": (_swap_indexes, ["does not match the video"], "read"),
    "quantization-offset": (_set(["variables", 0, "quantization", "offset"], 1),
                            ["does not match the video"], "read"),
    "data_type-other": (_set(["variables", 0, "data_type"], "UInt16"), ["does not match the video"], "read"),
    "index-absent": (_set(["streams", 1, "index"], 5), ["no video stream 5"], "read"),
    "index-negative": (_set(["streams", 0, "index"], -1), ["index"], "open"),
    "index-2^31": (_set(["streams", 0, "index"], BIG), ["index"], "open"),
    "frame-count+1": (_more_times(2), ["missing"], "read"),
    "bands-over-10^6": (_more_times(200_000), ["10^6 bands", "time count"], "open"),
    # sizes and counts
    "width0": (_set(["width"], 0), ["raster size"], "open"),
    "width-1": (_set(["width"], -1), ["raster size"], "open"),
    "width2^31": (_set(["width"], BIG), ["width"], "open"),
    "width2^31-1": (_set(["width"], BIG - 1), ["raster size"], "open"),
    "width2^20+1": (_set(["width"], 2 ** 20 + 1), ["raster size"], "open"),
    "width1e300": (_set(["width"], 1e300), ["width"], "open"),
    "width3.5": (_set(["width"], 3.5), ["width"], "open"),
    "height-negative": (_set(["height"], -5), ["raster size"], "open"),
    "huge-tiled": (lambda d: d.update(width=2 ** 20, height=2 ** 20,
                                      tiling={"tile_width": 16, "tile_height": 16}),
                   ["streams than the tiles"], "open"),
    # a list of empty tiles on a raster whose tile count would overflow
    "empty-tiles-width2^31-1": (lambda d: d.update(width=BIG - 1, tiling={
        "tile_width": 16, "tile_height": 16, "empty_tiles": [1]}), ["empty_tiles"], "open"),
    "empty-tiles-2^32-tiles": (lambda d: d.update(width=2 ** 20, height=2 ** 20, tiling={
        "tile_width": 16, "tile_height": 16, "empty_tiles": [1]}), ["empty_tiles"], "open"),
    "tile0": (_set(["tiling"], {"tile_width": 0, "tile_height": 16}), ["tiling"], "open"),
    "tile-1": (_set(["tiling"], {"tile_width": -1, "tile_height": 16}), ["tiling"], "open"),
    "tile2^31": (_set(["tiling"], {"tile_width": BIG, "tile_height": 16}), ["tile_width"], "open"),
    "gop0": (_set(["streams", 0, "gop"], 0), ["gop"], "open"),
    "bits2^31-1": (_set(["streams", 0, "bits"], BIG - 1), ["bits"], "open"),
    "bits0": (_set(["streams", 0, "bits"], 0), ["bits"], "open"),
    "words3": (_set(["variables", 0, "quantization", "words"], 3), ["word count"], "open"),
    "words2^31-1": (_set(["variables", 0, "quantization", "words"], BIG - 1), ["word count"], "open"),
    "mode-bits-on-byte": (_set(["variables", 0, "quantization", "mode"], "bits"), ["word count"], "open"),
    "channel-variable-2^31-1": (_set(["streams", 0, "channels", 0, "variable"], BIG - 1),
                                ["carry every variable"], "open"),
    "channel-variable-1": (_set(["streams", 0, "channels", 0, "variable"], -1),
                           ["carry every variable"], "open"),
    "channel-word-9": (_set(["streams", 0, "channels", 0, "word"], 9), ["carry every variable"], "open"),
    "channels-4": (lambda d: d["streams"][0]["channels"].append({"variable": 0, "word": 0}),
                   ["channels"], "open"),
    "frame_rate-0": (_set(["frame_rate"], [0, 1]), ["frame_rate"], "open"),
    "frame_rate-2^31": (_set(["frame_rate"], [BIG, 1]), ["frame_rate"], "open"),
    "variables-2400": (lambda d: d.update(variables=d["variables"] * 400, quality=None) or d.pop("quality"),
                       ["carry every variable", "streams than the tiles"], "open"),
    "no-variables": (lambda d: d.update(variables=[], quality=None) or d.pop("quality"),
                     ["variable or time count"], "open"),
    "no-streams": (_set(["streams"], []), ["no stream"], "open"),
    # wrong JSON types
    "width-string": (_set(["width"], "349"), ["width"], "open"),
    "width-true": (_set(["width"], True), ["width"], "open"),
    "width-null": (_set(["width"], None), ["width"], "open"),
    "variables-string": (_set(["variables"], "oops"), ["variables"], "open"),
    "streams-object": (_set(["streams"], {"a": 1}), ["streams"], "open"),
    "stream-number": (_set(["streams", 0], 5), ["missing"], "open"),
    "channels-string": (_set(["streams", 0, "channels"], "x"), ["channels"], "open"),
    "quantization-array": (_set(["variables", 0, "quantization"], []), ["mode"], "open"),
    "mode-number": (_set(["variables", 0, "quantization", "mode"], 3), ["mode"], "open"),
    "data_type-number": (_set(["variables", 0, "data_type"], 7), ["data_type"], "open"),
    "data_type-unknown": (_set(["variables", 0, "data_type"], "Byte2"), ["data type"], "open"),
    "metadata-array": (_set(["metadata"], [1, 2]), ["metadata"], "open"),
    "metadata-value-number": (_set(["metadata"], {"A": 5}), ["metadata"], "open"),
    "band_order-unknown": (_set(["band_order"], "diagonal"), ["band_order"], "open"),
    "geotransform-string": (_set(["georeferencing", "geotransform"], "x"), ["geotransform"], "open"),
    "geotransform-5": (_set(["georeferencing", "geotransform"], [0, 1, 0, 0, 0]),
                       ["geotransform"], "open"),
    "wkt2-number": (_set(["georeferencing", "crs", "wkt2"], 5), ["wkt2"], "open"),
    "gcps-object": (_set(["georeferencing", "gcps"], {}), ["gcps"], "open"),
    "band_metadata-array": (_set(["band_metadata"], []), ["band_metadata"], "open"),
    "band_metadata-key": (_set(["band_metadata"], {"abc": {"A": "1"}}), ["band_metadata"], "open"),
    "band_metadata-band-99": (_set(["band_metadata"], {"99": {"A": "1"}}), ["band_metadata"], "open"),
    "schema_version-string": (_set(["schema_version"], "1"), ["schema_version"], "open"),
    # missing keys
    "missing-format": (_delete(["format"]), ["not recognized"], "open"),
    **{f"missing-{'.'.join(map(str, p))}": (_delete(p), [str(p[-1])], "open") for p in [
        ["schema_version"], ["width"], ["height"], ["variables"], ["streams"],
        ["variables", 0, "name"], ["variables", 0, "data_type"], ["variables", 0, "quantization"],
        ["variables", 0, "quantization", "mode"], ["variables", 0, "quantization", "offset"],
        ["variables", 0, "quantization", "scale"], ["variables", 0, "quantization", "words"],
        ["streams", 0, "file"], ["streams", 0, "index"], ["streams", 0, "role"],
        ["streams", 0, "codec"], ["streams", 0, "pix_fmt"], ["streams", 0, "bits"],
        ["streams", 0, "channels"], ["streams", 0, "channels", 0, "variable"],
    ]},
    # non-finite numbers where finite ones are needed
    "geotransform-nan": (_set(["georeferencing", "geotransform", 0], "nan"), ["geotransform"], "open"),
    "geotransform-inf": (_set(["georeferencing", "geotransform", 1], "inf"), ["geotransform"], "open"),
    "geotransform-1e999": (_text(lambda b: b.replace(b'"geotransform":[', b'"geotransform":[1e999, ', 1)
                                 .replace(b',28.499999999274539', b'', 1)), ["geotransform"], "open"),
    "scale-inf": (_set(["variables", 0, "quantization", "scale"], "inf"), ["scale"], "open"),
    "offset-nan": (_set(["variables", 0, "quantization", "offset"], "nan"), ["offset"], "open"),
    "width-inf": (_set(["width"], "inf"), ["width"], "open"),
    "width-1e999": (_text(lambda b: b.replace(b'"width":349', b'"width":1e999', 1)), ["width"], "open"),
    "frame_rate-inf": (_set(["frame_rate"], ["inf", 1]), ["frame_rate"], "open"),
    "max_error-nan": (_set(["variables", 0, "max_error"], "nan"), ["max_error"], "open"),
    "wgs84_bbox-nan": (_set(["georeferencing", "wgs84_bbox"], ["nan", 0, 1, 1]), ["wgs84_bbox"], "open"),
    "literal-NaN": (_text(lambda b: b.replace(b'"width":349', b'"width":NaN', 1)), ["json"], "open"),
    # structure and encoding
    "nesting-10^5": (_text(lambda b: b.replace(b'"metadata":', b'"deep": ' + b"[" * 100000 + b"]" * 100000
                                               + b', "metadata":', 1)), ["json"], "open"),
    "string-100MB": (lambda d: d["variables"][0].update(units="x" * 100_000_000), ["16 mib"], "open"),
    "name-invalid-utf8": (_text(lambda b: b.replace(b'"name":"band_1"', b'"name":"band_\xff\xfe"', 1)),
                          ["utf-8"], "open"),
    "overlong-utf8": (_text(lambda b: b.replace(b'"name":"band_1"', b'"name":"band_\xc0\xaf"', 1)),
                      ["utf-8"], "open"),
    "key-invalid-utf8": (_text(lambda b: b.replace(b'"metadata":{', b'"metadata":{"\xc3\x28": "x", ', 1)),
                         ["utf-8"], "open"),
    "truncated-json": (_text(lambda b: b[: len(b) // 3]), ["json"], "open"),
    "empty-object": (_text(lambda b: b'{"format": "xavideo"}'), ["schema_version"], "open"),
}


@pytest.fixture(scope="module")
def sidecar_results(l7, tmp_path_factory):
    """Every SIDECAR_CASES variant next to a copy (a link) of the real video,
    opened and read in one child process."""
    base = tmp_path_factory.mktemp("sidecars")
    text = (l7.parent / "l7.mkv.json").read_bytes()
    dirs = []
    for name, (mutate, _, _) in SIDECAR_CASES.items():
        d = base / name
        d.mkdir()
        os.link(l7, d / "l7.mkv")
        os.link(l7.parent / "source.npy", d / "source.npy")
        if getattr(mutate, "of_text", False):
            blob = mutate(text)
        else:
            doc = json.loads(text)
            mutate(doc)
            blob = json.dumps(doc).encode()
        (d / "l7.mkv.json").write_bytes(blob)
        dirs.append(str(d / "l7.mkv"))
    code = f"ARGS = {dirs!r}\n" + r"""
import json, os
import numpy as np
msgs = []
gdal.PushErrorHandler(lambda c, n, m: msgs.append(m))
out = {}
for mkv in ARGS:
    name = os.path.basename(os.path.dirname(mkv))
    print("START", name, flush=True)
    ref = np.load(os.path.join(os.path.dirname(mkv), "source.npy"))
    del msgs[:]
    # any driver: a sidecar XAVIDEO does not claim gets GDAL's own message
    ds = gdal.OpenEx(mkv + ".json", gdal.OF_RASTER | gdal.OF_VERBOSE_ERROR)
    res = {"opened": ds is not None, "failed": [], "wrong": [], "good": 0,
           "driver": ds.GetDriver().ShortName if ds else None}
    for b in range(ds.RasterCount if ds else 0):
        a = ds.GetRasterBand(b + 1).ReadAsArray()
        if a is None:
            res["failed"].append(b)
        elif b >= len(ref) or a.tobytes() != ref[b].tobytes():
            res["wrong"].append(b)
        else:
            res["good"] += 1
    ds = None
    # the case's name is in the path: keep it out of the words checked
    res["messages"] = [m.replace(os.path.dirname(mkv), "<dir>").replace("l7.mkv", "<file>")[:500]
                       for m in msgs[:3]]
    out[name] = res
print("RESULT" + json.dumps(out))
"""
    return run_child(code, 600, "opening malformed sidecars", "a malformed sidecar crashed the reader")


@pytest.mark.parametrize("name", list(SIDECAR_CASES))
def test_malformed_sidecar(sidecar_results, name):
    _, words, when = SIDECAR_CASES[name]
    r = sidecar_results[name]
    assert not r["wrong"], f"{name}: bands {r['wrong']} read other pixels than the source's"
    assert r["driver"] in (None, "XAVIDEO"), f"{name}: opened by {r['driver']}"
    if when == "open":
        assert not r["opened"], f"{name}: opened although the sidecar is malformed"
    else:
        assert r["opened"] and r["failed"], f"{name}: expected reads to fail: {r}"
    text = " ".join(r["messages"]).lower()
    assert any(w.lower() in text for w in words), (
        f"{name}: no message names the problem ({words}): {r['messages']}")


@pytest.mark.parametrize("where", [0.1, 0.5, 0.9])
def test_damaged_embedded_description_is_refused(l7, tmp_path, where):
    """The video alone (no sidecar): a character of its embedded
    description (deflated, base64) changed fails to unpack or fails its
    CRC, instead of giving the raster another place on Earth."""
    import re
    data = l7.read_bytes()
    tag = data.find(b"XAVIDEO_SIDECAR_Z")
    assert tag > 0, "no embedded description"
    value = re.compile(rb"[A-Za-z0-9+/=]{200,}").search(data, tag + 17)
    assert value is not None, "the embedded description's text not found"
    at = value.start() + int((value.end() - value.start()) * where)
    damaged = data[:at] + (b"B" if data[at:at + 1] != b"B" else b"C") + data[at + 1:]
    mkv = tmp_path / "alone.mkv"
    mkv.write_bytes(damaged)
    code = f"ARGS = {[str(mkv)]!r}\n" + r"""
import json
msgs = []
gdal.PushErrorHandler(lambda c, n, m: msgs.append(m))
ds = gdal.OpenEx(ARGS[0], gdal.OF_RASTER, allowed_drivers=["XAVIDEO"])
print("RESULT" + json.dumps({"opened": ds is not None, "messages": msgs[:3]}))
"""
    r = run_child(code, 60, "opening a video with a damaged description", "damaged description crashed")
    assert not r["opened"], "opened with a damaged embedded description"
    assert any("corrupt" in m for m in r["messages"]), r["messages"]


def test_sidecar_naming_another_stream_of_a_tile_file(tmp_path, data_dir):
    """Files of tiles k > 0 embed no description, but every stream is tagged
    with what it holds: a sidecar that swaps two streams of a tile's file
    (same pixel format, same size) is refused at the read, never read as
    the other bytes of the value."""
    # Float64 of too many values for a table: 8 byte words, two yuv444p
    # streams a tile
    src = str(tmp_path / "uwnd64.vrt")
    gdal.Translate(src, UWND, format="VRT", outputType=gdal.GDT_Float64)
    mkv = tmp_path / "uwnd.mkv"
    xav_create_ok(src, mkv, ["LOSSLESS=YES", "TILE_SIZE=64"])
    np.save(tmp_path / "source.npy", read_all(open_source(src)))
    js = tmp_path / "uwnd.mkv.json"
    doc = json.loads(js.read_text())
    doc["streams"] = sidecar_streams(doc)  # each tile's own list, to swap in one
    del doc["tile_streams"]
    first, second = [s for s in doc["streams"] if s["tile"] == 1][:2]
    assert first["tile"] == second["tile"] and first["pix_fmt"] == second["pix_fmt"]
    first["index"], second["index"] = second["index"], first["index"]
    js.write_text(json.dumps(doc))
    code = f"ARGS = {[str(js)]!r}\n" + r"""
import json, os
import numpy as np
msgs = []
gdal.PushErrorHandler(lambda c, n, m: msgs.append(m))
ref = np.load(os.path.join(os.path.dirname(ARGS[0]), "source.npy"))
ds = gdal.OpenEx(ARGS[0], gdal.OF_RASTER, allowed_drivers=["XAVIDEO"])
a = ds.GetRasterBand(1).ReadAsArray()
print("RESULT" + json.dumps({"read": a is not None,
                             "same": a is not None and a.tobytes() == ref[0].tobytes(),
                             "messages": msgs[:3]}))
"""
    r = run_child(code, 120, "reading a sidecar with swapped streams", "swapped streams crashed the reader")
    assert not r["read"], f"swapped streams read ({'the source' if r['same'] else 'WRONG data'})"
    assert any("does not match the video" in m for m in r["messages"]), r["messages"]


# --------------------------------------------------------------------------
# References outside the sidecar's folder
# --------------------------------------------------------------------------

REFERENCE_PROBE = r"""
import json
msgs = []
gdal.PushErrorHandler(lambda c, n, m: msgs.append(m))
out = []
for sidecar, options in ARGS:
    del msgs[:]
    ds = gdal.OpenEx(sidecar, gdal.OF_RASTER, allowed_drivers=["XAVIDEO"], open_options=options)
    a = ds.ReadAsArray() if ds is not None else None
    out.append({"opened": ds is not None, "read": a is not None,
                "sum": None if a is None else int(a.astype("int64").sum()), "messages": msgs[:3]})
    ds = None
print("RESULT" + json.dumps(out))
"""


@pytest.mark.parametrize("ref,where", [
    ("ABS", "outside"),
    ("../elsewhere/l7.mkv", "outside"),
    ("sub/../../elsewhere/l7.mkv", "outside"),
    ("sub/../l7.mkv", "inside"),
    ("/vsicurl/http://127.0.0.1:9/l7.mkv", "remote"),
    ("/vsimem/l7.mkv", "remote"),
    ("C:\\data\\l7.mkv", "remote"),
    ("..\\elsewhere\\l7.mkv", "remote"),
], ids=["absolute", "dotdot", "dotdot-deep", "dotdot-inside", "vsicurl", "vsimem", "drive",
        "backslash-dotdot"])
def test_reference_outside_folder_refused(l7, tmp_path, ref, where):
    """A sidecar may name files next to it or below its folder only; anything
    else is refused with a message naming the option that allows it, and
    with ALLOW_EXTERNAL_REFERENCES=YES a local target is followed."""
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "ds" / "sub").mkdir(parents=True)
    os.link(l7, tmp_path / "elsewhere" / "l7.mkv")
    if where == "inside":
        os.link(l7, tmp_path / "ds" / "l7.mkv")
    target = str(tmp_path / "elsewhere" / "l7.mkv") if ref == "ABS" else ref
    doc = json.loads((l7.parent / "l7.mkv.json").read_text())
    for s in doc["streams"]:
        s["file"] = target
    sidecar = tmp_path / "ds" / "cube.mkv.json"
    sidecar.write_text(json.dumps(doc))
    expected = int(np.load(l7.parent / "source.npy").astype("int64").sum())
    cases = [[str(sidecar), []]]
    if where != "remote":  # followed with the option: a local file
        cases.append([str(sidecar), ["ALLOW_EXTERNAL_REFERENCES=YES"]])
    results = run_child(f"ARGS = {cases!r}\n" + REFERENCE_PROBE, 60,
                        "opening a sidecar with external references", "reference check crashed")
    refused = results[0]
    assert not refused["opened"], f"{ref}: followed without ALLOW_EXTERNAL_REFERENCES"
    text = " ".join(refused["messages"])
    assert "outside its folder" in text and "ALLOW_EXTERNAL_REFERENCES=YES" in text and target in text, (
        f"{ref}: message does not name the reference and the option: {refused['messages']}")
    if where != "remote":
        allowed = results[1]
        assert allowed["opened"] and allowed["read"], f"{ref} with the option: {allowed}"
        assert allowed["sum"] == expected, f"{ref} with the option: other pixels than the source's"


def test_reference_below_folder_allowed(l7, tmp_path):
    """A video in a subfolder of the sidecar's is followed by default."""
    (tmp_path / "sub").mkdir()
    os.link(l7, tmp_path / "sub" / "l7.mkv")
    doc = json.loads((l7.parent / "l7.mkv.json").read_text())
    for s in doc["streams"]:
        s["file"] = "sub/l7.mkv"
    sidecar = tmp_path / "cube.mkv.json"
    sidecar.write_text(json.dumps(doc))
    (r,) = run_child(f"ARGS = {[[str(sidecar), []]]!r}\n" + REFERENCE_PROBE, 60,
                     "opening a sidecar with a reference below it", "reference check crashed")
    expected = int(np.load(l7.parent / "source.npy").astype("int64").sum())
    assert r["opened"] and r["read"] and r["sum"] == expected, r


# --------------------------------------------------------------------------
# 1000 opens and closes: no growth of memory or file descriptors
# --------------------------------------------------------------------------

LIFECYCLE = r"""
import json, os
def rss_kib():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
def fds():
    return len(os.listdir("/proc/self/fd"))
gdal.PushErrorHandler(lambda c, n, m: None)
good, bad_sidecar, bad_video = ARGS
def cycle():
    ds = gdal.OpenEx(good, gdal.OF_RASTER, allowed_drivers=["XAVIDEO"])
    assert ds is not None
    assert ds.GetRasterBand(1 + cycle.n % ds.RasterCount).ReadAsArray() is not None
    ds = None
    if cycle.n % 3 == 0:  # the error paths, a third of the time
        assert gdal.OpenEx(bad_sidecar, gdal.OF_RASTER, allowed_drivers=["XAVIDEO"]) is None
        ds = gdal.OpenEx(bad_video, gdal.OF_RASTER, allowed_drivers=["XAVIDEO"])
        assert ds is not None and ds.GetRasterBand(1).ReadAsArray() is None
        ds = None
    cycle.n += 1
cycle.n = 0
for _ in range(100):
    cycle()
warm = (rss_kib(), fds())
for _ in range(900):
    cycle()
# AddressSanitizer's quarantine keeps freed memory resident: no RSS bound
asan = any("libasan" in line or "libclang_rt.asan" in line  # gcc's, clang's
           for line in open("/proc/self/maps"))
print("RESULT" + json.dumps({"warm": warm, "end": [rss_kib(), fds()], "cycles": cycle.n,
                             "asan": asan}))
"""


def test_open_close_1000_times_does_not_grow(l7, tmp_path):
    """1000 times: open, read a band and close a good dataset; every third
    time also fail to open a broken sidecar and fail to read a video whose
    frame fails its CRC. After a warm-up of 100, resident memory and open
    file descriptors stay put (every error path frees what it took)."""
    bad = tmp_path / "bad"
    bad.mkdir()
    doc = json.loads((l7.parent / "l7.mkv.json").read_text())
    doc["streams"][0]["channels"] = doc["streams"][0]["channels"][:1]
    (bad / "l7.mkv.json").write_text(json.dumps(doc))
    os.link(l7, bad / "l7.mkv")
    flipped = tmp_path / "flipped"
    flipped.mkdir()
    data = bytearray(l7.read_bytes())
    pos, n = packets(l7)[0]
    data[pos + n // 2] ^= 0xFF
    (flipped / "l7.mkv").write_bytes(bytes(data))
    shutil.copy(l7.parent / "l7.mkv.json", flipped / "l7.mkv.json")
    args = [str(l7) + ".json", str(bad / "l7.mkv.json"), str(flipped / "l7.mkv.json")]
    r = run_child(f"ARGS = {args!r}\n" + LIFECYCLE, 600, "1000 open/close cycles",
                  "open/close cycles crashed")
    assert r["cycles"] == 1000
    (rss0, fd0), (rss1, fd1) = r["warm"], r["end"]
    assert fd1 == fd0, f"open file descriptors grew from {fd0} to {fd1} over 900 cycles"
    if not r["asan"]:  # under ASan, LeakSanitizer is the check
        assert rss1 - rss0 < 4096, (
            f"resident memory grew by {rss1 - rss0} KiB over 900 cycles ({rss0} -> {rss1})")


# --------------------------------------------------------------------------
# Broken sidecars and videos, opened through every driver
# --------------------------------------------------------------------------


# --------------------------------------------------------------------------
# Broken sidecars
# --------------------------------------------------------------------------

def test_malformed_json_sidecar(good, tmp_path):
    mkv, js = copy_pair(good, tmp_path)
    text = js.read_text()
    # Keep the identifying start, break the syntax further on.
    broken = text.replace('"width"', '"width" : : ,', 1)
    assert broken != text
    js.write_text(broken)
    res = probe_open(js)
    assert_open_refused(res, ["json", "sidecar", "parse", "syntax"], [js, mkv], "malformed sidecar")


def test_truncated_sidecar(good, tmp_path):
    mkv, js = copy_pair(good, tmp_path)
    data = js.read_bytes()
    js.write_bytes(data[: len(data) // 2])
    res = probe_open(js)
    assert_open_refused(res, ["json", "sidecar", "parse", "syntax", "truncat"], [js, mkv], "truncated sidecar")


def test_unknown_schema_version(good, tmp_path):
    mkv, js = copy_pair(good, tmp_path)
    doc = json.loads(js.read_text())
    doc["schema_version"] = 999
    js.write_text(json.dumps(doc))
    res = probe_open(js)
    assert_open_refused(res, ["schema", "version"], [js, mkv], "schema_version 999")


def test_sidecar_video_missing(good, tmp_path):
    mkv, js = copy_pair(good, tmp_path)
    mkv.unlink()
    res = probe_open(js)
    assert_open_refused(res, ["video", "mkv", "no such file", "missing", "cannot open", "not found",
                              "exist"], [js], "sidecar without its video")


@pytest.mark.parametrize("mutation", ["width0", "height-negative", "channel-variable-99",
                                      "data_type", "no-streams", "variables-not-list"])
def test_inconsistent_sidecar(good, tmp_path, mutation):
    mkv, js = copy_pair(good, tmp_path)
    doc = json.loads(js.read_text())
    if mutation == "width0":
        doc["width"] = 0
    elif mutation == "height-negative":
        doc["height"] = -5
    elif mutation == "channel-variable-99":
        doc["streams"][0]["channels"][0]["variable"] = 99
    elif mutation == "data_type":
        doc["variables"][0]["data_type"] = "NotAType"
    elif mutation == "no-streams":
        doc["streams"] = []
    elif mutation == "variables-not-list":
        doc["variables"] = "oops"
    js.write_text(json.dumps(doc))
    res = probe_open(js)
    # Generic words: the driver should say the sidecar is invalid/inconsistent.
    assert_open_refused(res, ["sidecar", "invalid", "inconsistent", "width", "height", "variable",
                              "stream", "channel", "type"], [js, mkv], f"inconsistent sidecar ({mutation})")


def test_broken_sidecar_opening_the_video_does_not_crash(good, tmp_path):
    """The mkv next to a corrupted sidecar: opening it either fails with an
    error or (falling back to the embedded sidecar) reads correct data."""
    mkv, js = copy_pair(good, tmp_path)
    js.write_text('{"format": "xavideo", "schema_version": 1, "width": ')
    res = probe_open(mkv)
    if res["opened"]:
        assert res["read_ok"], f"opened but reading failed: {res}"
    else:
        assert res["errors"] and res["last"], res


# --------------------------------------------------------------------------
# Truncated videos
# --------------------------------------------------------------------------

@pytest.mark.parametrize("keep", [1000, "half"])
def test_truncated_video(good, tmp_path, keep):
    mkv, js = copy_pair(good, tmp_path)
    data = mkv.read_bytes()
    n = 1000 if keep == 1000 else len(data) // 2
    mkv.write_bytes(data[:n])
    for name in (js, mkv):
        res = probe_open(name, read=True)
        if res["opened"]:
            assert res["driver"] == DRIVER_NAME
            assert res["read_ok"] is False, (
                f"truncated video ({n} of {len(data)} bytes) opened from {name.name} and read "
                f"without error"
            )
        assert res["errors"] and res["last"], f"truncated video via {name.name}: no CPLError: {res}"


@pytest.mark.parametrize("codec_opts", [["LOSSLESS=YES"], []], ids=["ffv1", "x265"])
def test_corrupted_video_bytes_no_crash(data_dir, tmp_path, codec_opts):
    """Garbage in the middle of the video: an error or (concealed) data,
    never a crash or a hang."""
    mkv = tmp_path / "u.mkv"
    xav_create_ok(UWND, mkv, codec_opts)
    data = bytearray(mkv.read_bytes())
    rng = np.random.default_rng(5)
    for start in (len(data) // 3, len(data) // 2, 2 * len(data) // 3):
        data[start:start + 4096] = rng.integers(0, 256, size=4096, dtype=np.uint8).tobytes()
    mkv.write_bytes(bytes(data))
    res = probe_open(sidecar_of(mkv), read=True)
    if not res["opened"] or res["read_ok"] is False:
        assert res["errors"] and res["last"], f"failure without a CPLError: {res}"


def test_truncated_lossy_video(data_dir, tmp_path):
    mkv = tmp_path / "u.mkv"
    xav_create_ok(UWND, mkv)
    data = mkv.read_bytes()
    mkv.write_bytes(data[: len(data) // 3])
    res = probe_open(sidecar_of(mkv), read=True)
    if res["opened"]:
        assert res["read_ok"] is False, "a third of the frames are missing yet every band read"
    assert res["errors"] and res["last"], res
