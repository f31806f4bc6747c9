"""GDAL's command-line tools on XAVIDEO datasets, each compared with the
same tool run on the source: gdalinfo -stats, -mm and -checksum (equal when
lossless, within the recorded maximum error when lossy), gdaladdo -ro
external overviews read back, gdalwarp to another CRS, gdal_translate
-srcwin and -b. Everything is written in tmp dirs (PAM is off), so no
.aux.xml lands next to the real data."""
import json

import numpy as np
import pytest
from osgeo import gdal

from xavtest import L7, UWND, open_ds, read_all, run_cli, with_srs, xav_create_ok


@pytest.fixture(scope="module")
def l7(tmp_path_factory):
    """Landsat 7, 6 Byte bands, lossless, plus a GTiff copy of the source
    (the tools' reference, in the same directory so both get overviews)."""
    d = tmp_path_factory.mktemp("tools")
    xav_create_ok(str(L7), d / "l7.mkv", ["LOSSLESS=YES"])
    assert gdal.Translate(str(d / "l7.tif"), str(L7), format="GTiff") is not None
    return d


@pytest.fixture(scope="module")
def uwnd(tmp_path_factory):
    """Navy winds UWND: 132 Float32 bands with nodata, lossless and lossy."""
    d = tmp_path_factory.mktemp("tools_uwnd")
    src = with_srs(UWND)
    xav_create_ok(src, d / "lossless.mkv", ["LOSSLESS=YES"])
    xav_create_ok(src, d / "lossy.mkv", [])
    assert gdal.Translate(str(d / "uwnd.tif"), src, format="GTiff") is not None
    return d


def gdalinfo_json(path, *flags):
    p = run_cli(["gdalinfo", "-json", *flags, path])
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)


def stats(info):
    return [(b["minimum"], b["maximum"], b["mean"], b["stdDev"]) for b in info["bands"]]


def test_stats_mm_checksum_lossless(l7, uwnd):
    for mkv, ref in ((l7 / "l7.mkv", l7 / "l7.tif"), (uwnd / "lossless.mkv", uwnd / "uwnd.tif")):
        got = gdalinfo_json(mkv, "-stats", "-mm", "-checksum")
        want = gdalinfo_json(ref, "-stats", "-mm", "-checksum")
        assert len(got["bands"]) == len(want["bands"])
        assert stats(got) == stats(want), mkv
        assert [b["checksum"] for b in got["bands"]] == [b["checksum"] for b in want["bands"]]
        assert [(b["computedMin"], b["computedMax"]) for b in got["bands"]] == \
            [(b["computedMin"], b["computedMax"]) for b in want["bands"]]


def test_stats_lossy_within_recorded_error(uwnd):
    got = gdalinfo_json(uwnd / "lossy.mkv", "-stats", "-mm")
    want = gdalinfo_json(uwnd / "uwnd.tif", "-stats", "-mm")
    for g, w in zip(got["bands"], want["bands"]):
        err = float(g["metadata"]["IMAGE_STRUCTURE"]["XAVIDEO_MAX_ABS_ERROR"])
        assert 0 < err < 2, err
        assert abs(g["mean"] - w["mean"]) <= err
        assert abs(g["minimum"] - w["minimum"]) <= err and abs(g["maximum"] - w["maximum"]) <= err
        assert abs(g["computedMin"] - w["computedMin"]) <= err
        assert abs(g["stdDev"] - w["stdDev"]) <= err


def test_gdaladdo_external_overviews(l7):
    for name in ("l7.mkv", "l7.tif"):
        p = run_cli(["gdaladdo", "-ro", "-r", "average", l7 / name, "2", "4"])
        assert p.returncode == 0, p.stderr
        assert (l7 / f"{name}.ovr").is_file()
    ds, ref = open_ds(l7 / "l7.mkv"), gdal.Open(str(l7 / "l7.tif"))
    for b in range(1, ds.RasterCount + 1):
        band = ds.GetRasterBand(b)
        assert band.GetOverviewCount() == 2
        for i, size in enumerate(((175, 176), (88, 88))):
            ovr = band.GetOverview(i)
            assert (ovr.XSize, ovr.YSize) == size
            assert np.array_equal(ovr.ReadAsArray(),
                                  ref.GetRasterBand(b).GetOverview(i).ReadAsArray())
    # a downsampled read goes to the overview: the frames are not decoded
    ds = open_ds(l7 / "l7.mkv")
    small = ds.ReadAsArray(buf_xsize=88, buf_ysize=88)
    assert ds.GetMetadataItem("DECODED_FRAMES", "XAVIDEO") == "0"
    assert np.array_equal(small, ref.ReadAsArray(buf_xsize=88, buf_ysize=88))


