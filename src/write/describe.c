/* describe: see describe.h. */
#include "describe.h"

#include <math.h>
#include <string.h>

#include "cpl_conv.h"
#include "cpl_error.h"
#include "cpl_string.h"
#include "ogr_srs_api.h"

#include "crs.h"
#include "encode.h"
#include "rat.h"

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

static char *variable_name(const source *cs, GDALRasterBandH band, int v)
{
    char **names = cs->opt->variable_names
                       ? CSLTokenizeString2(cs->opt->variable_names, ",", 0)
                       : NULL;
    const char *nc = GDALGetMetadataItem(band, "NETCDF_VARNAME", NULL);
    const char *grib = GDALGetMetadataItem(band, "GRIB_ELEMENT", NULL);
    const char *desc = GDALGetDescription(band);
    char *name;
    if (v < CSLCount(names))
        name = CPLStrdup(names[v]);
    else if (nc != NULL && *nc != '\0')
        name = CPLStrdup(nc);
    else if (grib != NULL && *grib != '\0')
        name = CPLStrdup(grib);
    else if (desc != NULL && *desc != '\0')
        name = CPLStrdup(desc);
    else
        name = CPLStrdup(CPLSPrintf("band_%d", v + 1));
    CSLDestroy(names);
    return name;
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

static int describe_variable(source *cs, int v)
{
    xav_variable *var = &cs->d->vars[v];
    GDALRasterBandH band = source_band(cs, v, 0);
    const char *units = GDALGetRasterUnitType(band);
    const char *desc = GDALGetDescription(band);
    int ok_off = 0, ok_scale = 0;
    var->name = variable_name(cs, band, v);
    var->type = GDALGetRasterDataType(band);
    if (GDALDataTypeIsComplex(var->type) || var->type == GDT_Unknown) {
        CPLError(CE_Failure, CPLE_NotSupported,
                 "XAVIDEO: band %d has data type %s, which cannot be stored; "
                 "convert it first (e.g. gdal_translate -ot Float32).",
                 xav_desc_band_index(cs->d, v, 0) + 1,
                 GDALGetDataTypeName(var->type));
        return -1;
    }
    var->nodata = GDALGetRasterNoDataValue(band, &var->has_nodata);
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
    var->lossless =
        cs->opt->lossless || var->color_count > 0 ||
        (var->rat_json != NULL &&
         GDALRATGetTableType(GDALGetDefaultRAT(band)) == GRTT_THEMATIC);
    return 0;
}

/* Per band, the metadata items that differ from its variable's. */
static void describe_band_metadata(source *cs)
{
    xav_desc *d = cs->d;
    int b, nbands = xav_desc_band_count(d), any = 0;
    d->band_metadata = (char ***)CPLCalloc(nbands + 1, sizeof(char **));
    for (b = 0; b < nbands; b++) {
        int v, t;
        char **md, **extra = NULL, **it;
        xav_desc_band_split(d, b, &v, &t);
        /* verbatim, the time item too: its text ("1096.485") is not always
         * what printing the number would give */
        md = source_metadata(GDALGetRasterBand(cs->src, b + 1));
        for (it = md; it != NULL && *it != NULL; it++)
            if (CSLFindString(d->vars[v].metadata, *it) < 0)
                extra = CSLAddString(extra, *it);
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
    d->vars = (xav_variable *)CPLCalloc(d->nvars, sizeof(xav_variable));
    for (v = 0; v < d->nvars; v++)
        if (describe_variable(cs, v) != 0)
            return -1;
    describe_band_metadata(cs);
    return 0;
}

int xav_describe_source(GDALDatasetH src, const xav_create_options *o,
                        xav_desc *d)
{
    source cs = {src, o, d};
    d->metadata = source_metadata(src);
    if (describe_variables(&cs) != 0 || describe_georef(&cs) != 0)
        return -1;
    record_encoder(&cs);
    return 0;
}
