"""A source's mask band of its own (a GeoTIFF's internal mask, a band's own
mask), as opposed to its nodata or alpha band, comes back as a mask band of
the same kind: GetMaskFlags() and every mask pixel are the source's, lossy
or lossless, and the mask goes on to the next format.

The data: COADS SST with its land as a per-dataset mask instead of nodata
(the land keeps its -1e34 fill, undeclared), Landsat 7 with its dark water
masked, and Landsat 8's Int16 bands with masks of their own. Everything is
checked against the source."""
import json

import numpy as np
import pytest

import xavtest  # noqa: F401  (registers the plugin before osgeo is used)
from osgeo import gdal

from xavtest import (
    L7,
    SST,
    assert_bits_equal,
    assert_error,
    capture_errors,
    l8_path,
    read_all,
    sidecar_of,
    sidecar_streams,
    xav_create_ok,
)

import rasterio  # installed by scripts/bootstrap.sh: missing fails, never skips


def masked_tiff(path, arrays, dtype, mask):
    """A GeoTIFF of arrays with an internal per-dataset mask, no nodata."""
    h, w = mask.shape
    ds = gdal.GetDriverByName("GTiff").Create(str(path), w, h, len(arrays), dtype)
    ds.SetGeoTransform((0, 1, 0, h, 0, -1))
    ds.SetProjection("EPSG:4326")
    for i, a in enumerate(arrays, start=1):
        assert ds.GetRasterBand(i).WriteArray(a) == gdal.CE_None
    gdal.SetConfigOption("GDAL_TIFF_INTERNAL_MASK", "YES")
    try:
        assert ds.CreateMaskBand(gdal.GMF_PER_DATASET) == gdal.CE_None
    finally:
        gdal.SetConfigOption("GDAL_TIFF_INTERNAL_MASK", None)
    assert ds.GetRasterBand(1).GetMaskBand().WriteArray(mask) == gdal.CE_None
    ds = None
    return gdal.Open(str(path))


@pytest.fixture(scope="module")
def sst_masked(tmp_path_factory):
    """SST's 12 months with the land as a mask band: values -1e34 there,
    nodata not declared."""
    src = gdal.Open(SST)
    a = read_all(src)
    fill = src.GetRasterBand(1).GetNoDataValue()
    land = (a == np.float32(fill)).all(axis=0)
    assert 0.2 < land.mean() < 0.6
    mask = np.where(land, 0, 255).astype(np.uint8)
    path = tmp_path_factory.mktemp("sst") / "sst_masked.tif"
    return masked_tiff(path, list(a), gdal.GDT_Float32, mask), a, mask


def sidecar(mkv):
    with open(sidecar_of(mkv)) as f:
        return json.load(f)


def mask_of(band):
    return band.GetMaskBand().ReadAsArray()


def test_a_lossy_copy_gives_the_mask_band_back(tmp_path, sst_masked):
    src, a, mask = sst_masked
    assert src.GetRasterBand(1).GetMaskFlags() == gdal.GMF_PER_DATASET
    out = xav_create_ok(src, str(tmp_path / "sst.mkv"))
    doc = sidecar(str(tmp_path / "sst.mkv"))
    assert doc["schema_version"] == 8
    assert doc["variables"][0]["mask_band"] == "per_dataset"
    for b in range(1, out.RasterCount + 1):
        band = out.GetRasterBand(b)
        assert band.GetMaskFlags() == gdal.GMF_PER_DATASET
        assert band.GetNoDataValue() is None
        assert (mask_of(band) == mask).all(), b
        bound = float(band.GetMetadataItem("XAVIDEO_MAX_ERROR_BOUND", "IMAGE_STRUCTURE"))
        got = band.ReadAsArray()
        err = np.abs(got.astype(np.float64) - a[b - 1])[mask > 0]
        assert err.max() <= bound, (b, err.max(), bound)


def test_the_mask_goes_on_to_geotiff(tmp_path, sst_masked):
    src, a, mask = sst_masked
    xav_create_ok(src, str(tmp_path / "sst.mkv"))
    back = gdal.Translate(str(tmp_path / "back.tif"), str(tmp_path / "sst.mkv"), format="GTiff")
    assert back is not None, gdal.GetLastErrorMsg()
    back = None
    back = gdal.Open(str(tmp_path / "back.tif"))
    for b in (1, 12):
        assert back.GetRasterBand(b).GetMaskFlags() == gdal.GMF_PER_DATASET
        assert (mask_of(back.GetRasterBand(b)) == mask).all()


