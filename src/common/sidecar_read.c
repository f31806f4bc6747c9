/* sidecar (reading): see sidecar.h; the schema is documented in
 * doc/sidecar.md. Every value is checked for its type, and the whole for
 * consistency (xav_desc_validate), before anyone uses it. */
#include "sidecar.h"

#include "json_get.h"

#include <math.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cpl_conv.h"
#include "cpl_error.h"
#include "cpl_string.h"
#include "cpl_vsi.h"
#include "pack.h"
#include "xavideo.h"

/* Streams a shared list (tile_streams) may expand to: a bound far above
 * any real dataset (10^5 tiles of 3 streams) that keeps a forged tiling
 * from taking all memory. */
#define XAV_MAX_SIDECAR_STREAMS 1e7

static void parse_gcps(xav_json_parser *p, const cJSON *a, xav_desc *d)
{
    const cJSON *e;
    int i = 0;
    if (!cJSON_IsArray(a)) {
        xav_json_bad(p, "not an array:", "gcps");
        return;
    }
    d->gcp_count = cJSON_GetArraySize(a);
    d->gcps = (GDAL_GCP *)CPLCalloc(d->gcp_count + 1, sizeof(GDAL_GCP));
    GDALInitGCPs(d->gcp_count, d->gcps);
    cJSON_ArrayForEach(e, a)
    {
        GDAL_GCP *g = &d->gcps[i++];
        char *id = xav_json_string(p, e, "id", 0),
             *info = xav_json_string(p, e, "info", 0);
        if (id != NULL) {
            CPLFree(g->pszId);
            g->pszId = id;
        }
        if (info != NULL) {
            CPLFree(g->pszInfo);
            g->pszInfo = info;
        }
        g->dfGCPPixel = xav_json_finite(p, e, "pixel", 0, 1);
        g->dfGCPLine = xav_json_finite(p, e, "line", 0, 1);
        g->dfGCPX = xav_json_finite(p, e, "x", 0, 1);
        g->dfGCPY = xav_json_finite(p, e, "y", 0, 1);
        g->dfGCPZ = xav_json_finite(p, e, "z", 0, 0);
    }
}

/* grid_dimensions: two distinct names that are not empty, y's first. */
static void parse_grid_names(xav_json_parser *p, const cJSON *g, xav_desc *d)
{
    char **names;
    if (xav_json_get(p, g, "grid_dimensions", 0) == NULL)
        return;
    names = xav_json_strings(p, g, "grid_dimensions");
    if (names == NULL || CSLCount(names) != 2 || *names[0] == '\0' ||
        *names[1] == '\0' || strcmp(names[0], names[1]) == 0)
        xav_json_bad(p, "two distinct names expected in", "grid_dimensions");
    else {
        d->grid_names[0] = CPLStrdup(names[0]);
        d->grid_names[1] = CPLStrdup(names[1]);
    }
    CSLDestroy(names);
}

static void parse_georef(xav_json_parser *p, const cJSON *g, xav_desc *d)
{
    const cJSON *crs, *gcps;
    if (g == NULL)
        return;
    if (xav_json_get(p, g, "geotransform", 0) != NULL) {
        double *gt = xav_json_finite_numbers(p, g, "geotransform", 6);
        if (gt != NULL) {
            memcpy(d->geotransform, gt, sizeof(d->geotransform));
            d->has_geotransform = 1;
        }
        CPLFree(gt);
    }
    if ((crs = xav_json_get(p, g, "crs", 0)) != NULL) {
        const cJSON *pj = xav_json_get(p, crs, "projjson", 0);
        d->crs_wkt = xav_json_string(p, crs, "wkt2", 1);
        if (pj != NULL) {
            char *text = cJSON_PrintUnformatted(pj);
            d->crs_projjson = CPLStrdup(text);
            cJSON_free(text);
        }
    }
    if (xav_json_get(p, g, "wgs84_bbox", 0) != NULL) {
        double *bb = xav_json_finite_numbers(p, g, "wgs84_bbox", 4);
        if (bb != NULL) {
            memcpy(d->wgs84_bbox, bb, sizeof(d->wgs84_bbox));
            d->has_wgs84_bbox = 1;
        }
        CPLFree(bb);
    }
    if ((gcps = xav_json_get(p, g, "gcps", 0)) != NULL)
        parse_gcps(p, gcps, d);
    parse_grid_names(p, g, d);
}

