/* sidecar (writing): see sidecar.h; the schema is documented in
 * doc/sidecar.md. */
#include "sidecar.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cpl_conv.h"
#include "cpl_error.h"
#include "cpl_string.h"
#include "cpl_vsi.h"

#include "file_io.h"
#include "pack.h"
#include "xavideo.h"

/* JSON has no NaN or infinity: they travel as strings. */
/* A number as JSON, exactly: in the fewest digits that read back as the
 * same double (cJSON prints 15 digits whenever they read back within an
 * ulp, which changed a Float64 constant or a geotransform's origin in its
 * last bit). JSON has no NaN or infinity: they travel as strings. */
static cJSON *number(double v)
{
    char text[40];
    int digits;
    if (isnan(v))
        return cJSON_CreateString("nan");
    if (isinf(v))
        return cJSON_CreateString(v > 0 ? "inf" : "-inf");
    for (digits = 15; digits < 17; digits++) {
        snprintf(text, sizeof(text), "%.*g", digits, v);
        if (CPLStrtod(text, NULL) == v)
            break;
    }
    snprintf(text, sizeof(text), "%.*g", digits, v);
    return cJSON_CreateRaw(text);
}

static cJSON *number_array(const double *v, int n)
{
    cJSON *a = cJSON_CreateArray();
    int i;
    for (i = 0; i < n; i++)
        cJSON_AddItemToArray(a, number(v[i]));
    return a;
}

/* Measures as precise as a reader shows them (present.c: PSNR to 0.01
 * dB, errors to 9 digits): 17 digits a band were 4.9 KB of UWND's
 * sidecar. */
static cJSON *measure_array(const double *v, int n, const char *format)
{
    cJSON *a = cJSON_CreateArray();
    int i;
    for (i = 0; i < n; i++)
        cJSON_AddItemToArray(
            a,
            number(isfinite(v[i]) ? CPLAtof(CPLSPrintf(format, v[i])) : v[i]));
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

/* A metadata domain: an object where every item is KEY=VALUE (RPC,
 * IMAGERY), else its items verbatim (an xml: domain's document). */
static cJSON *domain_json(CSLConstList list)
{
    CSLConstList it;
    for (it = list; it != NULL && *it != NULL; it++)
        if (strchr(*it, '=') == NULL || **it == '=')
            return string_list(list);
    return name_values(list);
}

static cJSON *domains_json(const xav_desc *d)
{
    cJSON *o = cJSON_CreateObject();
    int k;
    for (k = 0; d->domains[k] != NULL; k++)
        cJSON_AddItemToObject(o, d->domains[k],
                              domain_json(d->domain_metadata[k]));
    return o;
}

static cJSON *georef_json(const xav_desc *d, int embedded)
{
    cJSON *g = cJSON_CreateObject();
    int i;
    if (d->has_geotransform)
        cJSON_AddItemToObject(g, "geotransform",
                              number_array(d->geotransform, 6));
    if (d->crs_wkt != NULL) {
        cJSON *crs = cJSON_AddObjectToObject(g, "crs");
        cJSON_AddStringToObject(crs, "wkt2", d->crs_wkt);
        if (d->crs_projjson != NULL && !embedded) {
            cJSON *pj = cJSON_Parse(d->crs_projjson);
            if (pj != NULL)
                cJSON_AddItemToObject(crs, "projjson", pj);
        }
    }
    if (d->has_wgs84_bbox)
        cJSON_AddItemToObject(g, "wgs84_bbox", number_array(d->wgs84_bbox, 4));
    if (d->grid_names[0] != NULL && d->grid_names[1] != NULL)
        cJSON_AddItemToObject(
            g, "grid_dimensions",
            cJSON_CreateStringArray((const char *const *)d->grid_names, 2));
    if (d->gcp_count > 0) {
        cJSON *gcps = cJSON_AddArrayToObject(g, "gcps");
        for (i = 0; i < d->gcp_count; i++) {
            const GDAL_GCP *p = &d->gcps[i];
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "id", p->pszId ? p->pszId : "");
            cJSON_AddStringToObject(o, "info", p->pszInfo ? p->pszInfo : "");
            cJSON_AddItemToObject(o, "pixel", number(p->dfGCPPixel));
            cJSON_AddItemToObject(o, "line", number(p->dfGCPLine));
            cJSON_AddItemToObject(o, "x", number(p->dfGCPX));
            cJSON_AddItemToObject(o, "y", number(p->dfGCPY));
            cJSON_AddItemToObject(o, "z", number(p->dfGCPZ));
            cJSON_AddItemToArray(gcps, o);
        }
    }
    return g;
}

