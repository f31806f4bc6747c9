/* layout: see layout.h. */
#include "layout.h"

#include <stdlib.h>
#include <string.h>

#include "cpl_conv.h"
#include "cpl_error.h"
#include "cpl_string.h"
#include "names.h"

/* The pixel format that carries codes of bits in channels planes. FFV1
 * applies a reversible colour transform to RGB formats: it pays on
 * correlated 8-bit bands, not on 16-bit bands nor on the byte planes of
 * one value (doc/defaults.md), which go to YUV formats, coded plane by
 * plane. */
static const char *pix_fmt_for(xav_codec codec, int channels, int bits,
                               int byte_planes)
{
    if (codec != XAV_CODEC_FFV1) { /* x265 and AV1 take the same formats */
        static const char *gray[] = {"gray", "gray10le", "gray12le"};
        static const char *gbrp[] = {"gbrp", "gbrp10le", "gbrp12le"};
        int k = bits <= 8 ? 0 : bits <= 10 ? 1 : 2;
        return channels == 1 ? gray[k] : gbrp[k];
    }
    /* FFV1 has no planar 8-bit RGB; 9 bits costs next to nothing there. */
    if (channels == 1)
        return bits <= 8 ? "gray" : "gray16le";
    if (byte_planes)
        return "yuv444p";
    return bits <= 8 ? "gbrp9le" : "yuv444p16le";
}

const char *xav_layout_pix_fmt(xav_codec codec, int channels, int bits)
{
    return pix_fmt_for(codec, channels, bits, 0);
}

static xav_stream *add_stream(xav_desc *d, const char *file)
{
    xav_stream *s;
    d->streams = (xav_stream *)CPLRealloc(d->streams, (d->nstreams + 1) *
                                                          sizeof(xav_stream));
    s = &d->streams[d->nstreams];
    memset(s, 0, sizeof(*s));
    s->file = CPLStrdup(file);
    s->index = d->nstreams++;
    s->frames = d->ntimes; /* a copy codes the whole axis */
    return s;
}

static void set_coding(xav_stream *s, const xav_create_options *o,
                       xav_codec codec, int lossless, int bits, int byte_planes)
{
    s->codec = codec;
    s->lossless = lossless;
    s->bits = bits;
    s->pix_fmt =
        CPLStrdup(pix_fmt_for(s->codec, s->channels, bits, byte_planes));
    s->crf = o->crf;
    s->qp = o->qp;
    s->preset = CPLStrdup(o->preset);
    s->gop = o->gop;
    s->checksums = 1;
}

/* A pending channel: (variable, word). */
typedef struct {
    int var, word;
} chan;

/* FFV1 for what must be exact (it codes byte planes, 16-bit integers and
 * a lattice's codes best: doc/defaults.md) but a constant's one code,
 * which x265's lossless mode codes in a few bytes a frame; the chosen codec
 * for the rest. */
static xav_codec data_codec(const xav_variable *v, const xav_create_options *o)
{
    if (v->quant == XAV_QUANT_CONSTANT)
        return XAV_CODEC_X265;
    return xav_variable_codes_exact(v) ? XAV_CODEC_FFV1 : o->codec;
}

static void emit(xav_desc *d, const xav_create_options *o, const chan *c, int n,
                 const char *file)
{
    const xav_variable *v = &d->vars[c[0].var];
    const int exact = xav_variable_codes_exact(v);
    xav_stream *s = add_stream(d, file);
    int i;
    s->channels = n;
    for (i = 0; i < n; i++) {
        s->var[i] = c[i].var;
        s->word[i] = c[i].word;
    }
    set_coding(s, o, data_codec(v, o), exact, v->bits,
               v->quant == XAV_QUANT_BITS);
}

/* Emits the channels in groups of 3, the rest as gray streams. */
static void emit_chunks(xav_desc *d, const xav_create_options *o, const chan *c,
                        int n, const char *file)
{
    int i = 0;
    for (; i + XAV_MAX_CHANNELS <= n; i += XAV_MAX_CHANNELS)
        emit(d, o, c + i, XAV_MAX_CHANNELS, file);
    for (; i < n; i++)
        emit(d, o, c + i, 1, file);
}

/* Whether two variables may share a stream: same codec, bits and kind of
 * codes (a value's bytes never share with quantized values). */
static int same_coding(const xav_variable *a, const xav_variable *b)
{
    return a->bits == b->bits && a->lossless == b->lossless &&
           xav_variable_codes_exact(a) == xav_variable_codes_exact(b) &&
           (a->quant == XAV_QUANT_BITS) == (b->quant == XAV_QUANT_BITS);
}

