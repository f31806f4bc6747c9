/*
 * verify: during CreateCopy, each lossy frame is decoded as soon as it is
 * coded and compared with the source frame it came from, kept until then
 * (a queue as deep as the encoder's delay, whatever the number of time
 * steps). This gives every band's achieved PSNR and maximum error, and the
 * MAX_ERROR corrections, which go into their own lossless stream.
 */
#ifndef XAV_VERIFY_H
#define XAV_VERIFY_H

#include <stdint.h>

#include <libavutil/frame.h>

#include "encode.h"
#include "model.h"

typedef struct xav_verifier xav_verifier;

xav_verifier *xav_verifier_new(xav_desc *d);
void xav_verifier_free(xav_verifier *vf);
/* The writer that takes the correction frames. */
void xav_verifier_set_writer(xav_verifier *vf, xav_writer *w);
/* Keeps a copy of the source values and mask codes of lossy variable v in
 * tile at time t until its decoded frame comes back. */
void xav_verifier_push(xav_verifier *vf, int v, int tile, int t,
                       const double *values, const uint8_t *mask);
/* An xav_decoded_fn (user = the verifier). */
int xav_verifier_on_decoded(void *vf, int stream, int t, const AVFrame *f);
/* After the writer finished: sets d->psnr and d->max_abs_error (exact for
 * lossless variables). Returns -1 with a CPLError if a MAX_ERROR could not
 * be met. */
int xav_verifier_finish(xav_verifier *vf);

#endif /* XAV_VERIFY_H */
