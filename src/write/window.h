/*
 * window: the source's pixels of one tile, read for coding. One set of
 * buffers per thread, so memory follows the tile size and the thread
 * count, not the raster's size.
 */
#ifndef XAV_WINDOW_H
#define XAV_WINDOW_H

#include <stddef.h>
#include <stdint.h>

#include "copy.h"
#include "model.h"

typedef struct {
    int x, y, w, h;  /* the window */
    double **values; /* per variable: one frame as doubles (lossy/integer) */
    void **raw;      /* per variable: one frame in its type (xav_quant_raw) */
    uint8_t **mask;  /* per variable: XAV_MASK_* codes of one frame */
    uint16_t *planes[XAV_MAX_CHANNELS];
    uint8_t *valid; /* 0/1 validity, for the fill */
} xav_window;

/* Buffers for a tile of every variable (raw ones for the variables coded
 * from their bits, xav_quant_raw). Returns 0, or -1 with a CPLError. */
int xav_window_alloc(const xav_desc *d, xav_window *win);
void xav_window_free(const xav_desc *d, xav_window *win);
void xav_window_set_tile(const xav_desc *d, xav_window *win, int tile);
size_t xav_window_pixels(const xav_window *win);

/* Reads time t of variable v in the window into the buffers its coding
 * needs (under cs->src_lock): raw values, or doubles; and mask codes, of
 * every invalid pixel for lossy variables, of the pixels outside the
 * source's mask band (XAV_MASK_NODATA) for lossless ones that have one.
 * Returns the count of pixels so marked, or -1 with a CPLError. */
long xav_window_read(const xav_copy *cs, xav_window *win, int v, int t);

#endif /* XAV_WINDOW_H */
