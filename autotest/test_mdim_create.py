"""Multidimensional creation (issue 14, part 1; doc/multidim.md, "Creation"):
gdalmdimtranslate and gdal.MultiDimTranslate into XAVIDEO from netCDF and
GRIB opened as multidimensional sources. Every array of the selection
comes back with its dimensions (4-D stays 4-D), coordinate values, units,
attributes, nodata and georeferencing, checked against the source: exact
when lossless, within the stated bound when lossy. Arrays over other
dimensions are refused with the reason; arrays not on the grid are named
in a warning."""
import numpy as np
from osgeo import gdal

from xavtest import (
    COADS, ETA, OCEAN, WINDS, capture_errors, list_dir, run_cli,
)


def open_mdim(path):
    ds = gdal.OpenEx(str(path), gdal.OF_MULTIDIM_RASTER)
    assert ds is not None, f"cannot open {path} as multidimensional: {gdal.GetLastErrorMsg()}"
    return ds


def translate(src, dst, *args):
    res = run_cli(["gdalmdimtranslate", "-of", "XAVIDEO", *args, src, dst], timeout=600)
    assert res.returncode == 0, res.stderr
    return res


def data_arrays(group):
    """Arrays over two dimensions or more, by name."""
    return {n: group.OpenMDArray(n) for n in group.GetMDArrayNames()
            if group.OpenMDArray(n).GetDimensionCount() >= 2}


def coordinate(array_dim):
    var = array_dim.GetIndexingVariable()
    return None if var is None else var.ReadAsArray()


def assert_same_arrays(src_root, out, exact):
    """Every array of the source over (..., y, x): same shape, type,
    dimensions before y and x (names, sizes, coordinate values bit for
    bit, units), names of y and x and their coordinates, nodata, unit,
    attributes; values exact, or within the
    bound the classic view states for the array's bands."""
    src_arrays = data_arrays(src_root)
    out_arrays = data_arrays(open_mdim(out).GetRootGroup())
    assert sorted(out_arrays) == sorted(src_arrays)
    for name, s in src_arrays.items():
        o = out_arrays[name]
        sdims, odims = s.GetDimensions(), o.GetDimensions()
        assert [d.GetSize() for d in odims] == [d.GetSize() for d in sdims], name
        assert [d.GetName() for d in odims] == [d.GetName() for d in sdims], name
        for sd, od in zip(sdims[-2:], odims[-2:]):
            sv, ov = coordinate(sd), coordinate(od)
            assert sv is None or np.allclose(ov, sv, rtol=0, atol=1e-9 * np.abs(sv).max()), sd.GetName()
        for sd, od in zip(sdims[:-2], odims[:-2]):
            assert od.GetName() == sd.GetName()
            assert od.GetType() == sd.GetType(), (od.GetName(), od.GetType(), sd.GetType())
            sv, ov = coordinate(sd), coordinate(od)
            assert ov.tobytes() == sv.astype(np.float64).tobytes(), sd.GetName()
            assert od.GetIndexingVariable().GetUnit() == sd.GetIndexingVariable().GetUnit() or \
                od.GetIndexingVariable().GetAttribute("units").Read() == sd.GetIndexingVariable().GetUnit()
        assert o.GetDataType().GetNumericDataType() == s.GetDataType().GetNumericDataType()
        assert o.GetNoDataValueAsDouble() == s.GetNoDataValueAsDouble()
        assert o.GetUnit() == s.GetUnit()
        src_attrs = {a.GetName(): a.Read() for a in s.GetAttributes()}
        out_attrs = {a.GetName(): a.Read() for a in o.GetAttributes()}
        for k, v in src_attrs.items():
            if k not in ("_FillValue", "missing_value", "units", "scale_factor", "add_offset"):
                assert out_attrs.get(k) == v, (name, k)
        a, b = s.ReadAsArray(), o.ReadAsArray()
        assert b.shape == a.shape and b.dtype == a.dtype
        if exact:
            assert a.tobytes() == b.tobytes(), f"{name} differs from the source"
        else:
            nodata = s.GetNoDataValueAsDouble()
            valid = a != nodata
            assert np.array_equal(b[~valid], a[~valid]), f"{name}: nodata pixels changed"
            err = np.abs(a[valid].astype(np.float64) - b[valid])
            assert err.max() <= array_bound(out, name) * (1 + 1e-6), name


