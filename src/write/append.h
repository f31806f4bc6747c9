/*
 * append: APPEND_SUBDATASET=YES, a copy that adds the source's time steps
 * after those of an existing dataset (doc/xavideo.md, "Appending in time").
 * The source is encoded as a part of its own (names.h: VIDEO.parts/
 * tTTTTTTTT.mkv and its tiles), quantized as the dataset's variables are,
 * so that nothing already written is decoded or encoded again. Then the
 * dataset's sidecar is replaced, in one rename, by one that describes its
 * streams and the part's, each with its range of time steps: a reader that
 * opens it sees the old dataset or the new one, and one already open keeps
 * reading the old. One append at a time: a sidecar that changed since the
 * append began is not replaced.
 *
 * Steps, in the order of a copy (create.c): open, options (before the
 * options are parsed), check (after the plan), impose (plan.c, before the
 * part's layout), merge (after the part is encoded).
 */
#ifndef XAV_APPEND_H
#define XAV_APPEND_H

#include "cpl_string.h"

#include "lattice.h"
#include "model.h"

typedef struct xav_append xav_append;

/* The dataset whose video is filename, read; NULL with a CPLError if there
 * is none, or it has no time axis to extend. */
xav_append *xav_append_open(const char *filename);
void xav_append_close(xav_append *a);

/* The part's creation options: the user's, and where the user says
 * nothing, the coding the dataset's streams record (codec, quality,
 * preset, GOP, tiles, lossless). CSLDestroy them. */
char **xav_append_options(const xav_append *a, CSLConstList user);
/* The dataset's description, as read. */
const xav_desc *xav_append_dataset(const xav_append *a);
/* The video of the part's tile 0, and the dataset's sidecar. */
const char *xav_append_part_video(const xav_append *a);
const char *xav_append_sidecar(const xav_append *a);

/* Whether the planned part fits the dataset: its grid, CRS, variables and
 * dimensions, and time steps after the dataset's last. 0, or -1 with a
 * CPLError that says what differs. */
int xav_append_check(const xav_append *a, const xav_desc *part);
/* Gives the part's variables the dataset's quantization, once the scan
 * has found their values (and lattice, per variable, what it found of
 * theirs); -1 with a CPLError if some value does not fit it. */
int xav_append_impose(const xav_append *a, xav_desc *part,
                      const xav_lattice *lattice);
/* The description of the whole once the part is encoded; NULL with a
 * CPLError if the dataset's sidecar changed meanwhile. */
xav_desc *xav_append_merge(const xav_append *a, const xav_desc *part);

#endif /* XAV_APPEND_H */
