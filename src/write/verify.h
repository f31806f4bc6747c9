/*
 * verify: during CreateCopy, each lossy frame of a tile is decoded as soon
 * as it is coded and compared with the source frame it came from, kept
 * until then (a queue as deep as the encoder's delay, whatever the number
 * of time steps). This gives every band's error sums in the tile, and the
 * MAX_ERROR corrections, which go into their own lossless stream. One
 * verifier per tile, so tiles can be encoded by different threads.
 */
#ifndef XAV_VERIFY_H
#define XAV_VERIFY_H

#include <stdint.h>

#include <libavutil/frame.h>

#include "encode.h"
#include "metrics.h"
#include "model.h"

typedef struct xav_verifier xav_verifier;

xav_verifier *xav_verifier_new(const xav_desc *d, int tile);
void xav_verifier_free(xav_verifier *vf);
/* The writer that takes the correction frames. */
void xav_verifier_set_writer(xav_verifier *vf, xav_writer *w);
/* Keeps a copy of the source values and mask codes of lossy variable v at
 * time t until its decoded frame comes back. */
void xav_verifier_push(xav_verifier *vf, int v, int t, const double *values,
                       const uint8_t *mask);
/* An xav_decoded_fn (user = the verifier). */
int xav_verifier_on_decoded(void *vf, int stream, int t, const AVFrame *f);
/* After the writer finished: the tile's error sums, per band (empty for
 * lossless variables), owned by vf. */
const xav_error_sum *xav_verifier_sums(const xav_verifier *vf);
/* Returns -1 with a CPLError if a MAX_ERROR could not be met. */
int xav_verifier_check(const xav_verifier *vf);

#endif /* XAV_VERIFY_H */
