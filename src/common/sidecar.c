/* sidecar: see sidecar.h; the schema is documented in doc/sidecar.md. */
#include "sidecar.h"

#include <math.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cpl_conv.h"
#include "cpl_error.h"
#include "cpl_string.h"
#include "cpl_vsi.h"
#include "xavideo.h"

/* Sidecars larger than this are refused rather than loaded. */
#define XAV_MAX_SIDECAR_BYTES (256 * 1024 * 1024)
/* No string of a sidecar is anywhere near this (the longest are CRS
 * definitions and metadata items). */
#define XAV_MAX_STRING_BYTES (16 * 1024 * 1024)

/* ---- writing ----------------------------------------------------------- */

/* JSON has no NaN or infinity: they travel as strings. */
static cJSON *number(double v)
{
    if (isnan(v))
        return cJSON_CreateString("nan");
    if (isinf(v))
        return cJSON_CreateString(v > 0 ? "inf" : "-inf");
    return cJSON_CreateNumber(v);
}

static cJSON *number_array(const double *v, int n)
{
    cJSON *a = cJSON_CreateArray();
    int i;
    for (i = 0; i < n; i++)
        cJSON_AddItemToArray(a, number(v[i]));
    return a;
}

static cJSON *string_list(CSLConstList list)
{
    cJSON *a = cJSON_CreateArray();
    for (; list != NULL && *list != NULL; list++)
        cJSON_AddItemToArray(a, cJSON_CreateString(*list));
    return a;
}

/* KEY=VALUE list -> object. Values are kept verbatim (CPLParseNameValue
 * would strip their leading spaces). */
static cJSON *name_values(CSLConstList list)
{
    cJSON *o = cJSON_CreateObject();
    for (; list != NULL && *list != NULL; list++) {
        const char *eq = strchr(*list, '=');
        char *key;
        if (eq == NULL || eq == *list)
            continue;
        key = CPLStrdup(*list);
        key[eq - *list] = '\0';
        cJSON_AddStringToObject(o, key, eq + 1);
        CPLFree(key);
    }
    return o;
}

static cJSON *georef_json(const xav_desc *d)
{
    cJSON *g = cJSON_CreateObject();
    int i;
    if (d->has_geotransform)
        cJSON_AddItemToObject(g, "geotransform",
                              number_array(d->geotransform, 6));
    if (d->crs_wkt != NULL) {
        cJSON *crs = cJSON_AddObjectToObject(g, "crs");
        cJSON_AddStringToObject(crs, "wkt2", d->crs_wkt);
        if (d->crs_projjson != NULL) {
            cJSON *pj = cJSON_Parse(d->crs_projjson);
            if (pj != NULL)
                cJSON_AddItemToObject(crs, "projjson", pj);
        }
    }
    if (d->has_wgs84_bbox)
        cJSON_AddItemToObject(g, "wgs84_bbox", number_array(d->wgs84_bbox, 4));
    if (d->gcp_count > 0) {
        cJSON *gcps = cJSON_AddArrayToObject(g, "gcps");
        for (i = 0; i < d->gcp_count; i++) {
            const GDAL_GCP *p = &d->gcps[i];
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "id", p->pszId ? p->pszId : "");
            cJSON_AddStringToObject(o, "info", p->pszInfo ? p->pszInfo : "");
            cJSON_AddNumberToObject(o, "pixel", p->dfGCPPixel);
            cJSON_AddNumberToObject(o, "line", p->dfGCPLine);
            cJSON_AddNumberToObject(o, "x", p->dfGCPX);
            cJSON_AddNumberToObject(o, "y", p->dfGCPY);
            cJSON_AddNumberToObject(o, "z", p->dfGCPZ);
            cJSON_AddItemToArray(gcps, o);
        }
    }
    return g;
}