/* Automatic grouping: variables of the same coding, in order. */
static void plan_auto(xav_desc *d, const xav_create_options *o,
                      const char *file)
{
    chan *c = (chan *)CPLMalloc(sizeof(chan) * d->nvars * XAV_MAX_WORDS);
    int *done = (int *)CPLCalloc(d->nvars, sizeof(int));
    int v, u, w;
    for (v = 0; v < d->nvars; v++) {
        int n = 0;
        if (done[v])
            continue;
        for (u = v; u < d->nvars; u++) {
            if (done[u] || !same_coding(&d->vars[u], &d->vars[v]))
                continue;
            done[u] = 1;
            for (w = 0; w < d->vars[u].words; w++) {
                c[n].var = u;
                c[n++].word = w;
            }
        }
        emit_chunks(d, o, c, n, file);
    }
    CPLFree(done);
    CPLFree(c);
}

static int groups_error(const char *groups, const char *why)
{
    CPLError(CE_Failure, CPLE_IllegalArg, "XAVIDEO: GROUPS=%s: %s.", groups,
             why);
    return -1;
}

/* GROUPS="1,2,3;4": each group is one stream of 1 or 3 channels. */
static int plan_groups(xav_desc *d, const xav_create_options *o,
                       const char *file)
{
    char **groups = CSLTokenizeString2(o->groups, ";", 0);
    int *seen = (int *)CPLCalloc(d->nvars, sizeof(int));
    int g, i, v, rc = 0;
    for (g = 0; groups[g] != NULL && rc == 0; g++) {
        char **items = CSLTokenizeString2(groups[g], ",", 0);
        chan c[XAV_MAX_CHANNELS];
        int n = 0, first = -1;
        for (i = 0; items[i] != NULL && rc == 0; i++) {
            v = atoi(items[i]) - 1;
            if (v < 0 || v >= d->nvars || seen[v]++)
                rc = groups_error(o->groups, "a variable number is out of "
                                             "range or repeated");
            else if (first >= 0 &&
                     (!same_coding(&d->vars[v], &d->vars[first]) ||
                      d->vars[v].quant != d->vars[first].quant))
                rc = groups_error(o->groups, "a group mixes lossy and "
                                             "lossless or bit depths");
            else if (n + d->vars[v].words > XAV_MAX_CHANNELS)
                rc = groups_error(o->groups, "a group has more than 3 "
                                             "channels");
            else {
                int w;
                first = first < 0 ? v : first;
                for (w = 0; w < d->vars[v].words; w++) {
                    c[n].var = v;
                    c[n++].word = w;
                }
            }
        }
        if (rc == 0 && n != 1 && n != XAV_MAX_CHANNELS)
            rc = groups_error(o->groups, "each group needs 1 or 3 channels");
        if (rc == 0)
            emit(d, o, c, n, file);
        CSLDestroy(items);
    }
    for (v = 0; v < d->nvars && rc == 0; v++)
        if (!seen[v])
            rc = groups_error(o->groups, "every variable must be in a group");
    CSLDestroy(groups);
    CPLFree(seen);
    return rc;
}

char *xav_layout_stream_file(const xav_desc *d, int s, const char *video)
{
    const xav_stream *st = &d->streams[s];
    char *part, *file;
    if (*st->file != '\0')
        return CPLStrdup(st->file);
    part = xav_name_part_video(video, st->first_time);
    file = xav_name_tile_file(part, st->tile / xav_desc_tiles_x(d),
                              st->tile % xav_desc_tiles_x(d));
    CPLFree(part);
    return file;
}

int xav_layout_correction_bits(const xav_variable *v)
{
    return v->max_error >= v->q_scale / 2 ? 12 : 16;
}

/* A stream of masks or corrections of the variables of channels c[0..n):
 * exact. x265's lossless mode up to 12 bits, for its temporal prediction
 * (a static mask costs about one frame, an empty correction frame a few
 * bytes: doc/defaults.md); FFV1 beyond. */
static void add_side_stream(xav_desc *d, const xav_create_options *o,
                            const chan *c, int n, xav_stream_role role,
                            int bits)
{
    xav_stream *s = add_stream(d, "");
    int i;
    s->role = role;
    s->channels = n;
    for (i = 0; i < n; i++)
        s->var[i] = c[i].var;
    set_coding(s, o, bits <= 12 ? XAV_CODEC_X265 : XAV_CODEC_FFV1, 1, bits, 0);
}

