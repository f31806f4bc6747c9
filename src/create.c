/*
 * create: CreateCopy. One linear path:
 *   options -> band model (variables x times) -> scan (valid range and
 *   invalid pixels of lossy variables) -> quantization and stream plan ->
 *   encode one time step at a time -> sidecar -> rename into place.
 * Output goes to temporary names first, so a failure or an interruption
 * leaves nothing behind.
 */
#include <math.h>
#include <string.h>

#include "cpl_conv.h"
#include "cpl_error.h"
#include "cpl_string.h"
#include "cpl_vsi.h"
#include "ogr_srs_api.h"

#include <libavcodec/avcodec.h>

#include "avlog.h"
#include "crs.h"
#include "encode.h"
#include "layout.h"
#include "metrics.h"
#include "model.h"
#include "options.h"
#include "quantize.h"
#include "rat.h"
#include "sidecar.h"
#include "timeaxis.h"
#include "verify.h"
#include "xavideo.h"

#define XAV_TEMP_SUFFIX ".xavpart"

/* What a copy holds while it runs; freed in one place. */
typedef struct {
    GDALDatasetH src;
    xav_create_options opt;
    xav_desc *d;
    int *bits;       /* per variable: code bits */
    int *lossless;   /* per variable */
    double **values; /* per variable: one frame as doubles (lossy/integer) */
    void **raw;      /* per variable: one frame in its type (XAV_QUANT_BITS) */
    uint8_t **mask;  /* per variable: XAV_MASK_* codes of one frame */
    uint16_t *planes[XAV_MAX_CHANNELS];
    int win_x, win_y, win_w, win_h; /* the window being worked on */
    uint8_t *valid;                 /* 0/1 validity of one tile, for fill */
    xav_verifier *verifier; /* measures lossy frames as they are coded */
} copy_state;