static void parse_color_table(xav_json_parser *p, const cJSON *ct,
                              xav_variable *v)
{
    const cJSON *e;
    int i = 0, c;
    if (!cJSON_IsArray(ct)) {
        xav_json_bad(p, "not an array:", "color_table");
        return;
    }
    v->color_count = cJSON_GetArraySize(ct);
    v->colors =
        (short *)CPLCalloc((size_t)v->color_count * 4 + 1, sizeof(short));
    cJSON_ArrayForEach(e, ct)
    {
        if (!cJSON_IsArray(e) || cJSON_GetArraySize(e) != 4) {
            xav_json_bad(p, "entry is not [r,g,b,a] in", "color_table");
            return;
        }
        for (c = 0; c < 4; c++) {
            const cJSON *x = cJSON_GetArrayItem(e, c);
            v->colors[4 * i + c] = (short)(cJSON_IsNumber(x) ? x->valueint : 0);
        }
        i++;
    }
}

/* A slice's array name and its index along each extra dimension. */
static void parse_slice(xav_json_parser *p, const cJSON *o, xav_variable *v,
                        int ndims)
{
    const cJSON *c = xav_json_get(p, o, "coordinates", 1), *e;
    int i = 0;
    v->array = xav_json_string(p, o, "array", 1);
    if (c == NULL || !cJSON_IsArray(c) || cJSON_GetArraySize(c) != ndims) {
        xav_json_bad(p, "one index per extra dimension expected in",
                     "coordinates");
        return;
    }
    v->coords = (int *)CPLCalloc(ndims + 1, sizeof(int));
    cJSON_ArrayForEach(e, c)
    {
        if (!cJSON_IsNumber(e) || e->valuedouble != floor(e->valuedouble) ||
            e->valuedouble < 0 || e->valuedouble > XAV_MAX_BANDS) {
            xav_json_bad(p, "not an index in", "coordinates");
            return;
        }
        v->coords[i++] = (int)e->valuedouble;
    }
}

/* A value table: its size, and the keys that the text packs. */
static void parse_table(xav_json_parser *p, const cJSON *q, xav_variable *v)
{
    char *text = xav_json_string(p, q, "table", 1);
    v->table_size = xav_json_int(p, q, "table_size", 0, 1);
    if (v->table_size < 1 || v->table_size > XAV_TABLE_MAX)
        xav_json_bad(p, "out of range:", "table_size");
    else if (text != NULL &&
             (v->table = xav_table_unpack(text, v->table_size)) == NULL)
        xav_json_bad(p, "corrupt (not table_size ascending values):", "table");
    CPLFree(text);
}

/* A mixed variable's weights and the variables they weigh (model.h). */
static void parse_mix(xav_json_parser *p, const cJSON *q, xav_variable *v)
{
    double *vars =
        xav_json_numbers(p, q, "mix_variables", XAV_MAX_CHANNELS, NULL);
    double *mix = xav_json_finite_numbers(p, q, "mix", XAV_MAX_CHANNELS);
    int k;
    for (k = 0; vars != NULL && mix != NULL && k < XAV_MAX_CHANNELS; k++) {
        if (vars[k] != floor(vars[k]) || !(vars[k] >= 0) ||
            !(vars[k] < XAV_MAX_BANDS))
            xav_json_bad(p, "not variable numbers:", "mix_variables");
        else
            v->mix_vars[k] = (int)vars[k];
        v->mix[k] = mix[k];
    }
    CPLFree(vars);
    CPLFree(mix);
}

