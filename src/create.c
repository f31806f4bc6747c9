/*
 * create: CreateCopy. One linear path:
 *   options -> band model (variables x times) -> scan (valid range and
 *   invalid pixels of lossy variables) -> quantization and stream plan ->
 *   encode tile by tile, each tile's file from the first time step to the
 *   last, on NUM_THREADS threads -> sidecar -> rename into place.
 * Output goes to temporary names first, so a failure or an interruption
 * leaves nothing behind.
 */
#include <math.h>
#include <string.h>

#include "cpl_conv.h"
#include "cpl_error.h"
#include "cpl_multiproc.h"
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

/* What a copy holds while it runs; freed in one place. While tiles are
 * encoded, worker threads share it read-only, except the coding settings of
 * their own tile's streams and the source, which src_lock guards. */
typedef struct {
    GDALDatasetH src;
    CPLMutex *src_lock; /* GDAL datasets are not thread-safe */
    xav_create_options opt;
    xav_desc *d;
    int *bits;           /* per variable: code bits */
    int *lossless;       /* per variable */
    char *embedded_json; /* the description tile 0's file carries */
    char **tile_paths;   /* per tile: the file's final path */
    char **tile_temps;   /* per tile: where it is written first */
    int moved;           /* tile files already moved into place */
} copy_state;

/* The buffers of one tile's window: one set per thread, so memory follows
 * the tile size and the thread count, not the raster's size. */
typedef struct {
    int x, y, w, h;  /* the window */
    double **values; /* per variable: one frame as doubles (lossy/integer) */
    void **raw;      /* per variable: one frame in its type (XAV_QUANT_BITS) */
    uint8_t **mask;  /* per variable: XAV_MASK_* codes of one frame */
    uint16_t *planes[XAV_MAX_CHANNELS];
    uint8_t *valid; /* 0/1 validity, for the fill */
} window;

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

static size_t block_pixels(const xav_desc *d)
{
    return (size_t)xav_desc_block_width(d) * xav_desc_block_height(d);
}

static void window_free(const xav_desc *d, window *win)
{
    int v, c;
    for (v = 0; win->values != NULL && v < d->nvars; v++) {
        VSIFree(win->values[v]);
        VSIFree(win->raw[v]);
        VSIFree(win->mask[v]);
    }
    for (c = 0; c < XAV_MAX_CHANNELS; c++)
        VSIFree(win->planes[c]);
    CPLFree(win->values);
    CPLFree(win->raw);
    CPLFree(win->mask);
    VSIFree(win->valid);
    memset(win, 0, sizeof(*win));
}

/* Buffers for a tile of every variable (raw ones for the variables already
 * planned as XAV_QUANT_BITS). Returns 0, or -1 with a CPLError. */
static int window_alloc(const xav_desc *d, window *win)
{
    const size_t n = block_pixels(d);
    int v, c, ok = 1;
    memset(win, 0, sizeof(*win));
    win->values = (double **)CPLCalloc(d->nvars, sizeof(double *));
    win->raw = (void **)CPLCalloc(d->nvars, sizeof(void *));
    win->mask = (uint8_t **)CPLCalloc(d->nvars, sizeof(uint8_t *));
    for (v = 0; v < d->nvars && ok; v++) {
        win->values[v] = (double *)VSI_MALLOC2_VERBOSE(n, sizeof(double));
        win->mask[v] = (uint8_t *)VSI_MALLOC_VERBOSE(n);
        if (d->vars[v].quant == XAV_QUANT_BITS)
            ok = (win->raw[v] = VSI_MALLOC2_VERBOSE(
                      n, GDALGetDataTypeSizeBytes(d->vars[v].type))) != NULL;
        ok &= win->values[v] != NULL && win->mask[v] != NULL;
    }
    for (c = 0; c < XAV_MAX_CHANNELS && ok; c++)
        ok = (win->planes[c] =
                  (uint16_t *)VSI_MALLOC2_VERBOSE(n, sizeof(uint16_t))) != NULL;
    ok = ok && (win->valid = (uint8_t *)VSI_MALLOC_VERBOSE(n)) != NULL;
    if (!ok)
        window_free(d, win);
    return ok ? 0 : -1;
}

