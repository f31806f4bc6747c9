/*
 * scan: one pass over the source, before any coding, for what coding must
 * know of all its time steps at once: each lossy variable's valid range
 * (one quantization per variable over all times: per-frame scaling would
 * break temporal prediction) without its outliers (outliers.h), whether it
 * has invalid pixels or outliers (which need a mask stream), and whether
 * its values lie on a lattice (lattice.h); the distinct values of lossless
 * variables wider than 16 bits, for a table (distinct.h); whether a
 * variable has pixels outside the source's mask band (model.h,
 * xav_mask_band), which need a mask stream even when lossless. A lossless
 * copy stops reading once no variable needs more.
 * VALID_RANGE, where given, replaces the range and must hold the values.
 */
#ifndef XAV_SCAN_H
#define XAV_SCAN_H

#include "cpl_progress.h"

#include "copy.h"

/* Whether the scan has anything to find: a lossy variable, a lossless one
 * that may take a table or has a mask band of its own. */
int xav_scan_wanted(const xav_copy *cs);

/* Progress from 0 to share (0: nothing to scan, nothing read). Returns 0, or
 * -1 with a CPLError (read error, interruption, a VALID_RANGE that does
 * not hold the values). */
int xav_scan(xav_copy *cs, GDALProgressFunc progress, void *pdata,
             double share);

#endif /* XAV_SCAN_H */
