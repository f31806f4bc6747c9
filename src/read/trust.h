/*
 * trust: what a reader checks before it believes a file. A sidecar refers
 * only to files in or below its folder; each stream's pixel format holds
 * what the description says it carries; a stream's file says (its stream
 * tag, and tile 0's embedded description) that it holds what the sidecar
 * says; a tile left out is one in the video's own description; a decoded
 * frame has the size and format of its stream. Packets are
 * checked where they are decoded (decode.h). Each check reports what does
 * not match through CPLError and returns -1.
 */
#ifndef XAV_TRUST_H
#define XAV_TRUST_H

#include "dataset.h"

/* Why a stream's file name may not be followed, or NULL if it may. */
const char *xav_reference_problem(const char *file);
int xav_check_pixel_formats(const xav_desc *d);
/* Stream s's reader, just opened, against the description. */
int xav_check_stream(xav_dataset *ds, int s);
/* A tile the sidecar says was left out (model.h, tile_empty) must be one
 * in the description embedded in the file of stream s (tile 0's, just
 * opened): a damaged or edited sidecar would read a tile as nodata. A
 * video without a readable embedded description is taken on the
 * sidecar's word. */
int xav_check_empty_tile(xav_dataset *ds, int s, int tile);
/* A frame of stream s against the description. */
int xav_check_frame(const xav_dataset *ds, int s, const xav_frame *f);

#endif /* XAV_TRUST_H */
