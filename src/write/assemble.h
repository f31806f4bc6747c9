/*
 * assemble: one dataset from pieces encoded apart (one process per block of
 * tiles, each with its own -srcwin), in the spirit of gdalbuildvrt: a new
 * sidecar whose tile grid covers the pieces and whose streams are the
 * pieces' own, left in their files. No video is read or rewritten.
 *
 * Pieces must agree on everything but their window (bands, time axis,
 * quantization, tile size, CRS, pixel size); each starts on the mosaic's
 * tile grid and covers whole tiles except at the mosaic's right and bottom
 * edges; together they cover the mosaic once, with no hole. The public entry
 * point is xav_assemble() in xavideo.h.
 */
#ifndef XAV_ASSEMBLE_H
#define XAV_ASSEMBLE_H

#include "model.h"

/* The description of the mosaic of n pieces (their descriptions, and the
 * name of each one's video relative to the mosaic's folder), or NULL with
 * a CPLError naming the piece and what does not fit. */
xav_desc *xav_assemble_desc(xav_desc *const *pieces, char *const *videos,
                            int n);

#endif /* XAV_ASSEMBLE_H */
