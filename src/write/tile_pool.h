/*
 * tile_pool: encodes every tile of a copy on NUM_THREADS worker threads,
 * one tile at a time each (tile_job.h; with TARGET_PSNR, target.h first).
 * The calling thread reports progress (GDAL progress functions are not
 * thread-safe), stops the workers when the user interrupts, and re-emits
 * their errors, which go to a handler of their own (an error in another
 * thread would not reach the caller's handler).
 */
#ifndef XAV_TILE_POOL_H
#define XAV_TILE_POOL_H

#include "cpl_progress.h"

#include "copy.h"

/* Encodes every tile into its temporary file, progress from..1, and sets
 * every band's quality (d->psnr, d->max_abs_error). Returns 0, or -1 with
 * a CPLError (the first worker's failure, or the interruption). */
int xav_encode_tiles(xav_copy *cs, double from, GDALProgressFunc pfn,
                     void *pdata);

#endif /* XAV_TILE_POOL_H */