static void window_set_tile(const xav_desc *d, window *win, int k)
{
    xav_desc_tile_rect(d, k, &win->x, &win->y, &win->w, &win->h);
}

static size_t win_pixels(const window *win)
{
    return (size_t)win->w * win->h;
}

static int read_band(const window *win, GDALRasterBandH band, void *buf,
                     GDALDataType type)
{
    return GDALRasterIO(band, GF_Read, win->x, win->y, win->w, win->h, buf,
                        win->w, win->h, type, 0, 0) == CE_None
               ? 0
               : -1;
}

/* Mask codes of one lossy frame: invalid pixels are what the source's mask
 * says (nodata, alpha, per-dataset mask) plus non-finite values, which no
 * lossy code can carry. Returns the count of invalid pixels, or -1. */
static long read_validity(window *win, GDALRasterBandH band, int v)
{
    const size_t n = win_pixels(win);
    const double *x = win->values[v];
    uint8_t *m = win->mask[v];
    long invalid = 0;
    size_t i;
    if (GDALGetMaskFlags(band) & GMF_ALL_VALID) {
        memset(m, XAV_MASK_VALID, n);
    } else if (read_band(win, GDALGetMaskBand(band), m, GDT_Byte) != 0) {
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

/* Reads time t of variable v in the window into the buffers its coding
 * needs; one thread at a time. Returns the invalid pixels, or -1. */
static long read_frame(const copy_state *cs, window *win, int v, int t)
{
    const xav_variable *var = &cs->d->vars[v];
    GDALRasterBandH band = source_band(cs, v, t);
    long rc;
    CPLAcquireMutex(cs->src_lock, 1000.0);
    if (var->quant == XAV_QUANT_BITS)
        rc = read_band(win, band, win->raw[v], var->type);
    else if ((rc = read_band(win, band, win->values[v], GDT_Float64)) == 0 &&
             !cs->lossless[v])
        rc = read_validity(win, band, v);
    CPLReleaseMutex(cs->src_lock);
    return rc;
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
static int scan_window(copy_state *cs, window *win, int t)
{
    xav_desc *d = cs->d;
    int v;
    size_t i;
    for (v = 0; v < d->nvars; v++) {
        xav_variable *var = &d->vars[v];
        long invalid;
        if (cs->lossless[v])
            continue;
        if ((invalid = read_frame(cs, win, v, t)) < 0)
            return -1;
        var->has_mask |= invalid > 0;
        for (i = 0; i < win_pixels(win); i++)
            if (win->mask[v][i] == XAV_MASK_VALID) {
                var->valid_min = MIN(var->valid_min, win->values[v][i]);
                var->valid_max = MAX(var->valid_max, win->values[v][i]);
            }
    }
    return 0;
}

static int scan(copy_state *cs, GDALProgressFunc progress, void *pdata,
                double share)
{
    xav_desc *d = cs->d;
    window win;
    int t, k, rc = window_alloc(d, &win);
    for (t = 0; t < d->ntimes && rc == 0; t++) {
        for (k = 0; k < xav_desc_tile_count(d) && rc == 0; k++) {
            window_set_tile(d, &win, k);
            rc = scan_window(cs, &win, t);
        }
        if (rc == 0)
            rc = report(progress, pdata, share * (t + 1) / d->ntimes);
    }
    window_free(d, &win);
    return rc;
}

/* VALID_RANGE replaces the lossy variables' own range, so that pieces of a
 * dataset encoded apart are quantized alike; it must hold their values. */
static int apply_valid_range(copy_state *cs)
{
    xav_desc *d = cs->d;
    double *lo, *hi;
    int v, rc;
    if (cs->opt.valid_range == NULL)
        return 0;
    lo = (double *)CPLMalloc(d->nvars * sizeof(double));
    hi = (double *)CPLMalloc(d->nvars * sizeof(double));
    rc = xav_parse_valid_range(cs->opt.valid_range, d->nvars, lo, hi);
    for (v = 0; v < d->nvars && rc == 0; v++) {
        xav_variable *var = &d->vars[v];
        if (cs->lossless[v])
            continue;
        if (var->valid_min < lo[v] || var->valid_max > hi[v]) {
            CPLError(CE_Failure, CPLE_IllegalArg,
                     "XAVIDEO: VALID_RANGE=%s does not hold the values of "
                     "%s (%g to %g).",
                     cs->opt.valid_range, var->name, var->valid_min,
                     var->valid_max);
            rc = -1;
        }
        var->valid_min = lo[v];
        var->valid_max = hi[v];
    }
    CPLFree(lo);
    CPLFree(hi);
    return rc;
}

/* ---- planning ---------------------------------------------------------- */

static char *temp_name(const char *path)
{
    return CPLStrdup(CPLSPrintf("%s" XAV_TEMP_SUFFIX, path));
}

static int plan_variables(copy_state *cs)
{
    xav_desc *d = cs->d;
    int v;
    d->vars = (xav_variable *)CPLCalloc(d->nvars, sizeof(xav_variable));
    cs->bits = (int *)CPLCalloc(d->nvars, sizeof(int));
    cs->lossless = (int *)CPLCalloc(d->nvars, sizeof(int));
    for (v = 0; v < d->nvars; v++)
        if (describe_variable(cs, v) != 0)
            return -1;
    describe_band_metadata(cs);
    return 0;
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

/* Quantization and streams; then where each tile's file goes and the
 * description tile 0's file embeds (its streams in "", the file itself). */
static int plan_streams(copy_state *cs, const char *filename)
{
    xav_desc *d = cs->d;
    const int ntiles = xav_desc_tile_count(d);
    char **files;
    int v, s, k;
    for (v = 0; v < d->nvars; v++) {
        xav_variable *var = &d->vars[v];
        int bits = cs->opt.bits ? cs->opt.bits : var->type == GDT_Byte ? 8 : 12;
        cs->bits[v] = xav_quant_plan(var, cs->lossless[v], bits);
        if (!cs->lossless[v] && cs->opt.max_error > 0 &&
            plan_max_error(var, cs->opt.max_error) != 0)
            return -1;
    }
    if (xav_layout_plan(d, &cs->opt, cs->bits, cs->lossless,
                        CPLGetFilename(filename)) != 0)
        return -1;
    cs->tile_paths = (char **)CPLCalloc(ntiles + 1, sizeof(char *));
    cs->tile_temps = (char **)CPLCalloc(ntiles + 1, sizeof(char *));
    for (k = 0; k < ntiles; k++) {
        cs->tile_paths[k] = CPLStrdup(
            CPLFormFilename(CPLGetPath(filename),
                            d->streams[k * (d->nstreams / ntiles)].file, NULL));
        cs->tile_temps[k] = temp_name(cs->tile_paths[k]);
    }
    /* the embedded copy names its own file "" */
    files = (char **)CPLCalloc(d->nstreams, sizeof(char *));
    for (s = 0; s < d->nstreams; s++) {
        files[s] = d->streams[s].file;
        d->streams[s].file =
            CPLStrdup(strcmp(files[s], files[0]) == 0 ? "" : files[s]);
    }
    cs->embedded_json = xav_sidecar_to_json(d, 1);
    for (s = 0; s < d->nstreams; s++) {
        CPLFree(d->streams[s].file);
        d->streams[s].file = files[s];
    }
    CPLFree(files);
    return 0;
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

/* ---- encoding one tile ------------------------------------------------- */

/* Tiles are handed to worker threads; each encodes its tile's file from
 * the first time step to the last, with only that tile's encoders open.
 * The calling thread reports progress (GDAL progress functions are not
 * thread-safe) and re-emits the workers' errors, which go to a handler of
 * their own (an error in another thread would not reach the caller's
 * handler). */
typedef struct {
    copy_state *cs;
    CPLMutex *lock;      /* guards everything below */
    int next_tile;       /* the next tile to take */
    int running;         /* workers that have not returned */
    double *done;        /* per tile: fraction encoded */
    xav_error_sum *sums; /* per band, over the tiles finished */
    int stop;            /* a tile failed or the user interrupted */
    int interrupted;
    CPLErrorNum error_no; /* the first failure */
    char *error;
    char **warnings;
} encode_pool;

typedef struct {
    encode_pool *pool;
    int tile;
    int first, count; /* the tile's streams */
} tile_job;

/* Records the tile's progress; returns -1 if the copy is to stop. */
static int job_progress(const tile_job *job, double fraction)
{
    encode_pool *p = job->pool;
    int stop;
    CPLAcquireMutex(p->lock, 1000.0);
    p->done[job->tile] = fraction;
    stop = p->stop;
    CPLReleaseMutex(p->lock);
    return stop ? -1 : 0;
}

static void fill_plane(const xav_desc *d, window *win, const xav_stream *st,
                       int c)
{
    const xav_variable *var = &d->vars[st->var[c]];
    const size_t n = win_pixels(win);
    size_t i;
    if (st->role == XAV_ROLE_MASK) {
        for (i = 0; i < n; i++)
            win->planes[c][i] = win->mask[st->var[c]][i];
    } else if (var->quant == XAV_QUANT_BITS) {
        xav_bits_encode_row(var->type, win->raw[st->var[c]], n, st->word[c],
                            win->planes[c]);
    } else {
        xav_quant_encode_row(var, st->bits, win->values[st->var[c]], n,
                             win->planes[c]);
    }
}

/* Reads the job's tile of every variable at time t, hands the lossy ones to
 * the verifier, fills their invalid pixels and codes the tile's streams. */
static int encode_frame(const tile_job *job, window *win, xav_writer *w,
                        xav_verifier *vf, int t)
{
    const copy_state *cs = job->pool->cs;
    const xav_desc *d = cs->d;
    int v, s, c;
    size_t i;
    for (v = 0; v < d->nvars; v++) {
        if (read_frame(cs, win, v, t) < 0)
            return -1;
        if (!cs->lossless[v])
            xav_verifier_push(vf, v, t, win->values[v], win->mask[v]);
        if (d->vars[v].has_mask) {
            for (i = 0; i < win_pixels(win); i++)
                win->valid[i] = win->mask[v][i] == XAV_MASK_VALID;
            xav_fill_invalid(win->values[v], win->valid, win->w, win->h);
        }
    }
    for (s = job->first; s < job->first + job->count; s++) {
        const xav_stream *st = &d->streams[s];
        if (st->role == XAV_ROLE_CORRECTION)
            continue; /* the verifier writes them */
        for (c = 0; c < st->channels; c++)
            fill_plane(d, win, st, c);
        if (xav_writer_put(w, s, (const uint16_t *const *)win->planes) != 0)
            return -1;
    }
    return 0;
}

/* Encodes time steps [0, ntimes) of the job's tile into path, its progress
 * going from..to. Returns the verifier, which holds the tile's error sums,
 * or NULL (with a CPLError unless the copy was stopped). */
static xav_verifier *encode_tile(const tile_job *job, window *win,
                                 const char *path, int ntimes, double from,
                                 double to)
{
    const copy_state *cs = job->pool->cs;
    xav_verifier *vf = xav_verifier_new(cs->d, job->tile);
    xav_writer *w = xav_writer_open(path, cs->d, job->first, job->count,
                                    job->tile == 0 ? cs->embedded_json : NULL,
                                    xav_verifier_on_decoded, vf);
    int t, rc = w == NULL ? -1 : 0;
    if (w != NULL)
        xav_verifier_set_writer(vf, w);
    for (t = 0; t < ntimes && rc == 0; t++) {
        rc = encode_frame(job, win, w, vf, t);
        if (rc == 0)
            rc = job_progress(job, from + (to - from) * (t + 1) / ntimes);
    }
    if (rc == 0)
        rc = xav_writer_finish(w);
    else
        xav_writer_free(w);
    if (rc == 0)
        rc = xav_verifier_check(vf);
    if (rc != 0) {
        xav_verifier_free(vf);
        return NULL;
    }
    return vf;
}

/* ---- TARGET_PSNR ------------------------------------------------------- */

/* Time steps the CRF search encodes: enough GOPs to see temporal
 * prediction at work, few enough to cost a fraction of the real encode. */
#define XAV_TARGET_PROBE_TIMES 32
/* Binary search steps: CRF 0-51 (x265) or 0-63 (AV1) in six. */
#define XAV_TARGET_RUNS 6

static int is_lossy_data(const xav_stream *st)
{
    return st->role == XAV_ROLE_DATA && !st->lossless;
}

/* The lowest PSNR among stream s's bands of the first ntimes steps. */
static double worst_psnr(const xav_desc *d, int s, int ntimes,
                         const xav_error_sum *sums)
{
    const xav_stream *st = &d->streams[s];
    double worst = INFINITY;
    int c, t;
    for (c = 0; c < st->channels; c++)
        for (t = 0; t < ntimes; t++) {
            const int b = xav_desc_band_index(d, st->var[c], t);
            worst = MIN(worst, xav_band_psnr(d, b, &sums[b]));
        }
    return worst;
}

/* Per lossy stream of the tile, the largest CRF whose worst band reaches
 * the target on the first time steps: a binary search of every stream at
 * once, one probe encode (to /vsimem/) per step. */
static int search_crf(const tile_job *job, window *win, double share)
{
    copy_state *cs = job->pool->cs;
    xav_desc *d = cs->d;
    const int ntimes = MIN(d->ntimes, XAV_TARGET_PROBE_TIMES);
    char *probe = CPLStrdup(
        CPLSPrintf("/vsimem/xavideo_probe_%p_%d.mkv", (void *)job, job->tile));
    int *lo = (int *)CPLCalloc(job->count, sizeof(int));
    int *hi = (int *)CPLCalloc(job->count, sizeof(int));
    int i, run, rc = 0;
    for (i = 0; i < job->count; i++) {
        const xav_stream *st = &d->streams[job->first + i];
        hi[i] = is_lossy_data(st) ? XAV_CRF_MAX(st->codec) : 0;
    }
    for (run = 0; rc == 0; run++) {
        const int r = MIN(run, XAV_TARGET_RUNS - 1);
        xav_verifier *vf;
        int busy = 0;
        for (i = 0; i < job->count; i++)
            if (lo[i] < hi[i]) {
                d->streams[job->first + i].crf = (lo[i] + hi[i] + 1) / 2;
                busy = 1;
            }
        if (!busy)
            break;
        vf = encode_tile(job, win, probe, ntimes, share * r / XAV_TARGET_RUNS,
                         share * (r + 1) / XAV_TARGET_RUNS);
        VSIUnlink(probe);
        rc = vf == NULL ? -1 : 0;
        for (i = 0; i < job->count && rc == 0; i++) {
            const int s = job->first + i;
            if (lo[i] >= hi[i])
                continue;
            if (worst_psnr(d, s, ntimes, xav_verifier_sums(vf)) >=
                cs->opt.target_psnr)
                lo[i] = d->streams[s].crf;
            else
                hi[i] = d->streams[s].crf - 1;
        }
        xav_verifier_free(vf);
    }
    for (i = 0; i < job->count; i++)
        if (is_lossy_data(&d->streams[job->first + i]))
            d->streams[job->first + i].crf = lo[i];
    CPLFree(lo);
    CPLFree(hi);
    CPLFree(probe);
    return rc;
}

/* Lowers the CRF of the tile's streams that missed the target on the whole
 * cube. Returns 1 if any was lowered, 0 if none missed, -1 if one cannot
 * go lower. */
static int lower_missed(const tile_job *job, const xav_error_sum *sums)
{
    copy_state *cs = job->pool->cs;
    xav_desc *d = cs->d;
    int s, lowered = 0;
    for (s = job->first; s < job->first + job->count; s++) {
        xav_stream *st = &d->streams[s];
        double worst;
        if (!is_lossy_data(st) ||
            (worst = worst_psnr(d, s, d->ntimes, sums)) >= cs->opt.target_psnr)
            continue;
        if (st->qp == 0) {
            CPLError(CE_Failure, CPLE_AppDefined,
                     "XAVIDEO: TARGET_PSNR=%g is out of reach of x265 at %d "
                     "bits (a band of stream %d gets %.2f dB at QP 0, its "
                     "best); use MAX_ERROR or LOSSLESS=YES.",
                     cs->opt.target_psnr, st->bits, s, worst);
            return -1;
        }
        /* past CRF 0, constant QP 0 is x265's last rung */
        if (st->crf == 0 && st->codec == XAV_CODEC_X265)
            st->qp = 0;
        else if (st->crf == 0)
            st->qp = 0, st->crf = -1; /* fails next */
        st->crf = MAX(0, st->crf - 2);
        lowered = 1;
    }
    return lowered;
}

/* The tile's real encode; with TARGET_PSNR, after the CRF search, and again
 * with lower CRFs where a band of the whole cube fell short of what the
 * probe promised. Adds the tile's error sums to the pool's. */
static int encode_tile_job(const tile_job *job, window *win)
{
    encode_pool *p = job->pool;
    const copy_state *cs = p->cs;
    const int target = cs->opt.target_psnr > 0;
    double from = target ? 0.3 : 0, to;
    xav_verifier *vf = NULL;
    int b, more;
    window_set_tile(cs->d, win, job->tile);
    if (target && search_crf(job, win, from) != 0)
        return -1;
    for (;;) {
        to = target ? from + (1 - from) * 0.8 : 1;
        vf = encode_tile(job, win, cs->tile_temps[job->tile], cs->d->ntimes,
                         from, to);
        if (vf == NULL)
            return -1;
        if (!target || (more = lower_missed(job, xav_verifier_sums(vf))) == 0)
            break;
        xav_verifier_free(vf);
        if (more < 0)
            return -1;
        from = to;
    }
    CPLAcquireMutex(p->lock, 1000.0);
    for (b = 0; b < xav_desc_band_count(cs->d); b++)
        xav_error_sum_add(&p->sums[b], &xav_verifier_sums(vf)[b]);
    p->done[job->tile] = 1;
    CPLReleaseMutex(p->lock);
    xav_verifier_free(vf);
    return 0;
}

/* ---- the worker pool --------------------------------------------------- */

/* A worker's error handler: keeps the first failure and the warnings for
 * the calling thread, and stops the other workers at a failure. */
static void CPL_STDCALL pool_error(CPLErr cls, CPLErrorNum no, const char *msg)
{
    encode_pool *p = (encode_pool *)CPLGetErrorHandlerUserData();
    if (cls == CE_Debug) {
        CPLDefaultErrorHandler(cls, no, msg);
        return;
    }
    CPLAcquireMutex(p->lock, 1000.0);
    if (cls == CE_Warning) {
        p->warnings = CSLAddString(p->warnings, msg);
    } else if (p->error == NULL) {
        p->error = CPLStrdup(msg);
        p->error_no = no;
        p->stop = 1;
    }
    CPLReleaseMutex(p->lock);
}

/* The next tile to encode, or -1 when there is none or the copy stops. */
static int take_tile(encode_pool *p)
{
    int k;
    CPLAcquireMutex(p->lock, 1000.0);
    k = p->stop || p->next_tile >= xav_desc_tile_count(p->cs->d)
            ? -1
            : p->next_tile++;
    CPLReleaseMutex(p->lock);
    return k;
}

static void encode_worker(void *arg)
{
    encode_pool *p = (encode_pool *)arg;
    const xav_desc *d = p->cs->d;
    const int per_tile = d->nstreams / xav_desc_tile_count(d);
    window win;
    int k;
    CPLPushErrorHandlerEx(pool_error, p);
    if (window_alloc(d, &win) == 0) {
        while ((k = take_tile(p)) >= 0) {
            tile_job job = {p, k, k * per_tile, per_tile};
            if (encode_tile_job(&job, &win) != 0) {
                CPLAcquireMutex(p->lock, 1000.0);
                p->stop = 1;
                CPLReleaseMutex(p->lock);
                break;
            }
        }
        window_free(d, &win);
    }
    CPLPopErrorHandler();
    CPLAcquireMutex(p->lock, 1000.0);
    p->running--;
    CPLReleaseMutex(p->lock);
}

/* Progress from..1 while the workers run; tells them to stop if the user
 * interrupts. Returns when every worker has returned. */
static void watch_pool(encode_pool *p, double from, GDALProgressFunc pfn,
                       void *pdata)
{
    const int ntiles = xav_desc_tile_count(p->cs->d);
    for (;;) {
        double sum = 0;
        int k, running;
        CPLAcquireMutex(p->lock, 1000.0);
        for (k = 0; k < ntiles; k++)
            sum += p->done[k];
        running = p->running;
        CPLReleaseMutex(p->lock);
        if (!pfn(from + (0.999 - from) * sum / ntiles, NULL, pdata)) {
            CPLAcquireMutex(p->lock, 1000.0);
            p->stop = p->interrupted = 1;
            CPLReleaseMutex(p->lock);
        }
        if (running == 0)
            return;
        CPLSleep(0.05);
    }
}

/* Encodes every tile on opt.threads threads; sets the bands' quality. */
static int encode_tiles(copy_state *cs, double from, GDALProgressFunc pfn,
                        void *pdata)
{
    xav_desc *d = cs->d;
    const int ntiles = xav_desc_tile_count(d);
    const int nthreads = MAX(1, MIN(cs->opt.threads, ntiles));
    CPLJoinableThread **threads =
        (CPLJoinableThread **)CPLCalloc(nthreads, sizeof(*threads));
    encode_pool p;
    int i, rc;
    char **w;
    memset(&p, 0, sizeof(p));
    p.cs = cs;
    p.lock = CPLCreateMutex(); /* created held */
    p.done = (double *)CPLCalloc(ntiles, sizeof(double));
    p.sums = (xav_error_sum *)CPLCalloc(xav_desc_band_count(d),
                                        sizeof(xav_error_sum));
    for (i = 0; i < nthreads; i++)
        if ((threads[i] = CPLCreateJoinableThread(encode_worker, &p)) != NULL)
            p.running++;
    CPLReleaseMutex(p.lock);
    watch_pool(&p, from, pfn, pdata);
    for (i = 0; i < nthreads; i++)
        if (threads[i] != NULL)
            CPLJoinThread(threads[i]);
    for (w = p.warnings; w != NULL && *w != NULL; w++)
        CPLError(CE_Warning, CPLE_AppDefined, "%s", *w);
    rc = p.stop || p.next_tile < ntiles ? -1 : 0;
    if (p.interrupted)
        CPLError(CE_Failure, CPLE_UserInterrupt,
                 "XAVIDEO: CreateCopy interrupted by the user.");
    else if (p.error != NULL)
        CPLError(CE_Failure, p.error_no, "%s", p.error);
    else if (rc != 0)
        CPLError(CE_Failure, CPLE_AppDefined,
                 "XAVIDEO: cannot start the encoding threads.");
    if (rc == 0)
        xav_set_quality(d, p.sums);
    CPLDestroyMutex(p.lock);
    CPLFree(threads);
    CPLFree(p.done);
    CPLFree(p.sums);
    CPLFree(p.error);
    CSLDestroy(p.warnings);
    return rc;
}

/* ---- the copy ---------------------------------------------------------- */

static void free_state(copy_state *cs)
{
    if (cs->src_lock != NULL)
        CPLDestroyMutex(cs->src_lock);
    CPLFree(cs->bits);
    CPLFree(cs->lossless);
    CPLFree(cs->embedded_json);
    CSLDestroy(cs->tile_paths);
    CSLDestroy(cs->tile_temps);
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
 * HEVC level 6.2's limit. */
#define XAV_MAX_FRAME_SIZE 8192

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
        (d->width > XAV_MAX_FRAME_SIZE || d->height > XAV_MAX_FRAME_SIZE)) {
        size = XAV_DEFAULT_TILE_SIZE;
        CPLError(CE_Warning, CPLE_AppDefined,
                 "XAVIDEO: %dx%d pixels do not fit one frame (at most %d); "
                 "tiled at TILE_SIZE=%d.",
                 d->width, d->height, XAV_MAX_FRAME_SIZE, size);
    }
    d->tile_width = d->tile_height = size;
    return 0;
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
    if (plan_variables(cs) != 0 || describe_georef(cs) != 0)
        return -1;
    record_encoder(cs);
    return 0;
}

/* Moves every tile's file and the sidecar into place. */
static int move_into_place(copy_state *cs, const char *sidecar)
{
    const int ntiles = xav_desc_tile_count(cs->d);
    char *tmp = temp_name(sidecar);
    int rc = 0;
    for (; cs->moved < ntiles && rc == 0; cs->moved++)
        rc = VSIRename(cs->tile_temps[cs->moved], cs->tile_paths[cs->moved]);
    if (rc == 0)
        rc = VSIRename(tmp, sidecar);
    CPLFree(tmp);
    if (rc != 0)
        CPLError(CE_Failure, CPLE_FileIO,
                 "XAVIDEO: cannot move the output into place as %s.", sidecar);
    return rc;
}

/* After a failure: no file of the copy is left, temporary or final. */
static void remove_output(const copy_state *cs, const char *filename,
                          const char *sidecar)
{
    int k;
    for (k = 0; cs->tile_temps != NULL && cs->tile_temps[k] != NULL; k++) {
        VSIUnlink(cs->tile_temps[k]);
        if (k < cs->moved)
            VSIUnlink(cs->tile_paths[k]);
    }
    VSIRmdir(CPLSPrintf("%s" XAV_TILE_DIR_SUFFIX, filename));
    VSIUnlink(CPLSPrintf("%s" XAV_TEMP_SUFFIX, sidecar));
}

/* The folder of the tiles other than the first. */
static int make_tile_dir(const copy_state *cs, const char *filename)
{
    const char *dir = CPLSPrintf("%s" XAV_TILE_DIR_SUFFIX, filename);
    VSIStatBufL st;
    if (xav_desc_tile_count(cs->d) == 1 ||
        VSIStatExL(dir, &st, VSI_STAT_EXISTS_FLAG) == 0 ||
        VSIMkdir(dir, 0755) == 0)
        return 0;
    CPLError(CE_Failure, CPLE_FileIO, "XAVIDEO: cannot create the folder %s.",
             dir);
    return -1;
}

int xav_create_copy(const char *filename, GDALDatasetH src,
                    CSLConstList options, GDALProgressFunc progress,
                    void *progress_data)
{
    copy_state cs;
    char *sidecar = CPLStrdup(CPLSPrintf("%s" XAV_SIDECAR_SUFFIX, filename));
    char *tmp_sidecar = temp_name(sidecar);
    double scan_share = 0;
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
    cs.src_lock = CPLCreateMutex();
    CPLReleaseMutex(cs.src_lock); /* created held */
    if (plan(&cs) != 0)
        goto done;
    for (v = 0; v < cs.d->nvars; v++)
        scan_share = cs.lossless[v] ? scan_share : 0.3;
    if (scan(&cs, progress, progress_data, scan_share) != 0 ||
        apply_valid_range(&cs) != 0 || plan_streams(&cs, filename) != 0 ||
        xav_desc_validate(cs.d) != 0 || make_tile_dir(&cs, filename) != 0 ||
        encode_tiles(&cs, scan_share, progress, progress_data) != 0 ||
        xav_sidecar_write(cs.d, tmp_sidecar) != 0 ||
        report(progress, progress_data, 1.0) != 0 ||
        move_into_place(&cs, sidecar) != 0)
        goto done;
    rc = 0;
done:
    if (rc != 0)
        remove_output(&cs, filename, sidecar);
    free_state(&cs);
    CPLFree(tmp_sidecar);
    CPLFree(sidecar);
    return rc;
}
