/*
 * target: TARGET_PSNR. Before a tile's real encode, a binary search of
 * each lossy stream's CRF on probe encodes of the first time steps (to
 * /vsimem/); after it, a lower CRF for the streams whose worst band fell
 * short on the whole cube.
 */
#ifndef XAV_TARGET_H
#define XAV_TARGET_H

#include "metrics.h"
#include "tile_job.h"
#include "window.h"

/* Sets the CRF of each lossy stream of the job's tile to the largest whose
 * worst band reaches the target on the first time steps (progress from 0
 * to share of the job), or, with a residual layer (plan.h), to the codec's
 * best. Returns 0, or -1 with a CPLError. */
int xav_target_search(const xav_tile_job *job, xav_window *win, double share);

/* After an encode with per-band error sums sums: lowers the CRF (for x265,
 * then constant QP 0) of the job's streams that missed the target. Returns
 * 1 if any was lowered, 0 if none missed, -1 with a CPLError if one is at
 * its codec's best already. */
int xav_target_lower_missed(const xav_tile_job *job, const xav_error_sum *sums);

#endif /* XAV_TARGET_H */
