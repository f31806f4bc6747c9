/* present: see present.h. */
#include "present.h"

#include <math.h>
#include <string.h>

#include "cpl_conv.h"
#include "cpl_string.h"

#include "layout.h"
#include "netcdf_items.h"
#include "timeaxis.h"
#include "varnames.h"

static const char *number_text(double v)
{
    static _Thread_local char text[32];
    xav_netcdf_number(text, sizeof(text), v);
    return text;
}

/* "{v0,v1,...}": values as netCDF lists them, built in linear time (a
 * sidecar may hold a million of them); one value without braces, as
 * GDAL's netCDF driver prints a dimension of one. */
static char *values_text(const double *values, int n)
{
    size_t cap = 64 + (size_t)n * 26, len = 0; /* 26 > ",%.17g" */
    char *text = (char *)CPLMalloc(cap);
    int i;
    if (n != 1)
        text[len++] = '{';
    for (i = 0; i < n; i++) {
        if (i > 0)
            text[len++] = ',';
        xav_netcdf_number(text + len, cap - len, values[i]);
        len += strlen(text + len);
    }
    if (n != 1)
        text[len++] = '}';
    text[len] = '\0';
    return text;
}

/* Whether the variables are, in band order, every slice of one array over
 * the extra dimensions, the last one fastest: what GDAL's netCDF driver
 * writes as one variable of all of them. */
static int one_array_grid(const xav_desc *d)
{
    int v, k, rest;
    for (v = 0; d->ndims > 0 && v < d->nvars; v++) {
        const xav_variable *var = &d->vars[v];
        if (var->coords == NULL || strcmp(var->array, d->vars[0].array) != 0)
            return 0;
        for (k = d->ndims - 1, rest = v; k >= 0; k--) {
            if (var->coords[k] != rest % d->dims[k].size)
                return 0;
            rest /= d->dims[k].size;
        }
        if (rest != 0)
            return 0;
    }
    return d->ndims > 0 && v == d->nvars;
}

/* netCDF's integer types (NC_BYTE 1 ... NC_UINT64 11, the codes of
 * NETCDF_DIM_<dim>_DEF) and their ranges. */
static const struct {
    int nc;
    double lo, hi;
} xav_nc_integers[] = {{1, -128, 127},
                       {3, -32768, 32767},
                       {4, -2147483648.0, 2147483647.0},
                       {7, 0, 255},
                       {8, 0, 65535},
                       {9, 0, 4294967295.0},
                       {10, -9223372036854775808.0, 9223372036854775807.0},
                       {11, 0, 18446744073709551615.0}};
#define XAV_NC_INTEGERS (sizeof(xav_nc_integers) / sizeof(xav_nc_integers[0]))

/* Whether every value is one of netCDF type nc: NC_FLOAT or an integer
 * type. */
static int values_fit_type(const double *values, int n, int nc)
{
    size_t k;
    int i;
    for (k = 0; k < XAV_NC_INTEGERS; k++)
        if (xav_nc_integers[k].nc == nc)
            break;
    if (nc != 5 && k == XAV_NC_INTEGERS)
        return 0;
    for (i = 0; i < n; i++)
        if (nc == 5 ? (double)(float)values[i] != values[i]
                    : values[i] != floor(values[i]) ||
                          values[i] < xav_nc_integers[k].lo ||
                          values[i] > xav_nc_integers[k].hi)
            return 0;
    return 1;
}

/* The netCDF type of a dimension's values: the source's (its _DEF item),
 * where it had as many values and every one fits it, so that a dimension
 * of integer levels goes back to netCDF as integers; else double. */
static int dimension_type(CSLConstList source_md, const char *name,
                          const double *values, int n)
{
    const char *def =
        CSLFetchNameValue(source_md, CPLSPrintf("NETCDF_DIM_%s_DEF", name));
    int size, nc;
    if (def == NULL || sscanf(def, "{%d,%d}", &size, &nc) != 2 || size != n ||
        !values_fit_type(values, n, nc))
        return 6; /* NC_DOUBLE */
    return nc;
}

/* A dimension's netCDF items: _DEF (size, type), _VALUES, units (ours win
 * over the source's attribute: they are the values'). */
static char **dimension_items(char **md, CSLConstList source_md,
                              const char *name, const double *values, int n,
                              const char *units)
{
    char *text = values_text(values, n);
    md = CSLSetNameValue(
        md, CPLSPrintf("NETCDF_DIM_%s_DEF", name),
        CPLSPrintf("{%d,%d}", n, dimension_type(source_md, name, values, n)));
    md = CSLSetNameValue(md, CPLSPrintf("NETCDF_DIM_%s_VALUES", name), text);
    if (units != NULL)
        md = CSLSetNameValue(md, CPLSPrintf("%s#units", name), units);
    CPLFree(text);
    return md;
}

