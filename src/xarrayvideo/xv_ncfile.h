/*
 * xv_ncfile: what an xarrayvideo folder's x.nc says of its cube, read
 * through GDAL's multidimensional API: each rule's time coordinate (values,
 * units, calendar), the raster's size and orientation from the spatial
 * coordinates (a frame's columns are the raster's rows when the rule's
 * second dimension is the y axis, as DeepExtremeCubes stores them), the
 * geotransform from evenly spaced coordinates, the CRS (a grid-mapping
 * variable's crs_wkt or spatial_ref, as rioxarray writes them) and the
 * global attributes.
 */
#ifndef XAV_XV_NCFILE_H
#define XAV_XV_NCFILE_H

#include "xv_folder.h"

/* Fills f's x.nc facts. 0, or -1 with a CPLError. */
int xv_ncfile_read(xv_folder *f, const char *path);

#endif /* XAV_XV_NCFILE_H */
