/* source_axes: see source_axes.h. */
#include "source_axes.h"

#include <stdio.h>
#include <string.h>

#include "cpl_conv.h"
#include "cpl_error.h"
#include "cpl_string.h"

#include "timeaxis.h"

void xav_source_axes_free(xav_source_axes *a)
{
    CSLDestroy(a->names);
    CSLDestroy(a->keys);
    CSLDestroy(a->units);
    CPLFree(a->calendar);
    CPLFree(a->values);
    memset(a, 0, sizeof(*a));
}

static void add_dim(xav_source_axes *a, const char *name, const char *key,
                    const char *units)
{
    a->names = CSLAddString(a->names, name);
    a->keys = CSLAddString(a->keys, key);
    a->units = CSLAddString(a->units, units != NULL ? units : "");
    a->ndims++;
}

/* A number at the start of text (GRIB_VALID_TIME was "1102593600 sec UTC"
 * before GDAL 3.4); 0 if there is none. */
static int leading_number(const char *text, double *value)
{
    char *end = NULL;
    if (text == NULL)
        return 0;
    *value = CPLStrtod(text, &end);
    return end != text;
}

/* The first dimension that is a time (its units, or netCDF's axis or
 * standard_name say so), else the slowest. */
static void pick_frame(xav_source_axes *a, GDALDatasetH src)
{
    int k;
    for (k = 0; k < a->ndims; k++) {
        const char *axis =
            GDALGetMetadataItem(src, CPLSPrintf("%s#axis", a->names[k]), NULL);
        const char *standard = GDALGetMetadataItem(
            src, CPLSPrintf("%s#standard_name", a->names[k]), NULL);
        if (xav_time_units_are_time(a->units[k]) ||
            (axis != NULL && EQUAL(axis, "T")) ||
            (standard != NULL && EQUAL(standard, "time"))) {
            a->frame = k;
            return;
        }
    }
    a->frame = 0;
}

/* Every band's item of each dimension; the first band that lacks one (or
 * whose item is no number), or -1. */
static int read_band_items(GDALDatasetH src, xav_source_axes *a)
{
    int b, k;
    a->nbands = GDALGetRasterCount(src);
    a->values = (double *)CPLMalloc(sizeof(double) * a->nbands * a->ndims + 1);
    for (b = 0; b < a->nbands; b++) {
        GDALRasterBandH band = GDALGetRasterBand(src, b + 1);
        for (k = 0; k < a->ndims; k++)
            if (!leading_number(GDALGetMetadataItem(band, a->keys[k], NULL),
                                &a->values[(size_t)b * a->ndims + k]))
                return b;
    }
    return -1;
}

/* The numbers of a netCDF list: "{a,b}", or numpy's "[a b]" as rioxarray
 * writes it; NULL if an item is no number. */
static double *list_numbers(const char *text, int *count)
{
    char **items = CSLTokenizeString2(text ? text : "", "{}[], \n", 0);
    const int n = CSLCount(items);
    double *out = (double *)CPLMalloc(sizeof(double) * (n + 1));
    int i;
    for (i = 0; i < n; i++)
        if (CPLGetValueType(items[i]) == CPL_VALUE_STRING)
            break;
        else
            out[i] = CPLAtof(items[i]);
    CSLDestroy(items);
    if (i < n || n == 0) {
        CPLFree(out);
        return NULL;
    }
    *count = n;
    return out;
}

/* The values the dataset lists (NETCDF_DIM_<d>_VALUES), when they are one
 * per band: band b is index b unravelled, the last dimension fastest, as
 * GDAL's netCDF driver numbers bands. Returns 0, or -1. */
static int dataset_lists(GDALDatasetH src, xav_source_axes *a)
{
    long stride = 1;
    int k, b, n = 0, rc = 0;
    a->nbands = GDALGetRasterCount(src);
    CPLFree(a->values);
    a->values = (double *)CPLMalloc(sizeof(double) * a->nbands * a->ndims + 1);
    for (k = a->ndims - 1; k >= 0 && rc == 0; k--) {
        double *list = list_numbers(
            GDALGetMetadataItem(
                src, CPLSPrintf("NETCDF_DIM_%s_VALUES", a->names[k]), NULL),
            &n);
        rc = list != NULL && stride * n <= a->nbands ? 0 : -1;
        for (b = 0; b < a->nbands && rc == 0; b++)
            a->values[(size_t)b * a->ndims + k] = list[(b / stride) % n];
        stride *= n;
        CPLFree(list);
    }
    return rc == 0 && stride == a->nbands ? 0 : -1;
}

static void say_unplaced(const char *what, int band, const char *key)
{
    CPLError(CE_Warning, CPLE_AppDefined,
             "XAVIDEO: the source names dimensions (%s) that its band %d "
             "does not place (no number in %s): neither a time axis nor "
             "another dimension is taken from them.",
             what, band + 1, key);
}

static int netcdf_axes(GDALDatasetH src, xav_source_axes *a)
{
    const char *extra = GDALGetMetadataItem(src, "NETCDF_DIM_EXTRA", NULL);
    char **dims = CSLTokenizeString2(extra, "{},", 0);
    const char *cal;
    int k, bad;
    for (k = 0; dims[k] != NULL; k++)
        add_dim(
            a, dims[k], CPLSPrintf("NETCDF_DIM_%s", dims[k]),
            GDALGetMetadataItem(src, CPLSPrintf("%s#units", dims[k]), NULL));
    CSLDestroy(dims);
    if (a->ndims == 0)
        return 0;
    pick_frame(a, src);
    cal = GDALGetMetadataItem(
        src, CPLSPrintf("%s#calendar", a->names[a->frame]), NULL);
    a->calendar = cal != NULL ? CPLStrdup(cal) : NULL;
    if ((bad = read_band_items(src, a)) < 0 || dataset_lists(src, a) == 0)
        return 1;
    say_unplaced(CPLSPrintf("NETCDF_DIM_EXTRA=%s", extra), bad, a->keys[0]);
    xav_source_axes_free(a);
    return 0;
}