/* NETCDF_DIM_EXTRA: the dimensions in band order, slowest first. */
static char *extra_list(const xav_desc *d, int with_dims)
{
    const int has_time = d->time_values != NULL;
    const int time_first = d->order == XAV_ORDER_TIME_MAJOR;
    char **names = NULL, *list;
    size_t len = 3;
    int k;
    if (has_time && time_first)
        names = CSLAddString(names, xav_netcdf_time_name(d));
    for (k = 0; with_dims && k < d->ndims; k++)
        names = CSLAddString(names, d->dims[k].name);
    if (has_time && !time_first)
        names = CSLAddString(names, xav_netcdf_time_name(d));
    for (k = 0; names != NULL && names[k] != NULL; k++)
        len += strlen(names[k]) + 1;
    list = (char *)CPLCalloc(len, 1);
    strcat(list, "{");
    for (k = 0; names != NULL && names[k] != NULL; k++) {
        if (k > 0)
            strcat(list, ",");
        strcat(list, names[k]);
    }
    strcat(list, "}");
    CSLDestroy(names);
    return list;
}

/* The source's netCDF dimension items, stale once its bands were subset:
 * each dimension's are derived from the dataset's own axes instead. */
static char **without_dimension_items(CSLConstList md)
{
    char **out = NULL;
    for (; md != NULL && *md != NULL; md++) {
        const char *eq = strchr(*md, '=');
        const size_t n = eq != NULL ? (size_t)(eq - *md) : strlen(*md);
        if (!STARTS_WITH(*md, "NETCDF_DIM_EXTRA=") &&
            !(STARTS_WITH(*md, "NETCDF_DIM_") &&
              ((n > 4 && EQUALN(*md + n - 4, "_DEF", 4)) ||
               (n > 7 && EQUALN(*md + n - 7, "_VALUES", 7)))))
            out = CSLAddString(out, *md);
    }
    return out;
}

/* netCDF-style items of the time axis and the extra dimensions, so that
 * gdal_translate -of netCDF writes them as real dimensions with their
 * values, and rioxarray decodes the band dimension as time. */
static void derive_dataset_metadata(xav_dataset *ds)
{
    const xav_desc *d = ds->d;
    const int grid = one_array_grid(d);
    int k;
    ds->metadata = without_dimension_items(d->metadata);
    if (d->time_values != NULL || grid) {
        char *extra = extra_list(d, grid);
        ds->metadata = CSLSetNameValue(ds->metadata, "NETCDF_DIM_EXTRA", extra);
        CPLFree(extra);
    }
    if (d->time_values != NULL) {
        ds->metadata =
            dimension_items(ds->metadata, d->metadata, xav_netcdf_time_name(d),
                            d->time_values, d->ntimes, d->time_units);
        if (d->time_calendar != NULL)
            ds->metadata = CSLSetNameValue(
                ds->metadata,
                CPLSPrintf("%s#calendar", xav_netcdf_time_name(d)),
                d->time_calendar);
    }
    for (k = 0; grid && k < d->ndims; k++)
        ds->metadata = dimension_items(ds->metadata, d->metadata,
                                       d->dims[k].name, d->dims[k].values,
                                       d->dims[k].size, d->dims[k].units);
    ds->xav_metadata =
        CSLSetNameValue(NULL, "VARIABLES", CPLSPrintf("%d", d->nvars));
    ds->xav_metadata =
        CSLSetNameValue(ds->xav_metadata, "TIMES", CPLSPrintf("%d", d->ntimes));
}

/* v in the fewest digits that read back as v: a bound printed shorter
 * would be below the guarantee, and 0.2 should not read 0.20000000000000001.
 */
static const char *exact_text(double v)
{
    int digits;
    for (digits = 6; digits < 17; digits++)
        if (CPLAtof(CPLSPrintf("%.*g", digits, v)) == v)
            break;
    return CPLSPrintf("%.*g", digits, v);
}

/* What the coding of band b cost and guarantees, in its IMAGE_STRUCTURE
 * domain: gdalinfo shows it, and gdal_translate does not copy it into
 * files where it would no longer be true. */
static char **coding_metadata(const xav_dataset *ds, int b,
                              const xav_variable *var, int t)
{
    const xav_desc *d = ds->d;
    char **md = NULL;
    int s, c;
    if (xav_layout_find(d, (int)(var - d->vars), 0, XAV_ROLE_DATA, 0, t, &s,
                        &c) == 0)
        md = CSLSetNameValue(md, "COMPRESSION",
                             d->streams[s].codec == XAV_CODEC_FFV1  ? "FFV1"
                             : d->streams[s].codec == XAV_CODEC_AV1 ? "AV1"
                                                                    : "HEVC");
    md = CSLSetNameValue(md, "COMPRESSION_REVERSIBILITY",
                         xav_variable_is_exact(var) ? "LOSSLESS" : "LOSSY");
    if (var->signed_byte) /* GDAL 3.6's Int8, which drivers look for */
        md = CSLSetNameValue(md, "PIXELTYPE", "SIGNEDBYTE");
    if (var->max_error > 0)
        md = CSLSetNameValue(md, "XAVIDEO_MAX_ERROR_BOUND",
                             exact_text(var->max_error));
    if (var->quant == XAV_QUANT_TABLE) /* why lossless is small here */
        md = CSLSetNameValue(md, "XAVIDEO_VALUE_TABLE",
                             CPLSPrintf("%d", var->table_size));
    if (d->psnr != NULL) {
        md = CSLSetNameValue(
            md, "XAVIDEO_PSNR_DB",
            isinf(d->psnr[b]) ? "inf" : CPLSPrintf("%.2f", d->psnr[b]));
        md = CSLSetNameValue(md, "XAVIDEO_MAX_ABS_ERROR",
                             CPLSPrintf("%.9g", d->max_abs_error[b]));
    }
    return md;
}