static cJSON *variable_json(const xav_variable *v, int ndims)
{
    cJSON *o = cJSON_CreateObject(), *q;
    int i;
    cJSON_AddStringToObject(o, "name", v->name);
    cJSON_AddStringToObject(o, "data_type", GDALGetDataTypeName(v->type));
    if (v->signed_byte)
        cJSON_AddStringToObject(o, "pixel_type", "SIGNEDBYTE");
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
    if (v->mask_band != XAV_MASK_BAND_NONE)
        cJSON_AddStringToObject(o, "mask_band",
                                xav_mask_band_name(v->mask_band));
    if (v->max_error > 0)
        cJSON_AddItemToObject(o, "max_error", number(v->max_error));
    if (v->corr_step > 0)
        cJSON_AddItemToObject(o, "correction_step", number(v->corr_step));
    if (v->nexceptions > 0)
        cJSON_AddItemToObject(o, "exceptions",
                              number_array(v->exceptions, v->nexceptions));
    if (v->array != NULL) {
        cJSON_AddStringToObject(o, "array", v->array);
        cJSON_AddItemToObject(o, "coordinates",
                              cJSON_CreateIntArray(v->coords, ndims));
    }
    q = cJSON_AddObjectToObject(o, "quantization");
    cJSON_AddStringToObject(q, "mode", xav_quant_name(v->quant));
    cJSON_AddItemToObject(q, "offset", number(v->q_offset));
    cJSON_AddItemToObject(q, "scale", number(v->q_scale));
    cJSON_AddNumberToObject(q, "words", v->words);
    if (v->quant == XAV_QUANT_TABLE) {
        char *table = xav_table_pack(v->table, v->table_size);
        cJSON_AddNumberToObject(q, "table_size", v->table_size);
        cJSON_AddStringToObject(q, "table", table != NULL ? table : "");
        CPLFree(table);
    }
    if (v->quant == XAV_QUANT_MIXED) {
        cJSON_AddItemToObject(
            q, "mix_variables",
            cJSON_CreateIntArray(v->mix_vars, XAV_MAX_CHANNELS));
        cJSON_AddItemToObject(q, "mix", number_array(v->mix, XAV_MAX_CHANNELS));
    }
    return o;
}

/* A stream of a dataset of ntimes time steps. */
static cJSON *stream_json(const xav_stream *s, int ntimes)
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
    if (s->first_time != 0 || s->frames != ntimes) {
        cJSON_AddNumberToObject(o, "first_time", s->first_time);
        cJSON_AddNumberToObject(o, "frames", s->frames);
    }
    return o;
}

