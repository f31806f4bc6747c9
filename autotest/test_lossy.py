"""Default (lossy, x265) encoding: quality, size, and exact invalid-pixel
positions."""

import numpy as np
import pytest
from osgeo import gdal

from xavtest import (
    L7, SST, UWND, DRIVER_NAME,
    assert_bits_equal, file_exists, mem_dataset, open_source, psnr,
    read_all, sidecar_of, valid_mask, with_srs, xav_create_ok,
)


def _video_size(mkv):
    st = gdal.VSIStatL(str(mkv))
    assert st is not None, f"{mkv} missing"
    return st.size


def _report(name, src, out, mkv):
    """PSNR per band (peak = variable's valid range) and bits per pixel."""
    s = read_all(src).astype(np.float64)
    o = read_all(out).astype(np.float64)
    nd = src.GetRasterBand(1).GetNoDataValue()
    sm = valid_mask(read_all(src), nd)
    peak = float(s[sm].max() - s[sm].min())
    per_band = [psnr(s[i], o[i], sm[i], peak) for i in range(s.shape[0])]
    overall = psnr(s, o, sm, peak)
    size = _video_size(mkv)
    bpp = size * 8.0 / (src.RasterXSize * src.RasterYSize * src.RasterCount)
    print(f"\n{name}: {src.RasterCount} bands {src.RasterXSize}x{src.RasterYSize}, "
          f"video {size} bytes, {bpp:.3f} bits/pixel/band, "
          f"PSNR overall {overall:.2f} dB, per band min {min(per_band):.2f} "
          f"mean {np.mean(per_band):.2f} max {max(per_band):.2f} dB (peak {peak:.4g})")
    return overall, per_band, bpp


def test_uwnd_default_lossy_psnr_bpp(data_dir, tmp_path):
    src = open_source(UWND)
    mkv = tmp_path / "uwnd.mkv"
    out = xav_create_ok(src, mkv)
    assert out.RasterCount == 132
    assert all(out.GetRasterBand(i).DataType == gdal.GDT_Float32 for i in range(1, 133))
    overall, per_band, bpp = _report("UWND default lossy", src, out, mkv)
    assert overall > 40, f"UWND default lossy PSNR {overall:.2f} dB <= 40"
    assert min(per_band) > 35, f"worst band PSNR {min(per_band):.2f} dB"
    # Float32 is 32 bits/pixel: a lossy video codec must do much better.
    assert bpp < 8, f"{bpp:.3f} bits/pixel/band: not compressed"


def test_l7_default_lossy_psnr_bpp(data_dir, tmp_path):
    src = open_source(L7)
    mkv = tmp_path / "l7.mkv"
    out = xav_create_ok(src, mkv)
    overall, per_band, bpp = _report("L7 default lossy (8 bits)", src, out, mkv)
    assert all(out.GetRasterBand(i).DataType == gdal.GDT_Byte for i in range(1, 7))
    assert overall > 30, f"L7 default lossy PSNR {overall:.2f} dB"
    assert bpp < 8


def _check_mask_exact(src, out, what):
    assert out.RasterCount == src.RasterCount
    for i in range(1, src.RasterCount + 1):
        sb, ob = src.GetRasterBand(i), out.GetRasterBand(i)
        nd = sb.GetNoDataValue()
        ond = ob.GetNoDataValue()
        assert ond is not None, f"{what} band {i}: nodata lost"
        s, o = sb.ReadAsArray(), ob.ReadAsArray()
        assert o.dtype == s.dtype
        sv, ov = valid_mask(s, nd), valid_mask(o, ond)
        bad = sv != ov
        assert not bad.any(), (
            f"{what} band {i}: {int(bad.sum())} pixels changed validity "
            f"(first at {tuple(int(x) for x in np.argwhere(bad)[0])})"
        )
        # Invalid pixels read back as the exact source nodata value / NaN.
        assert_bits_equal(s[~sv], o[~ov], f"{what} band {i} invalid pixels")
    return True


def test_sst_lossy_land_mask_exact(data_dir, tmp_path):
    src = open_source(SST)
    s = read_all(src)
    nd = src.GetRasterBand(1).GetNoDataValue()
    n_invalid = int((~valid_mask(s, nd)).sum())
    assert n_invalid > 80000, "coads SST should have its land masked"
    mkv = tmp_path / "sst.mkv"
    out = xav_create_ok(src, mkv)
    nd_out = out.GetRasterBand(1).GetNoDataValue()
    assert np.float32(nd_out) == np.float32(nd), f"nodata {nd_out} != {nd}"
    _check_mask_exact(src, out, "SST lossy")
    overall, per_band, bpp = _report("coads SST default lossy", src, out, mkv)
    assert overall > 35, f"SST lossy PSNR {overall:.2f} dB"