static cJSON *variable_json(const xav_variable *v)
{
    cJSON *o = cJSON_CreateObject(), *q;
    int i;
    cJSON_AddStringToObject(o, "name", v->name);
    cJSON_AddStringToObject(o, "data_type", GDALGetDataTypeName(v->type));
    if (v->has_nodata)
        cJSON_AddItemToObject(o, "nodata", number(v->nodata));
    if (v->units != NULL)
        cJSON_AddStringToObject(o, "units", v->units);
    if (v->description != NULL)
        cJSON_AddStringToObject(o, "description", v->description);
    cJSON_AddStringToObject(o, "color_interp",
                            GDALGetColorInterpretationName(v->color_interp));
    if (v->color_count > 0) {
        cJSON *ct = cJSON_AddArrayToObject(o, "color_table");
        for (i = 0; i < v->color_count; i++) {
            const short *c = v->colors + 4 * i;
            int rgba[4] = {c[0], c[1], c[2], c[3]};
            cJSON_AddItemToArray(ct, cJSON_CreateIntArray(rgba, 4));
        }
    }
    if (v->categories != NULL)
        cJSON_AddItemToObject(o, "category_names", string_list(v->categories));
    if (v->rat_json != NULL) {
        cJSON *rat = cJSON_Parse(v->rat_json);
        if (rat != NULL)
            cJSON_AddItemToObject(o, "attribute_table", rat);
    }
    if (v->has_offset_scale) {
        cJSON_AddItemToObject(o, "offset", number(v->gdal_offset));
        cJSON_AddItemToObject(o, "scale", number(v->gdal_scale));
    }
    cJSON_AddItemToObject(o, "metadata", name_values(v->metadata));
    cJSON_AddItemToObject(o, "valid_range", number_array(&v->valid_min, 2));
    cJSON_AddBoolToObject(o, "mask", v->has_mask);
    if (v->max_error > 0) {
        cJSON_AddNumberToObject(o, "max_error", v->max_error);
        cJSON_AddNumberToObject(o, "correction_step", v->corr_step);
    }
    if (v->nexceptions > 0)
        cJSON_AddItemToObject(o, "exceptions",
                              number_array(v->exceptions, v->nexceptions));
    q = cJSON_AddObjectToObject(o, "quantization");
    cJSON_AddStringToObject(q, "mode", xav_quant_name(v->quant));
    cJSON_AddItemToObject(q, "offset", number(v->q_offset));
    cJSON_AddItemToObject(q, "scale", number(v->q_scale));
    cJSON_AddNumberToObject(q, "words", v->words);
    return o;
}

static cJSON *stream_json(const xav_stream *s)
{
    cJSON *o = cJSON_CreateObject(), *ch;
    int c;
    cJSON_AddStringToObject(o, "file", s->file ? s->file : "");
    cJSON_AddNumberToObject(o, "index", s->index);
    cJSON_AddStringToObject(o, "role", xav_role_name(s->role));
    cJSON_AddStringToObject(o, "codec", xav_codec_name(s->codec));
    cJSON_AddStringToObject(o, "pix_fmt", s->pix_fmt);
    cJSON_AddNumberToObject(o, "bits", s->bits);
    ch = cJSON_AddArrayToObject(o, "channels");
    for (c = 0; c < s->channels; c++) {
        cJSON *e = cJSON_CreateObject();
        cJSON_AddNumberToObject(e, "variable", s->var[c]);
        cJSON_AddNumberToObject(e, "word", s->word[c]);
        cJSON_AddItemToArray(ch, e);
    }
    cJSON_AddBoolToObject(o, "lossless", s->lossless);
    if (s->codec != XAV_CODEC_FFV1) {
        cJSON_AddNumberToObject(o, "crf", s->crf);
        if (s->qp >= 0)
            cJSON_AddNumberToObject(o, "qp", s->qp);
        cJSON_AddStringToObject(o, "preset", s->preset ? s->preset : "");
    }
    cJSON_AddNumberToObject(o, "gop", s->gop);
    cJSON_AddNumberToObject(o, "tile", s->tile);
    if (s->checksums)
        cJSON_AddBoolToObject(o, "packet_crc32", 1);
    return o;
}

