/* files: delete, rename and copy a dataset (sidecar + videos). */
#include <string.h>

#include "cpl_conv.h"
#include "cpl_error.h"
#include "cpl_string.h"
#include "cpl_vsi.h"

#include "layout.h"
#include "model.h"
#include "names.h"
#include "sidecar.h"
#include "xavideo.h"

/* Files GDAL keeps next to a dataset's video or sidecar: external
 * overviews, their mask, PAM's .aux.xml. They describe this dataset's
 * pixels, so they go where it goes; left behind, a stale .ovr would serve
 * old pixels to the next dataset of that name. */
static const char *const companion_suffixes[] = {".ovr", ".msk", ".aux.xml"};

char **xav_companion_files(const char *filename)
{
    char *video = xav_name_video(filename);
    char **found = NULL;
    VSIStatBufL st;
    int i, k;
    for (i = 0; i < 2; i++) {
        char *stem = i == 0 ? CPLStrdup(video) : xav_name_sidecar(video);
        for (k = 0; k < 3; k++) {
            const char *name = CPLSPrintf("%s%s", stem, companion_suffixes[k]);
            if (VSIStatExL(name, &st, VSI_STAT_EXISTS_FLAG) == 0)
                found = CSLAddString(found, name);
        }
        CPLFree(stem);
    }
    CPLFree(video);
    return found;
}

/* Deletes (new_video NULL), moves or copies the companions of old_video's
 * dataset to the same names next to new_video. */
static int transfer_companions(const char *new_video, const char *old_video,
                               int move)
{
    char **old = xav_companion_files(old_video);
    const size_t stem = strlen(old_video);
    int i, rc = 0;
    for (i = 0; old != NULL && old[i] != NULL; i++) {
        char *to = new_video
                       ? CPLStrdup(CPLSPrintf("%s%s", new_video, old[i] + stem))
                       : NULL;
        const int err = to == NULL ? VSIUnlink(old[i])
                        : move     ? VSIRename(old[i], to)
                                   : CPLCopyFile(to, old[i]);
        if (err != 0) {
            CPLError(CE_Failure, CPLE_FileIO, "XAVIDEO: cannot %s %s.",
                     to == NULL ? "delete"
                     : move     ? "rename"
                                : "copy",
                     old[i]);
            rc = -1;
        }
        CPLFree(to);
    }
    CSLDestroy(old);
    return rc;
}

/* The folders of a dataset's own files, once emptied: the tiles', and the
 * appended parts' (names.h) with their tiles'. Never another folder, such
 * as the one the dataset was in. */
static void remove_own_dirs(const char *video)
{
    char *tiles = xav_name_tile_dir(video), *parts = xav_name_parts_dir(video);
    char **names = VSIReadDir(parts);
    int i;
    for (i = 0; names != NULL && names[i] != NULL; i++)
        if (xav_name_has_suffix(names[i], XAV_TILE_DIR_SUFFIX))
            VSIRmdir(CPLFormFilename(parts, names[i], NULL));
    VSIRmdir(parts);
    VSIRmdir(tiles);
    CSLDestroy(names);
    CPLFree(parts);
    CPLFree(tiles);
}

int xav_delete(const char *filename)
{
    char *video = xav_name_video(filename), *sidecar = xav_name_sidecar(video);
    xav_dataset *ds;
    CSLConstList f;
    VSIStatBufL st;
    int rc = 0;
    CPLPushErrorHandler(CPLQuietErrorHandler);
    ds = xav_open(filename, NULL);
    CPLPopErrorHandler();
    if (ds == NULL && VSIStatL(video, &st) != 0 &&
        VSIStatL(sidecar, &st) != 0) {
        CPLError(CE_Failure, CPLE_FileIO, "XAVIDEO: %s does not exist.",
                 filename);
        rc = -1;
    }
    /* every file the description names (tiles too); the sidecar and video
     * alone if it cannot be read */
    for (f = ds ? xav_file_list(ds) : NULL; f != NULL && *f != NULL; f++)
        if (VSIUnlink(*f) != 0 && VSIStatL(*f, &st) == 0) {
            CPLError(CE_Failure, CPLE_FileIO, "XAVIDEO: cannot delete %s.", *f);
            rc = -1;
        }
    if (transfer_companions(NULL, video, 0) != 0)
        rc = -1;
    VSIUnlink(sidecar);
    if (VSIStatL(video, &st) == 0 && VSIUnlink(video) != 0) {
        CPLError(CE_Failure, CPLE_FileIO, "XAVIDEO: cannot delete %s.", video);
        rc = -1;
    }
    remove_own_dirs(video);
    xav_close(ds);
    CPLFree(video);
    CPLFree(sidecar);
    return rc;
}

