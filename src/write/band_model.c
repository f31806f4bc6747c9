/* band_model: see band_model.h. */
#include "band_model.h"

#include <string.h>

#include "cpl_conv.h"
#include "cpl_error.h"
#include "cpl_string.h"

#include "timeaxis.h"

static void plan_time_iso(xav_desc *d);

static int band_model_error(const char *why)
{
    CPLError(CE_Failure, CPLE_IllegalArg, "XAVIDEO: %s.", why);
    return -1;
}

/* Where the source says when each band is: a band metadata item, and the
 * units and calendar of its values. */
typedef struct {
    char *key;
    char *name;
    char *units;
    char *calendar;
} time_source;

static void time_source_free(time_source *ts)
{
    CPLFree(ts->key);
    CPLFree(ts->name);
    CPLFree(ts->units);
    CPLFree(ts->calendar);
}

/* netCDF: one extra dimension named in NETCDF_DIM_EXTRA ("{TIME}"), with
 * NETCDF_DIM_TIME on each band. GRIB: GRIB_VALID_TIME, in seconds since
 * 1970 (GDAL >= 3.4 writes plain seconds). Returns 1 if found. */
static int find_time_source(GDALDatasetH src, time_source *ts)
{
    const char *extra = GDALGetMetadataItem(src, "NETCDF_DIM_EXTRA", NULL);
    GDALRasterBandH first = GDALGetRasterBand(src, 1);
    char **dims = extra ? CSLTokenizeString2(extra, "{},", 0) : NULL;
    memset(ts, 0, sizeof(*ts));
    if (CSLCount(dims) == 1) {
        const char *units =
            GDALGetMetadataItem(src, CPLSPrintf("%s#units", dims[0]), NULL);
        const char *cal =
            GDALGetMetadataItem(src, CPLSPrintf("%s#calendar", dims[0]), NULL);
        ts->name = CPLStrdup(dims[0]);
        ts->key = CPLStrdup(CPLSPrintf("NETCDF_DIM_%s", dims[0]));
        ts->units = units ? CPLStrdup(units) : NULL;
        ts->calendar = cal ? CPLStrdup(cal) : NULL;
    } else if (GDALGetMetadataItem(first, "GRIB_VALID_TIME", NULL) != NULL) {
        ts->name = CPLStrdup("time");
        ts->key = CPLStrdup("GRIB_VALID_TIME");
        ts->units = CPLStrdup("seconds since 1970-01-01T00:00:00");
        ts->calendar = CPLStrdup("standard");
    }
    CSLDestroy(dims);
    return ts->key != NULL;
}

/* Distinct time values of the bands (metadata item key), in order of
 * appearance; sets nvars, ntimes and the band order if the bands are a
 * regular grid of variables x times. Returns -1 if they are not. */
static int band_time_axis(GDALDatasetH src, xav_desc *d, const char *key,
                          int nbands)
{
    double *band_t = (double *)CPLMalloc(sizeof(double) * nbands);
    double *times = (double *)CPLMalloc(sizeof(double) * nbands);
    int b, t, n = 0, time_major = 1, var_major = 1;
    for (b = 0; b < nbands; b++) {
        const char *v =
            GDALGetMetadataItem(GDALGetRasterBand(src, b + 1), key, NULL);
        if (v == NULL)
            break;
        band_t[b] = CPLAtof(v);
        for (t = 0; t < n && times[t] != band_t[b]; t++)
            ;
        if (t == n)
            times[n++] = band_t[b];
    }
    if (b < nbands || nbands % n != 0) {
        CPLFree(band_t);
        CPLFree(times);
        return -1;
    }
    for (b = 0; b < nbands; b++) {
        time_major &= band_t[b] == times[b / (nbands / n)];
        var_major &= band_t[b] == times[b % n];
    }
    CPLFree(band_t);
    if (!time_major && !var_major) {
        CPLFree(times);
        return -1;
    }
    d->time_values = times;
    d->ntimes = n;
    d->nvars = nbands / n;
    d->order = time_major ? XAV_ORDER_TIME_MAJOR : XAV_ORDER_VARIABLE_MAJOR;
    return 0;
}

