/* output: see output.h. */
#include "output.h"

#include <errno.h>

#include "cpl_conv.h"
#include "cpl_error.h"
#include "cpl_string.h"
#include "cpl_vsi.h"

#include "file_io.h"
#include "layout.h"
#include "names.h"
#include "sidecar.h"

static int make_dir(const char *dir)
{
    VSIStatBufL st;
    if (VSIStatExL(dir, &st, VSI_STAT_EXISTS_FLAG) == 0)
        return 0;
    errno = 0;
    return VSIMkdir(dir, 0755) == 0
               ? 0
               : xav_file_error("create the folder", dir, errno);
}

/* The folder of the tiles other than the first, and that of an appended
 * part (names.h). */
static int make_dirs(const xav_copy *cs, const char *filename)
{
    char *dir = xav_name_tile_dir(filename);
    int rc = cs->append != NULL ? make_dir(CPLGetPath(filename)) : 0;
    if (rc == 0 &&
        xav_desc_tile_count(cs->d) - xav_desc_empty_tile_count(cs->d) > 1)
        rc = make_dir(dir);
    CPLFree(dir);
    return rc;
}

/* What a copy to this name left when it could not clean up (SIGKILL, a
 * crash, a power cut): its temporary files, which no dataset names, and
 * the tiles' folder if nothing else is in it. */
static void remove_stale(const char *filename)
{
    char *dir = xav_name_tile_dir(filename);
    char *sidecar = xav_name_sidecar(filename);
    char *temps[2], **names = VSIReadDir(dir);
    int i;
    temps[0] = xav_name_temp(filename);
    temps[1] = xav_name_temp(sidecar);
    for (i = 0; names != NULL && names[i] != NULL; i++)
        if (xav_name_is_temp(names[i]))
            VSIUnlink(CPLFormFilename(dir, names[i], NULL));
    for (i = 0; i < 2; i++) {
        VSIUnlink(temps[i]);
        CPLFree(temps[i]);
    }
    VSIRmdir(dir);
    CSLDestroy(names);
    CPLFree(sidecar);
    CPLFree(dir);
}

int xav_output_prepare(xav_copy *cs, const char *filename)
{
    const xav_desc *d = cs->d;
    const int ntiles = xav_desc_tile_count(d);
    int k, first, count;
    cs->ntiles = ntiles;
    cs->tile_paths = (char **)CPLCalloc(ntiles, sizeof(char *));
    cs->tile_temps = (char **)CPLCalloc(ntiles, sizeof(char *));
    for (k = 0; k < ntiles; k++) {
        char *file;
        xav_layout_tile_streams(d, k, &first, &count);
        if (count == 0) /* left out: no valid pixel */
            continue;
        file = xav_layout_stream_file(d, first, CPLGetFilename(filename));
        cs->tile_paths[k] =
            CPLStrdup(CPLFormFilename(CPLGetPath(filename), file, NULL));
        cs->tile_temps[k] = xav_name_temp(cs->tile_paths[k]);
        CPLFree(file);
    }
    cs->embedded_json = xav_sidecar_to_json(d, 1);
    remove_stale(filename);
    return make_dirs(cs, filename);
}

static int move_into_place(const char *tmp, const char *path)
{
    errno = 0;
    if (VSIRename(tmp, path) == 0)
        return 0;
    return xav_file_error(CPLSPrintf("move %s into place as", tmp), path,
                          errno);
}

/* The sidecar of the copy: its own, or the whole's of a dataset appended
 * to (append.h). */
static char *sidecar_of(const xav_copy *cs, const char *filename)
{
    return cs->whole ? CPLStrdup(xav_append_sidecar(cs->append))
                     : xav_name_sidecar(filename);
}

int xav_output_commit(xav_copy *cs, const char *filename)
{
    const int ntiles = xav_desc_tile_count(cs->d);
    char *sidecar = sidecar_of(cs, filename), *tmp = xav_name_temp(sidecar);
    int rc = xav_sidecar_write(cs->whole ? cs->whole : cs->d, tmp);
    /* tile 0 last: its file embeds the description, so the dataset appears
     * with it, whole, even to a reader that does not wait for the sidecar;
     * moved counts what is in place, for xav_output_remove */
    while (rc == 0 && cs->moved < ntiles) {
        const int k = ntiles - 1 - cs->moved;
        if (cs->tile_temps[k] == NULL ||
            (rc = move_into_place(cs->tile_temps[k], cs->tile_paths[k])) == 0)
            cs->moved++;
    }
    if (rc == 0)
        rc = move_into_place(tmp, sidecar);
    CPLFree(tmp);
    CPLFree(sidecar);
    return rc;
}

void xav_output_remove(const xav_copy *cs, const char *filename)
{
    char *sidecar = sidecar_of(cs, filename), *tmp = xav_name_temp(sidecar);
    char *dir = xav_name_tile_dir(filename);
    const int first_moved = cs->ntiles - cs->moved;
    int k;
    for (k = 0; k < cs->ntiles; k++) {
        if (cs->tile_temps[k] == NULL)
            continue;
        VSIUnlink(cs->tile_temps[k]);
        if (k >= first_moved)
            VSIUnlink(cs->tile_paths[k]);
    }
    VSIRmdir(dir);
    if (cs->append != NULL)
        VSIRmdir(CPLGetPath(filename)); /* the parts' folder, if empty */
    VSIUnlink(tmp);
    CPLFree(dir);
    CPLFree(tmp);
    CPLFree(sidecar);
}
