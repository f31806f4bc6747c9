"""What a read costs, counted in decoded frames (DECODED_FRAMES, the core's
counter), never in seconds: random access decodes at most one GOP, forward
reads decode each frame once, sibling bands of a frame share its decode, and
the decoded-frame cache serves repeated reads within its bound."""
import pytest
from osgeo import gdal

from xavtest import L7, UWND, open_ds, read_band, xav_create_ok

GOP = 8
# A lossy UWND band is its data stream's frame and its correction stream's
# (the error bound): every read decodes both.
STREAMS = 2


def decoded(ds):
    return int(ds.GetMetadataItem("DECODED_FRAMES", "XAVIDEO"))


@pytest.fixture(scope="module")
def uwnd_mkv(tmp_path_factory):
    """UWND (132 months, no invalid pixel: a data stream and its
    corrections), lossy, GOP 8."""
    out = tmp_path_factory.mktemp("ra") / "uwnd.mkv"
    xav_create_ok(gdal.Open(UWND), out, [f"GOP={GOP}"])
    return out


@pytest.mark.parametrize("t", [0, 7, 8, 100, 131])
def test_random_read_decodes_at_most_one_gop(uwnd_mkv, t):
    ds = open_ds(uwnd_mkv)
    read_band(ds, t + 1)
    cost = decoded(ds)
    # from the keyframe at or before t up to t (x265 may decode a frame of
    # the GOP past t before t comes out of its reorder buffer)
    assert STREAMS * (t % GOP + 1) <= cost <= STREAMS * GOP, \
        f"time {t}: {cost} frames decoded"


def test_forward_reads_decode_each_frame_once(uwnd_mkv):
    ds = open_ds(uwnd_mkv)
    for b in range(1, ds.RasterCount + 1):
        read_band(ds, b)
    assert decoded(ds) == STREAMS * ds.RasterCount


def test_jumps_cost_at_most_one_gop_each(uwnd_mkv):
    ds = open_ds(uwnd_mkv)
    for t in [120, 3, 77, 50, 130, 0]:
        before = decoded(ds)
        read_band(ds, t + 1)
        assert decoded(ds) - before <= STREAMS * GOP, f"jump to {t}"


def test_sibling_bands_share_one_decode(tmp_path):
    """L7_ETMs lossy: 6 variables in two 3-channel streams, and their
    corrections in two more, one frame each; reading all 6 bands decodes 4
    frames, not 12."""
    ds = xav_create_ok(gdal.Open(str(L7)), tmp_path / "l7.mkv")
    ds = open_ds(tmp_path / "l7.mkv")
    for b in range(1, 7):
        read_band(ds, b)
    assert decoded(ds) == 4


@pytest.mark.parametrize("cache_mib,extra", [("256", 0), ("0", 1)])
def test_frame_cache_serves_reads_gdal_dropped(uwnd_mkv, cache_mib, extra):
    """After GDAL's block cache is flushed, band 6 comes back from the frame
    cache without decoding; with CACHE_SIZE=0 it is decoded again (its GOP
    starts at frame 0, so the decoder seeks back and decodes 6..5 frames)."""
    ds = gdal.OpenEx(str(uwnd_mkv), open_options=[f"CACHE_SIZE={cache_mib}"])
    for b in range(1, 12):
        read_band(ds, b)
    ds.FlushCache()
    before = decoded(ds)
    read_band(ds, 6)
    grown = decoded(ds) - before
    if extra:
        assert 1 <= grown <= STREAMS * GOP
    else:
        assert grown == 0


def test_frame_cache_stays_within_its_bound(uwnd_mkv):
    """A 1 MiB cache over 132 frames of 144 x 73 x 12 bits (about 42 KiB
    each with padding): it fills up and never goes past 1 MiB."""
    ds = gdal.OpenEx(str(uwnd_mkv), open_options=["CACHE_SIZE=1"])
    peak = 0
    for b in range(1, ds.RasterCount + 1):
        read_band(ds, b)
        peak = max(peak, int(ds.GetMetadataItem("CACHE_BYTES", "XAVIDEO")))
    assert 512 * 1024 < peak <= 1024 * 1024