def test_sst_lossy_mask_exact_vsimem_with_crs(data_dir, vsimem_dir):
    src = with_srs(SST)
    mkv = f"{vsimem_dir}/sst.mkv"
    out = xav_create_ok(src, mkv)
    assert file_exists(mkv) and file_exists(sidecar_of(mkv))
    assert out.GetSpatialRef() is not None and out.GetSpatialRef().IsSame(src.GetSpatialRef())
    _check_mask_exact(src, out, "SST lossy /vsimem/")
    out = None
    assert gdal.GetDriverByName(DRIVER_NAME).Delete(mkv) == gdal.CE_None
    assert not (gdal.ReadDir(vsimem_dir) or []), gdal.ReadDir(vsimem_dir)


def test_uwnd_lossy_vsimem(data_dir, vsimem_dir):
    src = open_source(UWND)
    mkv = f"{vsimem_dir}/uwnd.mkv"
    out = xav_create_ok(src, mkv)
    overall, _, _ = _report("UWND default lossy /vsimem/", src, out, mkv)
    assert overall > 40
    out = None
    assert gdal.GetDriverByName(DRIVER_NAME).Delete(mkv) == gdal.CE_None
    assert not file_exists(mkv) and not file_exists(sidecar_of(mkv))


@pytest.mark.parametrize("gdt,np_type,nodata", [
    (gdal.GDT_Float32, np.float32, None),
    (gdal.GDT_Float32, np.float32, -9999.0),
    (gdal.GDT_Float64, np.float64, float("nan")),
    (gdal.GDT_Int16, np.int16, -32768),
    (gdal.GDT_UInt16, np.uint16, 0),
    (gdal.GDT_Byte, np.uint8, 255),
], ids=["f32-nan-no-nodata", "f32-nodata", "f64-nan-nodata", "i16", "u16", "byte"])
def test_lossy_invalid_positions_synthetic(tmp_path, gdt, np_type, nodata):
    """Smooth field with scattered invalid pixels (NaN and/or nodata), some
    next to extreme valid values: positions exact after the lossy trip."""
    rng = np.random.default_rng(7)
    y, x = np.mgrid[0:64, 0:96]
    arrays = []
    for b in range(3):
        f = np.sin(x / 9.0 + b) * np.cos(y / 7.0)
        if np.issubdtype(np_type, np.integer):
            info = np.iinfo(np_type)
            lo, hi = float(info.min) + 1, float(info.max) - 1
            a = (lo + (f + 1) / 2 * (hi - lo)).astype(np_type)
        else:
            a = (f * 30).astype(np_type)
        holes = rng.random(a.shape) < 0.05
        holes[10:20, 30:50] = True  # a block, like land
        if np.issubdtype(np_type, np.floating):
            # Half the holes NaN; the other half the nodata value if there
            # is a finite one, NaN otherwise.
            a[holes] = np.nan if nodata is None else nodata
            a[holes & (rng.random(a.shape) < 0.5)] = np.nan
        else:
            a[holes] = nodata
        arrays.append(a)
    src = mem_dataset(arrays, gdt, nodata=nodata)
    out = xav_create_ok(src, tmp_path / "s.mkv")
    for i, a in enumerate(arrays, start=1):
        ob = out.GetRasterBand(i)
        o = ob.ReadAsArray()
        assert o.dtype == a.dtype
        sv = valid_mask(a, nodata)
        ov = valid_mask(o, ob.GetNoDataValue() if nodata is not None else None)
        bad = sv != ov
        assert not bad.any(), f"band {i}: {int(bad.sum())} pixels changed validity"
        assert_bits_equal(a[~sv], o[~ov], f"band {i} invalid pixels")
        p = psnr(a, o, sv)
        print(f"\n{gdal.GetDataTypeName(gdt)} nodata={nodata} band {i}: PSNR {p:.2f} dB")
        assert p > 30, f"band {i}: PSNR {p:.2f} dB"


