/*
 * band_model: which (variable, time) each source band is, the time axis
 * and the source's other dimensions: from the options where they say
 * (BAND_LAYOUT, BANDS_PER_TIME, TIME_VALUES...), else from where the source
 * places its bands (source_axes.h: netCDF, GDAL's multidimensional API,
 * GRIB), else every band is a variable at one time. Options that do not
 * fit the source are refused with the reason, never used to reshape it.
 */
#ifndef XAV_BAND_MODEL_H
#define XAV_BAND_MODEL_H

#include "gdal.h"

#include "model.h"
#include "options.h"

/* Whether BANDS_PER_TIME (if given) divides nbands: 0, or -1 with a
 * CPLError. */
int xav_check_bands_per_time(const xav_create_options *o, int nbands);

/* Sets d's nvars, ntimes, order, time axis (values, name, units, calendar,
 * ISO strings) and extra dimensions, and allocates d->vars with each
 * slice's coordinates. Returns 0, or -1 with a CPLError when the options
 * do not fit the source or the variables would not fit the streams of a
 * file. */
int xav_plan_band_model(GDALDatasetH src, const xav_create_options *o,
                        xav_desc *d);

#endif /* XAV_BAND_MODEL_H */
