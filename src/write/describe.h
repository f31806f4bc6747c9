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

/* d's band model must be planned (band_model.h). Sets each variable's
 * lossless from the options and its kind (palettes and thematic classes
 * are never approximated). Returns 0, or -1 with a CPLError (a band type
 * that cannot be stored, a CRS PROJ refuses). */
int xav_describe_source(GDALDatasetH src, const xav_create_options *o,
                        xav_desc *d);

#endif /* XAV_DESCRIBE_H */