def test_a_lossless_copy_keeps_the_values_under_the_mask(tmp_path):
    """LOSSLESS=YES: every value bit for bit, those outside the mask too
    (Landsat 7's water as the mask), and the mask beside them."""
    l7 = gdal.Open(str(L7))
    a = read_all(l7)
    mask = np.where(a[3] < np.percentile(a[3], 20), 0, 255).astype(np.uint8)
    src = masked_tiff(tmp_path / "l7_masked.tif", list(a), gdal.GDT_Byte, mask)
    out = xav_create_ok(src, str(tmp_path / "l7.mkv"), ["LOSSLESS=YES"])
    assert_bits_equal(a, read_all(out), "lossless under a mask band")
    for b in range(1, out.RasterCount + 1):
        assert out.GetRasterBand(b).GetMaskFlags() == gdal.GMF_PER_DATASET
        assert (mask_of(out.GetRasterBand(b)) == mask).all(), b
    roles = [s["role"] for s in sidecar_streams(sidecar(str(tmp_path / "l7.mkv")))]
    assert "mask" in roles


@pytest.mark.parametrize("options", [["BANDS_PER_TIME=1"], ["BANDS_PER_TIME=1", "LOSSLESS=YES"]],
                         ids=["lossy", "lossless"])
def test_the_multidimensional_view_gives_the_mask(tmp_path, sst_masked, options):
    """GetMask() of the (time, y, x) array is the source's mask at every
    time step (1 valid, 0 not), not GDAL's default from the nodata, which
    this source does not declare; a lossless copy keeps the values under it."""
    src, a, mask = sst_masked
    xav_create_ok(src, str(tmp_path / "sst.mkv"), options)
    ds = gdal.OpenEx(str(tmp_path / "sst.mkv"), gdal.OF_MULTIDIM_RASTER)
    cube = ds.GetRootGroup().OpenMDArray("band_1")
    assert cube.GetNoDataValueAsRaw() is None
    m = cube.GetMask()
    assert m.GetDataType().GetNumericDataType() == gdal.GDT_Byte
    got = m.ReadAsArray()
    assert got.shape == a.shape
    assert (got == (mask > 0)).all()
    # a slab across the land edge, every other step
    part = m[1:12:2, 10:70, 5:150].ReadAsArray()
    assert (part == (mask[10:70, 5:150] > 0)).all()
    if "LOSSLESS=YES" in options:
        assert_bits_equal(a, cube.ReadAsArray(), "lossless values under the mask")


def test_without_a_mask_band_the_mask_follows_the_nodata(tmp_path):
    """Plain SST (land as nodata): GDAL's own mask, from the nodata."""
    src = gdal.Open(SST)
    a = read_all(src)
    land = a == np.float32(src.GetRasterBand(1).GetNoDataValue())
    xav_create_ok(src, str(tmp_path / "sst.mkv"))
    ds = gdal.OpenEx(str(tmp_path / "sst.mkv"), gdal.OF_MULTIDIM_RASTER)
    names = [n for n in ds.GetRootGroup().GetMDArrayNames()
             if ds.GetRootGroup().OpenMDArray(n).GetDimensionCount() == 3]
    assert len(names) == 1, names
    got = ds.GetRootGroup().OpenMDArray(names[0]).GetMask().ReadAsArray()
    assert (got == ~land).all()


def l8_with_own_masks():
    """Three Landsat 8 bands (Int16), each masked where it is brightest:
    masks of their own (flags 0), unlike one another."""
    bands = ("B2", "B5", "B10")
    arrays = [gdal.Open(str(l8_path(b))).ReadAsArray() for b in bands]
    h, w = arrays[0].shape
    ds = gdal.GetDriverByName("MEM").Create("", w, h, len(bands), gdal.GDT_Int16)
    ds.SetGeoTransform(gdal.Open(str(l8_path("B2"))).GetGeoTransform())
    masks = []
    for i, a in enumerate(arrays, start=1):
        band = ds.GetRasterBand(i)
        band.WriteArray(a)
        assert band.CreateMaskBand(0) == gdal.CE_None
        m = np.where(a > np.percentile(a, 85), 0, 255).astype(np.uint8)
        band.GetMaskBand().WriteArray(m)
        masks.append(m)
    assert ds.GetRasterBand(1).GetMaskFlags() == 0
    assert not (masks[0] == masks[1]).all()
    return ds, np.stack(arrays), masks


@pytest.mark.parametrize("options", [[], ["LOSSLESS=YES"]], ids=["lossy", "lossless"])
def test_masks_of_each_band_stay_each_band_s(tmp_path, options):
    src, a, masks = l8_with_own_masks()
    out = xav_create_ok(src, str(tmp_path / "l8.mkv"), options)
    assert {v["mask_band"] for v in sidecar(str(tmp_path / "l8.mkv"))["variables"]} == {"own"}
    for b in range(1, 4):
        band = out.GetRasterBand(b)
        assert band.GetMaskFlags() == 0
        assert (mask_of(band) == masks[b - 1]).all(), b
        inside = masks[b - 1] > 0
        bound = float(band.GetMetadataItem("XAVIDEO_MAX_ERROR_BOUND", "IMAGE_STRUCTURE") or 0)
        err = np.abs(band.ReadAsArray().astype(np.int64) - a[b - 1])
        assert err[inside].max() <= bound, (b, err[inside].max(), bound)
        if options:
            assert (err == 0).all(), b


