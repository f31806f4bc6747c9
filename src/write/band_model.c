/* band_model: see band_model.h. */
#include "band_model.h"

#include <stdlib.h>
#include <string.h>

#include "cpl_conv.h"
#include "cpl_error.h"
#include "cpl_string.h"

#include "layout.h"
#include "source_axes.h"
#include "timeaxis.h"

static int band_model_error(const char *why)
{
    CPLError(CE_Failure, CPLE_IllegalArg, "XAVIDEO: %s.", why);
    return -1;
}

/* ---- distinct values ---------------------------------------------------- */

typedef struct {
    double value;
    int index;
} ranked;

static int by_value(const void *a, const void *b)
{
    const ranked *x = (const ranked *)a, *y = (const ranked *)b;
    if (x->value != y->value)
        return x->value < y->value ? -1 : 1;
    return (x->index > y->index) - (x->index < y->index);
}

/* The distinct values of v[0..n) in order of first appearance (a new list
 * in *distinct, its length returned) and each value's rank in it (ids). In
 * n log n: a source may have 10^6 bands. */
static int distinct_values(const double *v, int n, double **distinct, int *ids)
{
    ranked *r = (ranked *)CPLMalloc(sizeof(ranked) * (n + 1));
    int *first = (int *)CPLMalloc(sizeof(int) * (n + 1));
    int i, j, count = 0;
    for (i = 0; i < n; i++) {
        r[i].value = v[i];
        r[i].index = i;
    }
    qsort(r, n, sizeof(ranked), by_value);
    /* ids by sorted run, as the run's first index, then renumbered */
    for (i = 0; i < n; i = j)
        for (j = i; j < n && r[j].value == r[i].value; j++)
            first[r[j].index] = r[i].index;
    *distinct = (double *)CPLMalloc(sizeof(double) * (n + 1));
    for (i = 0; i < n; i++)
        if (first[i] == i) {
            (*distinct)[count] = v[i];
            ids[i] = count++;
        } else {
            ids[i] = ids[first[i]];
        }
    CPLFree(first);
    CPLFree(r);
    return count;
}

/* One dimension's value of every band. */
static double *dimension_column(const xav_source_axes *a, int dim)
{
    double *v = (double *)CPLMalloc(sizeof(double) * (a->nbands + 1));
    int b;
    for (b = 0; b < a->nbands; b++)
        v[b] = xav_source_axes_value(a, b, dim);
    return v;
}

/* ---- layouts ------------------------------------------------------------ */

/* Every band a variable at one time step; at the source's time if all
 * bands share one. */
static void layout_variables(const xav_source_axes *a, int nbands, xav_desc *d)
{
    int b;
    d->nvars = nbands;
    d->ntimes = 1;
    d->order = XAV_ORDER_TIME_MAJOR;
    if (a == NULL)
        return;
    for (b = 1; b < nbands; b++)
        if (xav_source_axes_value(a, b, a->frame) !=
            xav_source_axes_value(a, 0, a->frame))
            return;
    d->time_values = (double *)CPLMalloc(sizeof(double));
    d->time_values[0] = xav_source_axes_value(a, 0, a->frame);
}

/* Time step t's value from the source: its band of variable 0's, which
 * every band of the step must share. Returns 0, or -1 with a CPLError that
 * names the option and the bands. */
static int block_time_values(const xav_source_axes *a, const char *option,
                             xav_desc *d)
{
    int t, v;
    d->time_values = (double *)CPLMalloc(sizeof(double) * d->ntimes);
    for (t = 0; t < d->ntimes; t++) {
        const int b0 = xav_desc_band_index(d, 0, t);
        d->time_values[t] = xav_source_axes_value(a, b0, a->frame);
        for (v = 1; v < d->nvars; v++) {
            const int b = xav_desc_band_index(d, v, t);
            if (xav_source_axes_value(a, b, a->frame) != d->time_values[t])
                return band_model_error(CPLSPrintf(
                    "%s puts bands %d and %d at one time step, but the "
                    "source has them at %s %.15g and %.15g; give "
                    "BANDS_PER_TIME as the bands are laid out, or "
                    "TIME_VALUES",
                    option, b0 + 1, b + 1, a->keys[a->frame], d->time_values[t],
                    xav_source_axes_value(a, b, a->frame)));
        }
    }
    return 0;
}