static cJSON *time_json(const xav_desc *d)
{
    cJSON *t = cJSON_CreateObject();
    cJSON_AddStringToObject(t, "name", d->time_name ? d->time_name : "time");
    if (d->time_units != NULL)
        cJSON_AddStringToObject(t, "units", d->time_units);
    if (d->time_calendar != NULL)
        cJSON_AddStringToObject(t, "calendar", d->time_calendar);
    cJSON_AddItemToObject(t, "values", number_array(d->time_values, d->ntimes));
    if (d->time_iso != NULL)
        cJSON_AddItemToObject(t, "iso", string_list(d->time_iso));
    return t;
}

static cJSON *band_metadata_json(const xav_desc *d)
{
    cJSON *o = cJSON_CreateObject();
    int b, nbands = xav_desc_band_count(d);
    for (b = 0; b < nbands; b++)
        if (d->band_metadata[b] != NULL)
            cJSON_AddItemToObject(o, CPLSPrintf("%d", b),
                                  name_values(d->band_metadata[b]));
    return o;
}

char *xav_sidecar_to_json(const xav_desc *d, int compact)
{
    cJSON *root = cJSON_CreateObject(), *a;
    char *text, *out;
    int i;
    int frame_rate[2] = {d->fps_num, d->fps_den};

    /* "format" first: Identify looks for it in the first bytes. */
    cJSON_AddStringToObject(root, "format", "xavideo");
    cJSON_AddNumberToObject(root, "schema_version", d->schema_version);
    cJSON_AddNumberToObject(root, "width", d->width);
    cJSON_AddNumberToObject(root, "height", d->height);
    if (d->tile_width > 0) { /* the nominal size, even above the raster's */
        cJSON *t = cJSON_AddObjectToObject(root, "tiling");
        cJSON_AddNumberToObject(t, "tile_width", d->tile_width);
        cJSON_AddNumberToObject(t, "tile_height", d->tile_height);
        cJSON_AddNumberToObject(t, "tiles_x", xav_desc_tiles_x(d));
        cJSON_AddNumberToObject(t, "tiles_y", xav_desc_tiles_y(d));
    }
    cJSON_AddItemToObject(root, "georeferencing", georef_json(d));
    cJSON_AddItemToObject(root, "metadata", name_values(d->metadata));
    cJSON_AddStringToObject(
        root, "band_order",
        d->order == XAV_ORDER_TIME_MAJOR ? "time_major" : "variable_major");
    if (d->time_values != NULL)
        cJSON_AddItemToObject(root, "time", time_json(d));
    a = cJSON_AddArrayToObject(root, "variables");
    for (i = 0; i < d->nvars; i++)
        cJSON_AddItemToArray(a, variable_json(&d->vars[i]));
    if (d->band_metadata != NULL)
        cJSON_AddItemToObject(root, "band_metadata", band_metadata_json(d));
    a = cJSON_AddArrayToObject(root, "streams");
    for (i = 0; i < d->nstreams; i++)
        cJSON_AddItemToArray(a, stream_json(&d->streams[i]));
    cJSON_AddItemToObject(root, "frame_rate",
                          cJSON_CreateIntArray(frame_rate, 2));
    if (d->psnr != NULL) {
        cJSON *q = cJSON_AddObjectToObject(root, "quality");
        int nbands = xav_desc_band_count(d);
        cJSON_AddItemToObject(q, "psnr_db", number_array(d->psnr, nbands));
        cJSON_AddItemToObject(q, "max_abs_error",
                              number_array(d->max_abs_error, nbands));
    }
    cJSON_AddItemToObject(root, "encoder", name_values(d->encoder));

    text = compact ? cJSON_PrintUnformatted(root) : cJSON_Print(root);
    out = CPLStrdup(text);
    cJSON_free(text);
    cJSON_Delete(root);
    return out;
}

int xav_sidecar_write(const xav_desc *d, const char *path)
{
    char *json = xav_sidecar_to_json(d, 0);
    size_t len = strlen(json);
    VSILFILE *fp = VSIFOpenL(path, "wb");
    int ok = fp != NULL && VSIFWriteL(json, 1, len, fp) == len;
    if (fp != NULL && VSIFCloseL(fp) != 0)
        ok = 0;
    CPLFree(json);
    if (!ok) {
        CPLError(CE_Failure, CPLE_FileIO, "XAVIDEO: cannot write sidecar %s.",
                 path);
        return -1;
    }
    return 0;
}

