/*
 * output: the files of a copy (names.h). Everything is written to a
 * temporary name first (PATH.xavpart) and moved into place at the end,
 * tiles first (tile 0, which embeds the description, last of them) and the
 * sidecar last, so that a failure or an interruption leaves no file of the
 * copy behind, and no reader sees a dataset whose tiles are not all there.
 */
#ifndef XAV_OUTPUT_H
#define XAV_OUTPUT_H

#include "copy.h"

/* Once the streams are planned: each tile's final and temporary path,
 * the description tile 0's file embeds, and the tiles' folder; the
 * temporary files a copy to this name could not remove (killed) are
 * removed. Returns 0, or -1 with a CPLError. */
int xav_output_prepare(xav_copy *cs, const char *filename);
/* Writes the sidecar and moves every file into place. Returns 0, or -1
 * with a CPLError. */
int xav_output_commit(xav_copy *cs, const char *filename);
/* After a failure: removes every file of the copy, temporary or final. */
void xav_output_remove(const xav_copy *cs, const char *filename);

#endif /* XAV_OUTPUT_H */