/* No two time steps at one time. */
static int distinct_times(const xav_source_axes *a, const char *option,
                          const xav_desc *d)
{
    double *distinct = NULL;
    int *ids = (int *)CPLMalloc(sizeof(int) * (d->ntimes + 1));
    const int n = distinct_values(d->time_values, d->ntimes, &distinct, ids);
    int t, rc = 0;
    /* the first repeat: ranks count first appearances, so the step it
     * repeats is the one numbered by its rank */
    for (t = 0; n < d->ntimes && ids[t] == t; t++)
        ;
    if (n < d->ntimes)
        rc = band_model_error(CPLSPrintf(
            "%s makes time steps %d and %d of the source's bands at one "
            "time (%s %.15g); give TIME_VALUES, or BANDS_PER_TIME as the "
            "bands are laid out",
            option, ids[t] + 1, t + 1, a->keys[a->frame], d->time_values[t]));
    CPLFree(distinct);
    CPLFree(ids);
    return rc;
}

int xav_check_bands_per_time(const xav_create_options *o, int nbands)
{
    if (o->bands_per_time <= 0 || nbands % o->bands_per_time == 0)
        return 0;
    return band_model_error(
        CPLSPrintf("BANDS_PER_TIME=%d does not divide the %d bands",
                   o->bands_per_time, nbands));
}

/* T blocks of n variables (n divides nbands), as BANDS_PER_TIME or
 * BAND_LAYOUT=TIME say; the times from the source when it has them and
 * TIME_VALUES does not say. */
static int layout_blocks(int n, const char *option, const xav_source_axes *a,
                         const xav_create_options *o, int nbands, xav_desc *d)
{
    d->nvars = n;
    d->ntimes = nbands / n;
    d->order = XAV_ORDER_TIME_MAJOR;
    if (a == NULL || o->time_values != NULL)
        return 0;
    return block_time_values(a, option, d) == 0 &&
                   distinct_times(a, option, d) == 0
               ? 0
               : -1;
}

/* TIME_VALUES alone on a source with no time axis of its own: one value
 * per band, a variable over time. More variables need BANDS_PER_TIME: the
 * values cannot tell time-major bands from variable-major ones. */
static int layout_from_time_values(int nvalues, int nbands, xav_desc *d)
{
    if (nvalues != nbands)
        return band_model_error(CPLSPrintf(
            "TIME_VALUES has %d values for %d bands, and the source has no "
            "time axis of its own to lay them out by: give one value per "
            "band, or BANDS_PER_TIME=N if the bands are %d blocks of N "
            "variables",
            nvalues, nbands, nvalues));
    d->nvars = 1;
    d->ntimes = nbands;
    d->order = XAV_ORDER_TIME_MAJOR;
    return 0;
}

/* ---- the source's own grid ---------------------------------------------- */

/* What names band's variable in the source: bands of one variable at other
 * times must say the same (a GRIB file may list its elements in another
 * order at each time). */
static char *band_identity(GDALRasterBandH band)
{
    static const char *const keys[] = {"NETCDF_VARNAME", "GRIB_ELEMENT",
                                       "GRIB_SHORT_NAME"};
    char *id = CPLStrdup("");
    size_t k;
    for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
        const char *v = GDALGetMetadataItem(band, keys[k], NULL);
        char *longer = CPLStrdup(CPLSPrintf("%s|%s", id, v ? v : ""));
        CPLFree(id);
        id = longer;
    }
    return id;
}

/* Whether every band of variable v is the same variable and at the same
 * place along the extra dimensions as its first one; the reason if not. */
static const char *variable_differs(GDALDatasetH src, const xav_source_axes *a,
                                    const xav_desc *d, int v)
{
    const int b0 = xav_desc_band_index(d, v, 0);
    char *id0 = band_identity(GDALGetRasterBand(src, b0 + 1));
    const char *why = NULL;
    int t, k;
    for (t = 1; t < d->ntimes && why == NULL; t++) {
        const int b = xav_desc_band_index(d, v, t);
        char *id = band_identity(GDALGetRasterBand(src, b + 1));
        if (strcmp(id, id0) != 0)
            why = CPLSPrintf("bands %d and %d, one variable at two times, "
                             "are named otherwise",
                             b0 + 1, b + 1);
        for (k = 0; k < a->ndims && why == NULL; k++)
            if (k != a->frame && xav_source_axes_value(a, b, k) !=
                                     xav_source_axes_value(a, b0, k))
                why = CPLSPrintf("bands %d and %d, one variable at two "
                                 "times, are at different %s",
                                 b0 + 1, b + 1, a->keys[k]);
        CPLFree(id);
    }
    CPLFree(id0);
    return why;
}

/* The bands as the source's frame axis orders them: T distinct times, and
 * bands a grid of variables x times, time-major or variable-major, each
 * variable one variable at every time. NULL, or why they are not. */
