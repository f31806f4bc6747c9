/*
 * band_model: which (variable, time) each source band is, and the time
 * axis: from the options where they say (BAND_LAYOUT, BANDS_PER_TIME,
 * TIME_VALUES...), else from the source's netCDF or GRIB metadata, else
 * every band is a variable at one time.
 */
#ifndef XAV_BAND_MODEL_H
#define XAV_BAND_MODEL_H

#include "gdal.h"

#include "model.h"
#include "options.h"

/* Whether BANDS_PER_TIME (if given) divides nbands: 0, or -1 with a
 * CPLError. */
int xav_check_bands_per_time(const xav_create_options *o, int nbands);

/* Sets d's nvars, ntimes, order and time axis (values, name, units,
 * calendar, ISO strings). Returns 0, or -1 with a CPLError when the options
 * do not fit the source. */
int xav_plan_band_model(GDALDatasetH src, const xav_create_options *o,
                        xav_desc *d);

#endif /* XAV_BAND_MODEL_H */
