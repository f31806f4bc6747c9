/*
 * crs: checks a CRS with PROJ and derives what catalogs want from it: its
 * PROJJSON and the WGS84 (lon/lat) bounding box of the raster's extent.
 */
#ifndef XAV_CRS_H
#define XAV_CRS_H

/* extent: minx, miny, maxx, maxy in the CRS. On success returns 0, sets
 * *projjson (CPLStrdup'ed) and bbox (west, south, east, north) when PROJ can
 * transform the extent (*has_bbox). Returns -1 with a CPLError if PROJ does
 * not accept wkt. */
int xav_crs_describe(const char *wkt, const double extent[4], char **projjson,
                     double bbox[4], int *has_bbox);

#endif /* XAV_CRS_H */
