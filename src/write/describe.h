/*
 * describe: what the source says of itself, into the description: its
 * variables (name, type, nodata, units, colours, classes, metadata), each
 * band's own metadata, its georeferencing (checked by PROJ), its dataset
 * metadata, and the encoder's record. Reads no pixel.
 */
#ifndef XAV_DESCRIBE_H
#define XAV_DESCRIBE_H

#include "gdal.h"

#include "model.h"
#include "options.h"

/* d's band model must be planned (band_model.h). Names the variables
 * (VARIABLE_NAMES, else the source's names, a slice's place along the
 * extra dimensions, a GRIB level where elements repeat; unique by the rule
 * of varnames.h). Sets each variable's lossless from the options and its
 * kind (palettes and thematic classes are never approximated). Returns 0,
 * or -1 with a CPLError (VARIABLE_NAMES that do not fit, a band type that
 * cannot be stored, a CRS PROJ refuses). */
int xav_describe_source(GDALDatasetH src, const xav_create_options *o,
                        xav_desc *d);

/* A source band's nodata, as the double a variable keeps (*has: whether
 * it has one). Int64 and UInt64 bands say theirs through GDAL's 64-bit
 * calls; their extremes (INT64_MAX, UINT64_MAX) come back through the
 * reader's clamping, other values beyond 2^53 would not (describing the
 * variable says so, once). */
double xav_source_nodata(GDALRasterBandH band, int *has);

#endif /* XAV_DESCRIBE_H */
