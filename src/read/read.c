/*
 * read: pixels (xav_read_block, xav_read_band and their companions of
 * xavideo.h). A block is one tile of one band: its frame comes from the
 * dataset's hold, the frame cache or the stream's decoder, in that order,
 * and its codes become the band's values (quantize.h), with the mask's
 * invalid pixels and the corrections of MAX_ERROR applied.
 */
#include <string.h>

#include "cpl_conv.h"
#include "cpl_error.h"

#include "dataset.h"
#include "layout.h"
#include "quantize.h"
#include "trust.h"

/* Stream s's reader, opened and checked against the description. Returns
 * 0, or -1 with a CPLError. */
static int open_reader(xav_dataset *ds, int s)
{
    const xav_desc *d = ds->d;
    const xav_stream *st = &d->streams[s];
    if (ds->readers[s] != NULL)
        return 0;
    ds->readers[s] =
        xav_stream_reader_open(ds->stream_paths[s], st->index, d->fps_num,
                               d->fps_den, st->gop, ds->threads, st->checksums);
    if (ds->readers[s] == NULL)
        return -1;
    if (xav_check_stream(ds, s) == 0)
        return 0;
    xav_stream_reader_close(ds->readers[s]);
    ds->readers[s] = NULL;
    return -1;
}

/* Time step t of stream s, decoded and checked against the description. */
static const xav_frame *decode_frame(xav_dataset *ds, int s, int t)
{
    const xav_stream *st = &ds->d->streams[s];
    const xav_frame *f;
    if (open_reader(ds, s) != 0)
        return NULL;
    f = xav_stream_reader_frame(ds->readers[s], t - st->first_time,
                                &ds->decoded);
    return f != NULL && xav_check_frame(ds, s, f) == 0 ? f : NULL;
}

/* Frame t of stream s, from the cache or decoded. The pointer stays valid
 * until the next request for stream s: the dataset holds a reference, so a
 * cache eviction cannot pull it away mid-read. */
static const xav_frame *stream_frame(xav_dataset *ds, int s, int t)
{
    const xav_frame *f;
    if (ds->held_time[s] == t)
        return ds->held[s];
    if ((f = xav_frame_cache_get(ds->cache, s, t)) == NULL) {
        if ((f = decode_frame(ds, s, t)) == NULL)
            return NULL;
        xav_frame_cache_put(ds->cache, s, t, f);
    }
    xav_frame_unref(&ds->held[s]);
    ds->held_time[s] = -1;
    if ((ds->held[s] = xav_frame_ref(f)) == NULL)
        return NULL;
    ds->held_time[s] = t;
    return ds->held[s];
}

/* A channel's plane of one frame, as the reader takes it. */
typedef struct {
    const uint8_t *data;
    int linesize;
    int bytes; /* per code */
    int bits;  /* of its stream's codes */
} plane;

/* Plane of (variable, word), or of its mask or corrections, in tile at
 * time t. Returns 0, or -1 with a CPLError. */
static int channel_plane(xav_dataset *ds, int v, int word, xav_stream_role role,
                         int tile, int t, plane *p)
{
    const xav_frame *f;
    int s, c;
    if (xav_layout_find(ds->d, v, word, role, tile, t, &s, &c) != 0) {
        CPLError(CE_Failure, CPLE_AppDefined,
                 "XAVIDEO: no %s stream of variable %d in tile %d.",
                 xav_role_name(role), v, tile);
        return -1;
    }
    if ((f = stream_frame(ds, s, t)) == NULL)
        return -1;
    p->bytes = xav_frame_code_bytes(f);
    p->bits = ds->d->streams[s].bits;
    p->data = xav_frame_plane(f, c, &p->linesize);
    return 0;
}

static int has_channel(const xav_desc *d, int v, xav_stream_role role, int tile,
                       int t)
{
    int s, c;
    return xav_layout_find(d, v, 0, role, tile, t, &s, &c) == 0;
}

/* Where a tile's pixels go: rows of w pixels, stride bytes apart. */
typedef struct {
    GByte *out;
    size_t stride;
    int w, h;
} destination;

static int read_bits(xav_dataset *ds, const xav_variable *var, int v, int tile,
                     int t, const destination *to)
{
    const uint8_t *rows[XAV_MAX_WORDS];
    plane planes[XAV_MAX_WORDS];
    int w, y;
    for (w = 0; w < var->words; w++)
        if (channel_plane(ds, v, w, XAV_ROLE_DATA, tile, t, &planes[w]) != 0)
            return -1;
    for (y = 0; y < to->h; y++) {
        for (w = 0; w < var->words; w++)
            rows[w] = planes[w].data + (size_t)y * planes[w].linesize;
        xav_bits_decode_row(var->type, rows, to->w,
                            to->out + (size_t)y * to->stride);
    }
    return 0;
}

