/*
 * layout: which stream and channel carry each (variable, word).
 * Planning groups variables of the same coding (codec, bits) into 3-channel
 * planar streams (coded with the identity matrix: no RGB->YUV loss) and
 * 1-channel gray streams for what is left; never pads by repeating a band.
 * Mask streams (exact, 8-bit) follow the data streams, then correction
 * streams (exact, 12 or 16-bit) of the variables with an error bound;
 * every tile of a tiled raster has the same set of streams, tile after
 * tile. Every stream's packets carry their CRC-32.
 *
 * Each tile is a file of its own (names.h): tile 0 in the video named by
 * the user, tile k > 0 in VIDEO.tiles/rRRRR_cCCCC.mkv (its row and column). A
 * window read over HTTP then fetches only its tiles' bytes, and tiles can be
 * encoded one after the other, or in parallel, with only their own encoders
 * open (doc/tiles.md has the measurements).
 */
#ifndef XAV_LAYOUT_H
#define XAV_LAYOUT_H

#include "model.h"
#include "options.h"

/* FFmpeg refuses a file of more streams, writing and reading alike
 * (AVFormatContext.max_streams, 1000 by default; avformat_new_stream then
 * fails, reported as "Cannot allocate memory"). Files of more could be
 * written and read only by raising it in every program that opens them,
 * ffprobe and players included, so plans beyond it are refused. */
#define XAV_MAX_STREAMS_PER_FILE 1000

/* Plans d->streams from d->vars (quantization, bits and lossless already
 * planned), every stream in its tile's own file. Returns 0, or -1 with a
 * CPLError (bad GROUPS, more than XAV_MAX_STREAMS_PER_FILE streams in a
 * file). */
int xav_layout_plan(xav_desc *d, const xav_create_options *o);
/* The pixel format of a stream of codes of bits in channels planes (not
 * the bytes of values). */
const char *xav_layout_pix_fmt(xav_codec codec, int channels, int bits);
/* Bits of a variable's correction codes: 12 (x265 lossless) where its
 * bound is at least half a quantization step, so a correction stays far
 * below 2^11 steps whatever the codec's error; 16 (FFV1) for finer bounds. */
int xav_layout_correction_bits(const xav_variable *v);

/* The file of stream s, relative to the sidecar's folder, of the dataset
 * whose video (relative to that folder) is video: the file the sidecar
 * names, or its tile's own file by the rule of names.h, in its part's
 * folder if it was appended (CPLMalloc'ed). */
char *xav_layout_stream_file(const xav_desc *d, int s, const char *video);

/* The streams of tile: d->streams[first .. first + count) (a valid
 * description keeps each tile's streams together, in tile order). */
void xav_layout_tile_streams(const xav_desc *d, int tile, int *first,
                             int *count);

/* Finds the channel carrying, in tile at time step time, word of var (role
 * data) or the mask or corrections of var; its frame time - first_time
 * holds that time step. Returns 0, or -1 if there is none. */
int xav_layout_find(const xav_desc *d, int var, int word, xav_stream_role role,
                    int tile, int time, int *stream, int *channel);

#endif /* XAV_LAYOUT_H */
