/*
 * dataset: the state of an open dataset (xav_dataset of xavideo.h), shared
 * by the files of the read path: dataset.c opens and closes it and answers
 * the accessors, present.c derives what it presents, trust.c checks its
 * files against its description, read.c reads pixels.
 */
#ifndef XAV_DATASET_H
#define XAV_DATASET_H

#include <stdint.h>

#include "decode.h"
#include "frame.h"
#include "framecache.h"
#include "model.h"
#include "xavideo.h"

struct xav_dataset {
    xav_desc *d;
    char **files;                /* sidecar (if any), then videos */
    char **stream_paths;         /* per stream */
    xav_stream_reader **readers; /* per stream, opened on first use */
    char **metadata;             /* default domain, with derived time items */
    char **xav_metadata;         /* "XAVIDEO" domain */
    char **descriptions;         /* per band */
    char ***band_md;             /* per band, default domain */
    char ***band_xav_md;         /* per band, "XAVIDEO" domain */
    char ***band_is_md;          /* per band, "IMAGE_STRUCTURE" domain */
    char **is_metadata;          /* "IMAGE_STRUCTURE" domain */
    GDALRasterAttributeTableH *rats; /* per variable, or NULL */
    xav_frame_cache *cache;
    xav_frame **held;  /* per stream: the frame last handed out, by reference */
    int *held_time;    /* its time step, or -1 */
    double *row;       /* one row of doubles */
    uint8_t *mask_row; /* one row of mask codes */
    uint64_t decoded;
    int threads;
    /* the embedded description last checked against, and its video: parsed
     * once per file, not once per stream (only a tile 0 file has one) */
    xav_desc *embedded;
    char *embedded_path;
};

#endif /* XAV_DATASET_H */
