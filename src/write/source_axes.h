/*
 * source_axes: where a source says each of its bands lies along its own
 * dimensions besides y and x, whichever way it says it:
 *  - netCDF: NETCDF_DIM_EXTRA lists them ("{TIME,ZAXLEVIT19}"), each band
 *    has NETCDF_DIM_<d>, the dataset <d>#units and <d>#calendar; a source
 *    whose bands lack the items (rioxarray's GeoTIFFs) may still list every
 *    band's values in NETCDF_DIM_<d>_VALUES, slowest dimension first;
 *  - GDAL's multidimensional API (gdalmdimtranslate to a raster format,
 *    AsClassicDataset, Zarr): DIM_<d>_VALUE and DIM_<d>_UNIT on each band;
 *  - GRIB: GRIB_VALID_TIME, in seconds since 1970.
 * One dimension is the frame axis, the one the video runs along: the time
 * (units "<unit> since <date>", axis T or standard_name time), else the
 * slowest. The others are extra dimensions (a depth), kept as such.
 */
#ifndef XAV_SOURCE_AXES_H
#define XAV_SOURCE_AXES_H

#include "gdal.h"

typedef struct {
    int ndims;
    char **names;   /* slowest first */
    char **keys;    /* the band metadata item of each, for messages */
    char **units;   /* of each, "" when the source says none */
    char *calendar; /* of the frame axis, or NULL */
    int frame;      /* which dimension is the frame axis */
    int nbands;
    double *values; /* band b's value along dimension k: [b * ndims + k] */
} xav_source_axes;

/* Returns 1 and fills axes if the source places its bands, 0 (axes empty)
 * if it does not; a source that names dimensions its bands do not carry is
 * reported by a warning, as placing nothing. */
int xav_source_axes_find(GDALDatasetH src, xav_source_axes *axes);
void xav_source_axes_free(xav_source_axes *axes);

static inline double xav_source_axes_value(const xav_source_axes *a, int band,
                                           int dim)
{
    return a->values[(size_t)band * a->ndims + dim];
}

/* Where a multidimensional source (mdim_source) names its y and x
 * dimensions: items Y and X of this metadata domain. */
#define XAV_GRID_DOMAIN "XAVIDEO_GRID"

/* The source's names of its y and x dimensions (lat, lon), both or
 * neither (NULL, also when they are y and x): a multidimensional source's
 * own, else the one netCDF coordinate variable per axis whose CF
 * attributes (axis, standard_name, units) say it is that axis. */
void xav_source_grid_names(GDALDatasetH src, char *names[2]);

#endif /* XAV_SOURCE_AXES_H */