/* ---- reading ----------------------------------------------------------- */

/* Parsing context: the first error wins and is reported once. */
typedef struct {
    const char *source;
    int failed;
} parser;

static void bad(parser *p, const char *what, const char *key)
{
    if (!p->failed)
        CPLError(CE_Failure, CPLE_AppDefined,
                 "XAVIDEO: invalid sidecar %s: %s '%s'.", p->source, what, key);
    p->failed = 1;
}

static const cJSON *get(parser *p, const cJSON *o, const char *key,
                        int required)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(o, key);
    if (item == NULL && required)
        bad(p, "missing", key);
    return item;
}

static double get_number_item(parser *p, const cJSON *item, const char *key)
{
    if (cJSON_IsNumber(item))
        return item->valuedouble;
    if (cJSON_IsString(item)) {
        if (!strcmp(item->valuestring, "nan"))
            return NAN;
        if (!strcmp(item->valuestring, "inf"))
            return INFINITY;
        if (!strcmp(item->valuestring, "-inf"))
            return -INFINITY;
    }
    bad(p, "not a number:", key);
    return 0;
}

static double get_number(parser *p, const cJSON *o, const char *key, double def,
                         int required)
{
    const cJSON *item = get(p, o, key, required);
    return item == NULL ? def : get_number_item(p, item, key);
}

/* A number where NaN and infinities make no sense (coefficients, sizes). */
static double get_finite(parser *p, const cJSON *o, const char *key, double def,
                         int required)
{
    double v = get_number(p, o, key, def, required);
    if (!isfinite(v)) {
        bad(p, "not a finite number:", key);
        return def;
    }
    return v;
}

static int get_int(parser *p, const cJSON *o, const char *key, int def,
                   int required)
{
    double v = get_number(p, o, key, def, required);
    if (!(v >= -2147483647.0 && v <= 2147483647.0) || v != floor(v)) {
        bad(p, "not an integer:", key);
        return 0;
    }
    return (int)v;
}

/* Returns a CPLStrdup'ed copy, or NULL if absent and optional. */
static char *get_string(parser *p, const cJSON *o, const char *key,
                        int required)
{
    const cJSON *item = get(p, o, key, required);
    if (item == NULL)
        return NULL;
    if (!cJSON_IsString(item)) {
        bad(p, "not a string:", key);
        return NULL;
    }
    return CPLStrdup(item->valuestring);
}

/* The value of an enum key, by its names (by_name: -1 for none), or 0
 * with an error. */
static int get_enum(parser *p, const cJSON *o, const char *key,
                    int (*by_name)(const char *))
{
    char *s = get_string(p, o, key, 1);
    int found = s != NULL ? by_name(s) : -1;
    if (s != NULL && found < 0)
        bad(p, "unknown value of", key);
    CPLFree(s);
    return found < 0 ? 0 : found;
}

/* Array of n numbers (n < 0: any length, stored in *count). */
static double *get_numbers(parser *p, const cJSON *o, const char *key, int n,
                           int *count)
{
    const cJSON *a = get(p, o, key, 1), *e;
    double *out;
    int i = 0;
    if (a == NULL)
        return NULL;
    if (!cJSON_IsArray(a) || (n >= 0 && cJSON_GetArraySize(a) != n)) {
        bad(p, "wrong array", key);
        return NULL;
    }
    out = (double *)CPLCalloc(cJSON_GetArraySize(a) + 1, sizeof(double));
    cJSON_ArrayForEach(e, a) out[i++] = get_number_item(p, e, key);
    if (count != NULL)
        *count = i;
    return out;
}

/* Array of n finite numbers. */
static double *get_finite_numbers(parser *p, const cJSON *o, const char *key,
                                  int n)
{
    double *v = get_numbers(p, o, key, n, NULL);
    int i;
    for (i = 0; v != NULL && i < n; i++)
        if (!isfinite(v[i])) {
            bad(p, "not a finite number in", key);
            CPLFree(v);
            return NULL;
        }
    return v;
}

