/* describe: see describe.h. */
#include "describe.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "cpl_conv.h"
#include "cpl_error.h"
#include "cpl_string.h"
#include "ogr_srs_api.h"

#include "crs.h"
#include "encode.h"
#include "netcdf_items.h"
#include "rat.h"
#include "source_axes.h"
#include "varnames.h"

/* An object's metadata, less the figures another XAVIDEO coding measured
 * (a copy of a copy, or a GTiff made by an older driver): they describe
 * that coding, not this one. */
static char **source_metadata(GDALMajorObjectH object)
{
    char **md = NULL;
    CSLConstList it;
    for (it = GDALGetMetadata(object, NULL); it != NULL && *it != NULL; it++)
        if (!STARTS_WITH_CI(*it, "XAVIDEO_"))
            md = CSLAddString(md, *it);
    return md;
}

/* What describing a source needs: read-only. */
typedef struct {
    GDALDatasetH src;
    const xav_create_options *opt;
    xav_desc *d;
} source;

static GDALRasterBandH source_band(const source *cs, int var, int time)
{
    return GDALGetRasterBand(cs->src,
                             xav_desc_band_index(cs->d, var, time) + 1);
}

/* ---- variable names ---------------------------------------------------- */

/* What the source calls a band's variable, or NULL. */
static const char *source_name(GDALRasterBandH band)
{
    static const char *const keys[] = {"NETCDF_VARNAME", "GRIB_ELEMENT"};
    const char *desc = GDALGetDescription(band);
    size_t k;
    for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
        const char *name = GDALGetMetadataItem(band, keys[k], NULL);
        if (name != NULL && *name != '\0')
            return name;
    }
    return desc != NULL && *desc != '\0' ? desc : NULL;
}

/* VARIABLE_NAMES, one per variable and distinct, or NULL if not given. */
static int option_names(const source *cs, char ***names)
{
    const xav_desc *d = cs->d;
    int *counts, v, n, rc = 0;
    *names = NULL;
    if (cs->opt->variable_names == NULL)
        return 0;
    *names = CSLTokenizeString2(cs->opt->variable_names, ",", 0);
    n = CSLCount(*names);
    if (n != d->nvars) {
        CPLError(CE_Failure, CPLE_IllegalArg,
                 "XAVIDEO: VARIABLE_NAMES has %d names for %d variables "
                 "(variables x time steps: %d x %d): give one name per "
                 "variable.",
                 n, d->nvars, d->nvars, d->ntimes);
        return -1;
    }
    counts = xav_name_counts(*names, n);
    for (v = 0; v < n && rc == 0; v++)
        if (counts[v] > 1) {
            CPLError(CE_Failure, CPLE_IllegalArg,
                     "XAVIDEO: VARIABLE_NAMES names %d variables '%s': "
                     "variable names must be distinct.",
                     counts[v], (*names)[v]);
            rc = -1;
        }
    CPLFree(counts);
    return rc;
}

/* A slice's name: its array's, and where it lies along each extra
 * dimension (TEMP_ZAXLEVIT19_10), so that one can tell which it is. */
static char *slice_name(const xav_desc *d, const xav_variable *var)
{
    char *name = CPLStrdup(var->array);
    int k;
    for (k = 0; k < d->ndims; k++) {
        char *longer =
            CPLStrdup(CPLSPrintf("%s_%s_%.15g", name, d->dims[k].name,
                                 d->dims[k].values[var->coords[k]]));
        CPLFree(name);
        name = longer;
    }
    return name;
}

/* GRIB elements at several levels (TMP at 850 and 500 hPa) share a name:
 * each gets its level, as GDAL's GRIB_SHORT_NAME says it (TMP_85000-ISBL).
 * What still collides is left to the one rule (varnames.h). */
static void name_grib_levels(source *cs)
{
    xav_desc *d = cs->d;
    char **names = (char **)CPLMalloc(sizeof(char *) * (d->nvars + 1));
    int *counts, v;
    for (v = 0; v < d->nvars; v++)
        names[v] = d->vars[v].name;
    counts = xav_name_counts(names, d->nvars);
    for (v = 0; v < d->nvars; v++) {
        const char *level =
            GDALGetMetadataItem(source_band(cs, v, 0), "GRIB_SHORT_NAME", NULL);
        if (counts[v] > 1 && level != NULL && *level != '\0') {
            char *name = CPLStrdup(CPLSPrintf("%s_%s", names[v], level));
            CPLFree(d->vars[v].name);
            d->vars[v].name = name;
        }
    }
    CPLFree(counts);
    CPLFree(names);
}

