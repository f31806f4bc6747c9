/* mdim_source: see mdim_source.h. */
#include "mdim_source.h"

#include <string.h>

#include "cpl_conv.h"
#include "cpl_error.h"
#include "cpl_string.h"
#include "gdal_vrt.h"

#include "source_axes.h"

struct xav_mdim_source {
    GDALDatasetH vrt;
    GDALDatasetH *parts; /* each array's classic view, which the VRT reads */
    int nparts;
};

/* The arrays that become bands, and their dimensions: those before y and
 * x (slowest first), then y and x. */
typedef struct {
    GDALMDArrayH *arrays;
    int narrays;
    GDALDimensionH *dims;
    size_t ndims;
    char *grid_array; /* the array whose dimensions these are */
} selection;

/* Array attributes the band says otherwise (nodata, unit, offset, scale). */
static const char *const said_by_band[] = {
    "_FillValue", "missing_value", "units", "scale_factor", "add_offset", NULL};

static int mdim_error(const char *why)
{
    CPLError(CE_Failure, CPLE_NotSupported, "XAVIDEO: %s.", why);
    return -1;
}

/* *s + sep + more, in place. */
static void append(char **s, const char *sep, const char *more)
{
    char *longer =
        CPLStrdup(CPLSPrintf("%s%s%s", *s ? *s : "", *s ? sep : "", more));
    CPLFree(*s);
    *s = longer;
}

/* ---- attributes as text -------------------------------------------------- */

/* As GDAL's netCDF driver prints them: a string as is, a number with
 * every digit, several numbers as {a,b}. NULL if unreadable. */
static char *attribute_text(GDALAttributeH attr)
{
    GDALExtendedDataTypeH type = GDALAttributeGetDataType(attr);
    const GDALExtendedDataTypeClass cls = GDALExtendedDataTypeGetClass(type);
    char *text = NULL, *list = NULL;
    size_t n = 0, i;
    double *v;
    GDALExtendedDataTypeRelease(type);
    if (cls == GEDTC_STRING) {
        const char *s = GDALAttributeReadAsString(attr);
        return s != NULL ? CPLStrdup(s) : NULL;
    }
    if (cls != GEDTC_NUMERIC)
        return NULL;
    v = GDALAttributeReadAsDoubleArray(attr, &n);
    for (i = 0; i < n; i++)
        append(&list, ",", CPLSPrintf("%.17g", v[i]));
    if (n == 1)
        text = list, list = NULL;
    else if (n > 1)
        text = CPLStrdup(CPLSPrintf("{%s}", list));
    CPLFree(list);
    CPLFree(v);
    return text;
}

/* Items prefix + name=text for every attribute of array (of the group
 * when array is NULL) except those in skip. */
static char **attribute_items(GDALGroupH group, GDALMDArrayH array,
                              const char *prefix, const char *const *skip,
                              char **md)
{
    size_t n = 0, i;
    GDALAttributeH *attrs = array != NULL
                                ? GDALMDArrayGetAttributes(array, &n, NULL)
                                : GDALGroupGetAttributes(group, &n, NULL);
    for (i = 0; i < n; i++) {
        const char *name = GDALAttributeGetName(attrs[i]);
        char *text;
        if (skip != NULL && CSLFindString((CSLConstList)skip, name) >= 0)
            continue;
        if ((text = attribute_text(attrs[i])) != NULL)
            md = CSLSetNameValue(md, CPLSPrintf("%s%s", prefix, name), text);
        CPLFree(text);
    }
    if (attrs != NULL)
        GDALReleaseAttributes(attrs, n);
    return md;
}

/* ---- dimensions ---------------------------------------------------------- */

/* The values along dim: its indexing variable's, else 0, 1, 2... */
static double *dimension_values(GDALDimensionH dim)
{
    const size_t n = (size_t)GDALDimensionGetSize(dim);
    double *v = (double *)CPLMalloc(sizeof(double) * (n + 1));
    GDALMDArrayH index = GDALDimensionGetIndexingVariable(dim);
    GDALExtendedDataTypeH f64 = GDALExtendedDataTypeCreate(GDT_Float64);
    const GUInt64 start = 0;
    size_t i, count = n;
    const int ok = index != NULL && GDALMDArrayGetDimensionCount(index) == 1 &&
                   GDALMDArrayRead(index, &start, &count, NULL, NULL, f64, v, v,
                                   sizeof(double) * n);
    for (i = 0; !ok && i < n; i++)
        v[i] = (double)i;
    GDALExtendedDataTypeRelease(f64);
    if (index != NULL)
        GDALMDArrayRelease(index);
    return v;
}

