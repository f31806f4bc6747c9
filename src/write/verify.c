/* verify: see verify.h. */
#include "verify.h"

#include <math.h>
#include <string.h>

#include "cpl_conv.h"
#include "cpl_error.h"
#include "layout.h"
#include "metrics.h"
#include "quantize.h"

typedef struct pending {
    int t;
    double *values;
    uint8_t *mask;
    struct pending *next;
} pending;

struct xav_verifier {
    const xav_desc *d;
    int tile;
    pending **head, **tail;                  /* per variable, oldest first */
    xav_error_sum *sums;                     /* per band, over the tile */
    size_t beyond;                           /* pixels still beyond MAX_ERROR */
    uint16_t *corrections[XAV_MAX_CHANNELS]; /* one frame each */
    double *scratch, *got;                   /* one row each */
    void *typed;                             /* one row of the widest type */
};

xav_verifier *xav_verifier_new(const xav_desc *d, int tile)
{
    xav_verifier *vf = (xav_verifier *)CPLCalloc(1, sizeof(*vf));
    int c;
    const size_t block =
        (size_t)xav_desc_block_width(d) * xav_desc_block_height(d);
    vf->d = d;
    vf->tile = tile;
    vf->head = (pending **)CPLCalloc(d->nvars, sizeof(pending *));
    vf->tail = (pending **)CPLCalloc(d->nvars, sizeof(pending *));
    vf->sums = (xav_error_sum *)CPLCalloc(xav_desc_band_count(d),
                                          sizeof(xav_error_sum));
    for (c = 0; c < XAV_MAX_CHANNELS; c++) {
        vf->corrections[c] = (uint16_t *)CPLMalloc(block * sizeof(uint16_t));
    }
    vf->scratch = (double *)CPLMalloc(d->width * sizeof(double));
    vf->got = (double *)CPLMalloc(d->width * sizeof(double));
    vf->typed = CPLMalloc(d->width * sizeof(double));
    return vf;
}

static void pending_free(pending *p)
{
    CPLFree(p->values);
    CPLFree(p->mask);
    CPLFree(p);
}

void xav_verifier_free(xav_verifier *vf)
{
    int v, c;
    if (vf == NULL)
        return;
    for (v = 0; v < vf->d->nvars; v++)
        while (vf->head[v] != NULL) {
            pending *p = vf->head[v];
            vf->head[v] = p->next;
            pending_free(p);
        }
    CPLFree(vf->head);
    CPLFree(vf->tail);
    CPLFree(vf->sums);
    for (c = 0; c < XAV_MAX_CHANNELS; c++) {
        CPLFree(vf->corrections[c]);
    }
    CPLFree(vf->scratch);
    CPLFree(vf->got);
    CPLFree(vf->typed);
    CPLFree(vf);
}

void xav_verifier_push(xav_verifier *vf, int v, int t, const double *values,
                       const uint8_t *mask)
{
    int x, y, w, h;
    size_t n;
    xav_desc_tile_rect(vf->d, vf->tile, &x, &y, &w, &h);
    n = (size_t)w * h;
    pending *p = (pending *)CPLCalloc(1, sizeof(*p));
    p->t = t;
    p->values = (double *)CPLMalloc(n * sizeof(double));
    p->mask = (uint8_t *)CPLMalloc(n);
    memcpy(p->values, values, n * sizeof(double));
    memcpy(p->mask, mask, n);
    if (vf->tail[v] != NULL)
        vf->tail[v]->next = p;
    else
        vf->head[v] = p;
    vf->tail[v] = p;
}

static pending *pop(xav_verifier *vf, int v, int t)
{
    pending *p = vf->head[v];
    if (p == NULL || p->t != t) {
        CPLError(CE_Failure, CPLE_AppDefined,
                 "XAVIDEO: the encoder returned frame %d out of order.", t);
        return NULL;
    }
    vf->head[v] = p->next;
    if (vf->head[v] == NULL)
        vf->tail[v] = NULL;
    return p;
}

/* The code of no correction in v's correction stream of the tile. */
static int correction_zero(const xav_verifier *vf, int v)
{
    int s, c;
    if (xav_layout_find(vf->d, v, 0, XAV_ROLE_CORRECTION, vf->tile, 0, &s,
                        &c) != 0)
        return 0;
    return xav_correction_zero(vf->d->streams[s].bits);
}