/* Every variable's name (and a slice's array): VARIABLE_NAMES, else the
 * source's, made unique. */
static int name_variables(source *cs)
{
    xav_desc *d = cs->d;
    char **names = NULL;
    int v;
    if (option_names(cs, &names) != 0) {
        CSLDestroy(names);
        return -1;
    }
    for (v = 0; v < d->nvars; v++) {
        xav_variable *var = &d->vars[v];
        const char *base = source_name(source_band(cs, v, 0));
        if (var->coords != NULL) /* an unnamed array: its data */
            var->array = CPLStrdup(base != NULL ? base : "data");
        if (names != NULL)
            var->name = CPLStrdup(names[v]);
        else if (var->coords != NULL)
            var->name = slice_name(d, var);
        else
            var->name = base != NULL ? CPLStrdup(base)
                                     : CPLStrdup(CPLSPrintf("band_%d", v + 1));
    }
    if (names == NULL)
        name_grib_levels(cs);
    xav_unique_variable_names(d);
    CSLDestroy(names);
    return 0;
}

static void describe_color_table(xav_variable *var, GDALRasterBandH band)
{
    GDALColorTableH ct = GDALGetRasterColorTable(band);
    int i;
    if (ct == NULL)
        return;
    var->color_count = GDALGetColorEntryCount(ct);
    var->colors =
        (short *)CPLCalloc((size_t)var->color_count * 4 + 1, sizeof(short));
    for (i = 0; i < var->color_count; i++) {
        const GDALColorEntry *e = GDALGetColorEntry(ct, i);
        short *c = var->colors + 4 * i;
        c[0] = e->c1, c[1] = e->c2, c[2] = e->c3, c[3] = e->c4;
    }
}

/* The kind of mask band the source gives variable v's bands, where it is
 * one of their own: not their nodata or alpha band, which the copy keeps
 * as such, nor none. */
static xav_mask_band source_mask_band(const source *cs, int v)
{
    xav_mask_band kind = XAV_MASK_BAND_NONE;
    int t;
    for (t = 0; t < cs->d->ntimes; t++) {
        const int flags = GDALGetMaskFlags(source_band(cs, v, t));
        if (flags == GMF_PER_DATASET && kind == XAV_MASK_BAND_NONE)
            kind = XAV_MASK_BAND_PER_DATASET;
        else if (flags == 0)
            kind = XAV_MASK_BAND_OWN;
    }
    return kind;
}

/* A band's nodata as a double, and whether that double is exactly it:
 * Int64 and UInt64 bands say theirs through GDAL's 64-bit calls, and
 * their extremes come back through the reader's clamping. */
static double band_nodata(GDALRasterBandH band, int *has, int *exact)
{
    const GDALDataType type = GDALGetRasterDataType(band);
    double nodata;
    *has = 0;
    *exact = 1;
    if (type == GDT_Int64) {
        const int64_t v = GDALGetRasterNoDataValueAsInt64(band, has);
        nodata = (double)v;
        *exact = v == INT64_MAX ||
                 (nodata < 9223372036854775807.0 && (int64_t)nodata == v);
    } else if (type == GDT_UInt64) {
        const uint64_t v = GDALGetRasterNoDataValueAsUInt64(band, has);
        nodata = (double)v;
        *exact = v == UINT64_MAX ||
                 (nodata < 18446744073709551615.0 && (uint64_t)nodata == v);
    } else
        nodata = GDALGetRasterNoDataValue(band, has);
    return *has ? nodata : 0;
}

double xav_source_nodata(GDALRasterBandH band, int *has)
{
    int exact;
    return band_nodata(band, has, &exact);
}

static const char *nodata_text(GDALRasterBandH band)
{
    int has = 0;
    const double nodata = xav_source_nodata(band, &has);
    return has ? CPLSPrintf("%.17g", nodata) : "none";
}

/* Variable v's nodata: the first its bands declare. Bands that declare
 * another, or none, are said: a variable has one nodata value, which
 * their nodata pixels read back as (window.c), lossy or lossless. */
