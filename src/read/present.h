/*
 * present: what an open dataset shows beyond its description, derived
 * once at open: netCDF-style time items (so gdal_translate -of netCDF
 * keeps a time dimension), band descriptions, each band's metadata with
 * what its coding cost, and the XAVIDEO metadata domains.
 */
#ifndef XAV_PRESENT_H
#define XAV_PRESENT_H

#include "dataset.h"

/* Fills ds->metadata, xav_metadata, descriptions, band_md, band_xav_md
 * (allocated by the caller). */
void xav_present(xav_dataset *ds);

#endif /* XAV_PRESENT_H */
