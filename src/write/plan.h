/*
 * plan: how the copy codes what the scan found. Tiles first (their size
 * bounds every buffer), then, once the valid ranges are known, each
 * variable's quantization and error bound and the streams that carry it
 * (layout.h).
 */
#ifndef XAV_PLAN_H
#define XAV_PLAN_H

#include "copy.h"

/* Frames wider or higher than this are tiled whatever the options say:
 * HEVC level 6.2's limit. */
#define XAV_MAX_FRAME_SIZE 8192

/* From this TARGET_PSNR on, the codec's best rung is not enough on every
 * cube (x265 at 12 bits, QP 0: 60.6 dB on UWND, 59.9 on NDFD MaxT): the
 * error bound is set so that the target holds whatever the codec does (an
 * error within the target's RMS everywhere), the codec codes at its best,
 * and the corrections carry the rest, a residual layer. */
#define XAV_RESIDUAL_DB 58.0
int xav_plan_residual(const xav_create_options *o);

/* Whether a TILE_SIZE fits the codecs: 0, or -1 with a CPLError. */
int xav_check_tile_size(int size);

/* d's size must be set. Returns 0, or -1 with a CPLError (TILE_SIZE). */
int xav_plan_tiles(xav_copy *cs);
/* Quantization, MAX_ERROR bounds and streams. Returns 0, or -1 with a
 * CPLError (a bound finer than the type holds, bad GROUPS). */
int xav_plan_coding(xav_copy *cs);

#endif /* XAV_PLAN_H */