static void describe_nodata(const source *cs, int v)
{
    xav_variable *var = &cs->d->vars[v];
    int t, odd = -1;
    var->has_nodata = 0;
    for (t = 0; t < cs->d->ntimes; t++) {
        int has = 0, exact = 1;
        const double nodata = band_nodata(source_band(cs, v, t), &has, &exact);
        if (has && !var->has_nodata) {
            var->has_nodata = 1;
            var->nodata = nodata;
            odd = t > 0 ? 0 : -1; /* time 0 declared none */
            if (!exact)
                CPLError(CE_Warning, CPLE_AppDefined,
                         "XAVIDEO: the nodata value of %s is beyond 2^53 "
                         "and kept as the nearest double, %.17g.",
                         var->name, nodata);
        } else if (odd < 0 && (has != var->has_nodata ||
                               (has && !xav_same_number(nodata, var->nodata))))
            odd = t;
    }
    if (odd >= 0)
        CPLError(CE_Warning, CPLE_AppDefined,
                 "XAVIDEO: the bands of %s do not share one nodata value "
                 "(band %d: %s): the copy gives it one, %.17g, which the "
                 "pixels at a band's own nodata read back as. Give the "
                 "source one nodata value (gdal_translate -a_nodata) to "
                 "choose it.",
                 var->name, xav_desc_band_index(cs->d, v, odd) + 1,
                 nodata_text(source_band(cs, v, odd)), var->nodata);
}

/* GDAL 3.6 has no Int8: a signed byte band is Byte, and says so. */
static int is_signed_byte(GDALRasterBandH band)
{
    const char *pt = GDALGetMetadataItem(band, "PIXELTYPE", "IMAGE_STRUCTURE");
    return GDALGetRasterDataType(band) == GDT_Byte && pt != NULL &&
           EQUAL(pt, "SIGNEDBYTE");
}

/* Whether two bands' classes are alike: color tables and category names
 * (none, or the same entries). */
static int same_classes(GDALRasterBandH a, GDALRasterBandH b)
{
    GDALColorTableH ca = GDALGetRasterColorTable(a);
    GDALColorTableH cb = GDALGetRasterColorTable(b);
    CSLConstList na = GDALGetRasterCategoryNames(a);
    CSLConstList nb = GDALGetRasterCategoryNames(b);
    int i;
    if ((ca == NULL) != (cb == NULL) || CSLCount(na) != CSLCount(nb))
        return 0;
    for (i = 0; i < CSLCount(na); i++)
        if (strcmp(na[i], nb[i]) != 0)
            return 0;
    if (ca == NULL)
        return 1;
    if (GDALGetColorEntryCount(ca) != GDALGetColorEntryCount(cb))
        return 0;
    for (i = 0; i < GDALGetColorEntryCount(ca); i++)
        if (memcmp(GDALGetColorEntry(ca, i), GDALGetColorEntry(cb, i),
                   sizeof(GDALColorEntry)) != 0)
            return 0;
    return 1;
}

/* What the bands of a variable must share, as one variable has one of
 * each: their type, offset, scale, units and classes. Returns 0, or -1 with a
 * CPLError naming the first band that differs from the first. */
static int check_bands_alike(const source *cs, int v)
{
    GDALRasterBandH first = source_band(cs, v, 0);
    int t;
    for (t = 1; t < cs->d->ntimes; t++) {
        GDALRasterBandH band = source_band(cs, v, t);
        const char *what = NULL, *fix = NULL;
        if (GDALGetRasterDataType(band) != GDALGetRasterDataType(first) ||
            is_signed_byte(band) != is_signed_byte(first))
            what = "data type", fix = ", or convert them to one (-ot)";
        else if (GDALGetRasterOffset(band, NULL) !=
                     GDALGetRasterOffset(first, NULL) ||
                 GDALGetRasterScale(band, NULL) !=
                     GDALGetRasterScale(first, NULL))
            what = "offset or scale",
            fix = ", or apply them first (gdal_translate -unscale -ot "
                  "Float32)";
        else if (strcmp(GDALGetRasterUnitType(band),
                        GDALGetRasterUnitType(first)) != 0)
            what = "units", fix = "";
        else if (!same_classes(band, first))
            what = "color table or category names", fix = "";
        if (what == NULL)
            continue;
        CPLError(CE_Failure, CPLE_NotSupported,
                 "XAVIDEO: bands %d and %d are both time steps of %s, but "
                 "band %d has another %s, and a variable has one: make them "
                 "variables of their own (BANDS_PER_TIME)%s.",
                 xav_desc_band_index(cs->d, v, 0) + 1,
                 xav_desc_band_index(cs->d, v, t) + 1, cs->d->vars[v].name,
                 xav_desc_band_index(cs->d, v, t) + 1, what, fix);
        return -1;
    }
    return 0;
}