/* The masks, three to a stream (gbrp, 8 bits) and the rest one each: a
 * stream costs its headers, frames and track in every file, about 1 KB
 * where a static mask is all it holds (doc/defaults.md). */
static void add_masks(xav_desc *d, const xav_create_options *o)
{
    chan c[XAV_MAX_CHANNELS];
    int v, n = 0, i;
    for (v = 0; v < d->nvars; v++) {
        if (!d->vars[v].has_mask)
            continue;
        c[n].var = v;
        c[n++].word = 0;
        if (n == XAV_MAX_CHANNELS) {
            add_side_stream(d, o, c, n, XAV_ROLE_MASK, 8);
            n = 0;
        }
    }
    for (i = 0; i < n; i++)
        add_side_stream(d, o, &c[i], 1, XAV_ROLE_MASK, 8);
}

/* The corrections of lossy data stream s's variables: in one stream of as
 * many channels where their bounds take the same bits (a stream's headers
 * cost about 200 bytes a file), else one each. */
static void add_corrections(xav_desc *d, const xav_create_options *o, int s)
{
    /* copied: adding streams moves d->streams */
    const int n = d->streams[s].channels;
    const int bits = xav_layout_correction_bits(&d->vars[d->streams[s].var[0]]);
    chan c[XAV_MAX_CHANNELS];
    int i, alike = 1;
    for (i = 0; i < n; i++) {
        c[i].var = d->streams[s].var[i];
        c[i].word = 0;
        alike &= xav_layout_correction_bits(&d->vars[c[i].var]) == bits;
    }
    if (alike) {
        add_side_stream(d, o, c, n, XAV_ROLE_CORRECTION, bits);
        return;
    }
    for (i = 0; i < n; i++)
        add_side_stream(d, o, &c[i], 1, XAV_ROLE_CORRECTION,
                        xav_layout_correction_bits(&d->vars[c[i].var]));
}

/* Streams of one tile's file, within what FFmpeg takes. */
static int check_stream_count(const xav_desc *d)
{
    int s, count[3] = {0, 0, 0};
    if (d->nstreams <= XAV_MAX_STREAMS_PER_FILE)
        return 0;
    for (s = 0; s < d->nstreams; s++)
        count[d->streams[s].role]++;
    CPLError(CE_Failure, CPLE_NotSupported,
             "XAVIDEO: %d variables need %d video streams in each file (%d "
             "data, %d mask, %d correction), and FFmpeg reads and writes at "
             "most %d (its max_streams): store fewer variables per dataset "
             "(gdal_translate -b), or lay the bands out as fewer variables "
             "over more time steps (BANDS_PER_TIME, BAND_LAYOUT=TIME); "
             "LOSSLESS=YES needs no correction streams.",
             d->nvars, d->nstreams, count[XAV_ROLE_DATA], count[XAV_ROLE_MASK],
             count[XAV_ROLE_CORRECTION], XAV_MAX_STREAMS_PER_FILE);
    return -1;
}

int xav_layout_plan(xav_desc *d, const xav_create_options *o)
{
    const char *file = ""; /* the dataset's own files, named by rule */
    int s, n;
    if (o->groups != NULL) {
        if (plan_groups(d, o, file) != 0)
            return -1;
    } else {
        plan_auto(d, o, file);
    }
    add_masks(d, o);
    for (s = 0, n = d->nstreams; s < n; s++)
        if (xav_stream_is_lossy(&d->streams[s]) &&
            xav_variable_corrected(&d->vars[d->streams[s].var[0]]))
            add_corrections(d, o, s);
    if (check_stream_count(d) != 0)
        return -1;
    xav_desc_repeat_tile_streams(d);
    return 0;
}

int xav_layout_find(const xav_desc *d, int var, int word, xav_stream_role role,
                    int tile, int time, int *stream, int *channel)
{
    int s, c, first, count;
    xav_layout_tile_streams(d, tile, &first, &count);
    for (s = first; s < first + count; s++) {
        const xav_stream *st = &d->streams[s];
        if (st->role != role || time < st->first_time ||
            time >= st->first_time + st->frames)
            continue;
        for (c = 0; c < st->channels; c++)
            if (st->var[c] == var &&
                (role != XAV_ROLE_DATA || st->word[c] == word)) {
                *stream = s;
                *channel = c;
                return 0;
            }
    }
    return -1;
}

void xav_layout_tile_streams(const xav_desc *d, int tile, int *first,
                             int *count)
{
    int s = 0;
    while (s < d->nstreams && d->streams[s].tile < tile)
        s++;
    *first = s;
    while (s < d->nstreams && d->streams[s].tile == tile)
        s++;
    *count = s - *first;
}
