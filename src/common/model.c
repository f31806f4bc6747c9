/* model: see model.h. */
#include "model.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cpl_conv.h"
#include "cpl_error.h"
#include "cpl_string.h"

#include "xavideo.h"

static const char *const codec_names[] = {"x265", "ffv1", "av1"};
static const char *const role_names[] = {"data", "mask", "correction"};
static const char *const quant_names[XAV_QUANT_COUNT] = {
    "integer", "linear", "bits", "constant", "lattice", "table", "mixed"};
static const char *const mask_band_names[XAV_MASK_BAND_COUNT] = {
    "none", "per_dataset", "own"};

static int by_name(const char *const *names, int count, const char *name)
{
    int i;
    for (i = 0; name != NULL && i < count; i++)
        if (strcmp(name, names[i]) == 0)
            return i;
    return -1;
}

const char *xav_codec_name(xav_codec codec)
{
    return codec_names[codec];
}
int xav_codec_by_name(const char *name)
{
    return by_name(codec_names, 3, name);
}
const char *xav_role_name(xav_stream_role role)
{
    return role_names[role];
}
int xav_role_by_name(const char *name)
{
    return by_name(role_names, 3, name);
}
const char *xav_quant_name(xav_quant_mode mode)
{
    return quant_names[mode];
}
int xav_quant_by_name(const char *name)
{
    return by_name(quant_names, XAV_QUANT_COUNT, name);
}
const char *xav_mask_band_name(xav_mask_band kind)
{
    return mask_band_names[kind];
}
int xav_mask_band_by_name(const char *name)
{
    return by_name(mask_band_names, XAV_MASK_BAND_COUNT, name);
}

int xav_domain_kept(const char *domain)
{
    static const char *const left[] = {"IMAGE_STRUCTURE", "XAVIDEO",
                                       "SUBDATASETS", "DERIVED_SUBDATASETS",
                                       "GEOLOCATION"};
    size_t k;
    if (domain == NULL || *domain == '\0')
        return 0;
    for (k = 0; k < sizeof(left) / sizeof(left[0]); k++)
        if (EQUAL(domain, left[k]))
            return 0;
    return 1;
}

CSLConstList xav_desc_domain(const xav_desc *d, const char *domain)
{
    const int k = domain != NULL ? CSLFindString(d->domains, domain) : -1;
    return k >= 0 ? d->domain_metadata[k] : NULL;
}

xav_desc *xav_desc_new(void)
{
    xav_desc *d = (xav_desc *)CPLCalloc(1, sizeof(*d));
    d->schema_version = XAV_SCHEMA_VERSION;
    d->ntimes = 1;
    d->fps_num = 25;
    d->fps_den = 1;
    return d;
}

static void variable_free(xav_variable *v)
{
    CPLFree(v->name);
    CPLFree(v->units);
    CPLFree(v->description);
    CPLFree(v->colors);
    CSLDestroy(v->categories);
    CPLFree(v->rat_json);
    CSLDestroy(v->metadata);
    CPLFree(v->array);
    CPLFree(v->coords);
    CPLFree(v->table);
}