static int describe_variable(source *cs, int v)
{
    xav_variable *var = &cs->d->vars[v];
    GDALRasterBandH band = source_band(cs, v, 0);
    const char *units = GDALGetRasterUnitType(band);
    const char *desc = GDALGetDescription(band);
    int ok_off = 0, ok_scale = 0;
    var->type = GDALGetRasterDataType(band);
    if (check_bands_alike(cs, v) != 0)
        return -1;
    if (GDALDataTypeIsComplex(var->type) || var->type == GDT_Unknown) {
        CPLError(CE_Failure, CPLE_NotSupported,
                 "XAVIDEO: band %d has data type %s, which cannot be stored; "
                 "convert it first (e.g. gdal_translate -ot Float32).",
                 xav_desc_band_index(cs->d, v, 0) + 1,
                 GDALGetDataTypeName(var->type));
        return -1;
    }
    describe_nodata(cs, v);
    var->mask_band = source_mask_band(cs, v);
    var->units = units && *units ? CPLStrdup(units) : NULL;
    var->description = desc && *desc ? CPLStrdup(desc) : NULL;
    var->color_interp = GDALGetRasterColorInterpretation(band);
    describe_color_table(var, band);
    var->categories = CSLDuplicate(GDALGetRasterCategoryNames(band));
    var->rat_json = xav_rat_to_json(GDALGetDefaultRAT(band));
    var->gdal_offset = GDALGetRasterOffset(band, &ok_off);
    var->gdal_scale = GDALGetRasterScale(band, &ok_scale);
    var->has_offset_scale =
        (ok_off || ok_scale) && (var->gdal_offset != 0 || var->gdal_scale != 1);
    var->metadata = source_metadata(band);
    var->valid_min = INFINITY;
    var->valid_max = -INFINITY;
    /* classes are never approximated: palette or thematic table */
    var->signed_byte = is_signed_byte(band);
    /* signed bytes are coded exactly: a lossy path would need a signed
     * quantization */
    var->lossless =
        cs->opt->lossless || var->color_count > 0 || var->signed_byte ||
        (var->rat_json != NULL &&
         GDALRATGetTableType(GDALGetDefaultRAT(band)) == GRTT_THEMATIC);
    return 0;
}

/* Band b's time item as a reader derives it (netcdf_items.h), or NULL
 * where the dataset has no time values; CSLDestroy it. */
static char **derived_time_item(const xav_desc *d, int v, int t)
{
    if (d->time_values == NULL)
        return NULL;
    return xav_netcdf_set_place(CSLDuplicate(d->vars[v].metadata),
                                xav_netcdf_time_name(d), d->time_values[t]);
}

/* Per band, the metadata items that differ from its variable's, but for a
 * time item a reader derives as it was (its text, "1096.485", is not
 * always what printing the number gives: then it is kept). */
static void describe_band_metadata(source *cs)
{
    xav_desc *d = cs->d;
    int b, nbands = xav_desc_band_count(d), any = 0;
    d->band_metadata = (char ***)CPLCalloc(nbands + 1, sizeof(char **));
    for (b = 0; b < nbands; b++) {
        int v, t;
        char **md, **derived, **extra = NULL, **it;
        xav_desc_band_split(d, b, &v, &t);
        md = source_metadata(GDALGetRasterBand(cs->src, b + 1));
        derived = derived_time_item(d, v, t);
        for (it = md; it != NULL && *it != NULL; it++)
            if (CSLFindString(d->vars[v].metadata, *it) < 0 &&
                CSLFindString(derived, *it) < 0)
                extra = CSLAddString(extra, *it);
        CSLDestroy(derived);
        d->band_metadata[b] = extra;
        any |= extra != NULL;
        CSLDestroy(md);
    }
    if (!any) {
        CPLFree(d->band_metadata);
        d->band_metadata = NULL;
    }
}

/* ---- georeferencing ---------------------------------------------------- */

static char *wkt2(OGRSpatialReferenceH srs)
{
    const char *const opts[] = {"FORMAT=WKT2_2019", "MULTILINE=NO", NULL};
    char *wkt = NULL, *out;
    if (srs == NULL || OSRExportToWktEx(srs, &wkt, opts) != OGRERR_NONE) {
        CPLFree(wkt);
        return NULL;
    }
    out = CPLStrdup(wkt);
    CPLFree(wkt);
    return out;
}

static void extent_of(const xav_desc *d, double extent[4])
{
    int i;
    if (d->has_geotransform) {
        const double *g = d->geotransform;
        double xs[4] = {g[0], g[0] + g[1] * d->width, g[0] + g[2] * d->height,
                        g[0] + g[1] * d->width + g[2] * d->height};
        double ys[4] = {g[3], g[3] + g[4] * d->width, g[3] + g[5] * d->height,
                        g[3] + g[4] * d->width + g[5] * d->height};
        extent[0] = extent[2] = xs[0];
        extent[1] = extent[3] = ys[0];
        for (i = 1; i < 4; i++) {
            extent[0] = MIN(extent[0], xs[i]),
            extent[2] = MAX(extent[2], xs[i]);
            extent[1] = MIN(extent[1], ys[i]),
            extent[3] = MAX(extent[3], ys[i]);
        }
        return;
    }
    extent[0] = extent[2] = d->gcps[0].dfGCPX;
    extent[1] = extent[3] = d->gcps[0].dfGCPY;
    for (i = 1; i < d->gcp_count; i++) {
        extent[0] = MIN(extent[0], d->gcps[i].dfGCPX);
        extent[2] = MAX(extent[2], d->gcps[i].dfGCPX);
        extent[1] = MIN(extent[1], d->gcps[i].dfGCPY);
        extent[3] = MAX(extent[3], d->gcps[i].dfGCPY);
    }
}