static char **get_strings(parser *p, const cJSON *o, const char *key)
{
    const cJSON *a = get(p, o, key, 0), *e;
    char **out = NULL;
    if (a == NULL)
        return NULL;
    if (!cJSON_IsArray(a)) {
        bad(p, "not an array:", key);
        return NULL;
    }
    cJSON_ArrayForEach(e, a)
    {
        if (!cJSON_IsString(e)) {
            bad(p, "non-string in", key);
            break;
        }
        out = CSLAddString(out, e->valuestring);
    }
    return out;
}

static char **get_name_values(parser *p, const cJSON *o, const char *key)
{
    const cJSON *obj = get(p, o, key, 0), *e;
    char **out = NULL;
    if (obj == NULL)
        return NULL;
    if (!cJSON_IsObject(obj)) {
        bad(p, "not an object:", key);
        return NULL;
    }
    cJSON_ArrayForEach(e, obj)
    {
        if (!cJSON_IsString(e)) {
            bad(p, "non-string value in", key);
            break;
        }
        out = CSLSetNameValue(out, e->string, e->valuestring);
    }
    return out;
}

static void parse_gcps(parser *p, const cJSON *a, xav_desc *d)
{
    const cJSON *e;
    int i = 0;
    if (!cJSON_IsArray(a)) {
        bad(p, "not an array:", "gcps");
        return;
    }
    d->gcp_count = cJSON_GetArraySize(a);
    d->gcps = (GDAL_GCP *)CPLCalloc(d->gcp_count + 1, sizeof(GDAL_GCP));
    GDALInitGCPs(d->gcp_count, d->gcps);
    cJSON_ArrayForEach(e, a)
    {
        GDAL_GCP *g = &d->gcps[i++];
        char *id = get_string(p, e, "id", 0),
             *info = get_string(p, e, "info", 0);
        if (id != NULL) {
            CPLFree(g->pszId);
            g->pszId = id;
        }
        if (info != NULL) {
            CPLFree(g->pszInfo);
            g->pszInfo = info;
        }
        g->dfGCPPixel = get_finite(p, e, "pixel", 0, 1);
        g->dfGCPLine = get_finite(p, e, "line", 0, 1);
        g->dfGCPX = get_finite(p, e, "x", 0, 1);
        g->dfGCPY = get_finite(p, e, "y", 0, 1);
        g->dfGCPZ = get_finite(p, e, "z", 0, 0);
    }
}

static void parse_georef(parser *p, const cJSON *g, xav_desc *d)
{
    const cJSON *crs, *gcps;
    if (g == NULL)
        return;
    if (get(p, g, "geotransform", 0) != NULL) {
        double *gt = get_finite_numbers(p, g, "geotransform", 6);
        if (gt != NULL) {
            memcpy(d->geotransform, gt, sizeof(d->geotransform));
            d->has_geotransform = 1;
        }
        CPLFree(gt);
    }
    if ((crs = get(p, g, "crs", 0)) != NULL) {
        const cJSON *pj = get(p, crs, "projjson", 0);
        d->crs_wkt = get_string(p, crs, "wkt2", 1);
        if (pj != NULL) {
            char *text = cJSON_PrintUnformatted(pj);
            d->crs_projjson = CPLStrdup(text);
            cJSON_free(text);
        }
    }
    if (get(p, g, "wgs84_bbox", 0) != NULL) {
        double *bb = get_finite_numbers(p, g, "wgs84_bbox", 4);
        if (bb != NULL) {
            memcpy(d->wgs84_bbox, bb, sizeof(d->wgs84_bbox));
            d->has_wgs84_bbox = 1;
        }
        CPLFree(bb);
    }
    if ((gcps = get(p, g, "gcps", 0)) != NULL)
        parse_gcps(p, gcps, d);
}