static const char *layout_source_grid(GDALDatasetH src,
                                      const xav_source_axes *a, xav_desc *d)
{
    double *column = dimension_column(a, a->frame), *times = NULL;
    int *ids = (int *)CPLMalloc(sizeof(int) * (a->nbands + 1));
    const int n = distinct_values(column, a->nbands, &times, ids);
    int b, v, time_major = 1, var_major = 1;
    const char *why = NULL;
    CPLFree(column);
    for (b = 0; b < a->nbands && a->nbands % n == 0; b++) {
        time_major &= ids[b] == b / (a->nbands / n);
        var_major &= ids[b] == b % n;
    }
    CPLFree(ids);
    if (a->nbands % n != 0 || (!time_major && !var_major)) {
        CPLFree(times);
        return CPLSPrintf("%d bands at %d times are in neither time-major "
                          "nor variable-major order",
                          a->nbands, n);
    }
    d->ntimes = n;
    d->nvars = a->nbands / n;
    d->order = time_major ? XAV_ORDER_TIME_MAJOR : XAV_ORDER_VARIABLE_MAJOR;
    for (v = 0; v < d->nvars && why == NULL; v++)
        why = variable_differs(src, a, d, v);
    if (why != NULL)
        CPLFree(times);
    else
        d->time_values = times;
    return why;
}

/* ---- the extra dimensions ----------------------------------------------- */

/* Each variable a slice of the source along its extra dimensions, when
 * every band of the variable is at the same place along them. */
static void plan_slices(const xav_source_axes *a, xav_desc *d)
{
    double *column = (double *)CPLMalloc(sizeof(double) * (d->nvars + 1));
    int *ids = (int *)CPLMalloc(sizeof(int) * (d->nvars + 1));
    int k, v, t, n = 0;
    for (k = 0; k < a->ndims; k++)
        for (v = 0; v < d->nvars; v++)
            for (t = 1; t < d->ntimes; t++)
                if (k != a->frame &&
                    xav_source_axes_value(a, xav_desc_band_index(d, v, t), k) !=
                        xav_source_axes_value(a, xav_desc_band_index(d, v, 0),
                                              k))
                    goto done; /* not slices: the bands keep their items */
    d->dims = (xav_dim *)CPLCalloc(a->ndims, sizeof(xav_dim));
    for (v = 0; v < d->nvars; v++)
        d->vars[v].coords = (int *)CPLCalloc(a->ndims, sizeof(int));
    for (k = 0; k < a->ndims; k++) {
        xav_dim *dim = &d->dims[n];
        if (k == a->frame)
            continue;
        for (v = 0; v < d->nvars; v++)
            column[v] =
                xav_source_axes_value(a, xav_desc_band_index(d, v, 0), k);
        dim->size = distinct_values(column, d->nvars, &dim->values, ids);
        dim->name = CPLStrdup(a->names[k]);
        dim->units = *a->units[k] ? CPLStrdup(a->units[k]) : NULL;
        for (v = 0; v < d->nvars; v++)
            d->vars[v].coords[n] = ids[v];
        n++;
    }
    d->ndims = n;
done:
    CPLFree(column);
    CPLFree(ids);
}

/* ---- the time axis ------------------------------------------------------ */

static int option_time_values(const xav_create_options *o,
                              const xav_source_axes *a, xav_desc *d)
{
    char **items = CSLTokenizeString2(o->time_values, ",", 0);
    int i, n = CSLCount(items), rc = 0;
    if (n != d->ntimes)
        rc = band_model_error(CPLSPrintf(
            "TIME_VALUES has %d values for %d time steps (variables x time "
            "steps: %d x %d%s); give %d values, or lay the bands out "
            "otherwise with BANDS_PER_TIME",
            n, d->ntimes, d->nvars, d->ntimes,
            a != NULL && o->layout == XAV_LAYOUT_AUTO && o->bands_per_time == 0
                ? CPLSPrintf(", by the source's %s", a->keys[a->frame])
                : "",
            d->ntimes));
    for (i = 0; i < n && rc == 0; i++)
        if (CPLGetValueType(items[i]) == CPL_VALUE_STRING)
            rc = band_model_error(
                CPLSPrintf("TIME_VALUES item '%s' is not a number", items[i]));
    if (rc == 0) {
        CPLFree(d->time_values);
        d->time_values = (double *)CPLMalloc(sizeof(double) * n);
        for (i = 0; i < n; i++)
            d->time_values[i] = CPLAtof(items[i]);
    }
    CSLDestroy(items);
    return rc;
}

/* ISO strings of the frame axis where its units are a time's. A frame
 * axis that is not a time (the levels of a source without one, in hPa)
 * carries its values as they are, without a warning. */
