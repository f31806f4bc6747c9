/*
 * summary: what a copy's scan found of each variable (its extreme values),
 * as JSON, so that pieces of one source scanned apart (by the workers of a
 * cluster: apps/xavdask.py) can be merged into the VALID_RANGE that one
 * scan of the whole would have set (xav_summaries_valid_range in
 * xavideo.h). The extremes are mergeable: the few smallest values of a
 * union are among the few smallest of its parts.
 */
#ifndef XAV_SUMMARY_H
#define XAV_SUMMARY_H

#include "copy.h"

/* The summary of a copy planned and scanned: a new string (CPLFree). */
char *xav_summary_json(const xav_copy *cs);

#endif /* XAV_SUMMARY_H */