static void parse_variable(xav_json_parser *p, const cJSON *o, xav_variable *v,
                           int ndims)
{
    const cJSON *q, *ct;
    char *type = xav_json_string(p, o, "data_type", 1);
    double *range;
    v->name = xav_json_string(p, o, "name", 1);
    v->type = type ? GDALGetDataTypeByName(type) : GDT_Unknown;
    if (type != NULL && v->type == GDT_Unknown)
        xav_json_bad(p, "unknown data type", type);
    CPLFree(type);
    if ((type = xav_json_string(p, o, "pixel_type", 0)) != NULL) {
        v->signed_byte = strcmp(type, "SIGNEDBYTE") == 0 && v->type == GDT_Byte;
        if (!v->signed_byte)
            xav_json_bad(p, "pixel_type other than SIGNEDBYTE of Byte in",
                         "pixel_type");
        CPLFree(type);
    }
    v->has_nodata = xav_json_get(p, o, "nodata", 0) != NULL;
    v->nodata = xav_json_number(p, o, "nodata", 0, 0);
    v->units = xav_json_string(p, o, "units", 0);
    v->description = xav_json_string(p, o, "description", 0);
    {
        char *ci = xav_json_string(p, o, "color_interp", 0);
        v->color_interp =
            ci ? GDALGetColorInterpretationByName(ci) : GCI_Undefined;
        CPLFree(ci);
    }
    if ((ct = xav_json_get(p, o, "color_table", 0)) != NULL)
        parse_color_table(p, ct, v);
    v->categories = xav_json_strings(p, o, "category_names");
    if ((ct = xav_json_get(p, o, "attribute_table", 0)) != NULL) {
        char *text = cJSON_PrintUnformatted(ct);
        v->rat_json = CPLStrdup(text);
        cJSON_free(text);
    }
    v->has_offset_scale = xav_json_get(p, o, "scale", 0) != NULL;
    v->gdal_offset = xav_json_finite(p, o, "offset", 0, 0);
    v->gdal_scale = xav_json_finite(p, o, "scale", 1, 0);
    v->metadata = xav_json_name_values(p, o, "metadata");
    range = xav_json_numbers(p, o, "valid_range", 2, NULL);
    if (range != NULL) {
        v->valid_min = range[0];
        v->valid_max = range[1];
    }
    CPLFree(range);
    v->has_mask = cJSON_IsTrue(xav_json_get(p, o, "mask", 0));
    if (xav_json_get(p, o, "mask_band", 0) != NULL)
        v->mask_band = (xav_mask_band)xav_json_enum(p, o, "mask_band",
                                                    xav_mask_band_by_name);
    v->max_error = xav_json_finite(p, o, "max_error", 0, 0);
    v->corr_step = xav_json_finite(p, o, "correction_step", 0, 0);
    if (xav_json_get(p, o, "exceptions", 0) != NULL) {
        int n = 0;
        double *e = xav_json_numbers(p, o, "exceptions", -1, &n);
        if (e != NULL && n > XAV_MAX_EXCEPTIONS)
            xav_json_bad(p, "more than 16 values in", "exceptions");
        else if (e != NULL) {
            memcpy(v->exceptions, e, n * sizeof(double));
            v->nexceptions = n;
        }
        CPLFree(e);
    }
    if (xav_json_get(p, o, "array", 0) != NULL)
        parse_slice(p, o, v, ndims);
    if ((q = xav_json_get(p, o, "quantization", 1)) == NULL)
        return;
    v->quant = (xav_quant_mode)xav_json_enum(p, q, "mode", xav_quant_by_name);
    v->q_offset = xav_json_finite(p, q, "offset", 0, 1);
    v->q_scale = xav_json_finite(p, q, "scale", 1, 1);
    v->words = xav_json_int(p, q, "words", 1, 1);
    if (v->quant == XAV_QUANT_TABLE)
        parse_table(p, q, v);
    if (v->quant == XAV_QUANT_MIXED)
        parse_mix(p, q, v);
}

/* metadata_domains: each an object of items or an array of them
 * (sidecar_write.c), under a name the writer keeps (xav_domain_kept). */
