/*
 * copy: the state of one CreateCopy, which its steps (create.c) fill one
 * after the other: plan -> scan -> encode tiles -> commit. Freed in one
 * place (xav_copy_free). While tiles are encoded, worker threads share it
 * read-only, except the coding settings of their own tile's streams and
 * the source, which src_lock guards.
 */
#ifndef XAV_COPY_H
#define XAV_COPY_H

#include "cpl_multiproc.h"
#include "cpl_progress.h"
#include "gdal.h"

#include "append.h"
#include "distinct.h"
#include "lattice.h"
#include "model.h"
#include "options.h"
#include "outliers.h"

typedef struct {
    GDALDatasetH src;
    CPLMutex *src_lock; /* GDAL datasets are not thread-safe */
    xav_create_options opt;
    xav_desc *d;
    xav_lattice *lattice;      /* per variable: what the scan found */
    xav_distinct *values;      /* per variable: the scan's distinct values of
                                  the lossless ones coded from their bits */
    xav_extremes *extremes;    /* per variable: the scan's extreme values */
    unsigned char *tile_valid; /* per tile: whether the scan saw a pixel
                                  there that a tile left out would not
                                  read back (quantize.h) */
    char *embedded_json;       /* the description tile 0's file carries */
    int ntiles;                /* entries of tile_paths and tile_temps */
    char **tile_paths;         /* per tile: the file's final path (NULL for
                                  a tile left out: model.h, tile_empty) */
    char **tile_temps;         /* per tile: where it is written first */
    int moved;                 /* tile files already moved into place */
    xav_append *append;        /* APPEND_SUBDATASET: the dataset, or NULL */
    xav_desc *whole;           /* then what its sidecar becomes */
} xav_copy;

void xav_copy_free(xav_copy *cs);

/* The CPLError of a copy the user or a signal (interrupt.h) stopped.
 * Returns -1. */
int xav_copy_interrupted(void);
/* Reports done (0 to 1); -1 with a CPLError if the user interrupts. */
int xav_copy_progress(GDALProgressFunc progress, void *data, double done);

#endif /* XAV_COPY_H */