static void parse_color_table(parser *p, const cJSON *ct, xav_variable *v)
{
    const cJSON *e;
    int i = 0, c;
    if (!cJSON_IsArray(ct)) {
        bad(p, "not an array:", "color_table");
        return;
    }
    v->color_count = cJSON_GetArraySize(ct);
    v->colors =
        (short *)CPLCalloc((size_t)v->color_count * 4 + 1, sizeof(short));
    cJSON_ArrayForEach(e, ct)
    {
        if (!cJSON_IsArray(e) || cJSON_GetArraySize(e) != 4) {
            bad(p, "entry is not [r,g,b,a] in", "color_table");
            return;
        }
        for (c = 0; c < 4; c++) {
            const cJSON *x = cJSON_GetArrayItem(e, c);
            v->colors[4 * i + c] = (short)(cJSON_IsNumber(x) ? x->valueint : 0);
        }
        i++;
    }
}

static void parse_variable(parser *p, const cJSON *o, xav_variable *v)
{
    const cJSON *q, *ct;
    char *type = get_string(p, o, "data_type", 1);
    double *range;
    v->name = get_string(p, o, "name", 1);
    v->type = type ? GDALGetDataTypeByName(type) : GDT_Unknown;
    if (type != NULL && v->type == GDT_Unknown)
        bad(p, "unknown data type", type);
    CPLFree(type);
    v->has_nodata = get(p, o, "nodata", 0) != NULL;
    v->nodata = get_number(p, o, "nodata", 0, 0);
    v->units = get_string(p, o, "units", 0);
    v->description = get_string(p, o, "description", 0);
    {
        char *ci = get_string(p, o, "color_interp", 0);
        v->color_interp =
            ci ? GDALGetColorInterpretationByName(ci) : GCI_Undefined;
        CPLFree(ci);
    }
    if ((ct = get(p, o, "color_table", 0)) != NULL)
        parse_color_table(p, ct, v);
    v->categories = get_strings(p, o, "category_names");
    if ((ct = get(p, o, "attribute_table", 0)) != NULL) {
        char *text = cJSON_PrintUnformatted(ct);
        v->rat_json = CPLStrdup(text);
        cJSON_free(text);
    }
    v->has_offset_scale = get(p, o, "scale", 0) != NULL;
    v->gdal_offset = get_finite(p, o, "offset", 0, 0);
    v->gdal_scale = get_finite(p, o, "scale", 1, 0);
    v->metadata = get_name_values(p, o, "metadata");
    range = get_numbers(p, o, "valid_range", 2, NULL);
    if (range != NULL) {
        v->valid_min = range[0];
        v->valid_max = range[1];
    }
    CPLFree(range);
    v->has_mask = cJSON_IsTrue(get(p, o, "mask", 0));
    v->max_error = get_finite(p, o, "max_error", 0, 0);
    v->corr_step = get_finite(p, o, "correction_step", 0, v->max_error > 0);
    if (get(p, o, "exceptions", 0) != NULL) {
        int n = 0;
        double *e = get_numbers(p, o, "exceptions", -1, &n);
        if (e != NULL && n > XAV_MAX_EXCEPTIONS)
            bad(p, "more than 16 values in", "exceptions");
        else if (e != NULL) {
            memcpy(v->exceptions, e, n * sizeof(double));
            v->nexceptions = n;
        }
        CPLFree(e);
    }
    if ((q = get(p, o, "quantization", 1)) == NULL)
        return;
    v->quant = (xav_quant_mode)get_enum(p, q, "mode", xav_quant_by_name);
    v->q_offset = get_finite(p, q, "offset", 0, 1);
    v->q_scale = get_finite(p, q, "scale", 1, 1);
    v->words = get_int(p, q, "words", 1, 1);
}