static int same_dimension(GDALDimensionH a, GDALDimensionH b)
{
    return strcmp(GDALDimensionGetFullName(a), GDALDimensionGetFullName(b)) ==
               0 &&
           GDALDimensionGetSize(a) == GDALDimensionGetSize(b);
}

/* "(TIME, ZAXLEVIT19, YAX, XAX)", a new string. */
static char *dimension_list(GDALDimensionH *dims, size_t n)
{
    char *s = NULL, *out;
    size_t i;
    for (i = 0; i < n; i++)
        append(&s, ", ", GDALDimensionGetName(dims[i]));
    out = CPLStrdup(CPLSPrintf("(%s)", s ? s : ""));
    CPLFree(s);
    return out;
}

/* Whether array is the indexing variable of one of dims. */
static int indexes(GDALMDArrayH array, GDALDimensionH *dims, size_t n)
{
    size_t i;
    int found = 0;
    for (i = 0; i < n && !found; i++) {
        GDALMDArrayH index = GDALDimensionGetIndexingVariable(dims[i]);
        found = index != NULL && strcmp(GDALMDArrayGetFullName(index),
                                        GDALMDArrayGetFullName(array)) == 0;
        if (index != NULL)
            GDALMDArrayRelease(index);
    }
    return found;
}

/* ---- which arrays -------------------------------------------------------- */

static void selection_free(selection *s)
{
    int i;
    for (i = 0; i < s->narrays; i++)
        GDALMDArrayRelease(s->arrays[i]);
    CPLFree(s->arrays);
    CPLFree(s->grid_array);
    if (s->dims != NULL)
        GDALReleaseDimensions(s->dims, s->ndims);
    memset(s, 0, sizeof(*s));
}

/* The first array with the most dimensions (at least y and x): the grid. */
static GDALMDArrayH reference_array(GDALGroupH root, char **names)
{
    GDALMDArrayH best = NULL;
    size_t most = 1;
    int i;
    for (i = 0; names != NULL && names[i] != NULL; i++) {
        GDALMDArrayH a = GDALGroupOpenMDArray(root, names[i], NULL);
        if (a != NULL && GDALMDArrayGetDimensionCount(a) > most) {
            most = GDALMDArrayGetDimensionCount(a);
            if (best != NULL)
                GDALMDArrayRelease(best);
            best = a;
        } else if (a != NULL) {
            GDALMDArrayRelease(a);
        }
    }
    return best;
}

/* 1 if a's last two dimensions are the grid's y and x and the others are
 * the grid's too, 0 if a is not over the grid, -1 (reported) if it is
 * over the grid and other dimensions. */
static int on_grid(GDALMDArrayH a, const selection *s)
{
    size_t n = 0, i;
    GDALDimensionH *dims = GDALMDArrayGetDimensions(a, &n);
    int rc = n >= 2 && same_dimension(dims[n - 1], s->dims[s->ndims - 1]) &&
             same_dimension(dims[n - 2], s->dims[s->ndims - 2]);
    for (i = 0; rc == 1 && i < n; i++)
        if (n != s->ndims || !same_dimension(dims[i], s->dims[i])) {
            char *theirs = dimension_list(dims, n);
            char *grid = dimension_list(s->dims, s->ndims);
            rc = mdim_error(CPLSPrintf(
                "array %s is over %s and array %s over %s: the arrays of one "
                "dataset share their dimensions; copy them apart "
                "(gdalmdimtranslate -array %s)",
                GDALMDArrayGetName(a), theirs, s->grid_array, grid,
                GDALMDArrayGetName(a)));
            CPLFree(theirs);
            CPLFree(grid);
        }
    GDALReleaseDimensions(dims, n);
    return rc;
}

