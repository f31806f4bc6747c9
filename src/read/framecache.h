/*
 * framecache: decoded frames kept for repeated reads (across bands of one
 * frame, across windows, after GDAL's block cache dropped them), up to a
 * memory bound, least recently used first out. Frames are shared by
 * reference with the decoder (no copy); the cache never holds more than its
 * bound, counting every plane's buffer.
 */
#ifndef XAV_FRAMECACHE_H
#define XAV_FRAMECACHE_H

#include <stddef.h>

#include "frame.h"

typedef struct xav_frame_cache xav_frame_cache;

xav_frame_cache *xav_frame_cache_new(size_t max_bytes);
void xav_frame_cache_free(xav_frame_cache *c);
/* Frame t of stream s, or NULL; valid until the next put. */
const xav_frame *xav_frame_cache_get(xav_frame_cache *c, int s, int t);
/* Keeps a reference to f unless it alone exceeds the bound. */
void xav_frame_cache_put(xav_frame_cache *c, int s, int t, const xav_frame *f);
/* Bytes held now (for tests and benchmarks). */
size_t xav_frame_cache_bytes(const xav_frame_cache *c);

#endif /* XAV_FRAMECACHE_H */