static int read_table(xav_dataset *ds, const xav_variable *var, int v, int tile,
                      int t, const destination *to)
{
    plane data;
    int y;
    if (channel_plane(ds, v, 0, XAV_ROLE_DATA, tile, t, &data) != 0)
        return -1;
    for (y = 0; y < to->h; y++)
        if (xav_table_decode_row(var, data.data + (size_t)y * data.linesize,
                                 data.bytes, to->w,
                                 to->out + (size_t)y * to->stride) != 0) {
            CPLError(CE_Failure, CPLE_AppDefined,
                     "XAVIDEO: a code of %s at time %d is past its table of "
                     "%d values: the video is damaged.",
                     var->name, t, var->table_size);
            return -1;
        }
    return 0;
}

/* The planes of the codes a mixed variable's value is made of (quantize.h),
 * all in its stream's frame. */
static int mixed_planes(xav_dataset *ds, const xav_variable *var, int tile,
                        int t, plane *mixed)
{
    int k;
    for (k = 0; var->quant == XAV_QUANT_MIXED && k < XAV_MAX_CHANNELS; k++)
        if (channel_plane(ds, var->mix_vars[k], 0, XAV_ROLE_DATA, tile, t,
                          &mixed[k]) != 0)
            return -1;
    return 0;
}

static int read_codes(xav_dataset *ds, const xav_variable *var, int v, int tile,
                      int t, const destination *to)
{
    plane data, mask = {NULL, 0, 0, 0}, corr = {NULL, 0, 0, 0};
    plane mixed[XAV_MAX_CHANNELS];
    xav_row_in row;
    int y, k;
    memset(&row, 0, sizeof(row));
    if (channel_plane(ds, v, 0, XAV_ROLE_DATA, tile, t, &data) != 0 ||
        mixed_planes(ds, var, tile, t, mixed) != 0 ||
        /* a lossless variable's mask marks pixels, whose values stay */
        (!var->lossless && has_channel(ds->d, v, XAV_ROLE_MASK, tile, t) &&
         channel_plane(ds, v, 0, XAV_ROLE_MASK, tile, t, &mask) != 0) ||
        (xav_variable_corrected(var) &&
         channel_plane(ds, v, 0, XAV_ROLE_CORRECTION, tile, t, &corr) != 0))
        return -1;
    row.bytes_per_code = data.bytes;
    row.correction_zero = corr.data ? xav_correction_zero(corr.bits) : 0;
    for (y = 0; y < to->h; y++) {
        row.codes = data.data + (size_t)y * data.linesize;
        for (k = 0; var->quant == XAV_QUANT_MIXED && k < XAV_MAX_CHANNELS; k++)
            row.mixed[k] = mixed[k].data + (size_t)y * mixed[k].linesize;
        row.corrections =
            corr.data
                ? (const uint16_t *)(corr.data + (size_t)y * corr.linesize)
                : NULL;
        row.mask = NULL;
        if (mask.data != NULL) {
            xav_mask_from_stored(mask.data + (size_t)y * mask.linesize, to->w,
                                 ds->d->schema_version, ds->mask_row);
            row.mask = ds->mask_row;
        }
        xav_reconstruct_row(var, &row, to->w, ds->row,
                            to->out + (size_t)y * to->stride);
    }
    return 0;
}

/* Whether a time step of a tile left out for having no valid pixel
 * (model.h) may be read so: the file of tile 0's stream of that time step
 * describes the dataset (or the appended part) it came with, and must
 * agree. Pieces assembled describe their own tiles only, and are taken on
 * the sidecar's word. Returns 0, or -1 with a CPLError. */
static int check_empty(xav_dataset *ds, int v, int tile, int t)
{
    int s, c;
    if (xav_layout_find(ds->d, v, 0, XAV_ROLE_DATA, 0, t, &s, &c) == 0 &&
        *ds->d->streams[s].file == '\0' &&
        (open_reader(ds, s) != 0 || xav_check_empty_tile(ds, s, tile) != 0))
        return -1;
    return 0;
}

/* Whether time step t of variable v has no streams in tile, a tile left
 * out for having no valid pixel then. */
static int left_out(const xav_desc *d, int v, int tile, int t)
{
    return xav_desc_tile_is_empty(d, tile) &&
           !has_channel(d, v, XAV_ROLE_DATA, tile, t);
}

static int read_empty(xav_dataset *ds, const xav_variable *var, int v, int tile,
                      int t, const destination *to)
{
    const double fill = xav_mask_nodata_value(var);
    int y;
    if (check_empty(ds, v, tile, t) != 0)
        return -1;
    for (y = 0; y < to->h; y++)
        xav_values_to_type(&fill, 0, var->type,
                           to->out + (size_t)y * to->stride, (size_t)to->w);
    return 0;
}

/* Bytes of one value of band, or 0 (reported) if there is no such band:
 * checked before anything is looked up by its number. */