static int real_typed(GDALMDArrayH a)
{
    GDALExtendedDataTypeH type = GDALMDArrayGetDataType(a);
    const int ok =
        GDALExtendedDataTypeGetClass(type) == GEDTC_NUMERIC &&
        !GDALDataTypeIsComplex(GDALExtendedDataTypeGetNumericDataType(type));
    GDALExtendedDataTypeRelease(type);
    if (!ok)
        mdim_error(CPLSPrintf("array %s is not of a real number type, which "
                              "cannot be stored; leave it out (-array)",
                              GDALMDArrayGetName(a)));
    return ok;
}

/* Sorts the root group's arrays: on the grid (kept), coordinates of the
 * grid's dimensions and scalars (said by the metadata), others (named in
 * a warning: not stored). 0, or -1 with a CPLError. */
static int sort_arrays(GDALGroupH root, char **names, selection *s)
{
    char *left_out = NULL;
    int i, rc = 0;
    for (i = 0; names[i] != NULL && rc == 0; i++) {
        GDALMDArrayH a = GDALGroupOpenMDArray(root, names[i], NULL);
        int kept = a != NULL ? on_grid(a, s) : 0;
        if (kept == 1 && !real_typed(a))
            kept = -1;
        if (kept == 1) {
            s->arrays[s->narrays++] = a;
            continue;
        }
        if (kept == 0 && a != NULL && GDALMDArrayGetDimensionCount(a) > 0 &&
            !indexes(a, s->dims, s->ndims))
            append(&left_out, ", ", names[i]);
        rc = kept < 0 ? -1 : 0;
        if (a != NULL)
            GDALMDArrayRelease(a);
    }
    if (rc == 0 && left_out != NULL)
        CPLError(CE_Warning, CPLE_AppDefined,
                 "XAVIDEO: arrays not over the raster's grid are not stored: "
                 "%s.",
                 left_out);
    CPLFree(left_out);
    return rc;
}

/* Arrays in groups below the root are not looked for: named in a warning,
 * with the way to copy one. */
static void say_subgroups(GDALGroupH root)
{
    char **groups = GDALGroupGetGroupNames(root, NULL);
    char *list = NULL;
    int i;
    for (i = 0; groups != NULL && groups[i] != NULL; i++)
        append(&list, ", ", groups[i]);
    if (list != NULL)
        CPLError(CE_Warning, CPLE_AppDefined,
                 "XAVIDEO: the arrays of groups below / are not stored (%s): "
                 "copy one by its path (gdalmdimtranslate -array "
                 "/GROUP/NAME).",
                 list);
    CPLFree(list);
    CSLDestroy(groups);
}

static int select_arrays(GDALGroupH root, selection *s)
{
    char **names = GDALGroupGetMDArrayNames(root, NULL);
    GDALMDArrayH ref = reference_array(root, names);
    int rc;
    memset(s, 0, sizeof(*s));
    if (ref == NULL) {
        CSLDestroy(names);
        return mdim_error("the source has no array of two dimensions or more "
                          "to store as a raster");
    }
    s->dims = GDALMDArrayGetDimensions(ref, &s->ndims);
    s->grid_array = CPLStrdup(GDALMDArrayGetName(ref));
    GDALMDArrayRelease(ref);
    s->arrays =
        (GDALMDArrayH *)CPLCalloc(CSLCount(names) + 1, sizeof(GDALMDArrayH));
    rc = sort_arrays(root, names, s);
    CSLDestroy(names);
    if (rc == 0)
        say_subgroups(root);
    return rc;
}

/* ---- the classic view ---------------------------------------------------- */

/* The dataset's items: the group's attributes (NC_GLOBAL#), the dimensions
 * before y and x (NETCDF_DIM_EXTRA) and their coordinates' attributes. */
static char **dataset_items(GDALGroupH root, const selection *s)
{
    char **md = attribute_items(root, NULL, "NC_GLOBAL#", NULL, NULL);
    char *extra = NULL;
    size_t k;
    for (k = 0; k + 2 < s->ndims; k++) {
        const char *name = GDALDimensionGetName(s->dims[k]);
        GDALMDArrayH index = GDALDimensionGetIndexingVariable(s->dims[k]);
        append(&extra, ",", name);
        if (index == NULL)
            continue;
        md = attribute_items(NULL, index, CPLSPrintf("%s#", name), NULL, md);
        if (*GDALMDArrayGetUnit(index) != '\0' &&
            CSLFetchNameValue(md, CPLSPrintf("%s#units", name)) == NULL)
            md = CSLSetNameValue(md, CPLSPrintf("%s#units", name),
                                 GDALMDArrayGetUnit(index));
        GDALMDArrayRelease(index);
    }
    if (extra != NULL)
        md = CSLSetNameValue(md, "NETCDF_DIM_EXTRA", CPLSPrintf("{%s}", extra));
    CPLFree(extra);
    return md;
}