/* ---- band model -------------------------------------------------------- */

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
static int band_time_axis(copy_state *cs, const char *key, int nbands)
{
    xav_desc *d = cs->d;
    double *band_t = (double *)CPLMalloc(sizeof(double) * nbands);
    double *times = (double *)CPLMalloc(sizeof(double) * nbands);
    int b, t, n = 0, time_major = 1, var_major = 1;
    for (b = 0; b < nbands; b++) {
        const char *v =
            GDALGetMetadataItem(GDALGetRasterBand(cs->src, b + 1), key, NULL);
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

static int option_time_values(copy_state *cs)
{
    xav_desc *d = cs->d;
    char **items = CSLTokenizeString2(cs->opt.time_values, ",", 0);
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

/* Sets nvars, ntimes, order and the time axis: from the options if they
 * say, else from the source's netCDF or GRIB metadata, else every band is a
 * variable at one time. */
static int plan_band_model(copy_state *cs)
{
    xav_desc *d = cs->d;
    const xav_create_options *o = &cs->opt;
    const int nbands = GDALGetRasterCount(cs->src);
    const int n_values = o->time_values ? count_items(o->time_values) : 0;
    time_source ts;
    int i, from_source = 0;
    memset(&ts, 0, sizeof(ts));
    d->nvars = nbands;
    d->ntimes = 1;
    if (o->bands_per_time > 0) {
        if (nbands % o->bands_per_time != 0)
            return band_model_error(
                CPLSPrintf("BANDS_PER_TIME=%d does not divide the %d bands",
                           o->bands_per_time, nbands));
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
    } else if (o->layout == XAV_LAYOUT_AUTO && find_time_source(cs->src, &ts)) {
        from_source = band_time_axis(cs, ts.key, nbands) == 0;
    }
    if (o->time_values != NULL && option_time_values(cs) != 0) {
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

/* ---- variables --------------------------------------------------------- */

static GDALRasterBandH source_band(const copy_state *cs, int var, int time)
{
    return GDALGetRasterBand(cs->src,
                             xav_desc_band_index(cs->d, var, time) + 1);
}

static char *variable_name(const copy_state *cs, GDALRasterBandH band, int v)
{
    char **names = cs->opt.variable_names
                       ? CSLTokenizeString2(cs->opt.variable_names, ",", 0)
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

static int describe_variable(copy_state *cs, int v)
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
    var->metadata = CSLDuplicate(GDALGetMetadata(band, NULL));
    var->valid_min = INFINITY;
    var->valid_max = -INFINITY;
    /* classes are never approximated: palette or thematic table */
    cs->lossless[v] =
        cs->opt.lossless || var->color_count > 0 ||
        (var->rat_json != NULL &&
         GDALRATGetTableType(GDALGetDefaultRAT(band)) == GRTT_THEMATIC);
    return 0;
}

/* Per band, the metadata items that differ from its variable's. */
static void describe_band_metadata(copy_state *cs)
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
        md = CSLDuplicate(
            GDALGetMetadata(GDALGetRasterBand(cs->src, b + 1), NULL));
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

static int describe_georef(copy_state *cs)
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

/* ---- reading the source ------------------------------------------------ */

/* Works on tile k from now on: every buffer holds its window, so memory
 * follows the tile size, not the raster's. */
static void set_tile(copy_state *cs, int k)
{
    xav_desc_tile_rect(cs->d, k, &cs->win_x, &cs->win_y, &cs->win_w,
                       &cs->win_h);
}

static size_t win_pixels(const copy_state *cs)
{
    return (size_t)cs->win_w * cs->win_h;
}

static size_t block_pixels(const xav_desc *d)
{
    return (size_t)xav_desc_block_width(d) * xav_desc_block_height(d);
}

static int read_band(const copy_state *cs, GDALRasterBandH band, void *buf,
                     GDALDataType type)
{
    return GDALRasterIO(band, GF_Read, cs->win_x, cs->win_y, cs->win_w,
                        cs->win_h, buf, cs->win_w, cs->win_h, type, 0,
                        0) == CE_None
               ? 0
               : -1;
}

/* Mask codes of one lossy frame: invalid pixels are what the source's mask
 * says (nodata, alpha, per-dataset mask) plus non-finite values, which no
 * lossy code can carry. Returns the count of invalid pixels, or -1. */
static long read_validity(copy_state *cs, GDALRasterBandH band, int v)
{
    const size_t n = win_pixels(cs);
    const double *x = cs->values[v];
    uint8_t *m = cs->mask[v];
    long invalid = 0;
    size_t i;
    if (GDALGetMaskFlags(band) & GMF_ALL_VALID) {
        memset(m, XAV_MASK_VALID, n);
    } else if (read_band(cs, GDALGetMaskBand(band), m, GDT_Byte) != 0) {
        return -1;
    }
    for (i = 0; i < n; i++) {
        if (isnan(x[i]))
            m[i] = XAV_MASK_NAN;
        else if (isinf(x[i]))
            m[i] = x[i] > 0 ? XAV_MASK_POSINF : XAV_MASK_NEGINF;
        else if (m[i] == 0)
            m[i] = XAV_MASK_NODATA;
        else
            m[i] = XAV_MASK_VALID;
        invalid += m[i] != XAV_MASK_VALID;
    }
    return invalid;
}

/* Reads time t of variable v into the buffers its coding needs. */
static long read_frame(copy_state *cs, int v, int t)
{
    const xav_variable *var = &cs->d->vars[v];
    GDALRasterBandH band = source_band(cs, v, t);
    if (var->quant == XAV_QUANT_BITS)
        return read_band(cs, band, cs->raw[v], var->type);
    if (read_band(cs, band, cs->values[v], GDT_Float64) != 0)
        return -1;
    return cs->lossless[v] ? 0 : read_validity(cs, band, v);
}

static int report(GDALProgressFunc progress, void *data, double done)
{
    if (progress(done, NULL, data))
        return 0;
    CPLError(CE_Failure, CPLE_UserInterrupt,
             "XAVIDEO: CreateCopy interrupted by the user.");
    return -1;
}

/* Valid range and invalid pixels of the lossy variables, over all times. */
static int scan(copy_state *cs, GDALProgressFunc progress, void *pdata,
                double share)
{
    xav_desc *d = cs->d;
    const int ntiles = xav_desc_tile_count(d);
    int t, v, k;
    size_t i;
    for (t = 0; t < d->ntimes; t++) {
        for (k = 0; k < ntiles; k++) {
            set_tile(cs, k);
            for (v = 0; v < d->nvars; v++) {
                xav_variable *var = &d->vars[v];
                long invalid;
                if (cs->lossless[v])
                    continue;
                if ((invalid = read_frame(cs, v, t)) < 0)
                    return -1;
                var->has_mask |= invalid > 0;
                for (i = 0; i < win_pixels(cs); i++)
                    if (cs->mask[v][i] == XAV_MASK_VALID) {
                        var->valid_min = MIN(var->valid_min, cs->values[v][i]);
                        var->valid_max = MAX(var->valid_max, cs->values[v][i]);
                    }
            }
        }
        if (report(progress, pdata, share * (t + 1) / d->ntimes) != 0)
            return -1;
    }
    return 0;
}

/* ---- planning ---------------------------------------------------------- */

static int plan_variables(copy_state *cs)
{
    xav_desc *d = cs->d;
    const size_t n = block_pixels(d);
    int v;
    d->vars = (xav_variable *)CPLCalloc(d->nvars, sizeof(xav_variable));
    cs->bits = (int *)CPLCalloc(d->nvars, sizeof(int));
    cs->lossless = (int *)CPLCalloc(d->nvars, sizeof(int));
    cs->values = (double **)CPLCalloc(d->nvars, sizeof(double *));
    cs->raw = (void **)CPLCalloc(d->nvars, sizeof(void *));
    cs->mask = (uint8_t **)CPLCalloc(d->nvars, sizeof(uint8_t *));
    for (v = 0; v < d->nvars; v++) {
        if (describe_variable(cs, v) != 0)
            return -1;
        /* a tile of every variable: memory depends neither on time nor on
         * the raster's size */
        cs->values[v] = (double *)VSI_MALLOC2_VERBOSE(n, sizeof(double));
        cs->mask[v] = (uint8_t *)VSI_MALLOC_VERBOSE(n);
        if (cs->values[v] == NULL || cs->mask[v] == NULL)
            return -1;
    }
    describe_band_metadata(cs);
    cs->valid = (uint8_t *)VSI_MALLOC_VERBOSE(n);
    return cs->valid == NULL ? -1 : 0;
}

static int plan_max_error(xav_variable *var, double e)
{
    const double max_abs = MAX(fabs(var->valid_min), fabs(var->valid_max));
    var->max_error = e;
    var->corr_step = xav_correction_step(var->type, e, max_abs);
    if (var->corr_step > 0)
        return 0;
    CPLError(CE_Failure, CPLE_IllegalArg,
             "XAVIDEO: MAX_ERROR=%g is finer than %s can hold for %s, whose "
             "values reach %g; use LOSSLESS=YES.",
             e, GDALGetDataTypeName(var->type), var->name, max_abs);
    return -1;
}

static int plan_streams(copy_state *cs, const char *file)
{
    xav_desc *d = cs->d;
    int v;
    for (v = 0; v < d->nvars; v++) {
        xav_variable *var = &d->vars[v];
        int bits = cs->opt.bits ? cs->opt.bits : var->type == GDT_Byte ? 8 : 12;
        cs->bits[v] = xav_quant_plan(var, cs->lossless[v], bits);
        if (!cs->lossless[v] && cs->opt.max_error > 0 &&
            plan_max_error(var, cs->opt.max_error) != 0)
            return -1;
        if (var->quant == XAV_QUANT_BITS) {
            cs->raw[v] = VSI_MALLOC2_VERBOSE(
                block_pixels(d), GDALGetDataTypeSizeBytes(var->type));
            if (cs->raw[v] == NULL)
                return -1;
        }
    }
    return xav_layout_plan(d, &cs->opt, cs->bits, cs->lossless, file);
}

static void record_encoder(copy_state *cs)
{
    xav_desc *d = cs->d;
    d->encoder = CSLSetNameValue(d->encoder, "software", "xavideo 0.1.0");
    d->encoder = CSLSetNameValue(d->encoder, "libavcodec", LIBAVCODEC_IDENT);
    d->encoder =
        CSLSetNameValue(d->encoder, "gdal", GDALVersionInfo("RELEASE_NAME"));
    d->encoder = CSLSetNameValue(d->encoder, "lossless",
                                 cs->opt.lossless ? "yes" : "no");
}

/* ---- encoding ---------------------------------------------------------- */

static void fill_plane(copy_state *cs, const xav_stream *st, int c)
{
    const xav_variable *var = &cs->d->vars[st->var[c]];
    const size_t n = win_pixels(cs);
    size_t i;
    if (st->role == XAV_ROLE_MASK) {
        for (i = 0; i < n; i++)
            cs->planes[c][i] = cs->mask[st->var[c]][i];
    } else if (var->quant == XAV_QUANT_BITS) {
        xav_bits_encode_row(var->type, cs->raw[st->var[c]], n, st->word[c],
                            cs->planes[c]);
    } else {
        xav_quant_encode_row(var, st->bits, cs->values[st->var[c]], n,
                             cs->planes[c]);
    }
}

/* Reads tile k of every variable at time t, hands the lossy ones to the
 * verifier, fills their invalid pixels and codes the tile's streams. */
static int encode_tile(copy_state *cs, xav_writer *w, int k, int t)
{
    xav_desc *d = cs->d;
    int v, s, c;
    size_t i;
    set_tile(cs, k);
    for (v = 0; v < d->nvars; v++) {
        if (read_frame(cs, v, t) < 0)
            return -1;
        if (!cs->lossless[v])
            xav_verifier_push(cs->verifier, v, k, t, cs->values[v],
                              cs->mask[v]);
        if (d->vars[v].has_mask) {
            for (i = 0; i < win_pixels(cs); i++)
                cs->valid[i] = cs->mask[v][i] == XAV_MASK_VALID;
            xav_fill_invalid(cs->values[v], cs->valid, cs->win_w, cs->win_h);
        }
    }
    for (s = 0; s < d->nstreams; s++) {
        const xav_stream *st = &d->streams[s];
        if (st->tile != k || st->role == XAV_ROLE_CORRECTION)
            continue; /* corrections: the verifier writes them */
        for (c = 0; c < st->channels; c++)
            fill_plane(cs, st, c);
        if (xav_writer_put(w, s, (const uint16_t *const *)cs->planes) != 0)
            return -1;
    }
    return 0;
}

static int encode_time(copy_state *cs, xav_writer *w, int t)
{
    int k;
    for (k = 0; k < xav_desc_tile_count(cs->d); k++)
        if (encode_tile(cs, w, k, t) != 0)
            return -1;
    return 0;
}

/* Encodes time steps [0, ntimes) into path, measuring every lossy band
 * (d->psnr, d->max_abs_error). Reports progress from 0 to 1. */
static int encode_times(copy_state *cs, const char *path, int ntimes,
                        GDALProgressFunc pfn, void *pdata)
{
    xav_desc *d = cs->d;
    xav_writer *w;
    char *json;
    int s, t, c, rc = 0;
    /* the embedded copy names no file: its streams are in the file itself */
    char **files = (char **)CPLCalloc(d->nstreams, sizeof(char *));
    for (s = 0; s < d->nstreams; s++) {
        files[s] = d->streams[s].file;
        d->streams[s].file = CPLStrdup("");
    }
    json = xav_sidecar_to_json(d, 1);
    for (s = 0; s < d->nstreams; s++) {
        CPLFree(d->streams[s].file);
        d->streams[s].file = files[s];
    }
    CPLFree(files);
    xav_verifier_free(cs->verifier);
    cs->verifier = xav_verifier_new(d);
    w = xav_writer_open(path, d, json, xav_verifier_on_decoded, cs->verifier);
    CPLFree(json);
    if (w == NULL)
        return -1;
    xav_verifier_set_writer(cs->verifier, w);
    for (c = 0; c < XAV_MAX_CHANNELS && cs->planes[c] == NULL; c++)
        cs->planes[c] =
            (uint16_t *)CPLMalloc(block_pixels(d) * sizeof(uint16_t));
    for (t = 0; t < ntimes && rc == 0; t++) {
        rc = encode_time(cs, w, t);
        if (rc == 0)
            rc = report(pfn, pdata, 0.999 * (t + 1) / ntimes);
    }
    if (rc != 0) {
        xav_writer_free(w);
        return -1;
    }
    if (xav_writer_finish(w) != 0)
        return -1;
    return xav_verifier_finish(cs->verifier);
}

/* Same, with progress mapped to [from, to] of the caller's. */
static int encode_scaled(copy_state *cs, const char *path, int ntimes,
                         double from, double to, GDALProgressFunc pfn,
                         void *pdata)
{
    void *scaled = GDALCreateScaledProgress(from, to, pfn, pdata);
    int rc = encode_times(cs, path, ntimes, GDALScaledProgress, scaled);
    GDALDestroyScaledProgress(scaled);
    return rc;
}

/* ---- TARGET_PSNR ------------------------------------------------------- */

/* Time steps the CRF search encodes: enough GOPs to see temporal
 * prediction at work, few enough to cost a fraction of the real encode. */
#define XAV_TARGET_PROBE_TIMES 32

static int is_lossy_data(const xav_stream *st)
{
    return st->role == XAV_ROLE_DATA && !st->lossless;
}

/* The lowest PSNR among stream s's bands of the first ntimes steps. */
static double worst_psnr(const xav_desc *d, int s, int ntimes)
{
    const xav_stream *st = &d->streams[s];
    double worst = INFINITY;
    int c, t;
    for (c = 0; c < st->channels; c++)
        for (t = 0; t < ntimes; t++)
            worst = MIN(worst, d->psnr[xav_desc_band_index(d, st->var[c], t)]);
    return worst;
}

/* Per lossy stream, the largest CRF whose worst band reaches the target on
 * the first time steps: a binary search of every stream at once, one probe
 * encode (to /vsimem/) per step. */
static int search_crf(copy_state *cs, const char *probe, double from, double to,
                      GDALProgressFunc pfn, void *pdata)
{
    xav_desc *d = cs->d;
    const int ntimes = MIN(d->ntimes, XAV_TARGET_PROBE_TIMES), runs = 6;
    int *lo = (int *)CPLCalloc(d->nstreams, sizeof(int));
    int *hi = (int *)CPLCalloc(d->nstreams, sizeof(int));
    int s, run, rc = 0;
    for (s = 0; s < d->nstreams; s++)
        hi[s] = is_lossy_data(&d->streams[s]) ? XAV_CRF_MAX(d->streams[s].codec)
                                              : 0;
    for (run = 0; rc == 0; run++) {
        int busy = 0;
        for (s = 0; s < d->nstreams; s++)
            if (lo[s] < hi[s]) {
                d->streams[s].crf = (lo[s] + hi[s] + 1) / 2;
                busy = 1;
            }
        if (!busy)
            break;
        rc = encode_scaled(
            cs, probe, ntimes, from + (to - from) * MIN(run, runs - 1) / runs,
            from + (to - from) * MIN(run + 1, runs) / runs, pfn, pdata);
        VSIUnlink(probe);
        for (s = 0; s < d->nstreams && rc == 0; s++) {
            if (lo[s] >= hi[s])
                continue;
            if (worst_psnr(d, s, ntimes) >= cs->opt.target_psnr)
                lo[s] = d->streams[s].crf;
            else
                hi[s] = d->streams[s].crf - 1;
        }
    }
    for (s = 0; s < d->nstreams; s++)
        if (is_lossy_data(&d->streams[s]))
            d->streams[s].crf = lo[s];
    CPLFree(lo);
    CPLFree(hi);
    return rc;
}

/* Lowers the CRF of the streams that missed the target on the whole cube.
 * Returns 1 if any was lowered, 0 if none missed, -1 if one cannot go
 * lower. */
static int lower_missed(copy_state *cs)
{
    xav_desc *d = cs->d;
    int s, lowered = 0;
    for (s = 0; s < d->nstreams; s++) {
        double worst;
        if (!is_lossy_data(&d->streams[s]) ||
            (worst = worst_psnr(d, s, d->ntimes)) >= cs->opt.target_psnr)
            continue;
        if (d->streams[s].qp == 0) {
            CPLError(CE_Failure, CPLE_AppDefined,
                     "XAVIDEO: TARGET_PSNR=%g is out of reach of x265 at %d "
                     "bits (a band of stream %d gets %.2f dB at QP 0, its "
                     "best); use MAX_ERROR or LOSSLESS=YES.",
                     cs->opt.target_psnr, d->streams[s].bits, s, worst);
            return -1;
        }
        /* past CRF 0, constant QP 0 is x265's last rung */
        if (d->streams[s].crf == 0 && d->streams[s].codec == XAV_CODEC_X265)
            d->streams[s].qp = 0;
        else if (d->streams[s].crf == 0)
            d->streams[s].qp = 0, d->streams[s].crf = -1; /* fails next */
        d->streams[s].crf = MAX(0, d->streams[s].crf - 2);
        lowered = 1;
    }
    return lowered;
}

/* The real encode; with TARGET_PSNR, again with lower CRFs where a band of
 * the whole cube fell short of what the probe promised. */
static int encode_all(copy_state *cs, const char *path, double from,
                      GDALProgressFunc pfn, void *pdata)
{
    double to = cs->opt.target_psnr > 0 ? from + (1 - from) * 0.8 : 1;
    int attempt, more;
    for (attempt = 0;; attempt++) {
        if (encode_scaled(cs, path, cs->d->ntimes, from, to, pfn, pdata) != 0)
            return -1;
        if (cs->opt.target_psnr <= 0 || (more = lower_missed(cs)) == 0)
            return 0;
        if (more < 0)
            return -1;
        from = to;
        to = from + (1 - from) / 2;
    }
}

/* ---- the copy ---------------------------------------------------------- */

static void free_state(copy_state *cs)
{
    int v, c;
    for (v = 0; cs->d != NULL && cs->values != NULL && v < cs->d->nvars; v++) {
        VSIFree(cs->values[v]);
        VSIFree(cs->raw[v]);
        VSIFree(cs->mask[v]);
    }
    for (c = 0; c < XAV_MAX_CHANNELS; c++)
        CPLFree(cs->planes[c]);
    CPLFree(cs->values);
    CPLFree(cs->raw);
    CPLFree(cs->mask);
    xav_verifier_free(cs->verifier);
    VSIFree(cs->valid);
    CPLFree(cs->bits);
    CPLFree(cs->lossless);
    xav_desc_free(cs->d);
}

static int check_source(GDALDatasetH src)
{
    if (GDALGetRasterCount(src) < 1) {
        CPLError(CE_Failure, CPLE_NotSupported,
                 "XAVIDEO: the source has no raster band.");
        return -1;
    }
    return 0;
}

/* Frames wider or higher than this are tiled whatever the options say:
 * HEVC level 6.2's limit, and more than a 512 x 512 window should decode. */
#define XAV_MAX_FRAME_SIZE 8192
#define XAV_AUTO_TILE_SIZE 1024

static int plan_tiles(copy_state *cs)
{
    xav_desc *d = cs->d;
    int size = cs->opt.tile_size;
    if (size > XAV_MAX_FRAME_SIZE) {
        CPLError(CE_Failure, CPLE_IllegalArg,
                 "XAVIDEO: TILE_SIZE=%d is larger than the codecs take (%d).",
                 size, XAV_MAX_FRAME_SIZE);
        return -1;
    }
    if (size == 0 &&
        (d->width > XAV_MAX_FRAME_SIZE || d->height > XAV_MAX_FRAME_SIZE))
        size = XAV_AUTO_TILE_SIZE;
    d->tile_width = d->tile_height = size;
    set_tile(cs, 0);
    return 0;
}

/* Every stream of a file is encoded at once (frames interleave by time),
 * so the tile count is bounded by encoder memory: an x265 instance holds
 * its lookahead, an FFV1 one little. Beyond these, a later version writes
 * tiles to separate files, one after the other or in parallel. */
#define XAV_MAX_LOSSY_TILES 64
#define XAV_MAX_LOSSLESS_TILES 1024

static int check_tile_count(const copy_state *cs)
{
    const int ntiles = xav_desc_tile_count(cs->d);
    int v, lossy = 0;
    for (v = 0; v < cs->d->nvars; v++)
        lossy |= !cs->lossless[v];
    if (ntiles <= (lossy ? XAV_MAX_LOSSY_TILES : XAV_MAX_LOSSLESS_TILES))
        return 0;
    CPLError(CE_Failure, CPLE_NotSupported,
             "XAVIDEO: %d tiles of %dx%d are more than this version encodes "
             "in one pass (%d lossy, %d lossless); use a larger TILE_SIZE, "
             "or encode pieces with -srcwin.",
             ntiles, xav_desc_block_width(cs->d), xav_desc_block_height(cs->d),
             XAV_MAX_LOSSY_TILES, XAV_MAX_LOSSLESS_TILES);
    return -1;
}

static int plan(copy_state *cs)
{
    xav_desc *d = cs->d;
    d->width = GDALGetRasterXSize(cs->src);
    d->height = GDALGetRasterYSize(cs->src);
    if (plan_tiles(cs) != 0)
        return -1;
    if (plan_band_model(cs) != 0)
        return -1;
    plan_time_iso(d);
    d->metadata = CSLDuplicate(GDALGetMetadata(cs->src, NULL));
    if (plan_variables(cs) != 0 || check_tile_count(cs) != 0 ||
        describe_georef(cs) != 0)
        return -1;
    record_encoder(cs);
    return 0;
}

int xav_create_copy(const char *filename, GDALDatasetH src,
                    CSLConstList options, GDALProgressFunc progress,
                    void *progress_data)
{
    copy_state cs;
    char *tmp_video = CPLStrdup(CPLSPrintf("%s" XAV_TEMP_SUFFIX, filename));
    char *sidecar = CPLStrdup(CPLSPrintf("%s" XAV_SIDECAR_SUFFIX, filename));
    char *tmp_sidecar = CPLStrdup(CPLSPrintf("%s" XAV_TEMP_SUFFIX, sidecar));
    char *probe = CPLStrdup(CPLSPrintf("/vsimem/xavideo_probe_%p.mkv", &cs));
    double scan_share, search_share;
    int v, rc = -1;

    xav_route_ffmpeg_log();
    memset(&cs, 0, sizeof(cs));
    cs.src = src;
    if (progress == NULL)
        progress = GDALDummyProgress;
    if (check_source(src) != 0 ||
        xav_parse_create_options(options, &cs.opt) != 0)
        goto done;
    cs.d = xav_desc_new();
    if (plan(&cs) != 0)
        goto done;
    scan_share = 0;
    for (v = 0; v < cs.d->nvars; v++)
        scan_share = cs.lossless[v] ? scan_share : 0.3;
    search_share = cs.opt.target_psnr > 0 ? scan_share + 0.3 : scan_share;
    if (scan(&cs, progress, progress_data, scan_share) != 0 ||
        plan_streams(&cs, CPLGetFilename(filename)) != 0 ||
        xav_desc_validate(cs.d) != 0 ||
        (cs.opt.target_psnr > 0 &&
         search_crf(&cs, probe, scan_share, search_share, progress,
                    progress_data) != 0) ||
        encode_all(&cs, tmp_video, search_share, progress, progress_data) !=
            0 ||
        xav_sidecar_write(cs.d, tmp_sidecar) != 0 ||
        report(progress, progress_data, 1.0) != 0)
        goto done;
    if (VSIRename(tmp_video, filename) != 0 ||
        VSIRename(tmp_sidecar, sidecar) != 0) {
        CPLError(CE_Failure, CPLE_FileIO,
                 "XAVIDEO: cannot move the output into place as %s.", filename);
        VSIUnlink(filename);
        goto done;
    }
    rc = 0;
done:
    if (rc != 0) {
        VSIUnlink(tmp_video);
        VSIUnlink(tmp_sidecar);
    }
    free_state(&cs);
    CPLFree(tmp_video);
    CPLFree(tmp_sidecar);
    CPLFree(sidecar);
    VSIUnlink(probe);
    CPLFree(probe);
    return rc;
}
