/*
 * convert: a decoded frame in another pixel format, converted as the
 * ffmpeg program converts it when asked for a format the decoder does not
 * give (its automatic scale filter: libswscale, bicubic, with the input's
 * colour matrix and range, BT.601 where the stream says none). So a reader
 * of videos that a tool read back with `ffmpeg -pix_fmt` (xarrayvideo)
 * gets the very codes that tool got.
 */
#ifndef XAV_CONVERT_H
#define XAV_CONVERT_H

#include "frame.h"

typedef struct xav_converter xav_converter;

/* A converter to pix_fmt (an FFmpeg name), or NULL with a CPLError. */
xav_converter *xav_converter_new(const char *pix_fmt);
void xav_converter_free(xav_converter *c);
/* f converted, owned by c and valid until its next call; NULL with a
 * CPLError. The same frame (same AVFrame, same timestamp) asked again is
 * not converted again. */
const xav_frame *xav_converter_run(xav_converter *c, const xav_frame *f);

#endif /* XAV_CONVERT_H */
