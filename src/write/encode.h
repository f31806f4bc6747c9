/*
 * encode: one encoder per stream of a file of a description (a tile's
 * streams), muxed into one Matroska file written through VSI, with the
 * sidecar embedded as a global tag where asked.
 * Frames go in one time step at a time. Each packet of a lossy stream is
 * decoded as soon as it is coded, and the decoded frames (what readers
 * will get) wait, in time order, for the caller to take them: the caller
 * verifies them and puts what follows from them (corrections, masks) into
 * other streams, so data flows one way. Nothing else is kept beyond what
 * the encoders and the interleaver hold: memory does not grow with time.
 */
#ifndef XAV_ENCODE_H
#define XAV_ENCODE_H

#include <stdint.h>

#include "frame.h"

#include "model.h"

typedef struct xav_writer xav_writer;

/* The codec library encoding, for the record ("Lavc59.37.100"). */
const char *xav_codec_library(void);

/* Creates path and one encoder for each of the count streams of d from
 * first on (the streams of one file: a tile's); embedded_json (may be NULL)
 * becomes the global tag. Returns NULL with a CPLError on failure (path may
 * then exist: the caller removes it). */
xav_writer *xav_writer_open(const char *path, const xav_desc *d, int first,
                            int count, const char *embedded_json);
/* Encodes the next frame of stream s (an index into d->streams, one of the
 * writer's): planes[c] holds width * height codes of channel c. Returns 0
 * or -1 with a CPLError. */
int xav_writer_put(xav_writer *w, int s, const uint16_t *const *planes);
/* The next decoded frame of lossy stream s, in time order: returns 1 and
 * sets *t and *frame (a reference: xav_frame_unref it), or 0 when none is
 * waiting. */
int xav_writer_take_decoded(xav_writer *w, int s, int *t, xav_frame **frame);
/* Ends stream s: its encoder's last packets are muxed (and decoded, for a
 * lossy stream). Returns 0 or -1 with a CPLError. */
int xav_writer_flush(xav_writer *w, int s);
/* Flushes the streams not flushed yet, writes the index and closes. Frees
 * w. Returns 0 or -1 with a CPLError. */
int xav_writer_finish(xav_writer *w);
/* Frees w without finishing (after a failure). */
void xav_writer_free(xav_writer *w);

#endif /* XAV_ENCODE_H */
