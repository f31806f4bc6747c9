/*
 * encode: one encoder per stream of a file of a description (a tile's
 * streams), muxed into one Matroska file written through VSI, with the
 * sidecar embedded as a global tag where asked.
 * Frames go in one time step at a time; nothing is kept beyond what the
 * encoders and the interleaver hold, so memory does not grow with time.
 */
#ifndef XAV_ENCODE_H
#define XAV_ENCODE_H

#include <stdint.h>

#include <libavutil/frame.h>

#include "model.h"

typedef struct xav_writer xav_writer;

/* The codec library encoding, for the record ("Lavc59.37.100"). */
const char *xav_codec_library(void);

/* Called with every frame of a lossy stream as readers will decode it, in
 * time order, while encoding goes on; it may put frames into other
 * streams. Returns 0, or -1 to stop with its CPLError. */
typedef int (*xav_decoded_fn)(void *user, int stream, int t,
                              const AVFrame *frame);

/* Creates path and one encoder for each of the count streams of d from
 * first on (the streams of one file: a tile's); embedded_json (may be NULL)
 * becomes the global tag. on_decoded (may be NULL) sees the lossy streams'
 * frames. Returns NULL with a CPLError on failure (path may then exist: the
 * caller removes it). */
xav_writer *xav_writer_open(const char *path, const xav_desc *d, int first,
                            int count, const char *embedded_json,
                            xav_decoded_fn on_decoded, void *user);
/* Encodes the next frame of stream s (an index into d->streams, one of the
 * writer's): planes[c] holds width * height codes of channel c. Returns 0
 * or -1 with a CPLError. */
int xav_writer_put(xav_writer *w, int s, const uint16_t *const *planes);
/* Flushes the encoders, writes the index and closes. Frees w. */
int xav_writer_finish(xav_writer *w);
/* Frees w without finishing (after a failure). */
void xav_writer_free(xav_writer *w);

#endif /* XAV_ENCODE_H */