static void parse_domains(xav_json_parser *p, const cJSON *root, xav_desc *d)
{
    const cJSON *o = xav_json_get(p, root, "metadata_domains", 0), *e;
    int n = 0;
    if (o == NULL)
        return;
    if (!cJSON_IsObject(o) || cJSON_GetArraySize(o) == 0) {
        xav_json_bad(p, "not an object of domains:", "metadata_domains");
        return;
    }
    d->domain_metadata =
        (char ***)CPLCalloc(cJSON_GetArraySize(o) + 1, sizeof(char **));
    cJSON_ArrayForEach(e, o)
    {
        if (!xav_domain_kept(e->string) ||
            CSLFindString(d->domains, e->string) >= 0) {
            xav_json_bad(p, "a domain that is not kept, or twice, in",
                         "metadata_domains");
            return;
        }
        d->domains = CSLAddString(d->domains, e->string);
        d->domain_metadata[n++] = cJSON_IsArray(e)
                                      ? xav_json_strings(p, o, e->string)
                                      : xav_json_name_values(p, o, e->string);
    }
}

/* A stream of a dataset of ntimes time steps. */
static void parse_stream(xav_json_parser *p, const cJSON *o, int ntimes,
                         xav_stream *s)
{
    const cJSON *ch = xav_json_get(p, o, "channels", 1), *e;
    int c = 0;
    s->file = xav_json_string(p, o, "file", 1);
    s->index = xav_json_int(p, o, "index", 0, 1);
    s->role = (xav_stream_role)xav_json_enum(p, o, "role", xav_role_by_name);
    s->codec = (xav_codec)xav_json_enum(p, o, "codec", xav_codec_by_name);
    s->pix_fmt = xav_json_string(p, o, "pix_fmt", 1);
    s->bits = xav_json_int(p, o, "bits", 8, 1);
    s->lossless = cJSON_IsTrue(xav_json_get(p, o, "lossless", 0));
    s->crf = xav_json_int(p, o, "crf", 0, 0);
    s->qp = xav_json_int(p, o, "qp", -1, 0);
    s->preset = xav_json_string(p, o, "preset", 0);
    s->gop = xav_json_int(p, o, "gop", 1, 0);
    s->tile = xav_json_int(p, o, "tile", 0, 0);
    s->checksums = cJSON_IsTrue(xav_json_get(p, o, "packet_crc32", 0));
    /* a part appended in time (schema 4); the whole axis otherwise */
    s->first_time = xav_json_int(p, o, "first_time", 0, 0);
    if (s->first_time < 0 || s->first_time > ntimes) {
        xav_json_bad(p, "a time step of the axis expected in", "first_time");
        s->first_time = 0;
    }
    s->frames = xav_json_int(p, o, "frames", ntimes - s->first_time, 0);
    if (ch == NULL)
        return;
    if (!cJSON_IsArray(ch) || cJSON_GetArraySize(ch) < 1 ||
        cJSON_GetArraySize(ch) > XAV_MAX_CHANNELS) {
        xav_json_bad(p, "1 to 3 entries expected in", "channels");
        return;
    }
    cJSON_ArrayForEach(e, ch)
    {
        s->var[c] = xav_json_int(p, e, "variable", 0, 1);
        s->word[c] = xav_json_int(p, e, "word", 0, 0);
        c++;
    }
    s->channels = c;
}

static void parse_time(xav_json_parser *p, const cJSON *t, xav_desc *d)
{
    int n = 0;
    d->time_name = xav_json_string(p, t, "name", 0);
    d->time_units = xav_json_string(p, t, "units", 0);
    d->time_calendar = xav_json_string(p, t, "calendar", 0);
    d->time_values = xav_json_numbers(p, t, "values", -1, &n);
    d->time_iso = xav_json_strings(p, t, "iso");
    d->ntimes = n;
    if (d->time_iso != NULL && CSLCount(d->time_iso) != n)
        xav_json_bad(p, "count differs from values in", "iso");
}

/* Extra dimensions: name, units, values. */
static void parse_dims(xav_json_parser *p, const cJSON *a, xav_desc *d)
{
    const cJSON *e;
    int i = 0;
    if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) > XAV_MAX_DIMS) {
        xav_json_bad(p, "an array of at most 16 entries expected in",
                     "dimensions");
        return;
    }
    d->ndims = cJSON_GetArraySize(a);
    d->dims = (xav_dim *)CPLCalloc(d->ndims + 1, sizeof(xav_dim));
    cJSON_ArrayForEach(e, a)
    {
        xav_dim *dim = &d->dims[i++];
        int n = 0;
        dim->name = xav_json_string(p, e, "name", 1);
        dim->units = xav_json_string(p, e, "units", 0);
        dim->values = xav_json_numbers(p, e, "values", -1, &n);
        dim->size = n;
    }
}