void xav_desc_free(xav_desc *d)
{
    int i;
    if (d == NULL)
        return;
    CPLFree(d->crs_wkt);
    CPLFree(d->crs_projjson);
    CPLFree(d->grid_names[0]);
    CPLFree(d->grid_names[1]);
    if (d->gcp_count > 0)
        GDALDeinitGCPs(d->gcp_count, d->gcps);
    CPLFree(d->gcps);
    CSLDestroy(d->metadata);
    for (i = 0; d->domains != NULL && d->domains[i] != NULL; i++)
        CSLDestroy(d->domain_metadata[i]);
    CSLDestroy(d->domains);
    CPLFree(d->domain_metadata);
    /* counts may be set before the arrays (a plan refused half-way) */
    for (i = 0; d->vars != NULL && i < d->nvars; i++)
        variable_free(&d->vars[i]);
    CPLFree(d->vars);
    for (i = 0; d->dims != NULL && i < d->ndims; i++) {
        CPLFree(d->dims[i].name);
        CPLFree(d->dims[i].units);
        CPLFree(d->dims[i].values);
    }
    CPLFree(d->dims);
    CPLFree(d->time_values);
    CPLFree(d->time_name);
    CPLFree(d->time_units);
    CPLFree(d->time_calendar);
    CSLDestroy(d->time_iso);
    if (d->band_metadata != NULL) {
        int nbands = xav_desc_band_count(d);
        for (i = 0; i < nbands; i++)
            CSLDestroy(d->band_metadata[i]);
        CPLFree(d->band_metadata);
    }
    xav_desc_free_streams(d);
    CPLFree(d->tile_empty);
    CSLDestroy(d->encoder);
    CPLFree(d->psnr);
    CPLFree(d->max_abs_error);
    CPLFree(d);
}

int xav_same_table(const xav_variable *a, const xav_variable *b)
{
    return a->table_size == b->table_size &&
           (a->table_size == 0 ||
            memcmp(a->table, b->table, a->table_size * sizeof(uint64_t)) == 0);
}

void xav_variable_join_masks(xav_variable *into, const xav_variable *from)
{
    into->has_mask |= from->has_mask;
    into->mask_band = MAX(into->mask_band, from->mask_band);
}

int xav_same_mix(const xav_variable *a, const xav_variable *b)
{
    int k;
    for (k = 0; a->quant == XAV_QUANT_MIXED && k < XAV_MAX_CHANNELS; k++)
        if (a->mix_vars[k] != b->mix_vars[k] || a->mix[k] != b->mix[k])
            return 0;
    return 1;
}

int xav_variable_is_exact(const xav_variable *v)
{
    return v->lossless || v->quant == XAV_QUANT_CONSTANT;
}

int xav_variable_codes_exact(const xav_variable *v)
{
    return xav_variable_is_exact(v) || v->quant == XAV_QUANT_LATTICE;
}

int xav_variable_corrected(const xav_variable *v)
{
    return v->corr_step > 0;
}

int xav_stream_is_lossy(const xav_stream *s)
{
    return s->role == XAV_ROLE_DATA && !s->lossless;
}

static void stream_free_strings(xav_stream *s)
{
    CPLFree(s->file);
    CPLFree(s->pix_fmt);
    CPLFree(s->preset);
}

void xav_desc_free_streams(xav_desc *d)
{
    int i;
    for (i = 0; d->streams != NULL && i < d->nstreams; i++)
        stream_free_strings(&d->streams[i]);
    CPLFree(d->streams);
    d->streams = NULL;
    d->nstreams = 0;
}

void xav_stream_copy(xav_stream *to, const xav_stream *from)
{
    *to = *from;
    to->file = CPLStrdup(from->file);
    to->pix_fmt = CPLStrdup(from->pix_fmt);
    to->preset = CPLStrdup(from->preset);
}

