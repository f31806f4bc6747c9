/*
 * rat: raster attribute tables (class names, colours, counts of thematic
 * rasters) <-> JSON text kept in the sidecar:
 *   {"table_type": "thematic"|"athematic",
 *    "linear_binning": [row0_min, bin_size] (optional),
 *    "columns": [{"name", "type": "integer"|"real"|"string", "usage"}],
 *    "rows": [[v, ...], ...]}
 */
#ifndef XAV_RAT_H
#define XAV_RAT_H

#include "gdal.h"

/* JSON text of rat (CPLMalloc'ed), or NULL if rat is NULL or empty. */
char *xav_rat_to_json(GDALRasterAttributeTableH rat);
/* A new table (GDALDestroyRasterAttributeTable it) from JSON text, or NULL
 * with a CPLError if the text is not a table. */
GDALRasterAttributeTableH xav_rat_from_json(const char *json);

#endif /* XAV_RAT_H */