static void parse_stream(parser *p, const cJSON *o, xav_stream *s)
{
    const cJSON *ch = get(p, o, "channels", 1), *e;
    int c = 0;
    s->file = get_string(p, o, "file", 1);
    s->index = get_int(p, o, "index", 0, 1);
    s->role = (xav_stream_role)get_enum(p, o, "role", xav_role_by_name);
    s->codec = (xav_codec)get_enum(p, o, "codec", xav_codec_by_name);
    s->pix_fmt = get_string(p, o, "pix_fmt", 1);
    s->bits = get_int(p, o, "bits", 8, 1);
    s->lossless = cJSON_IsTrue(get(p, o, "lossless", 0));
    s->crf = get_int(p, o, "crf", 0, 0);
    s->qp = get_int(p, o, "qp", -1, 0);
    s->preset = get_string(p, o, "preset", 0);
    s->gop = get_int(p, o, "gop", 1, 0);
    s->tile = get_int(p, o, "tile", 0, 0);
    s->checksums = cJSON_IsTrue(get(p, o, "packet_crc32", 0));
    if (ch == NULL)
        return;
    if (!cJSON_IsArray(ch) || cJSON_GetArraySize(ch) < 1 ||
        cJSON_GetArraySize(ch) > XAV_MAX_CHANNELS) {
        bad(p, "1 to 3 entries expected in", "channels");
        return;
    }
    cJSON_ArrayForEach(e, ch)
    {
        s->var[c] = get_int(p, e, "variable", 0, 1);
        s->word[c] = get_int(p, e, "word", 0, 0);
        c++;
    }
    s->channels = c;
}

static void parse_time(parser *p, const cJSON *t, xav_desc *d)
{
    int n = 0;
    d->time_name = get_string(p, t, "name", 0);
    d->time_units = get_string(p, t, "units", 0);
    d->time_calendar = get_string(p, t, "calendar", 0);
    d->time_values = get_numbers(p, t, "values", -1, &n);
    d->time_iso = get_strings(p, t, "iso");
    d->ntimes = n;
    if (d->time_iso != NULL && CSLCount(d->time_iso) != n)
        bad(p, "count differs from values in", "iso");
}

/* Every key and string of the document: valid UTF-8 (GDAL hands them to
 * applications as such) and of a sane length. Nesting is bounded by cJSON
 * (CJSON_NESTING_LIMIT), so the recursion is too. */
static void check_strings(parser *p, const cJSON *node)
{
    const cJSON *e;
    const char *where = node->string ? node->string : "(top level)";
    if (node->string != NULL && (strlen(node->string) > XAV_MAX_STRING_BYTES ||
                                 !CPLIsUTF8(node->string, -1)))
        bad(p, "key too long or not valid UTF-8 near", "(a key)");
    if (cJSON_IsString(node) && node->valuestring != NULL) {
        if (strlen(node->valuestring) > XAV_MAX_STRING_BYTES)
            bad(p, "string longer than 16 MiB in", where);
        else if (!CPLIsUTF8(node->valuestring, -1))
            bad(p, "string not valid UTF-8 in", where);
    }
    for (e = node->child; e != NULL && !p->failed; e = e->next)
        check_strings(p, e);
}

static int check_header(parser *p, const cJSON *root)
{
    const cJSON *fmt = get(p, root, "format", 1);
    int version;
    if (p->failed || !cJSON_IsString(fmt) ||
        strcmp(fmt->valuestring, "xavideo") != 0) {
        bad(p, "not an xavideo document:", "format");
        return -1;
    }
    version = get_int(p, root, "schema_version", 0, 1);
    if (!p->failed && (version < 1 || version > XAV_SCHEMA_VERSION)) {
        CPLError(CE_Failure, CPLE_NotSupported,
                 "XAVIDEO: %s has schema version %d; this driver reads "
                 "versions 1 to %d. Use a newer version of the driver.",
                 p->source, version, XAV_SCHEMA_VERSION);
        p->failed = 1;
        return -1;
    }
    return p->failed ? -1 : 0;
}

static void parse_arrays(parser *p, const cJSON *root, xav_desc *d)
{
    const cJSON *vars = get(p, root, "variables", 1);
    const cJSON *streams = get(p, root, "streams", 1), *e;
    int i = 0;
    if (p->failed || !cJSON_IsArray(vars) || !cJSON_IsArray(streams)) {
        bad(p, "arrays expected:", "variables/streams");
        return;
    }
    d->nvars = cJSON_GetArraySize(vars);
    d->vars = (xav_variable *)CPLCalloc(d->nvars + 1, sizeof(xav_variable));
    cJSON_ArrayForEach(e, vars) parse_variable(p, e, &d->vars[i++]);
    i = 0;
    d->nstreams = cJSON_GetArraySize(streams);
    d->streams = (xav_stream *)CPLCalloc(d->nstreams + 1, sizeof(xav_stream));
    cJSON_ArrayForEach(e, streams) parse_stream(p, e, &d->streams[i++]);
}