def array_bound(out, name):
    """The largest XAVIDEO_MAX_ERROR_BOUND of the array's bands in the
    classic view of the same dataset."""
    ds = gdal.Open(str(out))
    bounds = [float(b.GetMetadataItem("XAVIDEO_MAX_ERROR_BOUND", "IMAGE_STRUCTURE"))
              for b in (ds.GetRasterBand(i + 1) for i in range(ds.RasterCount))
              if b.GetMetadataItem("NETCDF_VARNAME") == name]
    assert bounds, f"no band of {name} states its bound"
    return max(bounds)


def test_4d_lossless_exact_both_views(tmp_path):
    """The ocean atlas, TEMP over (TIME, ZAXLEVIT19, y, x): 4-D stays 4-D
    with its depth coordinate (VERTICAL, positive down), bit-exact; the
    classic view has one band per (depth, time), described by both."""
    out = tmp_path / "ocean.mkv"
    translate(OCEAN, out, "-co", "LOSSLESS=YES")
    src = open_mdim(OCEAN).GetRootGroup()
    assert_same_arrays(src, out, exact=True)
    root = open_mdim(out).GetRootGroup()
    temp = root.OpenMDArray("TEMP")
    assert [d.GetName() for d in temp.GetDimensions()] == ["TIME", "ZAXLEVIT19", "YAX_SUBSET", "XAX_SUBSET"]
    z = root.OpenMDArray("ZAXLEVIT19")
    assert z.GetAttribute("positive").Read() == "down"
    assert z.GetAttribute("units").Read() == "METERS"
    assert {a.GetName(): a.Read() for a in root.GetAttributes()} == \
        {a.GetName(): a.Read() for a in src.GetAttributes()}
    classic = gdal.Open(str(out))
    assert classic.RasterCount == 12 * 19
    # band 21: the second month (TIME fastest after depth), depth 10 m
    band = classic.GetRasterBand(21)
    assert band.GetDescription().startswith("TEMP_ZAXLEVIT19_10 0000-02")
    ref = gdal.OpenEx(str(OCEAN), gdal.OF_MULTIDIM_RASTER).GetRootGroup() \
        .OpenMDArray("TEMP").AsClassicDataset(3, 2)
    assert classic.GetGeoTransform() == ref.GetGeoTransform()
    assert band.ReadRaster() == ref.GetRasterBand(21).ReadRaster()


def test_several_variables_lossy_within_bound(tmp_path):
    """COADS: seven variables over (TIME, y, x) in one dataset, lossy by
    default: each array within its stated bound, nodata where the source
    has it, the time axis exact."""
    out = tmp_path / "coads.mkv"
    translate(COADS, out)
    src = open_mdim(COADS).GetRootGroup()
    assert_same_arrays(src, out, exact=False)
    assert len(data_arrays(open_mdim(out).GetRootGroup())) == 7


