/*
 * tile_job: one pass of encoding one tile's file, from the first time step
 * to the last: read the tile's window of every variable, fill invalid
 * pixels, code the tile's streams, and verify what the lossy ones decode
 * to (verify.h). Each worker thread runs its own jobs with its own window.
 */
#ifndef XAV_TILE_JOB_H
#define XAV_TILE_JOB_H

#include "cpl_multiproc.h"

#include "copy.h"
#include "verify.h"
#include "window.h"

/* What a job shares with the pool that runs it. */
typedef struct {
    CPLMutex *lock;  /* guards what follows */
    double *done;    /* this tile's fraction encoded */
    const int *stop; /* set when the copy stops */
} xav_job_status;

typedef struct {
    xav_copy *cs;
    int tile;
    int first, count; /* the tile's streams */
    xav_job_status status;
} xav_tile_job;

/* Encodes time steps [0, ntimes) of the job's tile into path, its progress
 * going from..to. Returns the verifier, which holds the tile's error sums
 * (xav_verifier_free it), or NULL, with a CPLError unless the copy was
 * stopped. */
xav_verifier *xav_tile_encode(const xav_tile_job *job, xav_window *win,
                              const char *path, int ntimes, double from,
                              double to);

#endif /* XAV_TILE_JOB_H */
