/*
 * frame: a decoded frame as the rest of the core sees it, without FFmpeg's
 * types: planes of codes (8-bit, or 16-bit little-endian samples), shared
 * by reference. The decoder (read/decode) and the encoder's verifying
 * decoder (write/encode) hand them out; the frame cache and the verifier
 * take them.
 */
#ifndef XAV_FRAME_H
#define XAV_FRAME_H

#include <stddef.h>
#include <stdint.h>

typedef struct xav_frame xav_frame;

/* A new reference to f's buffers (xav_frame_unref it), or NULL with a
 * CPLError when memory is short. */
xav_frame *xav_frame_ref(const xav_frame *f);
/* Drops a reference and sets *f to NULL; NULL is fine. */
void xav_frame_unref(xav_frame **f);

int xav_frame_width(const xav_frame *f);
int xav_frame_height(const xav_frame *f);
/* FFmpeg's name of its pixel format ("gray12le"), or "unknown". */
const char *xav_frame_format(const xav_frame *f);
int xav_frame_plane_count(const xav_frame *f);
/* Plane c: rows of codes, *linesize bytes apart. */
const uint8_t *xav_frame_plane(const xav_frame *f, int c, int *linesize);
/* Bytes of one code: 1 up to 8 bits, else 2. */
int xav_frame_code_bytes(const xav_frame *f);
/* Bytes held by its buffers. */
size_t xav_frame_bytes(const xav_frame *f);

/* CRC-32 (IEEE) of the frame's codes: every plane, row after row, without
 * the rows' padding. What a frame checksum (checksum.h) holds. */
uint32_t xav_frame_crc(const xav_frame *f);

/* What FFmpeg's pixel format name holds: planes and bits per sample.
 * Returns 0, or -1 if FFmpeg does not know the name. */
int xav_pix_fmt_layout(const char *name, int *planes, int *depth);

#endif /* XAV_FRAME_H */