def test_nan_inside_and_outside_the_mask(tmp_path, sst_masked):
    """A NaN inside the mask is a value (mask 255), one outside it is
    masked (mask 0): each reads back as NaN with its own mask."""
    _, a, mask = sst_masked
    a = a[:3].copy()
    a[:, 10, 10] = np.nan  # sea: inside the mask
    land = np.argwhere(mask == 0)[0]
    a[:, land[0], land[1]] = np.nan
    src = masked_tiff(tmp_path / "nan.tif", list(a), gdal.GDT_Float32, mask)
    out = xav_create_ok(src, str(tmp_path / "nan.mkv"))
    band = out.GetRasterBand(2)
    got = band.ReadAsArray()
    assert np.isnan(got[10, 10]) and np.isnan(got[land[0], land[1]])
    m = mask_of(band)
    assert m[10, 10] == 255 and m[land[0], land[1]] == 0
    assert (m == mask).all()


def test_rasterio_reads_the_mask(tmp_path, sst_masked):
    src, a, mask = sst_masked
    xav_create_ok(src, str(tmp_path / "sst.mkv"))
    with rasterio.open(tmp_path / "sst.mkv") as ds:
        assert (ds.dataset_mask() == mask).all()
        assert (ds.read_masks(7) == mask).all()
        assert list(ds.mask_flag_enums[0]) == [rasterio.enums.MaskFlags.per_dataset]


def test_nodata_and_alpha_stay_as_they_were(tmp_path):
    """A source whose mask is its nodata, or its alpha band, writes no
    mask band of its own: the reader's mask is GDAL's, from the nodata or
    the alpha band, and the sidecar keeps its older schema."""
    out = xav_create_ok(gdal.Open(SST), str(tmp_path / "sst.mkv"))
    assert out.GetRasterBand(1).GetMaskFlags() == gdal.GMF_NODATA
    doc = sidecar(str(tmp_path / "sst.mkv"))
    assert "mask_band" not in doc["variables"][0] and doc["schema_version"] < 8

    rgb = read_all(gdal.Open(str(L7)))[[2, 1, 0]]
    alpha = np.where(rgb[0] < np.percentile(rgb[0], 10), 0, 255).astype(np.uint8)
    ds = gdal.GetDriverByName("MEM").Create("", rgb.shape[2], rgb.shape[1], 4, gdal.GDT_Byte)
    for i, x in enumerate(list(rgb) + [alpha], start=1):
        ds.GetRasterBand(i).WriteArray(x)
    ds.GetRasterBand(4).SetColorInterpretation(gdal.GCI_AlphaBand)
    out = xav_create_ok(ds, str(tmp_path / "rgba.mkv"))
    band = out.GetRasterBand(1)
    assert band.GetMaskFlags() == gdal.GMF_ALPHA | gdal.GMF_PER_DATASET
    assert (mask_of(band) == alpha).all()
    doc = sidecar(str(tmp_path / "rgba.mkv"))
    assert all("mask_band" not in v for v in doc["variables"])


def test_rasterio_writes_a_mask(tmp_path):
    """rasterio's 'w' with write_mask (GDAL's CreateMaskBand, per
    dataset): Landsat 7 written losslessly comes back with every value and
    its mask."""
    out = tmp_path / "l7.mkv"
    with rasterio.open(L7) as src:
        profile = {k: src.profile[k] for k in ("width", "height", "count", "dtype", "crs",
                                               "transform")}
        data = src.read()
    mask = np.where(data[3] < np.percentile(data[3], 20), 0, 255).astype(np.uint8)
    with rasterio.open(out, "w", driver="XAVIDEO", LOSSLESS="YES", **profile) as ds:
        ds.write(data)
        ds.write_mask(mask)
    with rasterio.open(out) as ds:
        assert ds.read().tobytes() == data.tobytes()
        assert (ds.dataset_mask() == mask).all()
        assert list(ds.mask_flag_enums[0]) == [rasterio.enums.MaskFlags.per_dataset]


def test_a_sidecar_that_drops_the_mask_band_is_refused(tmp_path, sst_masked):
    """The video's embedded description says there is a mask band: a
    sidecar edited to say otherwise would hand out the data without its
    mask, so its first read is an error."""
    src, _, _ = sst_masked
    mkv = str(tmp_path / "sst.mkv")
    xav_create_ok(src, mkv)
    doc = sidecar(mkv)
    for v in doc["variables"]:
        del v["mask_band"]
    with open(sidecar_of(mkv), "w") as f:
        json.dump(doc, f)
    out = gdal.Open(mkv)
    with capture_errors() as log:
        assert out.GetRasterBand(1).ReadAsArray() is None
    assert_error(log, ["sidecar", "does not match"])