/* Band b of an array: its name, attributes, and where it lies along each
 * dimension before y and x (the last one fastest, as AsClassicDataset
 * numbers bands). */
static char **band_items(GDALMDArrayH a, const selection *s, double **values,
                         int b)
{
    char **md = attribute_items(NULL, a, "", said_by_band, NULL);
    size_t k = s->ndims - 2;
    md = CSLSetNameValue(md, "NETCDF_VARNAME", GDALMDArrayGetName(a));
    while (k-- > 0) {
        const int n = (int)GDALDimensionGetSize(s->dims[k]);
        md = CSLSetNameValue(
            md, CPLSPrintf("NETCDF_DIM_%s", GDALDimensionGetName(s->dims[k])),
            CPLSPrintf("%.17g", values[k][b % n]));
        b /= n;
    }
    return md;
}

static void describe_band(GDALRasterBandH band, GDALMDArrayH a)
{
    int has = 0;
    double v = GDALMDArrayGetNoDataValueAsDouble(a, &has);
    if (has)
        GDALSetRasterNoDataValue(band, v);
    v = GDALMDArrayGetOffset(a, &has);
    if (has)
        GDALSetRasterOffset(band, v);
    v = GDALMDArrayGetScale(a, &has);
    if (has)
        GDALSetRasterScale(band, v);
    if (*GDALMDArrayGetUnit(a) != '\0')
        GDALSetRasterUnitType(band, GDALMDArrayGetUnit(a));
}

/* Every band of array a's classic view into the VRT. */
static int add_array(xav_mdim_source *m, GDALMDArrayH a, const selection *s,
                     double **values)
{
    const int nd = (int)s->ndims;
    GDALDatasetH part = GDALMDArrayAsClassicDataset(a, nd - 1, nd - 2);
    int b;
    if (part == NULL)
        return -1;
    m->parts[m->nparts++] = part;
    for (b = 0; b < GDALGetRasterCount(part); b++) {
        GDALRasterBandH from = GDALGetRasterBand(part, b + 1), to;
        char **md;
        const int w = GDALGetRasterXSize(part), h = GDALGetRasterYSize(part);
        if (GDALAddBand(m->vrt, GDALGetRasterDataType(from), NULL) != CE_None)
            return -1;
        to = GDALGetRasterBand(m->vrt, GDALGetRasterCount(m->vrt));
        if (VRTAddSimpleSource(to, from, 0, 0, w, h, 0, 0, w, h, NULL,
                               VRT_NODATA_UNSET) != CE_None)
            return -1;
        describe_band(to, a);
        md = band_items(a, s, values, b);
        GDALSetMetadata(to, md, NULL);
        CSLDestroy(md);
    }
    return 0;
}

/* The geotransform and CRS AsClassicDataset derived from the coordinates
 * of y and x; a warning when they are not evenly spaced, as a
 * geotransform cannot say them. */
static void georeference(xav_mdim_source *m, const selection *s)
{
    double gt[6];
    OGRSpatialReferenceH srs = GDALGetSpatialRef(m->parts[0]);
    if (GDALGetGeoTransform(m->parts[0], gt) == CE_None)
        GDALSetGeoTransform(m->vrt, gt);
    else
        CPLError(CE_Warning, CPLE_AppDefined,
                 "XAVIDEO: the coordinates of %s and %s are not evenly "
                 "spaced: the dataset has no geotransform.",
                 GDALDimensionGetName(s->dims[s->ndims - 2]),
                 GDALDimensionGetName(s->dims[s->ndims - 1]));
    if (srs != NULL)
        GDALSetSpatialRef(m->vrt, srs);
    GDALSetMetadataItem(m->vrt, "Y",
                        GDALDimensionGetName(s->dims[s->ndims - 2]),
                        XAV_GRID_DOMAIN);
    GDALSetMetadataItem(m->vrt, "X",
                        GDALDimensionGetName(s->dims[s->ndims - 1]),
                        XAV_GRID_DOMAIN);
}

