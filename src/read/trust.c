/* trust: see trust.h. */
#include "trust.h"

#include <ctype.h>
#include <string.h>

#include "cpl_conv.h"
#include "cpl_error.h"
#include "cpl_string.h"

#include "sidecar.h"

/* Why a stream's file name may not be followed (NULL if it may): a
 * sidecar names files next to it or below its folder, so that opening a
 * file never reads another one elsewhere (a local sidecar pointing at
 * /vsicurl/, /etc/...) unless ALLOW_EXTERNAL_REFERENCES=YES. */
const char *xav_reference_problem(const char *f)
{
    const char *c = f;
    if (!CPLIsFilenameRelative(f) || *f == '\\' || *f == '/' ||
        (isalpha((unsigned char)f[0]) && f[1] == ':'))
        return "an absolute path, another VSI prefix or a drive";
    while (*c != '\0') {
        size_t n = strcspn(c, "/\\");
        if (n == 2 && c[0] == '.' && c[1] == '.')
            return "a '..' component";
        c += n + (c[n] != '\0');
    }
    return NULL;
}

/* Each stream's pixel format is one FFmpeg knows, with a plane per channel
 * and samples wide enough for the stream's bits. The reader takes masks and
 * the words of XAV_QUANT_BITS as bytes and corrections as 16-bit samples,
 * so those streams must have such samples (frames are checked against the
 * format when decoded). */
int xav_check_pixel_formats(const xav_desc *d)
{
    int s;
    for (s = 0; s < d->nstreams; s++) {
        const xav_stream *st = &d->streams[s];
        int planes = 0, depth = 0;
        const int known = xav_pix_fmt_layout(st->pix_fmt, &planes, &depth) == 0;
        const int bytes = st->role == XAV_ROLE_MASK ||
                                  (st->role == XAV_ROLE_DATA &&
                                   d->vars[st->var[0]].quant == XAV_QUANT_BITS)
                              ? 1
                          : st->role == XAV_ROLE_CORRECTION ? 2
                                                            : 0;
        if (!known || planes < st->channels || depth < st->bits || depth > 16 ||
            (bytes != 0 && bytes != (depth > 8 ? 2 : 1))) {
            CPLError(CE_Failure, CPLE_AppDefined,
                     "XAVIDEO: inconsistent sidecar: stream %d has pixel "
                     "format '%s', which does not hold its %d channels of %d "
                     "bits.",
                     s, st->pix_fmt, st->channels, st->bits);
            return -1;
        }
    }
    return 0;
}

/* A decoded frame must be what the description says: its tile's window
 * padded to the codecs' minimum, in the stream's pixel format (so it has the
 * channels and the bytes per code the reader takes from it). A damaged
 * container can say otherwise, and the codec would decode garbage to fit. */
int xav_check_frame(const xav_dataset *ds, int s, const xav_frame *f)
{
    const xav_desc *d = ds->d;
    const xav_stream *st = &d->streams[s];
    int x0, y0, w, h;
    xav_desc_tile_rect(d, st->tile, &x0, &y0, &w, &h);
    if (xav_frame_width(f) == xav_coded_size(w) &&
        xav_frame_height(f) == xav_coded_size(h) &&
        strcmp(xav_frame_format(f), st->pix_fmt) == 0 &&
        xav_frame_plane_count(f) >= st->channels)
        return 0;
    CPLError(CE_Failure, CPLE_AppDefined,
             "XAVIDEO: stream %d of %s has %dx%d %s frames; the sidecar says "
             "%dx%d %s with %d channels (corrupt video, or not the video of "
             "this sidecar).",
             s, ds->stream_paths[s], xav_frame_width(f), xav_frame_height(f),
             xav_frame_format(f), xav_coded_size(w), xav_coded_size(h),
             st->pix_fmt, st->channels);
    return -1;
}

/* Whether two descriptions of a stream agree on what its frames hold. The
 * tile is left out: an assembled sidecar numbers the tiles of its pieces
 * anew. */
static int same_stream(const xav_stream *a, const xav_stream *b)
{
    int c, same = a->index == b->index && a->role == b->role &&
                  a->codec == b->codec && a->channels == b->channels &&
                  !strcmp(a->pix_fmt, b->pix_fmt);
    for (c = 0; same && c < a->channels; c++)
        same = a->var[c] == b->var[c] && a->word[c] == b->word[c];
    return same;
}

/* Whether two descriptions, the embedded a and the sidecar b, turn the
 * codes of st's channels into the same values: a sidecar edited (or
 * damaged) there would read other values from the same frames; and
 * whether b keeps a's mask band (a whole joined from parts may have a more
 * general one, never less: model.h, xav_variable_join_masks). */