def test_python_api_selection_and_subset(tmp_path):
    """gdal.MultiDimTranslate with -array and -subset: only UWND, only the
    selected months, lossless exact."""
    out = tmp_path / "uwnd.mkv"
    ds = gdal.MultiDimTranslate(str(out), str(WINDS), format="XAVIDEO",
                                arraySpecs=["UWND"], subsetSpecs=["TIME(17598,26364)"],
                                creationOptions=["LOSSLESS=YES"])
    assert ds is not None, gdal.GetLastErrorMsg()
    ds = None
    root = open_mdim(out).GetRootGroup()
    assert sorted(data_arrays(root)) == ["UWND"]
    uwnd = root.OpenMDArray("UWND")
    src = open_mdim(WINDS).GetRootGroup().OpenMDArray("UWND")
    times = src.GetDimensions()[0].GetIndexingVariable().ReadAsArray()
    keep = (times >= 17598) & (times <= 26364)
    assert uwnd.GetDimensions()[0].GetSize() == keep.sum() == 13
    assert root.OpenMDArray("TIME").ReadAsArray().tobytes() == times[keep].tobytes()
    assert uwnd.ReadAsArray().tobytes() == src.ReadAsArray()[keep].tobytes()


def test_grib_refused_with_the_way_that_works(tmp_path):
    """GDAL 3.6's multidimensional GRIB reader gives the field read first
    for every field of one GRIB message: eta.grb's VGRD at 12000-9000 Pa
    reads as its UGRD once UGRD was read. The copy refuses it and says to
    use gdal_translate, whose bands are the right fields (checked here
    against the classic reader, field by field, as that copy reads them)."""
    src = gdal.OpenEx(str(ETA), gdal.OF_MULTIDIM_RASTER).GetRootGroup()
    u = src.OpenMDArray("UGRD_12000-9000-SPDL").ReadAsArray()
    v = src.OpenMDArray("VGRD_12000-9000-SPDL").ReadAsArray()
    classic = gdal.Open(str(ETA))
    v_band = [b for b in (classic.GetRasterBand(i + 1) for i in range(classic.RasterCount))
              if b.GetMetadataItem("GRIB_ELEMENT") == "VGRD"
              and b.GetMetadataItem("GRIB_SHORT_NAME").startswith("12000-9000")]
    assert len(v_band) == 1
    assert np.array_equal(u, v) and not np.array_equal(v, v_band[0].ReadAsArray()[::-1]), \
        "GDAL's GRIB reader no longer mixes the fields: allow GRIB again"
    out = tmp_path / "eta.mkv"
    res = run_cli(["gdalmdimtranslate", "-of", "XAVIDEO", ETA, out])
    assert res.returncode != 0
    assert "gdal_translate" in res.stderr and "GRIB message" in res.stderr, res.stderr
    # behind a selection (a VRT of GRIB arrays) too
    res = run_cli(["gdalmdimtranslate", "-of", "XAVIDEO", "-array", "VGRD_12000-9000-SPDL",
                   ETA, out])
    assert res.returncode != 0 and "GRIB message" in res.stderr, res.stderr
    assert list_dir(tmp_path) == []


def mixed_source(path):
    """A netCDF with the ocean atlas' TEMP (TIME, ZAXLEVIT19, y, x) and its
    surface level as a second array over (TIME, y, x)."""
    ds = gdal.MultiDimTranslate(str(path), str(OCEAN), format="netCDF")
    assert ds is not None
    ds = None
    ds = gdal.OpenEx(str(path), gdal.OF_MULTIDIM_RASTER | gdal.OF_UPDATE)
    root = ds.GetRootGroup()
    temp = root.OpenMDArray("TEMP")
    t, _, y, x = temp.GetDimensions()
    surface = root.CreateMDArray("SURFACE", [t, y, x], temp.GetDataType())
    assert surface.Write(temp.ReadAsArray()[:, 0]) == gdal.CE_None
    ds = None