static int band_value_bytes(const xav_dataset *ds, int band)
{
    if (band >= 0 && band < xav_desc_band_count(ds->d))
        return GDALGetDataTypeSizeBytes(xav_band_type(ds, band));
    CPLError(CE_Failure, CPLE_IllegalArg, "XAVIDEO: no band %d.", band);
    return 0;
}

/* Tile of band (both valid) into to. */
static int read_tile(xav_dataset *ds, int band, int tile, const destination *to)
{
    int v, t;
    const xav_variable *var;
    xav_desc_band_split(ds->d, band, &v, &t);
    var = &ds->d->vars[v];
    if (left_out(ds->d, v, tile, t))
        return read_empty(ds, var, v, tile, t, to);
    switch (var->quant) {
    case XAV_QUANT_BITS:
        return read_bits(ds, var, v, tile, t, to);
    case XAV_QUANT_TABLE:
        return read_table(ds, var, v, tile, t, to);
    default:
        return read_codes(ds, var, v, tile, t, to);
    }
}

/* Block (bx, by) of size-byte pixels in buffer, a full block: fills to
 * and returns its tile, or -1 (reported) if there is no such block. */
static int block_to(const xav_dataset *ds, int bx, int by, int size,
                    void *buffer, destination *to)
{
    const xav_desc *d = ds->d;
    int x, y;
    if (bx < 0 || by < 0 || bx >= xav_desc_tiles_x(d) ||
        by >= xav_desc_tiles_y(d)) {
        CPLError(CE_Failure, CPLE_IllegalArg, "XAVIDEO: no block %d,%d.", bx,
                 by);
        return -1;
    }
    xav_desc_tile_rect(d, by * xav_desc_tiles_x(d) + bx, &x, &y, &to->w,
                       &to->h);
    to->out = (GByte *)buffer;
    to->stride = (size_t)xav_desc_block_width(d) * size;
    return by * xav_desc_tiles_x(d) + bx;
}

int xav_read_block(xav_dataset *ds, int band, int bx, int by, void *buffer)
{
    const int size = band_value_bytes(ds, band);
    destination to;
    int tile;
    if (size == 0 || (tile = block_to(ds, bx, by, size, buffer, &to)) < 0)
        return -1;
    return read_tile(ds, band, tile, &to);
}

int xav_read_band(xav_dataset *ds, int band, void *buffer)
{
    const xav_desc *d = ds->d;
    const int size = band_value_bytes(ds, band);
    int k, x, y;
    if (size == 0)
        return -1;
    for (k = 0; k < xav_desc_tile_count(d); k++) {
        destination to;
        xav_desc_tile_rect(d, k, &x, &y, &to.w, &to.h);
        to.stride = (size_t)d->width * size;
        to.out = (GByte *)buffer + (size_t)y * to.stride + (size_t)x * size;
        if (read_tile(ds, band, k, &to) != 0)
            return -1;
    }
    return 0;
}

/* Tile of band's mask band into to (one byte a pixel): 0 where the mask
 * code says the source's mask left the pixel out, 255 elsewhere. */
static int read_mask_tile(xav_dataset *ds, int band, int tile,
                          const destination *to)
{
    const xav_desc *d = ds->d;
    plane mask;
    int v, t, y, x;
    xav_desc_band_split(d, band, &v, &t);
    if (left_out(d, v, tile, t)) {
        if (check_empty(ds, v, tile, t) != 0)
            return -1;
        for (y = 0; y < to->h; y++)
            memset(to->out + (size_t)y * to->stride, 0, to->w);
        return 0;
    }
    if (!has_channel(d, v, XAV_ROLE_MASK, tile, t)) { /* all inside */
        for (y = 0; y < to->h; y++)
            memset(to->out + (size_t)y * to->stride, 255, to->w);
        return 0;
    }
    if (channel_plane(ds, v, 0, XAV_ROLE_MASK, tile, t, &mask) != 0)
        return -1;
    for (y = 0; y < to->h; y++) {
        GByte *out = to->out + (size_t)y * to->stride;
        xav_mask_from_stored(mask.data + (size_t)y * mask.linesize, to->w,
                             d->schema_version, ds->mask_row);
        for (x = 0; x < to->w; x++)
            out[x] = ds->mask_row[x] == XAV_MASK_NODATA ? 0 : 255;
    }
    return 0;
}

int xav_read_mask_block(xav_dataset *ds, int band, int bx, int by, void *buffer)
{
    destination to;
    int tile;
    if (band_value_bytes(ds, band) == 0 ||
        (tile = block_to(ds, bx, by, 1, buffer, &to)) < 0)
        return -1;
    return read_mask_tile(ds, band, tile, &to);
}

void xav_block_size(const xav_dataset *ds, int *width, int *height)
{
    *width = xav_desc_block_width(ds->d);
    *height = xav_desc_block_height(ds->d);
}