/* DIM_<d>_VALUE items of band 1, in their order (the dimensions' own). */
static int multidim_axes(GDALDatasetH src, xav_source_axes *a)
{
    GDALRasterBandH first = GDALGetRasterBand(src, 1);
    CSLConstList it;
    int bad;
    for (it = GDALGetMetadata(first, NULL); it != NULL && *it != NULL; it++) {
        const char *eq = strchr(*it, '='), *tail = "_VALUE=";
        const size_t len = eq != NULL ? (size_t)(eq - *it) + 1 : 0;
        if (len > strlen("DIM_") + strlen(tail) && STARTS_WITH(*it, "DIM_") &&
            strncmp(eq + 1 - strlen(tail), tail, strlen(tail)) == 0) {
            char *name = CPLStrdup(*it + strlen("DIM_"));
            name[len - strlen("DIM_") - strlen(tail)] = '\0';
            add_dim(a, name, CPLSPrintf("DIM_%s_VALUE", name),
                    GDALGetMetadataItem(first, CPLSPrintf("DIM_%s_UNIT", name),
                                        NULL));
            CPLFree(name);
        }
    }
    if (a->ndims == 0)
        return 0;
    pick_frame(a, src);
    if ((bad = read_band_items(src, a)) < 0)
        return 1;
    say_unplaced("DIM_<name>_VALUE", bad, a->keys[0]);
    xav_source_axes_free(a);
    return 0;
}

static int grib_axes(GDALDatasetH src, xav_source_axes *a)
{
    int bad;
    if (GDALGetMetadataItem(GDALGetRasterBand(src, 1), "GRIB_VALID_TIME",
                            NULL) == NULL)
        return 0;
    add_dim(a, "time", "GRIB_VALID_TIME", "seconds since 1970-01-01T00:00:00");
    a->calendar = CPLStrdup("standard");
    if ((bad = read_band_items(src, a)) < 0)
        return 1;
    say_unplaced("GRIB_VALID_TIME", bad, a->keys[0]);
    xav_source_axes_free(a);
    return 0;
}

int xav_source_axes_find(GDALDatasetH src, xav_source_axes *a)
{
    memset(a, 0, sizeof(*a));
    if (GDALGetMetadataItem(src, "NETCDF_DIM_EXTRA", NULL) != NULL)
        return netcdf_axes(src, a);
    return multidim_axes(src, a) || grib_axes(src, a);
}

/* ---- the names of y and x ------------------------------------------------ */

/* Which axis (0 y, 1 x) a coordinate variable's CF attribute says it is,
 * or -1. */
static int cf_axis(const char *attribute, const char *value)
{
    static const char *const says[2][3][5] = {
        {{"Y", NULL},
         {"latitude", "projection_y_coordinate", "grid_latitude", NULL},
         {"degrees_north", "degree_north", "degrees_N", "degreeN", NULL}},
        {{"X", NULL},
         {"longitude", "projection_x_coordinate", "grid_longitude", NULL},
         {"degrees_east", "degree_east", "degrees_E", "degreeE", NULL}}};
    static const char *const attributes[3] = {"axis", "standard_name", "units"};
    int axis, a, i;
    for (axis = 0; axis < 2; axis++)
        for (a = 0; a < 3; a++)
            for (i = 0; EQUAL(attribute, attributes[a]) && says[axis][a][i];
                 i++)
                if (EQUAL(value, says[axis][a][i]))
                    return axis;
    return -1;
}

/* The one variable the netCDF items (<var>#<attribute>) say is each axis;
 * NULL where none or several do. */
static void cf_grid_names(CSLConstList md, char *names[2])
{
    int axis, several[2] = {0, 0};
    for (; md != NULL && *md != NULL; md++) {
        const char *hash = strchr(*md, '#'), *eq = strchr(*md, '=');
        char *var;
        if (hash == NULL || eq == NULL || hash > eq ||
            STARTS_WITH(*md, "NC_GLOBAL#"))
            continue;
        var = CPLStrdup(*md); /* "<var>\0<attribute>\0<value>" */
        var[eq - *md] = '\0';
        var[hash - *md] = '\0';
        axis = cf_axis(var + (hash - *md) + 1, eq + 1);
        if (axis >= 0 && names[axis] == NULL)
            names[axis] = CPLStrdup(var);
        else if (axis >= 0 && strcmp(names[axis], var) != 0)
            several[axis] = 1;
        CPLFree(var);
    }
    for (axis = 0; axis < 2; axis++)
        if (several[axis]) {
            CPLFree(names[axis]);
            names[axis] = NULL;
        }
}

void xav_source_grid_names(GDALDatasetH src, char *names[2])
{
    const char *y = GDALGetMetadataItem(src, "Y", XAV_GRID_DOMAIN);
    const char *x = GDALGetMetadataItem(src, "X", XAV_GRID_DOMAIN);
    names[0] = names[1] = NULL;
    if (y != NULL && x != NULL) {
        names[0] = CPLStrdup(y);
        names[1] = CPLStrdup(x);
    } else
        cf_grid_names(GDALGetMetadata(src, NULL), names);
    if (names[0] == NULL || names[1] == NULL ||
        strcmp(names[0], names[1]) == 0 ||
        (strcmp(names[0], "y") == 0 && strcmp(names[1], "x") == 0)) {
        CPLFree(names[0]);
        CPLFree(names[1]);
        names[0] = names[1] = NULL;
    }
}