/* Each tile's streams, or the list every tile repeats (model.h). */
static void add_streams(cJSON *root, const xav_desc *d)
{
    const int shared = xav_desc_shared_tile_streams(d);
    cJSON *a =
        cJSON_AddArrayToObject(root, shared ? "tile_streams" : "streams");
    int i;
    for (i = 0; i < (shared ? shared : d->nstreams); i++) {
        cJSON *o = stream_json(&d->streams[i], d->ntimes);
        if (shared)
            cJSON_DeleteItemFromObject(o, "tile");
        cJSON_AddItemToArray(a, o);
    }
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

static cJSON *dims_json(const xav_desc *d)
{
    cJSON *a = cJSON_CreateArray();
    int i;
    for (i = 0; i < d->ndims; i++) {
        const xav_dim *dim = &d->dims[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", dim->name);
        if (dim->units != NULL)
            cJSON_AddStringToObject(o, "units", dim->units);
        cJSON_AddItemToObject(o, "values",
                              number_array(dim->values, dim->size));
        cJSON_AddItemToArray(a, o);
    }
    return a;
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

/* The tiles with no valid pixel, by number (model.h). */
static cJSON *empty_tiles_json(const xav_desc *d)
{
    cJSON *a = cJSON_CreateArray();
    int k;
    for (k = 0; k < xav_desc_tile_count(d); k++)
        if (xav_desc_tile_is_empty(d, k))
            cJSON_AddItemToArray(a, cJSON_CreateNumber(k));
    return a;
}

/* The lowest version that describes d, so that older readers read what
 * they can: 8 for a source's mask band, metadata domains or signed bytes, 7 for
 * mixed variables, 6 for empty tiles, 5 for value tables, 4 for streams of a
 * time range (appended parts), else 3 (or the version d was read as, if older).
 */
static int schema_version(const xav_desc *d)
{
    int s, v;
    for (v = 0; v < d->nvars; v++)
        if (d->vars[v].mask_band != XAV_MASK_BAND_NONE ||
            d->vars[v].signed_byte)
            return 8;
    if (d->domains != NULL)
        return 8;
    for (v = 0; v < d->nvars; v++)
        if (d->vars[v].quant == XAV_QUANT_MIXED)
            return 7;
    if (xav_desc_empty_tile_count(d) > 0)
        return 6;
    for (v = 0; v < d->nvars; v++)
        if (d->vars[v].quant == XAV_QUANT_TABLE)
            return 5;
    for (s = 0; s < d->nstreams; s++)
        if (d->streams[s].first_time != 0 || d->streams[s].frames != d->ntimes)
            return 4;
    return MIN(d->schema_version, 3);
}

char *xav_sidecar_to_json(const xav_desc *d, int embedded)
{
    cJSON *root = cJSON_CreateObject(), *a;
    char *text, *out;
    int i;
    int frame_rate[2] = {d->fps_num, d->fps_den};

    /* "format" first: Identify looks for it in the first bytes. */
    cJSON_AddStringToObject(root, "format", "xavideo");
    cJSON_AddNumberToObject(root, "schema_version", schema_version(d));
    cJSON_AddNumberToObject(root, "width", d->width);
    cJSON_AddNumberToObject(root, "height", d->height);
    if (d->tile_width > 0) { /* the nominal size, even above the raster's */
        cJSON *t = cJSON_AddObjectToObject(root, "tiling");
        cJSON_AddNumberToObject(t, "tile_width", d->tile_width);
        cJSON_AddNumberToObject(t, "tile_height", d->tile_height);
        cJSON_AddNumberToObject(t, "tiles_x", xav_desc_tiles_x(d));
        cJSON_AddNumberToObject(t, "tiles_y", xav_desc_tiles_y(d));
        if (xav_desc_empty_tile_count(d) > 0)
            cJSON_AddItemToObject(t, "empty_tiles", empty_tiles_json(d));
    }
    cJSON_AddItemToObject(root, "georeferencing", georef_json(d, embedded));
    cJSON_AddItemToObject(root, "metadata", name_values(d->metadata));
    if (d->domains != NULL)
        cJSON_AddItemToObject(root, "metadata_domains", domains_json(d));
    cJSON_AddStringToObject(
        root, "band_order",
        d->order == XAV_ORDER_TIME_MAJOR ? "time_major" : "variable_major");
    if (d->time_values != NULL)
        cJSON_AddItemToObject(root, "time", time_json(d));
    if (d->ndims > 0)
        cJSON_AddItemToObject(root, "dimensions", dims_json(d));
    a = cJSON_AddArrayToObject(root, "variables");
    for (i = 0; i < d->nvars; i++)
        cJSON_AddItemToArray(a, variable_json(&d->vars[i], d->ndims));
    if (d->band_metadata != NULL)
        cJSON_AddItemToObject(root, "band_metadata", band_metadata_json(d));
    add_streams(root, d);
    cJSON_AddItemToObject(root, "frame_rate",
                          cJSON_CreateIntArray(frame_rate, 2));
    if (d->psnr != NULL) {
        cJSON *q = cJSON_AddObjectToObject(root, "quality");
        int nbands = xav_desc_band_count(d);
        cJSON_AddItemToObject(q, "psnr_db",
                              measure_array(d->psnr, nbands, "%.2f"));
        cJSON_AddItemToObject(q, "max_abs_error",
                              measure_array(d->max_abs_error, nbands, "%.9g"));
    }
    cJSON_AddItemToObject(root, "encoder", name_values(d->encoder));

    text = cJSON_PrintUnformatted(root);
    out = CPLStrdup(text);
    cJSON_free(text);
    cJSON_Delete(root);
    return out;
}

int xav_sidecar_write(const xav_desc *d, const char *path)
{
    char *json = xav_sidecar_to_json(d, 0);
    const size_t len = strlen(json);
    VSILFILE *fp;
    int ok, errnum;
    errno = 0;
    fp = VSIFOpenL(path, "wb");
    ok = fp != NULL && VSIFWriteL(json, 1, len, fp) == len &&
         xav_file_sync(fp) == 0;
    errnum = errno; /* of the failure, if one */
    if (fp != NULL && VSIFCloseL(fp) != 0 && ok) {
        ok = 0;
        errnum = errno;
    }
    CPLFree(json);
    return ok ? 0 : xav_file_error("write the sidecar", path, errnum);
}

char *xav_sidecar_pack(const char *json)
{
    return xav_pack_bytes(json, strlen(json));
}

xav_desc *xav_sidecar_copy(const xav_desc *d)
{
    char *json = xav_sidecar_to_json(d, 0);
    xav_desc *copy = xav_sidecar_from_json(json, strlen(json), "a copy");
    CPLFree(json);
    return copy;
}
