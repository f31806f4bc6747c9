/*
 * GDAL driver XAVIDEO: the multidimensional view (GDAL_OF_MULTIDIM_RASTER).
 * One root group with the dimensions (time, y, x), one array per variable
 * and the indexing variables; see doc/multidim.md.
 */
#ifndef XAVIDEOMULTIDIM_H
#define XAVIDEOMULTIDIM_H

#include "gdal_priv.h"

/* Opens info's dataset (already identified, read-only) as a multidimensional
 * dataset, or returns nullptr with a CPLError. */
GDALDataset *XAVIDEOOpenMultiDim(GDALOpenInfo *info);

#endif /* XAVIDEOMULTIDIM_H */