/* Checked before anything is allocated per band (xav_desc_validate says the
 * same after parsing, too late for that). */
static int band_count_ok(parser *p, const xav_desc *d)
{
    if ((double)d->nvars * d->ntimes <= (double)XAV_MAX_BANDS)
        return 1;
    bad(p, "more than 10^6 bands (variables x times) in", "variables");
    return 0;
}

static void parse_band_metadata(parser *p, const cJSON *bm, xav_desc *d)
{
    const cJSON *e;
    int nbands;
    if (!band_count_ok(p, d))
        return;
    if (!cJSON_IsObject(bm)) {
        bad(p, "not an object:", "band_metadata");
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
            bad(p, "bad band number in", "band_metadata");
            return;
        }
        d->band_metadata[b] = get_name_values(p, bm, e->string);
    }
}

/* Achieved PSNR and maximum error, one per band. */
static void parse_quality(parser *p, const cJSON *q, xav_desc *d)
{
    int n = 0, m = 0;
    if (!band_count_ok(p, d))
        return;
    d->psnr = get_numbers(p, q, "psnr_db", -1, &n);
    d->max_abs_error = get_numbers(p, q, "max_abs_error", -1, &m);
    if (!p->failed && (n != xav_desc_band_count(d) || m != n))
        bad(p, "one value per band expected in", "quality");
}

static void parse_document(parser *p, const cJSON *root, xav_desc *d)
{
    const cJSON *t, *bm, *fr, *q;
    char *order;
    d->width = get_int(p, root, "width", 0, 1);
    d->height = get_int(p, root, "height", 0, 1);
    if ((t = get(p, root, "tiling", 0)) != NULL) {
        d->tile_width = get_int(p, t, "tile_width", 0, 1);
        d->tile_height = get_int(p, t, "tile_height", 0, 1);
        if (!p->failed && (d->tile_width <= 0 || d->tile_height <= 0))
            bad(p, "tile size must be positive in", "tiling");
    }
    parse_georef(p, get(p, root, "georeferencing", 0), d);
    d->metadata = get_name_values(p, root, "metadata");
    order = get_string(p, root, "band_order", 0);
    d->order = order && !strcmp(order, "variable_major")
                   ? XAV_ORDER_VARIABLE_MAJOR
                   : XAV_ORDER_TIME_MAJOR;
    if (order != NULL && strcmp(order, "variable_major") != 0 &&
        strcmp(order, "time_major") != 0)
        bad(p, "unknown value of", "band_order");
    CPLFree(order);
    if ((t = get(p, root, "time", 0)) != NULL)
        parse_time(p, t, d);
    parse_arrays(p, root, d);
    if (!p->failed && (bm = get(p, root, "band_metadata", 0)) != NULL &&
        d->nvars > 0 && d->ntimes > 0)
        parse_band_metadata(p, bm, d);
    if ((fr = get(p, root, "frame_rate", 0)) != NULL) {
        double *rate = get_finite_numbers(p, root, "frame_rate", 2);
        if (rate != NULL &&
            (rate[0] < 1 || rate[0] > 1e6 || rate[1] < 1 || rate[1] > 1e6 ||
             rate[0] != floor(rate[0]) || rate[1] != floor(rate[1])))
            bad(p, "[num, den] of integers from 1 to 10^6 expected in",
                "frame_rate");
        else if (rate != NULL) {
            d->fps_num = (int)rate[0];
            d->fps_den = (int)rate[1];
        }
        CPLFree(rate);
    }
    d->encoder = get_name_values(p, root, "encoder");
    if (!p->failed && (q = get(p, root, "quality", 0)) != NULL)
        parse_quality(p, q, d);
}

xav_desc *xav_sidecar_from_json(const char *json, size_t len,
                                const char *source)
{
    parser p = {source, 0};
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
    if (check_header(&p, root) == 0)
        check_strings(&p, root);
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