/* Codes of one channel of a frame, as the reader takes them. */
typedef struct {
    const uint8_t *data;
    int linesize;
    int bytes;
} codes_plane;

/* Row y of the planes of a mixed variable's codes (quantize.h). */
static void mixed_rows(const xav_stream *st, const xav_variable *var,
                       const codes_plane *planes, int y, xav_verify_in *in)
{
    int k;
    for (k = 0; k < XAV_MAX_CHANNELS; k++) {
        const codes_plane *pl =
            &planes[xav_stream_channel_of(st, var->mix_vars[k])];
        in->mixed[k] = pl->data + (size_t)y * pl->linesize;
    }
}

/* Measures channel c of stream st's frame of codes (planes) against its
 * source, filling the channel's corrections if the variable has them. */
static void measure(xav_verifier *vf, const xav_stream *st,
                    const codes_plane *planes, int c, int t, const pending *p)
{
    const xav_desc *d = vf->d;
    const int v = st->var[c];
    const codes_plane *plane = &planes[c];
    const xav_variable *var = &d->vars[v];
    xav_error_sum *sum = &vf->sums[xav_desc_band_index(d, v, t)];
    int x0, y0, width, height, y;
    xav_verify_in in;
    memset(&in, 0, sizeof(in));
    in.bytes_per_code = plane->bytes;
    in.correction_zero = correction_zero(vf, v);
    xav_desc_tile_rect(d, vf->tile, &x0, &y0, &width, &height);
    for (y = 0; y < height; y++) {
        const size_t row = (size_t)y * width;
        in.x = p->values + row;
        in.mask = p->mask + row;
        in.codes = plane->data + (size_t)y * plane->linesize;
        if (var->quant == XAV_QUANT_MIXED)
            mixed_rows(st, var, planes, y, &in);
        in.corrections =
            xav_variable_corrected(var) ? vf->corrections[c] + row : NULL;
        vf->beyond += xav_verify_row(var, &in, width, vf->scratch, vf->typed,
                                     vf->got, sum);
    }
}

/* Measures every channel of stream s at time t, planes[c] its codes. */
static int measure_all(xav_verifier *vf, int s, int t,
                       const codes_plane *planes)
{
    const xav_stream *st = &vf->d->streams[s];
    int c;
    for (c = 0; c < st->channels; c++) {
        pending *p = pop(vf, st->var[c], t);
        if (p == NULL)
            return -1;
        measure(vf, st, planes, c, t, p);
        pending_free(p);
    }
    return 0;
}

int xav_verifier_check(xav_verifier *vf, int s, int t, const xav_frame *f)
{
    codes_plane planes[XAV_MAX_CHANNELS];
    int c;
    for (c = 0; c < vf->d->streams[s].channels; c++) {
        planes[c].data = xav_frame_plane(f, c, &planes[c].linesize);
        planes[c].bytes = xav_frame_code_bytes(f);
    }
    return measure_all(vf, s, t, planes);
}

int xav_verifier_check_codes(xav_verifier *vf, int s, int t,
                             const uint16_t *const *codes)
{
    codes_plane planes[XAV_MAX_CHANNELS];
    int x0, y0, width, height, c;
    xav_desc_tile_rect(vf->d, vf->tile, &x0, &y0, &width, &height);
    for (c = 0; c < vf->d->streams[s].channels; c++) {
        planes[c].data = (const uint8_t *)codes[c];
        planes[c].linesize = width * 2;
        planes[c].bytes = 2;
    }
    return measure_all(vf, s, t, planes);
}

const uint16_t *xav_verifier_corrections(const xav_verifier *vf, int c)
{
    return vf->corrections[c];
}

const xav_error_sum *xav_verifier_sums(const xav_verifier *vf)
{
    return vf->sums;
}

int xav_verifier_result(const xav_verifier *vf)
{
    if (vf->beyond == 0)
        return 0;
    CPLError(CE_Failure, CPLE_NotSupported,
             "XAVIDEO: MAX_ERROR cannot be met for %lu pixels: the codec's "
             "error there is more than the corrections undo, or the bound "
             "is finer than the data type holds; give a larger MAX_ERROR, "
             "a lower CRF, or LOSSLESS=YES.",
             (unsigned long)vf->beyond);
    return -1;
}
