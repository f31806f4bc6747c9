/*
 * GDAL driver XAVIDEO: Create. The dataset it returns keeps whatever is
 * written to it and encodes it with xav_create_copy when it is flushed or
 * closed (xavideowriter.h).
 */
#ifndef XAVIDEOCREATE_H
#define XAVIDEOCREATE_H

#include "gdal_priv.h"

/* GDALDriver::pfnCreate: checks what can be checked before any pixel (the
 * options, size, bands, type, the name), then returns the buffering
 * dataset, or nullptr with a CPLError. */
GDALDataset *XAVIDEOCreate(const char *filename, int xsize, int ysize,
                           int bands, GDALDataType type, char **options);

#endif /* XAVIDEOCREATE_H */