static void plan_time_iso(xav_desc *d)
{
    char iso[64];
    int t;
    if (d->time_values == NULL || !xav_time_units_are_time(d->time_units))
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

/* Name, units and calendar: the options', else the source's (when its
 * axis gave the time steps), else defaults; then the ISO strings. */
static int plan_time_attributes(const xav_create_options *o,
                                const xav_source_axes *a, xav_desc *d)
{
    const char *units = o->time_units, *cal = o->time_calendar;
    int t;
    if (cal != NULL && !xav_calendar_known(cal))
        return band_model_error(CPLSPrintf(
            "TIME_CALENDAR=%s is not a calendar this driver knows (standard, "
            "gregorian, proleptic_gregorian, julian, noleap, 365_day, "
            "all_leap, 366_day, 360_day)",
            cal));
    if (d->time_values == NULL && d->ntimes > 1) {
        d->time_values = (double *)CPLMalloc(sizeof(double) * d->ntimes);
        for (t = 0; t < d->ntimes; t++)
            d->time_values[t] = t;
        a = NULL; /* the source's axis did not give these */
    }
    if (d->time_values == NULL)
        return 0;
    if (units == NULL && a != NULL && *a->units[a->frame])
        units = a->units[a->frame];
    if (cal == NULL && a != NULL)
        cal = a->calendar;
    d->time_name = CPLStrdup(o->time_name ? o->time_name
                             : a != NULL  ? a->names[a->frame]
                                          : "time");
    d->time_units = units != NULL ? CPLStrdup(units) : NULL;
    /* a calendar is a time's: levels in hPa have none */
    if (cal != NULL || xav_time_units_are_time(units))
        d->time_calendar = CPLStrdup(cal != NULL ? cal : "standard");
    plan_time_iso(d);
    return 0;
}

/* ---- the whole ---------------------------------------------------------- */

/* nvars, ntimes, order, and the time values the source gives. */
static int plan_layout(GDALDatasetH src, const xav_create_options *o,
                       const xav_source_axes *a, xav_desc *d)
{
    const int nbands = GDALGetRasterCount(src);
    const char *why;
    if (xav_check_bands_per_time(o, nbands) != 0)
        return -1;
    if (o->bands_per_time > 0)
        return layout_blocks(o->bands_per_time,
                             CPLSPrintf("BANDS_PER_TIME=%d", o->bands_per_time),
                             a, o, nbands, d);
    if (o->layout == XAV_LAYOUT_TIME)
        return layout_blocks(1, "BAND_LAYOUT=TIME", a, o, nbands, d);
    if (o->layout == XAV_LAYOUT_AUTO && a != NULL &&
        (why = layout_source_grid(src, a, d)) != NULL)
        CPLError(CE_Warning, CPLE_AppDefined,
                 "XAVIDEO: the source's %s do not make a grid of variables x "
                 "time steps (%s): every band is stored as a variable; set "
                 "BANDS_PER_TIME or BAND_LAYOUT to say how they are laid out.",
                 a->keys[a->frame], why);
    else if (o->layout == XAV_LAYOUT_AUTO && a != NULL)
        return 0;
    if (o->layout == XAV_LAYOUT_AUTO && o->time_values != NULL) {
        char **values = CSLTokenizeString2(o->time_values, ",", 0);
        const int n = CSLCount(values);
        CSLDestroy(values);
        return layout_from_time_values(n, nbands, d);
    }
    layout_variables(a, nbands, d);
    return 0;
}

/* Each (tile) file holds at least a stream per 3 variables; FFmpeg takes
 * no more than XAV_MAX_STREAMS_PER_FILE: refused before any work (the
 * exact count is checked again once the streams are planned). */
static int check_variable_count(const xav_desc *d)
{
    const int least = (d->nvars + XAV_MAX_CHANNELS - 1) / XAV_MAX_CHANNELS;
    if (least <= XAV_MAX_STREAMS_PER_FILE)
        return 0;
    return band_model_error(CPLSPrintf(
        "%d variables need at least %d video streams in each file, and "
        "FFmpeg reads and writes at most %d (its max_streams): store at most "
        "%d variables per dataset (gdal_translate -b), or lay the bands out "
        "as fewer variables over more time steps (BANDS_PER_TIME, "
        "BAND_LAYOUT=TIME)",
        d->nvars, least, XAV_MAX_STREAMS_PER_FILE,
        XAV_MAX_STREAMS_PER_FILE * XAV_MAX_CHANNELS));
}

int xav_plan_band_model(GDALDatasetH src, const xav_create_options *o,
                        xav_desc *d)
{
    xav_source_axes axes;
    const xav_source_axes *a = xav_source_axes_find(src, &axes) ? &axes : NULL;
    int rc =
        plan_layout(src, o, a, d) != 0 ||
                (o->time_values != NULL && option_time_values(o, a, d) != 0) ||
                check_variable_count(d) != 0
            ? -1
            : 0;
    if (rc == 0) {
        d->vars = (xav_variable *)CPLCalloc(d->nvars, sizeof(xav_variable));
        if (a != NULL && a->ndims > 1)
            plan_slices(a, d);
        rc = plan_time_attributes(o, a, d);
    }
    xav_source_axes_free(&axes);
    return rc;
}