def test_maxt_lossy_nodata_mask_exact(data_dir, tmp_path):
    """GRIB Float64, nodata 9999 outside the CONUS grid: exact after lossy."""
    from xavtest import MAXT
    src = open_source(MAXT)
    mkv = tmp_path / "maxt.mkv"
    out = xav_create_ok(src, mkv)
    assert out.GetRasterBand(1).GetNoDataValue() == 9999
    _check_mask_exact(src, out, "ds.maxt.bin lossy")
    overall, _, _ = _report("ds.maxt.bin default lossy", src, out, mkv)
    assert overall > 40, f"PSNR {overall:.2f} dB"


def _winds_in(step):
    """UWND rounded to whole multiples of step m/s, as Int16 counts of
    step (nodata -32768 where the source has none)."""
    src = open_source(UWND)
    a = read_all(src).astype(np.float64)
    valid = valid_mask(read_all(src), src.GetRasterBand(1).GetNoDataValue())
    counts = np.where(valid, np.round(a / step), -32768).astype(np.int16)
    return mem_dataset(list(counts), gdal.GDT_Int16, nodata=-32768), counts, valid


@pytest.mark.parametrize("step,options,exact", [
    (1.0, [], True),                   # 31 levels: the default bound is one
    (1.0, ["MAX_ERROR=1"], True),
    (1.0, ["MAX_ERROR=3"], False),     # a bound of 3 levels is lossy's to meet
    (0.1, [], False),                  # 310 levels: lossy, bound 4 levels
], ids=["31-levels", "31-levels-bound-1", "31-levels-bound-3", "310-levels"])
def test_narrow_integers_are_exact(tmp_path, step, options, exact):
    """Integers of fewer than 128 levels at a bound below two of them are
    coded exactly (every pixel, nodata included); wider ones, or a looser
    bound, stay lossy within their bound."""
    src, counts, valid = _winds_in(step)
    levels = int(counts[valid].max()) - int(counts[valid].min())
    assert (levels < 128) == (step == 1.0), levels
    mkv = tmp_path / "w.mkv"
    out = xav_create_ok(src, mkv, ["BANDS_PER_TIME=1"] + options)
    got = read_all(out)
    band = out.GetRasterBand(1)
    compression = band.GetMetadataItem("COMPRESSION_REVERSIBILITY", "IMAGE_STRUCTURE") or \
        out.GetMetadataItem("COMPRESSION_REVERSIBILITY", "IMAGE_STRUCTURE")
    if exact:
        assert_bits_equal(counts, got, f"{levels} levels {options}")
        assert compression == "LOSSLESS"
    else:
        bound = float(band.GetMetadataItem("XAVIDEO_MAX_ERROR_BOUND", "IMAGE_STRUCTURE"))
        assert bound >= 2
        err = np.abs(got.astype(np.int64) - counts)[valid]
        assert 0 < err.max() <= bound
        assert compression == "LOSSY"


@pytest.mark.parametrize("gdt,dtype,span,exact", [
    (gdal.GDT_Int32, np.int32, 4.0e8, True),    # corrections reach 1 code
    (gdal.GDT_UInt32, np.uint32, 4.29e9, True), # a tenth of a code
    (gdal.GDT_Int32, np.int32, 6.3e6, True),    # 64 codes: one pixel failed
    (gdal.GDT_Int32, np.int32, 4.0e5, False),   # 1000 codes: lossy, bounded
], ids=["int32-1-code", "uint32-full", "int32-64-codes", "int32-1000-codes"])
def test_a_bound_corrections_cannot_reach_is_met_exactly(tmp_path, gdt, dtype, span, exact):
    """Two years of UWND stretched over a wide integer range, MAX_ERROR=1:
    the 16-bit corrections of a bound that fine cover a few codes of the
    12-bit quantization, less than x265 gets wrong; such a variable is coded
    exactly instead of failing once encoded. Wider coverage stays lossy."""
    src = open_source(UWND)
    a = read_all(src)[:24].astype(np.float64)
    a = (a - a.min()) / (a.max() - a.min())
    base = 0 if dtype == np.uint32 else -span / 2
    v = np.round(base + a * span).astype(dtype)
    out = xav_create_ok(mem_dataset(list(v), gdt), tmp_path / "w.mkv",
                        ["BANDS_PER_TIME=1", "MAX_ERROR=1"])
    got = read_all(out)
    err = np.abs(got.astype(np.int64) - v.astype(np.int64))
    assert err.max() <= 1
    reversibility = out.GetRasterBand(1).GetMetadataItem("COMPRESSION_REVERSIBILITY",
                                                         "IMAGE_STRUCTURE")
    assert reversibility == ("LOSSLESS" if exact else "LOSSY")
    assert (err.max() == 0) == exact


