/*
 * verify: during CreateCopy, each lossy frame of a tile, decoded as soon as
 * it is coded (encode.h), is compared with the source frame it came from,
 * kept until then (a queue as deep as the encoder's delay, whatever the
 * number of time steps). This gives every band's error sums in the tile
 * and, for each variable of the frame, the corrections that its correction
 * stream carries at that time. One verifier per tile, so tiles can be
 * encoded by different threads.
 */
#ifndef XAV_VERIFY_H
#define XAV_VERIFY_H

#include <stdint.h>

#include "frame.h"
#include "metrics.h"
#include "model.h"

typedef struct xav_verifier xav_verifier;

xav_verifier *xav_verifier_new(const xav_desc *d, int tile);
void xav_verifier_free(xav_verifier *vf);
/* Keeps a copy of the source values and mask codes of lossy variable v at
 * time t until its decoded frame comes back. */
void xav_verifier_push(xav_verifier *vf, int v, int t, const double *values,
                       const uint8_t *mask);
/* Checks frame f, time t, of lossy data stream s against what was pushed:
 * adds to the error sums and sets, for each channel c, the corrections of
 * st->var[c] at time t. Returns 0, or -1 with a CPLError (a frame out of
 * order). */
int xav_verifier_check(xav_verifier *vf, int s, int t, const xav_frame *f);
/* The same for the codes of an exact stream, which readers get as they
 * are: codes[c], width x height of the tile, of channel c. */
int xav_verifier_check_codes(xav_verifier *vf, int s, int t,
                             const uint16_t *const *codes);
/* Channel c of the frame last checked: its corrections (meaningful where
 * its variable has a bound), one per pixel of the tile, row after row;
 * valid until the next check. */
const uint16_t *xav_verifier_corrections(const xav_verifier *vf, int c);
/* The tile's error sums, per band (empty for lossless variables). */
const xav_error_sum *xav_verifier_sums(const xav_verifier *vf);
/* After every frame was checked: -1 with a CPLError if a MAX_ERROR could
 * not be met. */
int xav_verifier_result(const xav_verifier *vf);

#endif /* XAV_VERIFY_H */