/* A band's netCDF items, from the dataset's own axes: its time, its place
 * along the extra dimensions, and the variable it belongs to (a slice: its
 * array), whatever the source's copies said. */
static char **netcdf_band_items(const xav_desc *d, char **md,
                                const xav_variable *var, int t)
{
    int k;
    if (d->time_values == NULL && var->coords == NULL)
        return md;
    if (d->time_values != NULL)
        md = xav_netcdf_set_place(md, xav_netcdf_time_name(d),
                                  d->time_values[t]);
    for (k = 0; var->coords != NULL && k < d->ndims; k++)
        md = xav_netcdf_set_place(md, d->dims[k].name,
                                  d->dims[k].values[var->coords[k]]);
    return CSLSetNameValue(md, "NETCDF_VARNAME",
                           var->array != NULL ? var->array : var->name);
}

static void derive_band(xav_dataset *ds, int b, int time_label)
{
    const xav_desc *d = ds->d;
    const xav_variable *var;
    char **md, **x = NULL;
    int v, t, s = -1, c = 0;
    xav_desc_band_split(d, b, &v, &t);
    var = &d->vars[v];
    md = CSLDuplicate(var->metadata);
    if (d->band_metadata != NULL)
        md = CSLMerge(md, d->band_metadata[b]);
    ds->band_md[b] = netcdf_band_items(d, md, var, t);
    ds->band_is_md[b] = coding_metadata(ds, b, var, t);
    xav_layout_find(d, v, 0, XAV_ROLE_DATA, 0, t, &s, &c);
    x = CSLSetNameValue(x, "VARIABLE", var->name);
    x = CSLSetNameValue(x, "TIME_INDEX", CPLSPrintf("%d", t));
    if (d->time_iso != NULL)
        x = CSLSetNameValue(x, "TIME", d->time_iso[t]);
    else if (d->time_values != NULL)
        x = CSLSetNameValue(x, "TIME", number_text(d->time_values[t]));
    if (var->description != NULL && strcmp(var->description, var->name) != 0)
        x = CSLSetNameValue(x, "SOURCE_DESCRIPTION", var->description);
    x = CSLSetNameValue(x, "STREAM", CPLSPrintf("%d", s));
    x = CSLSetNameValue(x, "CHANNEL", CPLSPrintf("%d", c));
    x = CSLSetNameValue(x, "LOSSLESS", d->streams[s].lossless ? "YES" : "NO");
    ds->band_xav_md[b] = x;
    if (d->time_iso != NULL)
        ds->descriptions[b] = CPLStrdup(
            CPLSPrintf("%s %.*s", var->name, time_label, d->time_iso[t]));
    else if (d->time_values != NULL)
        ds->descriptions[b] = CPLStrdup(
            CPLSPrintf("%s %s", var->name, number_text(d->time_values[t])));
    else
        ds->descriptions[b] = CPLStrdup(var->name);
}

void xav_present(xav_dataset *ds)
{
    int v, b, lossy = 0, time_label;
    /* sidecars written before names were unique: every variable reachable */
    xav_unique_variable_names(ds->d);
    derive_dataset_metadata(ds);
    time_label = xav_time_label_length(ds->d->time_iso);
    for (b = 0; b < xav_desc_band_count(ds->d); b++)
        derive_band(ds, b, time_label);
    for (v = 0; v < ds->d->nvars; v++)
        lossy |= !xav_variable_is_exact(&ds->d->vars[v]);
    /* GDAL's convention for lossy drivers (JPEG, WEBP, JPEGXL) */
    ds->is_metadata = CSLSetNameValue(NULL, "COMPRESSION_REVERSIBILITY",
                                      lossy ? "LOSSY" : "LOSSLESS");
}

/* ---- the extra dimensions, for the multidimensional view --------------- */

int xav_dim_count(const xav_dataset *ds)
{
    return ds->d->ndims;
}
const char *xav_dim_name(const xav_dataset *ds, int dim)
{
    return ds->d->dims[dim].name;
}
const char *xav_dim_units(const xav_dataset *ds, int dim)
{
    return ds->d->dims[dim].units;
}
int xav_dim_size(const xav_dataset *ds, int dim)
{
    return ds->d->dims[dim].size;
}
const double *xav_dim_values(const xav_dataset *ds, int dim)
{
    return ds->d->dims[dim].values;
}
const char *xav_variable_array(const xav_dataset *ds, int var)
{
    return ds->d->vars[var].array;
}
int xav_variable_coordinate(const xav_dataset *ds, int var, int dim)
{
    const xav_variable *v = &ds->d->vars[var];
    return v->coords != NULL ? v->coords[dim] : -1;
}