def test_arrays_over_other_dimensions_refused(tmp_path):
    """An array over other dimensions than the others' is refused before
    anything is written, naming both and how to copy them apart."""
    src = tmp_path / "mixed.nc"
    mixed_source(src)
    out = tmp_path / "out.mkv"
    res = run_cli(["gdalmdimtranslate", "-of", "XAVIDEO", src, out])
    assert res.returncode != 0
    assert "SURFACE" in res.stderr and "TEMP" in res.stderr and "-array" in res.stderr, res.stderr
    assert list_dir(tmp_path) == ["mixed.nc"]
    # and each alone goes through
    translate(src, out, "-array", "SURFACE", "-co", "LOSSLESS=YES")
    back = open_mdim(out).GetRootGroup().OpenMDArray("SURFACE")
    assert [d.GetName() for d in back.GetDimensions()] == ["TIME", "YAX_SUBSET", "XAX_SUBSET"]
    assert back.ReadAsArray().tobytes() == \
        open_mdim(OCEAN).GetRootGroup().OpenMDArray("TEMP").ReadAsArray()[:, 0].tobytes()


def copy_warnings(src, out):
    """Copies src into out, lossless, with gdal.MultiDimTranslate; the
    warnings the copy gave."""
    with capture_errors() as log:
        assert gdal.MultiDimTranslate(str(out), str(src), format="XAVIDEO",
                                      creationOptions=["LOSSLESS=YES"]) is not None
    return [m for level, _, m in log.records if level == gdal.CE_Warning]


def test_arrays_off_the_grid_named(tmp_path):
    """A source array that is neither on the grid nor a coordinate (a
    bounds variable) is not stored, and a warning names it."""
    src = tmp_path / "bounds.nc"
    ds = gdal.MultiDimTranslate(str(src), str(WINDS), format="netCDF", arraySpecs=["UWND"])
    ds = None
    ds = gdal.OpenEx(str(src), gdal.OF_MULTIDIM_RASTER | gdal.OF_UPDATE)
    root = ds.GetRootGroup()
    t = root.OpenMDArray("UWND").GetDimensions()[0]
    nv = root.CreateDimension("nv", None, None, 2)
    bnds = root.CreateMDArray("TIME_bnds", [t, nv], gdal.ExtendedDataType.Create(gdal.GDT_Float64))
    times = t.GetIndexingVariable().ReadAsArray()
    assert bnds.Write(np.stack([times - 1, times + 1], axis=1)) == gdal.CE_None
    ds = None
    out = tmp_path / "out.mkv"
    warnings = copy_warnings(src, out)
    assert any("TIME_bnds" in m and "not stored" in m for m in warnings), warnings
    assert sorted(data_arrays(open_mdim(out).GetRootGroup())) == ["UWND"]


def test_arrays_of_subgroups_named_and_reachable(tmp_path):
    """A netCDF-4 with UWND at the root and VWND in a group: the copy
    stores UWND, a warning names the group, and -array /GROUP/NAME copies
    the group's array."""
    src = tmp_path / "groups.nc"
    ds = gdal.MultiDimTranslate(str(src), str(WINDS), format="netCDF", arraySpecs=["UWND"],
                                creationOptions=["FORMAT=NC4"])
    ds = None
    winds = open_mdim(WINDS).GetRootGroup().OpenMDArray("VWND")
    ds = gdal.OpenEx(str(src), gdal.OF_MULTIDIM_RASTER | gdal.OF_UPDATE)
    root = ds.GetRootGroup()
    group = root.CreateGroup("extra")
    vwnd = group.CreateMDArray("VWND", root.OpenMDArray("UWND").GetDimensions(),
                               winds.GetDataType())
    assert vwnd.Write(winds.ReadAsArray()) == gdal.CE_None
    ds = None
    out = tmp_path / "out.mkv"
    warnings = copy_warnings(src, out)
    assert any("extra" in m and "-array" in m for m in warnings), warnings
    assert sorted(data_arrays(open_mdim(out).GetRootGroup())) == ["UWND"]
    only = tmp_path / "vwnd.mkv"
    translate(src, only, "-array", "/extra/VWND", "-co", "LOSSLESS=YES")
    back = open_mdim(only).GetRootGroup().OpenMDArray("VWND")
    assert back.ReadAsArray().tobytes() == winds.ReadAsArray().tobytes()