@pytest.mark.parametrize("options", [[], ["MAX_ERROR=1"], ["MAX_ERROR=1000000"]],
                         ids=["default", "bound-1", "bound-1ms"])
def test_int64_beyond_doubles_is_exact(tmp_path, options):
    """Times of observation in nanoseconds since 1970 (Int64, about
    1.7e18: beyond 2^53, where doubles hold only every 256th integer): the
    winds' first month as offsets of up to 30 s. A lossy path through
    doubles would be off by up to 128 ns unseen by its bound, so such
    values are coded exactly, whatever the bound asked."""
    src = open_source(UWND)
    u = src.GetRasterBand(1).ReadAsArray().astype(np.float64)
    ns = (np.int64(1_700_000_000) * 10**9 + np.round(np.clip(u, -30, 30) * 1e9).astype(np.int64))
    assert ns.min() > 2**53
    out = xav_create_ok(mem_dataset([ns], gdal.GDT_Int64), tmp_path / "t.mkv", options)
    got = out.GetRasterBand(1).ReadAsArray()
    assert got.dtype == np.int64
    assert (got == ns).all(), int(np.abs(got - ns).max())


def test_int64_within_doubles_keeps_its_bound(tmp_path):
    """The same offsets alone (below 2^53) stay lossy, and within their
    stated bound, counted in integers."""
    src = open_source(UWND)
    u = src.GetRasterBand(1).ReadAsArray().astype(np.float64)
    ns = np.round(np.clip(u, -30, 30) * 1e9).astype(np.int64)
    out = xav_create_ok(mem_dataset([ns], gdal.GDT_Int64), tmp_path / "t.mkv")
    band = out.GetRasterBand(1)
    bound = float(band.GetMetadataItem("XAVIDEO_MAX_ERROR_BOUND", "IMAGE_STRUCTURE"))
    err = np.abs(band.ReadAsArray() - ns)
    assert 0 < err.max() <= bound


@pytest.mark.parametrize("gdt,dtype,nodata", [
    (gdal.GDT_Int64, np.int64, -9999),
    (gdal.GDT_Int64, np.int64, np.iinfo(np.int64).max),
    (gdal.GDT_UInt64, np.uint64, np.iinfo(np.uint64).max),
], ids=["int64-9999", "int64-max", "uint64-max"])
@pytest.mark.parametrize("options", [[], ["LOSSLESS=YES"]], ids=["lossy", "lossless"])
def test_64_bit_nodata_is_kept(tmp_path, gdt, dtype, nodata, options):
    """GDAL gives the nodata of Int64 and UInt64 bands through its 64-bit
    calls only: the winds in mm/s (plus 40 m/s for UInt64), their invalid
    pixels at the nodata, come back with it, their mask and the values."""
    src = open_source(UWND)
    a = read_all(src)[:2].astype(np.float64)
    valid = valid_mask(read_all(src)[:2], src.GetRasterBand(1).GetNoDataValue())
    valid[:, :5, :] = False
    mm = np.round((a + (40 if gdt == gdal.GDT_UInt64 else 0)) * 1000)
    data = np.where(valid, mm, 0).astype(dtype)
    data[~valid] = nodata
    ds = mem_dataset(list(data), gdt)
    for b in (1, 2):
        assert ds.GetRasterBand(b).SetNoDataValue(nodata) == gdal.CE_None
    out = xav_create_ok(ds, tmp_path / "n.mkv", ["BANDS_PER_TIME=1"] + options)
    band = out.GetRasterBand(2)
    assert band.GetNoDataValue() == nodata
    assert band.GetMaskFlags() == gdal.GMF_NODATA
    assert (band.GetMaskBand().ReadAsArray() == np.where(valid[1], 255, 0)).all()
    got = band.ReadAsArray()
    assert (got[~valid[1]] == nodata).all()
    bound = float(band.GetMetadataItem("XAVIDEO_MAX_ERROR_BOUND", "IMAGE_STRUCTURE") or 0)
    err = np.abs(got[valid[1]].astype(np.float64) - data[1][valid[1]].astype(np.float64))
    assert err.max() <= bound