static int check_header(xav_json_parser *p, const cJSON *root, xav_desc *d)
{
    const cJSON *fmt = xav_json_get(p, root, "format", 1);
    int version;
    if (p->failed || !cJSON_IsString(fmt) ||
        strcmp(fmt->valuestring, "xavideo") != 0) {
        xav_json_bad(p, "not an xavideo document:", "format");
        return -1;
    }
    version = xav_json_int(p, root, "schema_version", 0, 1);
    if (!p->failed && (version < 1 || version > XAV_SCHEMA_VERSION)) {
        CPLError(CE_Failure, CPLE_NotSupported,
                 "XAVIDEO: %s has schema version %d; this driver reads "
                 "versions 1 to %d. Use a newer version of the driver.",
                 p->source, version, XAV_SCHEMA_VERSION);
        p->failed = 1;
        return -1;
    }
    d->schema_version = version; /* masks of version 1 read otherwise */
    return p->failed ? -1 : 0;
}

/* Whether the raster's size is in range: the tile count of an absurd one
 * overflows. */
static int raster_size_ok(const xav_desc *d)
{
    return d->width > 0 && d->height > 0 && d->width <= XAV_MAX_RASTER_SIZE &&
           d->height <= XAV_MAX_RASTER_SIZE;
}

/* The list every tile repeats (tile_streams), copied to each tile, whose
 * count is bounded before anything is allocated per tile. */
static void parse_shared_streams(xav_json_parser *p, const cJSON *list,
                                 xav_desc *d)
{
    const cJSON *e;
    const int per = cJSON_GetArraySize(list);
    int i = 0;
    /* sizes first: the tile count divides by them */
    if (d->tile_width <= 0 || d->tile_height <= 0 || !raster_size_ok(d) ||
        per < 1 ||
        (double)per * xav_desc_tiles_x(d) * xav_desc_tiles_y(d) >
            XAV_MAX_SIDECAR_STREAMS) {
        xav_json_bad(p,
                     "a tiled raster of at most 10^7 streams in all expected "
                     "with",
                     "tile_streams");
        return;
    }
    d->nstreams = per;
    d->streams = (xav_stream *)CPLCalloc(per + 1, sizeof(xav_stream));
    cJSON_ArrayForEach(e, list)
    {
        if (xav_json_get(p, e, "tile", 0) != NULL)
            xav_json_bad(p, "no tile number expected in", "tile_streams");
        parse_stream(p, e, d->ntimes, &d->streams[i++]);
    }
    if (!p->failed)
        xav_desc_repeat_tile_streams(d);
}

static void parse_arrays(xav_json_parser *p, const cJSON *root, xav_desc *d)
{
    const cJSON *vars = xav_json_get(p, root, "variables", 1);
    const cJSON *streams = xav_json_get(p, root, "streams", 0), *e;
    const cJSON *shared = xav_json_get(p, root, "tile_streams", 0);
    int i = 0;
    if (!p->failed && (streams == NULL) == (shared == NULL)) {
        xav_json_bad(p, "one of two lists expected:", "streams/tile_streams");
        return;
    }
    if (p->failed || !cJSON_IsArray(vars) ||
        !cJSON_IsArray(streams ? streams : shared)) {
        xav_json_bad(p, "arrays expected:", "variables/streams");
        return;
    }
    d->nvars = cJSON_GetArraySize(vars);
    d->vars = (xav_variable *)CPLCalloc(d->nvars + 1, sizeof(xav_variable));
    cJSON_ArrayForEach(e, vars) parse_variable(p, e, &d->vars[i++], d->ndims);
    if (shared != NULL) {
        parse_shared_streams(p, shared, d);
        return;
    }
    i = 0;
    d->nstreams = cJSON_GetArraySize(streams);
    d->streams = (xav_stream *)CPLCalloc(d->nstreams + 1, sizeof(xav_stream));
    cJSON_ArrayForEach(e, streams)
        parse_stream(p, e, d->ntimes, &d->streams[i++]);
}