/* Whether stream s is one of the dataset's own files: named by rule (""),
 * or, in sidecars written before that rule, by the video's own names. */
static int own_file(const xav_desc *d, int s, const char *video)
{
    char *rule;
    int own;
    if (*d->streams[s].file == '\0')
        return 1;
    rule = xav_name_tile_file(video, d->streams[s].tile / xav_desc_tiles_x(d),
                              d->streams[s].tile % xav_desc_tiles_x(d));
    own = EQUAL(rule, d->streams[s].file);
    CPLFree(rule);
    return own;
}

/* dir and the folders above it that are missing (VSIMkdirRecursive of GDAL
 * 3.6 fails on relative names). */
static void make_dirs(const char *dir)
{
    VSIStatBufL st;
    char *parent;
    if (*dir == '\0' || VSIStatL(dir, &st) == 0)
        return;
    parent = CPLStrdup(CPLGetPath(dir));
    make_dirs(parent);
    CPLFree(parent);
    VSIMkdir(dir, 0755);
}

static int transfer_file(const char *from, const char *to, int move)
{
    char *dir = CPLStrdup(CPLGetPath(to));
    make_dirs(dir); /* the tiles' and parts' folders */
    CPLFree(dir);
    if ((move ? VSIRename(from, to) : CPLCopyFile(to, from)) == 0)
        return 0;
    CPLError(CE_Failure, CPLE_FileIO, "XAVIDEO: cannot %s %s to %s.",
             move ? "rename" : "copy", from, to);
    return -1;
}

/* Copies or moves the dataset old -> new: its own files go to the names
 * the rule gives the new video (names.h), and the sidecar is written anew
 * naming them by that rule. A sidecar that refers to other files (an
 * assembled dataset's pieces) is refused: they would not follow. */
static int transfer(const char *new_name, const char *old_name, int move)
{
    char *old_video = xav_name_video(old_name);
    char *new_video = xav_name_video(new_name);
    char *old_sidecar = xav_name_sidecar(old_video);
    char *new_sidecar = xav_name_sidecar(new_video);
    const char *old_base = CPLGetFilename(old_video);
    char *last = NULL; /* a tile's streams share a file: moved once */
    xav_desc *d = xav_sidecar_read(old_sidecar);
    int s, rc = d == NULL ? -1 : 0;
    for (s = 0; rc == 0 && s < d->nstreams; s++) {
        xav_stream *st = &d->streams[s];
        char *from, *to;
        if (!own_file(d, s, old_base)) {
            CPLError(CE_Failure, CPLE_NotSupported,
                     "XAVIDEO: %s refers to other files than its own (%s); "
                     "copy it with its directory.",
                     old_sidecar, st->file);
            rc = -1;
            break;
        }
        CPLFree(st->file);
        st->file = CPLStrdup("");
        from = xav_layout_stream_file(d, s, old_video);
        to = xav_layout_stream_file(d, s, new_video);
        if (last == NULL || strcmp(last, from) != 0)
            rc = transfer_file(from, to, move);
        CPLFree(last);
        CPLFree(to);
        last = from;
    }
    CPLFree(last);
    if (rc == 0)
        rc = xav_sidecar_write(d, new_sidecar);
    if (rc == 0 && move) {
        VSIUnlink(old_sidecar);
        remove_own_dirs(old_video);
    }
    if (rc == 0)
        rc = transfer_companions(new_video, old_video, move);
    xav_desc_free(d);
    CPLFree(old_video);
    CPLFree(new_video);
    CPLFree(old_sidecar);
    CPLFree(new_sidecar);
    return rc;
}

int xav_rename(const char *new_name, const char *old_name)
{
    return transfer(new_name, old_name, 1);
}

int xav_copy_files(const char *new_name, const char *old_name)
{
    return transfer(new_name, old_name, 0);
}
