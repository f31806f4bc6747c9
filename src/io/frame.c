/* frame: see frame.h. An xav_frame is an AVFrame seen through an opaque
 * type: the conversion costs nothing, and only this file and the codec
 * files know it. */
#include "frame.h"

#include <libavutil/crc.h>
#include <libavutil/frame.h>
#include <libavutil/pixdesc.h>

#include "cpl_error.h"

static const AVFrame *av(const xav_frame *f)
{
    return (const AVFrame *)f;
}

xav_frame *xav_frame_ref(const xav_frame *f)
{
    AVFrame *copy = av_frame_clone(av(f));
    if (copy == NULL)
        CPLError(CE_Failure, CPLE_OutOfMemory,
                 "XAVIDEO: out of memory keeping a decoded frame.");
    return (xav_frame *)copy;
}

void xav_frame_unref(xav_frame **f)
{
    AVFrame *frame = (AVFrame *)*f;
    av_frame_free(&frame);
    *f = NULL;
}

int xav_frame_width(const xav_frame *f)
{
    return av(f)->width;
}

int xav_frame_height(const xav_frame *f)
{
    return av(f)->height;
}

const char *xav_frame_format(const xav_frame *f)
{
    const char *name = av_get_pix_fmt_name((enum AVPixelFormat)av(f)->format);
    return name != NULL ? name : "unknown";
}

int xav_frame_plane_count(const xav_frame *f)
{
    const int n = av_pix_fmt_count_planes((enum AVPixelFormat)av(f)->format);
    return n < 0 ? 0 : n;
}

const uint8_t *xav_frame_plane(const xav_frame *f, int c, int *linesize)
{
    *linesize = av(f)->linesize[c];
    return av(f)->data[c];
}

int xav_frame_code_bytes(const xav_frame *f)
{
    const AVPixFmtDescriptor *d =
        av_pix_fmt_desc_get((enum AVPixelFormat)av(f)->format);
    return d != NULL && d->comp[0].depth > 8 ? 2 : 1;
}

size_t xav_frame_bytes(const xav_frame *f)
{
    size_t n = 0;
    int i;
    for (i = 0; i < AV_NUM_DATA_POINTERS && av(f)->buf[i] != NULL; i++)
        n += av(f)->buf[i]->size;
    return n;
}

int xav_pix_fmt_layout(const char *name, int *planes, int *depth)
{
    const enum AVPixelFormat pf = av_get_pix_fmt(name);
    const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(pf);
    if (d == NULL)
        return -1;
    *planes = av_pix_fmt_count_planes(pf);
    *depth = d->comp[0].depth;
    return 0;
}

uint32_t xav_frame_crc(const xav_frame *f)
{
    const AVCRC *table = av_crc_get_table(AV_CRC_32_IEEE_LE);
    const size_t row = (size_t)av(f)->width * xav_frame_code_bytes(f);
    const int planes = xav_frame_plane_count(f);
    uint32_t crc = UINT32_MAX;
    int c, y;
    for (c = 0; c < planes; c++)
        for (y = 0; y < av(f)->height; y++)
            crc = av_crc(table, crc,
                         av(f)->data[c] + (size_t)y * av(f)->linesize[c], row);
    return crc ^ UINT32_MAX;
}