/* Checked before anything is allocated per band (xav_desc_validate says the
 * same after parsing, too late for that). */
static int band_count_ok(xav_json_parser *p, const xav_desc *d)
{
    if ((double)d->nvars * d->ntimes <= (double)XAV_MAX_BANDS)
        return 1;
    xav_json_bad(p, "more than 10^6 bands (variables x times) in", "variables");
    return 0;
}

static void parse_band_metadata(xav_json_parser *p, const cJSON *bm,
                                xav_desc *d)
{
    const cJSON *e;
    int nbands;
    if (!band_count_ok(p, d))
        return;
    if (!cJSON_IsObject(bm)) {
        xav_json_bad(p, "not an object:", "band_metadata");
        return;
    }
    nbands = xav_desc_band_count(d);
    d->band_metadata = (char ***)CPLCalloc(nbands + 1, sizeof(char **));
    cJSON_ArrayForEach(e, bm)
    {
        char *end = NULL;
        long b = strtol(e->string, &end, 10);
        if (end == e->string || *end != '\0' || b < 0 || b >= nbands ||
            d->band_metadata[b] != NULL) {
            xav_json_bad(p, "bad band number in", "band_metadata");
            return;
        }
        d->band_metadata[b] = xav_json_name_values(p, bm, e->string);
    }
}

/* Achieved PSNR and maximum error, one per band. */
static void parse_quality(xav_json_parser *p, const cJSON *q, xav_desc *d)
{
    int n = 0, m = 0;
    if (!band_count_ok(p, d))
        return;
    d->psnr = xav_json_numbers(p, q, "psnr_db", -1, &n);
    d->max_abs_error = xav_json_numbers(p, q, "max_abs_error", -1, &m);
    if (!p->failed && (n != xav_desc_band_count(d) || m != n))
        xav_json_bad(p, "one value per band expected in", "quality");
}

/* tiling.empty_tiles: distinct tile numbers, in order. */
static void parse_empty_tiles(xav_json_parser *p, const cJSON *tiling,
                              xav_desc *d)
{
    double ntiles;
    int i, n = 0, last = -1;
    double *k;
    if (xav_json_get(p, tiling, "empty_tiles", 0) == NULL)
        return;
    if (!raster_size_ok(d)) {
        xav_json_bad(p, "a raster of 1 to 2^20 pixels a side expected with",
                     "empty_tiles");
        return;
    }
    ntiles = (double)xav_desc_tiles_x(d) * xav_desc_tiles_y(d);
    if (ntiles > XAV_MAX_SIDECAR_STREAMS) { /* bounds the flags' size */
        xav_json_bad(p, "at most 10^7 tiles expected with", "empty_tiles");
        return;
    }
    if ((k = xav_json_numbers(p, tiling, "empty_tiles", -1, &n)) == NULL)
        return;
    d->tile_empty = (unsigned char *)CPLCalloc((size_t)ntiles, 1);
    for (i = 0; i < n && !p->failed; i++) {
        if (k[i] != floor(k[i]) || k[i] <= last || k[i] >= ntiles) {
            xav_json_bad(p, "increasing tile numbers of the grid expected in",
                         "empty_tiles");
            break;
        }
        last = (int)k[i];
        d->tile_empty[last] = 1;
    }
    CPLFree(k);
}

