/* convert: see convert.h. */
#include "convert.h"

#include <libavutil/frame.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>

#include "cpl_conv.h"
#include "cpl_error.h"

struct xav_converter {
    enum AVPixelFormat to;
    struct SwsContext *sws;
    AVFrame *out;
    /* the frame out holds: a reader hands out the same AVFrame for each
     * frame it decodes, told apart by their timestamps */
    const AVFrame *last_in;
    int64_t last_pts;
};

xav_converter *xav_converter_new(const char *pix_fmt)
{
    xav_converter *c;
    const enum AVPixelFormat to = av_get_pix_fmt(pix_fmt);
    if (to == AV_PIX_FMT_NONE) {
        CPLError(CE_Failure, CPLE_NotSupported,
                 "XAVIDEO: unknown pixel format %s.", pix_fmt);
        return NULL;
    }
    c = (xav_converter *)CPLCalloc(1, sizeof(xav_converter));
    c->to = to;
    if ((c->out = av_frame_alloc()) == NULL) {
        xav_converter_free(c);
        CPLError(CE_Failure, CPLE_OutOfMemory, "XAVIDEO: out of memory.");
        return NULL;
    }
    return c;
}

void xav_converter_free(xav_converter *c)
{
    if (c == NULL)
        return;
    sws_freeContext(c->sws);
    av_frame_free(&c->out);
    CPLFree(c);
}

/* The colour details the ffmpeg program's scale filter gives libswscale:
 * the input's matrix (BT.601 if unspecified) and range. */
static void set_colorspace(struct SwsContext *sws, const AVFrame *in)
{
    int *inv_table, *table, in_full, out_full, brightness, contrast, sat;
    const int space = in->colorspace == AVCOL_SPC_UNSPECIFIED
                          ? SWS_CS_DEFAULT
                          : (int)in->colorspace;
    sws_getColorspaceDetails(sws, &inv_table, &in_full, &table, &out_full,
                             &brightness, &contrast, &sat);
    if (in->color_range != AVCOL_RANGE_UNSPECIFIED)
        in_full = in->color_range == AVCOL_RANGE_JPEG;
    sws_setColorspaceDetails(sws, sws_getCoefficients(space), in_full, table,
                             out_full, brightness, contrast, sat);
}

static int prepare(xav_converter *c, const AVFrame *in)
{
    if (c->out->width == in->width && c->out->height == in->height &&
        c->sws != NULL)
        return 0;
    sws_freeContext(c->sws);
    av_frame_unref(c->out);
    c->out->format = c->to;
    c->out->width = in->width;
    c->out->height = in->height;
    c->sws = sws_getContext(in->width, in->height, in->format, in->width,
                            in->height, c->to, SWS_BICUBIC, NULL, NULL, NULL);
    if (c->sws == NULL || av_frame_get_buffer(c->out, 0) < 0) {
        CPLError(CE_Failure, CPLE_NotSupported,
                 "XAVIDEO: cannot convert %s frames to %s.",
                 av_get_pix_fmt_name(in->format), av_get_pix_fmt_name(c->to));
        return -1;
    }
    return 0;
}

const xav_frame *xav_converter_run(xav_converter *c, const xav_frame *f)
{
    const AVFrame *in = (const AVFrame *)f;
    /* the channels of one frame are read one after the other: converted
     * once */
    if (in == c->last_in && in->pts == c->last_pts && in->pts != AV_NOPTS_VALUE)
        return (const xav_frame *)c->out;
    c->last_in = NULL;
    if (prepare(c, in) != 0)
        return NULL;
    set_colorspace(c->sws, in);
    if (sws_scale(c->sws, (const uint8_t *const *)in->data, in->linesize, 0,
                  in->height, c->out->data, c->out->linesize) < 0) {
        CPLError(CE_Failure, CPLE_AppDefined,
                 "XAVIDEO: cannot convert a frame to %s.",
                 av_get_pix_fmt_name(c->to));
        return NULL;
    }
    c->last_in = in;
    c->last_pts = in->pts;
    return (const xav_frame *)c->out;
}