static int same_coding(const xav_desc *a, const xav_desc *b,
                       const xav_stream *st)
{
    int c, same = 1;
    for (c = 0; same && c < st->channels; c++) {
        const int v = st->var[c];
        const xav_variable *x, *y;
        if (v >= a->nvars)
            return 0;
        x = &a->vars[v];
        y = &b->vars[v];
        same = x->type == y->type && x->signed_byte == y->signed_byte &&
               x->quant == y->quant && x->words == y->words &&
               x->q_offset == y->q_offset && x->q_scale == y->q_scale &&
               xav_same_table(x, y) && xav_same_mix(x, y) &&
               x->mask_band <= y->mask_band;
    }
    return same;
}

/* The video's own embedded description must say of stream s what ours
 * says, and count the streams the container has: a sidecar naming the
 * wrong stream index, or a damaged track list that renumbers the streams,
 * would otherwise hand out another variable's pixels as data. A video
 * without a readable embedded description is taken on the sidecar's
 * word. */
static const xav_desc *embedded_desc(xav_dataset *ds, int s, const char *json)
{
    const char *path = ds->stream_paths[s];
    if (ds->embedded_path != NULL && strcmp(ds->embedded_path, path) == 0)
        return ds->embedded;
    xav_desc_free(ds->embedded);
    CPLFree(ds->embedded_path);
    CPLPushErrorHandler(CPLQuietErrorHandler);
    ds->embedded = xav_sidecar_from_json(json, strlen(json), path);
    CPLPopErrorHandler();
    ds->embedded_path = CPLStrdup(path);
    return ds->embedded;
}

static int check_embedded(xav_dataset *ds, int s)
{
    xav_stream_reader *r = ds->readers[s];
    int damaged;
    const char *json = xav_stream_reader_embedded_json(r, &damaged);
    const xav_stream *st = &ds->d->streams[s];
    const xav_desc *e;
    int k, found = 0, count = 0;
    if (json == NULL)
        return damaged ? -1 : 0;
    if ((e = embedded_desc(ds, s, json)) == NULL)
        return 0;
    for (k = 0; k < e->nstreams; k++) {
        /* in this file: tile 0's own file */
        const int here = *e->streams[k].file == '\0' && e->streams[k].tile == 0;
        count += here;
        found = found || (here && same_stream(&e->streams[k], st) &&
                          same_coding(e, ds->d, st));
    }
    if (count != xav_stream_reader_stream_count(r)) {
        CPLError(CE_Failure, CPLE_AppDefined,
                 "XAVIDEO: %s is corrupt: its track list has %d streams, its "
                 "embedded description %d.",
                 ds->stream_paths[s], xav_stream_reader_stream_count(r), count);
        return -1;
    }
    if (found)
        return 0;
    CPLError(CE_Failure, CPLE_AppDefined,
             "XAVIDEO: the sidecar's stream %d (index %d, %s, %d channels) "
             "is not what %s says its stream %d holds: the sidecar does not "
             "match the video.",
             s, st->index, st->pix_fmt, st->channels, ds->stream_paths[s],
             st->index);
    return -1;
}

int xav_check_empty_tile(xav_dataset *ds, int s, int tile)
{
    int damaged;
    const char *json =
        xav_stream_reader_embedded_json(ds->readers[s], &damaged);
    const xav_desc *e = json ? embedded_desc(ds, s, json) : NULL;
    if (json == NULL && damaged)
        return -1;
    if (e == NULL ||
        (tile < xav_desc_tile_count(e) && xav_desc_tile_is_empty(e, tile)))
        return 0;
    CPLError(CE_Failure, CPLE_AppDefined,
             "XAVIDEO: the sidecar says tile %d has no valid pixel, but %s "
             "says it has: the sidecar does not match the video.",
             tile, ds->stream_paths[s]);
    return -1;
}

/* The writer tags each stream with what it holds (XAV_STREAM_TAG): a
 * sidecar that names another stream, in any file (tiles' files embed no
 * description), is found out here. Videos written before the tag existed
 * have none. */
static int check_stream_tag(const xav_dataset *ds, int s)
{
    const xav_stream *st = &ds->d->streams[s];
    const char *tag = xav_stream_reader_tag(ds->readers[s], XAV_STREAM_TAG, 0);
    char want[64];
    xav_stream_identity(st, want, sizeof(want));
    if (tag == NULL || strcmp(tag, want) == 0)
        return 0;
    CPLError(CE_Failure, CPLE_AppDefined,
             "XAVIDEO: the sidecar's stream %d is index %d of %s, which holds "
             "'%s', not '%s': the sidecar does not match the video.",
             s, st->index, ds->stream_paths[s], tag, want);
    return -1;
}

int xav_check_stream(xav_dataset *ds, int s)
{
    return check_stream_tag(ds, s) == 0 && check_embedded(ds, s) == 0 ? 0 : -1;
}
