/*
 * mdim_source: a multidimensional source (gdalmdimtranslate, or
 * gdal.MultiDimTranslate, into XAVIDEO; a netCDF, Zarr, GRIB or HDF5 file
 * opened with GDAL_OF_MULTIDIM_RASTER) seen as classic bands, so that the
 * one copy path encodes it: every array over (..., y, x) of the root group
 * becomes one band per 2-D slice, described as GDAL's netCDF driver
 * describes its bands (NETCDF_VARNAME, NETCDF_DIM_EXTRA, NETCDF_DIM_<d>,
 * <d>#<attribute>, NC_GLOBAL#<attribute>), which the band model reads.
 * Arrays must share their dimensions before y and x; an array over other
 * ones is refused, saying which, and arrays not over the grid (bounds,
 * auxiliary coordinates) are left out with a warning naming them.
 */
#ifndef XAV_MDIM_SOURCE_H
#define XAV_MDIM_SOURCE_H

#include "gdal.h"

typedef struct xav_mdim_source xav_mdim_source;

/* Whether src is multidimensional content without classic bands. */
int xav_mdim_source_is(GDALDatasetH src);

/* The classic view of src, or NULL with a CPLError. The view reads src,
 * which must outlive it. */
xav_mdim_source *xav_mdim_source_open(GDALDatasetH src);
GDALDatasetH xav_mdim_source_dataset(const xav_mdim_source *view);
void xav_mdim_source_close(xav_mdim_source *view);

#endif /* XAV_MDIM_SOURCE_H */