static void parse_document(xav_json_parser *p, const cJSON *root, xav_desc *d)
{
    const cJSON *t, *bm, *fr, *q;
    char *order;
    d->width = xav_json_int(p, root, "width", 0, 1);
    d->height = xav_json_int(p, root, "height", 0, 1);
    if ((t = xav_json_get(p, root, "tiling", 0)) != NULL) {
        d->tile_width = xav_json_int(p, t, "tile_width", 0, 1);
        d->tile_height = xav_json_int(p, t, "tile_height", 0, 1);
        if (!p->failed && (d->tile_width <= 0 || d->tile_height <= 0))
            xav_json_bad(p, "tile size must be positive in", "tiling");
        if (!p->failed)
            parse_empty_tiles(p, t, d);
    }
    parse_georef(p, xav_json_get(p, root, "georeferencing", 0), d);
    d->metadata = xav_json_name_values(p, root, "metadata");
    parse_domains(p, root, d);
    order = xav_json_string(p, root, "band_order", 0);
    d->order = order && !strcmp(order, "variable_major")
                   ? XAV_ORDER_VARIABLE_MAJOR
                   : XAV_ORDER_TIME_MAJOR;
    if (order != NULL && strcmp(order, "variable_major") != 0 &&
        strcmp(order, "time_major") != 0)
        xav_json_bad(p, "unknown value of", "band_order");
    CPLFree(order);
    if ((t = xav_json_get(p, root, "time", 0)) != NULL)
        parse_time(p, t, d);
    if ((t = xav_json_get(p, root, "dimensions", 0)) != NULL)
        parse_dims(p, t, d);
    parse_arrays(p, root, d);
    if (!p->failed &&
        (bm = xav_json_get(p, root, "band_metadata", 0)) != NULL &&
        d->nvars > 0 && d->ntimes > 0)
        parse_band_metadata(p, bm, d);
    if ((fr = xav_json_get(p, root, "frame_rate", 0)) != NULL) {
        double *rate = xav_json_finite_numbers(p, root, "frame_rate", 2);
        if (rate != NULL &&
            (rate[0] < 1 || rate[0] > 1e6 || rate[1] < 1 || rate[1] > 1e6 ||
             rate[0] != floor(rate[0]) || rate[1] != floor(rate[1])))
            xav_json_bad(p, "[num, den] of integers from 1 to 10^6 expected in",
                         "frame_rate");
        else if (rate != NULL) {
            d->fps_num = (int)rate[0];
            d->fps_den = (int)rate[1];
        }
        CPLFree(rate);
    }
    d->encoder = xav_json_name_values(p, root, "encoder");
    if (!p->failed && (q = xav_json_get(p, root, "quality", 0)) != NULL)
        parse_quality(p, q, d);
}

xav_desc *xav_sidecar_from_json(const char *json, size_t len,
                                const char *source)
{
    xav_json_parser p = {source, 0};
    cJSON *root = cJSON_ParseWithLength(json, len);
    xav_desc *d;
    if (root == NULL || !cJSON_IsObject(root)) {
        CPLError(CE_Failure, CPLE_AppDefined,
                 "XAVIDEO: %s is not valid JSON (truncated or malformed "
                 "sidecar).",
                 source);
        cJSON_Delete(root);
        return NULL;
    }
    d = xav_desc_new();
    if (check_header(&p, root, d) == 0)
        xav_json_check_strings(&p, root);
    if (!p.failed)
        parse_document(&p, root, d);
    cJSON_Delete(root);
    if (p.failed || xav_desc_validate(d) != 0) {
        xav_desc_free(d);
        return NULL;
    }
    xav_desc_link_streams(d);
    return d;
}

xav_desc *xav_sidecar_read(const char *path)
{
    GByte *data = NULL;
    vsi_l_offset size = 0;
    xav_desc *d;
    if (!VSIIngestFile(NULL, path, &data, &size, XAV_MAX_SIDECAR_BYTES)) {
        CPLError(CE_Failure, CPLE_OpenFailed,
                 "XAVIDEO: cannot read sidecar %s.", path);
        return NULL;
    }
    d = xav_sidecar_from_json((const char *)data, (size_t)size, path);
    VSIFree(data);
    return d;
}

char *xav_sidecar_unpack(const char *packed, const char *source)
{
    size_t size;
    char *json = (char *)xav_unpack_bytes(packed, XAV_MAX_SIDECAR_BYTES, &size);
    if (json == NULL)
        CPLError(CE_Failure, CPLE_AppDefined,
                 "XAVIDEO: the description embedded in %s is corrupt: it does "
                 "not unpack.",
                 source);
    return json;
}