static int option_time_values(const xav_create_options *o, xav_desc *d)
{
    char **items = CSLTokenizeString2(o->time_values, ",", 0);
    int i, n = CSLCount(items);
    if (n != d->ntimes) {
        CSLDestroy(items);
        return band_model_error(CPLSPrintf(
            "TIME_VALUES has %d values for %d time steps", n, d->ntimes));
    }
    CPLFree(d->time_values);
    d->time_values = (double *)CPLMalloc(sizeof(double) * n);
    for (i = 0; i < n; i++)
        d->time_values[i] = CPLAtof(items[i]);
    CSLDestroy(items);
    return 0;
}

/* Count of comma-separated items. */
static int count_items(const char *list)
{
    char **items = CSLTokenizeString2(list, ",", 0);
    int n = CSLCount(items);
    CSLDestroy(items);
    return n;
}

int xav_check_bands_per_time(const xav_create_options *o, int nbands)
{
    if (o->bands_per_time <= 0 || nbands % o->bands_per_time == 0)
        return 0;
    return band_model_error(
        CPLSPrintf("BANDS_PER_TIME=%d does not divide the %d bands",
                   o->bands_per_time, nbands));
}

int xav_plan_band_model(GDALDatasetH src, const xav_create_options *o,
                        xav_desc *d)
{
    const int nbands = GDALGetRasterCount(src);
    const int n_values = o->time_values ? count_items(o->time_values) : 0;
    time_source ts;
    int i, from_source = 0;
    memset(&ts, 0, sizeof(ts));
    d->nvars = nbands;
    d->ntimes = 1;
    if (o->bands_per_time > 0) {
        if (xav_check_bands_per_time(o, nbands) != 0)
            return -1;
        d->nvars = o->bands_per_time;
        d->ntimes = nbands / o->bands_per_time;
    } else if (o->layout == XAV_LAYOUT_TIME) {
        d->nvars = 1;
        d->ntimes = nbands;
    } else if (o->layout == XAV_LAYOUT_AUTO && n_values > 0) {
        if (nbands % n_values == 0) {
            d->ntimes = n_values;
            d->nvars = nbands / n_values;
        }
    } else if (o->layout == XAV_LAYOUT_AUTO && find_time_source(src, &ts)) {
        from_source = band_time_axis(src, d, ts.key, nbands) == 0;
    }
    if (o->time_values != NULL && option_time_values(o, d) != 0) {
        time_source_free(&ts);
        return -1;
    }
    if (d->time_values == NULL && d->ntimes > 1) {
        d->time_values = (double *)CPLMalloc(sizeof(double) * d->ntimes);
        for (i = 0; i < d->ntimes; i++)
            d->time_values[i] = i;
    }
    if (d->time_values != NULL) {
        const char *units = o->time_units ? o->time_units
                            : from_source ? ts.units
                                          : NULL;
        d->time_name = CPLStrdup(from_source ? ts.name : o->time_name);
        d->time_units = units ? CPLStrdup(units) : NULL;
        d->time_calendar = CPLStrdup(
            from_source && ts.calendar ? ts.calendar : o->time_calendar);
    }
    time_source_free(&ts);
    plan_time_iso(d);
    return 0;
}

static void plan_time_iso(xav_desc *d)
{
    char iso[64];
    int t;
    if (d->time_values == NULL || d->time_units == NULL)
        return;
    for (t = 0; t < d->ntimes; t++) {
        if (xav_time_to_iso(d->time_values[t], d->time_units, d->time_calendar,
                            iso, sizeof(iso)) != 0) {
            CSLDestroy(d->time_iso);
            d->time_iso = NULL;
            CPLError(CE_Warning, CPLE_AppDefined,
                     "XAVIDEO: time units '%s' (calendar %s) not understood; "
                     "bands will carry raw time values.",
                     d->time_units, d->time_calendar);
            return;
        }
        d->time_iso = CSLAddString(d->time_iso, iso);
    }
}