static int build_view(xav_mdim_source *m, GDALGroupH root, const selection *s)
{
    const size_t nlead = s->ndims - 2;
    double **values = (double **)CPLCalloc(nlead + 1, sizeof(double *));
    char **md = dataset_items(root, s);
    size_t k;
    int i, rc = 0;
    for (k = 0; k < nlead; k++)
        values[k] = dimension_values(s->dims[k]);
    m->vrt = VRTCreate((int)GDALDimensionGetSize(s->dims[s->ndims - 1]),
                       (int)GDALDimensionGetSize(s->dims[s->ndims - 2]));
    m->parts = (GDALDatasetH *)CPLCalloc(s->narrays + 1, sizeof(GDALDatasetH));
    GDALSetMetadata(m->vrt, md, NULL);
    for (i = 0; i < s->narrays && rc == 0; i++)
        rc = add_array(m, s->arrays[i], s, values);
    if (rc == 0)
        georeference(m, s);
    for (k = 0; k < nlead; k++)
        CPLFree(values[k]);
    CPLFree(values);
    CSLDestroy(md);
    return rc;
}

/* ---- the whole ----------------------------------------------------------- */

int xav_mdim_source_is(GDALDatasetH src)
{
    GDALGroupH root;
    if (GDALGetRasterCount(src) > 0)
        return 0;
    if ((root = GDALDatasetGetRootGroup(src)) == NULL)
        return 0;
    GDALGroupRelease(root);
    return 1;
}

/* Whether an array is GDAL's multidimensional GRIB reader's, behind a
 * -array or -subset selection (a VRT) too: GRIB2 products' attribute. */
static int from_grib(GDALMDArrayH a)
{
    GDALAttributeH attr =
        GDALMDArrayGetAttribute(a, "product_definition_template_number");
    if (attr == NULL)
        return 0;
    GDALAttributeRelease(attr);
    return 1;
}

/* GDAL 3.6's multidimensional GRIB reader keeps one decoded message: the
 * fields packed in one message (eta.grb's U and V winds) all read as the
 * one read first. Its classic reader reads each field. */
static int refuse_grib(GDALDatasetH src, const selection *s)
{
    GDALDriverH driver = GDALGetDatasetDriver(src);
    int i,
        grib = driver != NULL && EQUAL(GDALGetDriverShortName(driver), "GRIB");
    for (i = 0; s != NULL && i < s->narrays && !grib; i++)
        grib = from_grib(s->arrays[i]);
    if (!grib)
        return 0;
    return mdim_error(
        "GDAL's multidimensional GRIB reader returns one field's values for "
        "every field packed in the same GRIB message (U and V winds), so "
        "a copy would hold wrong values: copy GRIB files with gdal_translate "
        "-of XAVIDEO, which reads each field, and whose bands keep their "
        "GRIB times and levels");
}

xav_mdim_source *xav_mdim_source_open(GDALDatasetH src)
{
    GDALGroupH root;
    xav_mdim_source *m;
    selection s;
    if (refuse_grib(src, NULL) != 0) /* before its arrays are listed */
        return NULL;
    root = GDALDatasetGetRootGroup(src);
    if (root == NULL) {
        mdim_error("the source has no multidimensional content");
        return NULL;
    }
    m = (xav_mdim_source *)CPLCalloc(1, sizeof(*m));
    if (select_arrays(root, &s) != 0 || refuse_grib(src, &s) != 0 ||
        build_view(m, root, &s) != 0) {
        if (CPLGetLastErrorType() != CE_Failure)
            mdim_error("the source's arrays cannot be read as rasters");
        xav_mdim_source_close(m);
        m = NULL;
    }
    selection_free(&s);
    GDALGroupRelease(root);
    return m;
}

GDALDatasetH xav_mdim_source_dataset(const xav_mdim_source *m)
{
    return m->vrt;
}

void xav_mdim_source_close(xav_mdim_source *m)
{
    int i;
    if (m == NULL)
        return;
    if (m->vrt != NULL)
        GDALClose(m->vrt); /* first: it refers to the parts */
    for (i = 0; i < m->nparts; i++)
        GDALClose(m->parts[i]);
    CPLFree(m->parts);
    CPLFree(m);
}