int xav_same_text(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

int xav_same_number(double a, double b)
{
    return a == b || (isnan(a) && isnan(b));
}

int xav_variable_coded_alike(const xav_variable *a, const xav_variable *b)
{
    int k;
    if (!xav_same_text(a->name, b->name) || a->type != b->type ||
        a->has_nodata != b->has_nodata ||
        !xav_same_number(a->nodata, b->nodata) || a->quant != b->quant ||
        !xav_same_number(a->q_offset, b->q_offset) ||
        !xav_same_number(a->q_scale, b->q_scale) || a->words != b->words ||
        !xav_same_number(a->max_error, b->max_error) ||
        !xav_same_number(a->corr_step, b->corr_step) ||
        a->nexceptions != b->nexceptions || !xav_same_table(a, b))
        return 0;
    for (k = 0; k < a->nexceptions; k++)
        if (a->exceptions[k] != b->exceptions[k])
            return 0;
    return xav_same_mix(a, b);
}

/* Whether b is a (tile 0's stream) but for its tile, in a file by rule. */
static int repeats(const xav_stream *a, const xav_stream *b)
{
    int c;
    if (!xav_same_text(b->file, "") || !xav_same_text(a->pix_fmt, b->pix_fmt) ||
        !xav_same_text(a->preset, b->preset) || a->index != b->index ||
        a->role != b->role || a->codec != b->codec || a->bits != b->bits ||
        a->channels != b->channels || a->lossless != b->lossless ||
        a->crf != b->crf || a->qp != b->qp || a->gop != b->gop ||
        a->checksums != b->checksums || a->first_time != b->first_time ||
        a->frames != b->frames)
        return 0;
    for (c = 0; c < a->channels; c++)
        if (a->var[c] != b->var[c] || a->word[c] != b->word[c])
            return 0;
    return 1;
}

int xav_desc_shared_tile_streams(const xav_desc *d)
{
    const int ntiles = xav_desc_tile_count(d);
    const int full = ntiles - xav_desc_empty_tile_count(d);
    int per, s, k = 0;
    if (ntiles < 2 || xav_desc_tile_is_empty(d, 0) || d->nstreams % full != 0)
        return 0;
    per = d->nstreams / full;
    for (s = 0; s < d->nstreams; s++) {
        if (s % per == 0)
            for (k = s == 0 ? 0 : k + 1; xav_desc_tile_is_empty(d, k); k++)
                ;
        if (d->streams[s].tile != k ||
            !repeats(&d->streams[s % per], &d->streams[s]))
            return 0;
    }
    return per;
}

void xav_desc_repeat_tile_streams(xav_desc *d)
{
    const int per_tile = d->nstreams, ntiles = xav_desc_tile_count(d);
    int k, s, n = per_tile;
    d->streams = (xav_stream *)CPLRealloc(
        d->streams, ((size_t)per_tile * ntiles + 1) * sizeof(xav_stream));
    for (k = 1; k < ntiles; k++)
        for (s = 0; s < per_tile && !xav_desc_tile_is_empty(d, k); s++) {
            xav_stream *to = &d->streams[n++];
            xav_stream_copy(to, &d->streams[s]);
            to->tile = k;
        }
    d->nstreams = n;
}

int xav_desc_tile_is_empty(const xav_desc *d, int tile)
{
    return d->tile_empty != NULL && d->tile_empty[tile];
}

int xav_desc_empty_tile_count(const xav_desc *d)
{
    int k, n = 0;
    for (k = 0; d->tile_empty != NULL && k < xav_desc_tile_count(d); k++)
        n += d->tile_empty[k] != 0;
    return n;
}

void xav_desc_mark_empty(xav_desc *d, int tile)
{
    if (d->tile_empty == NULL)
        d->tile_empty = (unsigned char *)CPLCalloc(xav_desc_tile_count(d), 1);
    d->tile_empty[tile] = 1;
}

void xav_desc_empty_tile(xav_desc *d, int tile)
{
    int s, n = 0;
    xav_desc_mark_empty(d, tile);
    for (s = 0; s < d->nstreams; s++) {
        if (d->streams[s].tile != tile)
            d->streams[n++] = d->streams[s];
        else
            stream_free_strings(&d->streams[s]);
    }
    d->nstreams = n;
}

int xav_desc_band_count(const xav_desc *d)
{
    return d->nvars * d->ntimes;
}

int xav_desc_block_width(const xav_desc *d)
{
    return d->tile_width > 0 && d->tile_width < d->width ? d->tile_width
                                                         : d->width;
}

int xav_desc_block_height(const xav_desc *d)
{
    return d->tile_height > 0 && d->tile_height < d->height ? d->tile_height
                                                            : d->height;
}

int xav_desc_tiles_x(const xav_desc *d)
{
    const int bw = xav_desc_block_width(d);
    return (d->width + bw - 1) / bw;
}

int xav_desc_tiles_y(const xav_desc *d)
{
    const int bh = xav_desc_block_height(d);
    return (d->height + bh - 1) / bh;
}

int xav_desc_tile_count(const xav_desc *d)
{
    return xav_desc_tiles_x(d) * xav_desc_tiles_y(d);
}

void xav_desc_tile_rect(const xav_desc *d, int tile, int *x, int *y, int *w,
                        int *h)
{
    const int bw = xav_desc_block_width(d), bh = xav_desc_block_height(d);
    *x = (tile % xav_desc_tiles_x(d)) * bw;
    *y = (tile / xav_desc_tiles_x(d)) * bh;
    *w = MIN(bw, d->width - *x);
    *h = MIN(bh, d->height - *y);
}

int xav_coded_size(int size)
{
    return size < XAV_MIN_FRAME_SIZE ? XAV_MIN_FRAME_SIZE : size;
}

void xav_stream_identity(const xav_stream *s, char *text, size_t size)
{
    size_t len = (size_t)snprintf(text, size, "%s", xav_role_name(s->role));
    int c;
    for (c = 0; c < s->channels && len < size; c++)
        len += (size_t)snprintf(text + len, size - len, " %d.%d", s->var[c],
                                s->word[c]);
}

void xav_desc_band_split(const xav_desc *d, int band, int *var, int *time)
{
    if (d->order == XAV_ORDER_TIME_MAJOR) {
        *var = band % d->nvars;
        *time = band / d->nvars;
    } else {
        *var = band / d->ntimes;
        *time = band % d->ntimes;
    }
}

int xav_desc_band_index(const xav_desc *d, int var, int time)
{
    return d->order == XAV_ORDER_TIME_MAJOR ? time * d->nvars + var
                                            : var * d->ntimes + time;
}

static int fail(const char *what)
{
    CPLError(CE_Failure, CPLE_AppDefined, "XAVIDEO: inconsistent sidecar: %s.",
             what);
    return -1;
}

/* Slots of a variable: its words, then its mask, then its corrections. */
#define SLOTS (XAV_MAX_WORDS + 2)
#define MASK_SLOT XAV_MAX_WORDS
#define CORRECTION_SLOT (XAV_MAX_WORDS + 1)

/* The slot a channel fills, or -1 if it cannot be there. */
static int channel_slot(const xav_desc *d, const xav_stream *st, int c)
{
    const int v = st->var[c];
    if (v < 0 || v >= d->nvars)
        return -1;
    switch (st->role) {
    case XAV_ROLE_MASK:
        return d->vars[v].has_mask ? MASK_SLOT : -1;
    case XAV_ROLE_CORRECTION:
        return xav_variable_corrected(&d->vars[v]) ? CORRECTION_SLOT : -1;
    default:
        return st->word[c] >= 0 && st->word[c] < d->vars[v].words ? st->word[c]
                                                                  : -1;
    }
}

/* Whether the channels of streams [first, end), one tile's streams of one
 * time range, carry each (variable, word) once, each masked variable at
 * most once and each corrected one once; seen: nvars * SLOTS counters. */
static int range_complete(const xav_desc *d, int first, int end, int *seen)
{
    int s, c, v, w, ok = 1;
    memset(seen, 0, (size_t)d->nvars * SLOTS * sizeof(int));
    for (s = first; s < end && ok; s++) {
        const xav_stream *st = &d->streams[s];
        for (c = 0; c < st->channels && ok; c++) {
            const int slot = channel_slot(d, st, c);
            ok = slot >= 0 && seen[st->var[c] * SLOTS + slot]++ == 0;
        }
    }
    for (v = 0; v < d->nvars && ok; v++) {
        const int *got = seen + v * SLOTS;
        for (w = 0; w < d->vars[v].words; w++)
            ok = ok && got[w] == 1;
        /* a tile without a mask channel has no invalid pixel */
        ok = ok && got[MASK_SLOT] <= (d->vars[v].has_mask ? 1 : 0);
        ok = ok && got[CORRECTION_SLOT] ==
                       (xav_variable_corrected(&d->vars[v]) ? 1 : 0);
    }
    return ok;
}

/* The end of the run of streams from first that share its tile and time
 * range, or -1 if a stream of that tile overlaps the range otherwise. */
static int range_end(const xav_desc *d, int first)
{
    const xav_stream *a = &d->streams[first];
    int s = first + 1;
    while (s < d->nstreams && d->streams[s].tile == a->tile &&
           d->streams[s].first_time == a->first_time) {
        if (d->streams[s].frames != a->frames)
            return -1;
        s++;
    }
    return s;
}

/* Streams grouped by tile, in tile order, and in each tile by time range,
 * the ranges following each other over the whole axis; each range
 * complete (range_complete). An empty tile's ranges may leave gaps, or be
 * none: what they do not cover is invalid. */
static int validate_channels(const xav_desc *d)
{
    const int ntiles = xav_desc_tile_count(d);
    int *seen = (int *)CPLMalloc((size_t)d->nvars * SLOTS * sizeof(int));
    int s = 0, end, tile = 0, next_time = 0, ok = 1;
    while (s < d->nstreams && ok) {
        const xav_stream *st = &d->streams[s];
        if (st->tile != tile) { /* the tile before is done */
            ok = st->tile > tile && st->tile < ntiles &&
                 (next_time == d->ntimes || xav_desc_tile_is_empty(d, tile));
            for (tile++; ok && tile < st->tile; tile++)
                ok = xav_desc_tile_is_empty(d, tile);
            next_time = 0;
        }
        ok = ok &&
             (st->first_time == next_time || (xav_desc_tile_is_empty(d, tile) &&
                                              st->first_time > next_time)) &&
             st->frames >= 1 && st->frames <= d->ntimes - st->first_time;
        ok = ok && (end = range_end(d, s)) > s &&
             range_complete(d, s, end, seen);
        if (ok) {
            next_time = st->first_time + st->frames;
            s = end;
        }
    }
    ok = ok && (next_time == d->ntimes || xav_desc_tile_is_empty(d, tile));
    for (tile++; ok && tile < ntiles; tile++)
        ok = xav_desc_tile_is_empty(d, tile);
    CPLFree(seen);
    return ok ? 0 : fail("streams do not carry every variable exactly once");
}

/* An empty tile reads as its variables' invalid pixels: every variable
 * needs a mask (the writer leaves out only tiles of masked lossy data).
 * Tile 0 is never one: its file carries the embedded description, and
 * its streams say how each band is coded. */
static int validate_empty_tiles(const xav_desc *d)
{
    int v;
    if (xav_desc_empty_tile_count(d) == 0)
        return 0;
    if (xav_desc_tile_is_empty(d, 0))
        return fail("tile 0 cannot be empty");
    for (v = 0; v < d->nvars; v++)
        if (!d->vars[v].has_mask)
            return fail("an empty tile, but a variable without a mask");
    return 0;
}

/* The data channels a variable of this quantization and size needs (a
 * constant's one code, 0, in an exact stream). */
static int words_of(xav_quant_mode quant, int size)
{
    return quant == XAV_QUANT_BITS ? size : 1;
}

static int validate_variable(const xav_variable *var)
{
    const int size = GDALGetDataTypeSizeBytes(var->type);
    int k;
    if (var->type == GDT_Unknown || GDALDataTypeIsComplex(var->type))
        return fail("unsupported variable data type");
    if (var->words != words_of(var->quant, size) ||
        (var->quant == XAV_QUANT_BITS && size != 4 && size != 8))
        return fail("variable word count does not fit its quantization and "
                    "data type");
    if (var->quant == XAV_QUANT_TABLE &&
        (var->table == NULL || var->table_size < 1 ||
         var->table_size > XAV_TABLE_MAX || (size != 4 && size != 8)))
        return fail("a value table needs 1 to 65536 values of a 32 or 64-bit "
                    "type");
    if (var->nexceptions < 0 || var->nexceptions > XAV_MAX_EXCEPTIONS)
        return fail("too many exceptional values");
    for (k = 0; k < var->nexceptions; k++)
        if (!isfinite(var->exceptions[k]))
            return fail("exceptional values must be finite");
    if (!isfinite(var->q_offset) || !isfinite(var->q_scale) ||
        ((var->quant == XAV_QUANT_LINEAR || var->quant == XAV_QUANT_LATTICE) &&
         !(var->q_scale > 0)))
        return fail("quantization scale must be positive and finite");
    for (k = 0; var->quant == XAV_QUANT_MIXED && k < XAV_MAX_CHANNELS; k++)
        if (!isfinite(var->mix[k]))
            return fail("a mixed variable's weights must be finite");
    if (!(var->max_error >= 0) || !(var->corr_step >= 0) ||
        (var->corr_step > 0 && !(var->max_error > 0)))
        return fail("error bound and correction step must be positive");
    return 0;
}

int xav_stream_channel_of(const xav_stream *st, int v)
{
    int c;
    for (c = 0; c < st->channels; c++)
        if (st->var[c] == v)
            return c;
    return -1;
}

/* A data stream of mixed variables carries all of them and nothing else,
 * lossy: every variable's value needs the codes of the others. */
static int validate_mixed_stream(const xav_desc *d, const xav_stream *st)
{
    int c, k, mixed = 0;
    for (c = 0; st->role == XAV_ROLE_DATA && c < st->channels; c++)
        if (st->var[c] >= 0 && st->var[c] < d->nvars &&
            d->vars[st->var[c]].quant == XAV_QUANT_MIXED)
            mixed++;
    if (mixed == 0)
        return 0;
    if (mixed != XAV_MAX_CHANNELS || st->channels != XAV_MAX_CHANNELS ||
        st->lossless)
        return fail("a stream of mixed variables must carry three of them, "
                    "lossy");
    for (c = 0; c < st->channels; c++)
        for (k = 0; k < XAV_MAX_CHANNELS; k++)
            if (xav_stream_channel_of(st, d->vars[st->var[c]].mix_vars[k]) < 0)
                return fail("a mixed variable's stream lacks a variable "
                            "that its value needs");
    return 0;
}

/* Bits of a stream's codes as the reader takes them: masks and the words of
 * XAV_QUANT_BITS are bytes, corrections more than 8 bits. */
static int validate_stream(const xav_desc *d, const xav_stream *st)
{
    int c;
    if (st->channels != 1 && st->channels != XAV_MAX_CHANNELS)
        return fail("a stream has neither 1 nor 3 channels");
    if (st->bits < 8 || st->bits > 16 || st->index < 0 || st->gop < 1)
        return fail("stream bits, index or gop out of range");
    if ((st->role == XAV_ROLE_MASK && st->bits != 8) ||
        (st->role == XAV_ROLE_CORRECTION && st->bits <= 8))
        return fail("mask streams are 8-bit, correction streams wider");
    for (c = 0; c < st->channels; c++)
        if (st->role == XAV_ROLE_DATA && st->var[c] >= 0 &&
            st->var[c] < d->nvars &&
            d->vars[st->var[c]].quant == XAV_QUANT_BITS && st->bits != 8)
            return fail("streams of a variable's bytes are 8-bit");
        else if (st->role == XAV_ROLE_DATA && st->var[c] >= 0 &&
                 st->var[c] < d->nvars &&
                 d->vars[st->var[c]].quant == XAV_QUANT_TABLE && !st->lossless)
            return fail("a value table's codes must be coded losslessly");
    return validate_mixed_stream(d, st);
}

/* Extra dimensions: named, distinct from each other and from time, and
 * every slice's coordinates on them. */
static int validate_dims(const xav_desc *d)
{
    const char *time = d->time_name != NULL ? d->time_name : "time";
    int i, j, v;
    if (d->ndims < 0 || d->ndims > XAV_MAX_DIMS)
        return fail("too many extra dimensions");
    for (i = 0; i < d->ndims; i++) {
        const xav_dim *dim = &d->dims[i];
        if (dim->name == NULL || *dim->name == '\0' || dim->size < 1 ||
            dim->values == NULL || strcmp(dim->name, time) == 0)
            return fail("an extra dimension has no name, no value, or the "
                        "time axis' name");
        for (j = 0; j < i; j++)
            if (strcmp(dim->name, d->dims[j].name) == 0)
                return fail("two extra dimensions have the same name");
        for (j = 0; j < dim->size; j++)
            if (!isfinite(dim->values[j]))
                return fail("an extra dimension's values must be finite");
    }
    for (v = 0; v < d->nvars; v++) {
        const xav_variable *var = &d->vars[v];
        if ((var->array == NULL) != (var->coords == NULL) ||
            (var->array != NULL && d->ndims == 0))
            return fail("a slice needs an array and coordinates");
        for (i = 0; var->coords != NULL && i < d->ndims; i++)
            if (var->coords[i] < 0 || var->coords[i] >= d->dims[i].size)
                return fail("a slice's coordinate is out of its dimension");
    }
    return 0;
}

int xav_desc_validate(const xav_desc *d)
{
    int s, v;
    int64_t ntiles;
    if (d->width <= 0 || d->height <= 0 || d->width > XAV_MAX_RASTER_SIZE ||
        d->height > XAV_MAX_RASTER_SIZE)
        return fail("raster size out of range (1 to 2^20 pixels)");
    if (d->nvars <= 0 || d->ntimes <= 0 ||
        (double)d->nvars * d->ntimes > (double)XAV_MAX_BANDS)
        return fail("variable or time count out of range");
    if (d->nstreams <= 0)
        return fail("no stream");
    if (d->tile_width < 0 || d->tile_height < 0)
        return fail("tile size out of range");
    /* every (tile, variable) needs a channel of its own: a bound by the
     * size of the document on what validation allocates */
    ntiles = (int64_t)xav_desc_tiles_x(d) * xav_desc_tiles_y(d) -
             xav_desc_empty_tile_count(d);
    if ((double)ntiles * d->nvars > (double)d->nstreams * XAV_MAX_CHANNELS)
        return fail("fewer streams than the tiles and variables need");
    if (d->fps_num <= 0 || d->fps_den <= 0)
        return fail("bad frame rate");
    for (v = 0; v < d->nvars; v++)
        if (validate_variable(&d->vars[v]) != 0)
            return -1;
    if (validate_dims(d) != 0)
        return -1;
    for (s = 0; s < d->nstreams; s++)
        if (validate_stream(d, &d->streams[s]) != 0)
            return -1;
    return validate_empty_tiles(d) == 0 ? validate_channels(d) : -1;
}

void xav_desc_link_streams(xav_desc *d)
{
    int s, c;
    for (s = 0; s < d->nstreams; s++) {
        const xav_stream *st = &d->streams[s];
        for (c = 0; st->role == XAV_ROLE_DATA && c < st->channels; c++) {
            xav_variable *v = &d->vars[st->var[c]];
            /* exact codes of a constant or a lattice: a lossy one still */
            v->lossless = st->lossless && v->quant != XAV_QUANT_CONSTANT &&
                          v->quant != XAV_QUANT_LATTICE;
            v->bits = st->bits;
        }
    }
}