static int describe_georef(source *cs)
{
    xav_desc *d = cs->d;
    double extent[4];
    d->has_geotransform =
        GDALGetGeoTransform(cs->src, d->geotransform) == CE_None;
    d->crs_wkt = wkt2(GDALGetSpatialRef(cs->src));
    xav_source_grid_names(cs->src, d->grid_names);
    d->gcp_count = GDALGetGCPCount(cs->src);
    if (d->gcp_count > 0) {
        d->gcps = GDALDuplicateGCPs(d->gcp_count, GDALGetGCPs(cs->src));
        if (d->crs_wkt == NULL)
            d->crs_wkt = wkt2(GDALGetGCPSpatialRef(cs->src));
    }
    if (d->crs_wkt == NULL)
        return 0;
    if (d->has_geotransform || d->gcp_count > 0)
        extent_of(d, extent);
    return xav_crs_describe(
        d->crs_wkt, d->has_geotransform || d->gcp_count > 0 ? extent : NULL,
        &d->crs_projjson, d->wgs84_bbox, &d->has_wgs84_bbox);
}

static void record_encoder(source *cs)
{
    xav_desc *d = cs->d;
    d->encoder = CSLSetNameValue(d->encoder, "software", "xavideo 0.1.0");
    d->encoder = CSLSetNameValue(d->encoder, "libavcodec", xav_codec_library());
    d->encoder =
        CSLSetNameValue(d->encoder, "gdal", GDALVersionInfo("RELEASE_NAME"));
    d->encoder = CSLSetNameValue(d->encoder, "lossless",
                                 cs->opt->lossless ? "yes" : "no");
}

static int describe_variables(source *cs)
{
    xav_desc *d = cs->d;
    int v;
    if (name_variables(cs) != 0)
        return -1;
    for (v = 0; v < d->nvars; v++)
        if (describe_variable(cs, v) != 0)
            return -1;
    describe_band_metadata(cs);
    return 0;
}

/* The source's metadata domains but the default one, where they describe
 * the data (xav_domain_kept): RPC, IMAGERY, xml:XMP and the like. Its
 * geolocation arrays are other datasets, which a copy does not carry:
 * said, with what to do. */
static void describe_domains(source *cs)
{
    char **names = GDALGetMetadataDomainList(cs->src);
    xav_desc *d = cs->d;
    int k, n = 0;
    d->domain_metadata =
        (char ***)CPLCalloc(CSLCount(names) + 1, sizeof(char **));
    for (k = 0; names != NULL && names[k] != NULL; k++) {
        CSLConstList md = GDALGetMetadata(cs->src, names[k]);
        if (EQUAL(names[k], "GEOLOCATION") && md != NULL)
            CPLError(CE_Warning, CPLE_AppDefined,
                     "XAVIDEO: the source's geolocation arrays (%s) are not "
                     "copied: the dataset keeps its grid, not the longitude "
                     "and latitude of each pixel. Copy those arrays as "
                     "datasets of their own, or warp the source with them "
                     "first (gdalwarp -geoloc).",
                     CSLFetchNameValueDef(md, "X_DATASET", "X_DATASET"));
        if (!xav_domain_kept(names[k]) || md == NULL || *md == NULL ||
            CSLFindString(d->domains, names[k]) >= 0)
            continue;
        d->domains = CSLAddString(d->domains, names[k]);
        d->domain_metadata[n++] = CSLDuplicate(md);
    }
    CSLDestroy(names);
    if (n == 0) {
        CPLFree(d->domain_metadata);
        d->domain_metadata = NULL;
    }
}

int xav_describe_source(GDALDatasetH src, const xav_create_options *o,
                        xav_desc *d)
{
    source cs = {src, o, d};
    d->metadata = source_metadata(src);
    describe_domains(&cs);
    if (describe_variables(&cs) != 0 || describe_georef(&cs) != 0)
        return -1;
    record_encoder(&cs);
    return 0;
}
