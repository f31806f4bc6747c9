/*
 * layout: which stream and channel carry each (variable, word).
 * Planning groups variables of the same coding (codec, bits) into 3-channel
 * planar streams (coded with the identity matrix: no RGB->YUV loss) and
 * 1-channel gray streams for what is left; never pads by repeating a band.
 * Mask streams (lossless, 8-bit) follow the data streams, then correction
 * streams (lossless, 16-bit) of the variables coded with MAX_ERROR; every
 * tile of a tiled raster has the same set of streams, tile after tile.
 */
#ifndef XAV_LAYOUT_H
#define XAV_LAYOUT_H

#include "model.h"
#include "options.h"

/* Plans d->streams from d->vars (quantization already planned, bits[v] the
 * code bits of each variable and lossless[v] its coding). All streams go to
 * file. Returns 0, or -1 with a CPLError (bad GROUPS). */
int xav_layout_plan(xav_desc *d, const xav_create_options *o, const int *bits,
                    const int *lossless, const char *file);

/* Finds the channel carrying, in tile, word of var (role data) or the
 * mask or corrections of var. Returns 0, or -1 if there is none. */
int xav_layout_find(const xav_desc *d, int var, int word, xav_stream_role role,
                    int tile, int *stream, int *channel);

#endif /* XAV_LAYOUT_H */
