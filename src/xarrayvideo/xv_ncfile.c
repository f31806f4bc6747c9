/* xv_ncfile: see xv_ncfile.h. */
#include "xv_ncfile.h"

#include <math.h>
#include <string.h>

#include "cpl_conv.h"
#include "cpl_error.h"
#include "cpl_string.h"

/* Names of a y axis (the raster's rows) in the cubes xarrayvideo codes. */
static int is_y_name(const char *name)
{
    return EQUAL(name, "y") || STARTS_WITH_CI(name, "lat") ||
           EQUAL(name, "rlat") || EQUAL(name, "northing") ||
           EQUAL(name, "row") || EQUAL(name, "rows");
}

static char *attribute_text(GDALMDArrayH a, const char *name)
{
    GDALAttributeH at = GDALMDArrayGetAttribute(a, name);
    const char *v = at ? GDALAttributeReadAsString(at) : NULL;
    char *out = v ? CPLStrdup(v) : NULL;
    if (at)
        GDALAttributeRelease(at);
    return out;
}

/* The values of the 1-D coordinate variable name, if it has n of them
 * (CPLFree), with its units and calendar if asked. */
static double *coordinate(GDALGroupH root, const char *name, size_t n,
                          char **units, char **calendar)
{
    GDALMDArrayH a = GDALGroupOpenMDArray(root, name, NULL);
    GDALExtendedDataTypeH dt = GDALExtendedDataTypeCreate(GDT_Float64);
    double *v = NULL;
    if (a != NULL && GDALMDArrayGetDimensionCount(a) == 1 &&
        GDALMDArrayGetTotalElementsCount(a) == n && n > 0) {
        GUInt64 start = 0;
        size_t count = n;
        v = (double *)CPLMalloc(n * sizeof(double));
        if (!GDALMDArrayRead(a, &start, &count, NULL, NULL, dt, v, v,
                             n * sizeof(double))) {
            CPLFree(v);
            v = NULL;
        }
        if (v != NULL && units != NULL) {
            *units = attribute_text(a, "units");
            *calendar = attribute_text(a, "calendar");
        }
    }
    GDALExtendedDataTypeRelease(dt);
    if (a != NULL)
        GDALMDArrayRelease(a);
    return v;
}

/* The raster's size from the first video's frames; every rule alike. */
static int frame_layout(xv_folder *f)
{
    int r, w, h, w0 = 0, h0 = 0;
    for (r = 0; r < f->nrules; r++) {
        const xv_rule *rule = &f->rules[r];
        xav_stream_reader_size(rule->videos[0].reader, &w, &h);
        if (r > 0 && (w != w0 || h != h0 ||
                      strcmp(rule->dims[1], f->rules[0].dims[1]) != 0)) {
            CPLError(CE_Failure, CPLE_NotSupported,
                     "XAVIDEO: the videos of %s are not all of one grid "
                     "(%s: %dx%d, %s: %dx%d).",
                     f->folder, f->rules[0].name, w0, h0, rule->name, w, h);
            return -1;
        }
        w0 = w;
        h0 = h;
    }
    f->transposed =
        is_y_name(f->rules[0].dims[1]) && !is_y_name(f->rules[0].dims[2]);
    f->width = f->transposed ? h0 : w0;
    f->height = f->transposed ? w0 : h0;
    return 0;
}

/* Spacing of n values, if even (else 0). */
static double even_step(const double *v, size_t n)
{
    const double step = n > 1 ? (v[n - 1] - v[0]) / (double)(n - 1) : 0;
    size_t i;
    for (i = 1; i < n && step != 0; i++)
        if (fabs(v[i] - v[i - 1] - step) > 1e-6 * fabs(step))
            return 0;
    return step;
}

static void read_geotransform(xv_folder *f, GDALGroupH root)
{
    const xv_rule *rule = &f->rules[0];
    const char *xname = rule->dims[f->transposed ? 2 : 1];
    const char *yname = rule->dims[f->transposed ? 1 : 2];
    double *xs = coordinate(root, xname, (size_t)f->width, NULL, NULL);
    double *ys = coordinate(root, yname, (size_t)f->height, NULL, NULL);
    const double dx = xs ? even_step(xs, (size_t)f->width) : 0;
    const double dy = ys ? even_step(ys, (size_t)f->height) : 0;
    if (dx != 0 && dy != 0) {
        const double gt[6] = {xs[0] - dx / 2, dx, 0, ys[0] - dy / 2, 0, dy};
        memcpy(f->geotransform, gt, sizeof(gt));
        f->has_geotransform = 1;
    }
    CPLFree(xs);
    CPLFree(ys);
}

/* The CRS of a grid-mapping variable (rioxarray's spatial_ref, which
 * GDAL lists only when asked for every variable). */
static void read_crs(xv_folder *f, GDALGroupH root)
{
    static const char *const all[] = {"SHOW_ALL=YES", NULL};
    char **names = GDALGroupGetMDArrayNames(root, (CSLConstList)all);
    int i;
    for (i = 0; names != NULL && names[i] != NULL && !f->crs_wkt; i++) {
        GDALMDArrayH a = GDALGroupOpenMDArray(root, names[i], NULL);
        if (a == NULL)
            continue;
        f->crs_wkt = attribute_text(a, "crs_wkt");
        if (f->crs_wkt == NULL)
            f->crs_wkt = attribute_text(a, "spatial_ref");
        GDALMDArrayRelease(a);
    }
    CSLDestroy(names);
}

static void read_global_attributes(xv_folder *f, GDALGroupH root)
{
    size_t n = 0, i;
    GDALAttributeH *at = GDALGroupGetAttributes(root, &n, NULL);
    for (i = 0; i < n; i++) {
        const char *v = GDALAttributeReadAsString(at[i]);
        if (v != NULL)
            f->metadata = CSLSetNameValue(
                f->metadata,
                CPLSPrintf("NC_GLOBAL#%s", GDALAttributeGetName(at[i])), v);
    }
    GDALReleaseAttributes(at, n);
}

int xv_ncfile_read(xv_folder *f, const char *path)
{
    static const char *const netcdf[] = {"netCDF", NULL};
    GDALDatasetH nc;
    GDALGroupH root;
    int r;
    if (frame_layout(f) != 0)
        return -1;
    nc = GDALOpenEx(path, GDAL_OF_MULTIDIM_RASTER, netcdf, NULL, NULL);
    root = nc ? GDALDatasetGetRootGroup(nc) : NULL;
    if (root == NULL) {
        CPLError(CE_Warning, CPLE_AppDefined,
                 "XAVIDEO: %s cannot be read: the cube has no time values, "
                 "georeferencing or attributes.",
                 path);
        if (nc)
            GDALClose(nc);
        return 0;
    }
    for (r = 0; r < f->nrules; r++) {
        xv_rule *rule = &f->rules[r];
        rule->times = coordinate(root, rule->dims[0], (size_t)rule->frames,
                                 &rule->time_units, &rule->time_calendar);
    }
    read_geotransform(f, root);
    read_crs(f, root);
    read_global_attributes(f, root);
    GDALGroupRelease(root);
    GDALClose(nc);
    return 0;
}