def test_gdalwarp_to_another_crs(l7, tmp_path):
    for name in ("l7.mkv", "l7.tif"):
        p = run_cli(["gdalwarp", "-q", "-t_srs", "EPSG:4326", "-r", "bilinear", "-of", "GTiff",
                     l7 / name, tmp_path / f"{name}.4326.tif"])
        assert p.returncode == 0, p.stderr
    got, want = gdal.Open(str(tmp_path / "l7.mkv.4326.tif")), gdal.Open(str(tmp_path / "l7.tif.4326.tif"))
    assert got.GetSpatialRef().GetAuthorityCode(None) == "4326"
    assert got.GetGeoTransform() == want.GetGeoTransform()
    assert np.array_equal(read_all(got), read_all(want))
    assert read_all(got).any()


def test_gdal_translate_srcwin_and_bands(l7, uwnd, tmp_path):
    src = gdal.Open(str(L7)).ReadAsArray()
    out = tmp_path / "sub.tif"
    p = run_cli(["gdal_translate", "-q", "-srcwin", "10", "20", "100", "50", "-b", "3", "-b", "1",
                 l7 / "l7.mkv", out])
    assert p.returncode == 0, p.stderr
    got = gdal.Open(str(out))
    assert np.array_equal(got.ReadAsArray(), src[[2, 0], 20:70, 10:110])
    gt, sgt = got.GetGeoTransform(), gdal.Open(str(L7)).GetGeoTransform()
    assert gt[0] == pytest.approx(sgt[0] + 10 * sgt[1]) and gt[3] == pytest.approx(sgt[3] + 20 * sgt[5])
    # the same on a time series, opened through its sidecar: band 100 is a time step
    out = tmp_path / "t.tif"
    p = run_cli(["gdal_translate", "-q", "-srcwin", "5", "5", "60", "30", "-b", "100",
                 f"{uwnd / 'lossless.mkv'}.json", out])
    assert p.returncode == 0, p.stderr
    source = gdal.Open(UWND)
    want = source.GetRasterBand(100).ReadAsArray()[5:35, 5:65]
    got = gdal.Open(str(out))
    assert got.GetRasterBand(1).ReadAsArray().tobytes() == want.tobytes()
    assert got.GetRasterBand(1).GetNoDataValue() == pytest.approx(-99.9)


def test_overviews_follow_the_dataset(tmp_path):
    """The .ovr is listed, renamed, copied and deleted with the dataset, and
    a new dataset written over an old name does not inherit its overviews."""
    from xavtest import xav_create
    drv = gdal.GetDriverByName("XAVIDEO")
    src = gdal.Translate("", str(L7), format="MEM", bandList=[1])
    a, b, c = (str(tmp_path / n) for n in ("a.mkv", "b.mkv", "c.mkv"))
    xav_create_ok(src, a, ["LOSSLESS=YES"])
    assert run_cli(["gdaladdo", "-ro", a, "2"]).returncode == 0
    assert sorted(open_ds(a).GetFileList()) == sorted([a, f"{a}.json", f"{a}.ovr"])
    assert drv.Rename(b, a) == gdal.CE_None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.mkv", "b.mkv.json", "b.mkv.ovr"]
    assert open_ds(b).GetRasterBand(1).GetOverviewCount() == 1
    assert drv.CopyFiles(c, b) == gdal.CE_None
    assert open_ds(c).GetRasterBand(1).GetOverview(0).Checksum() == \
        open_ds(b).GetRasterBand(1).GetOverview(0).Checksum()
    assert drv.Delete(c) == gdal.CE_None
    assert not any(p.name.startswith("c.mkv") for p in tmp_path.iterdir())
    # CreateCopy over b (GDAL deletes the old dataset first): no stale .ovr
    out, log = xav_create(gdal.Translate("", str(L7), format="MEM", bandList=[2]), b, ["LOSSLESS=YES"])
    assert out is not None, log.messages
    out = None
    assert open_ds(b).GetRasterBand(1).GetOverviewCount() == 0
    assert not (tmp_path / "b.mkv.ovr").exists()
