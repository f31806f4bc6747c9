/* files: delete, rename and copy a dataset (sidecar + videos). */
#include <string.h>

#include "cpl_conv.h"
#include "cpl_error.h"
#include "cpl_string.h"
#include "cpl_vsi.h"

#include "model.h"
#include "sidecar.h"
#include "xavideo.h"

/* The video name of a dataset given either of its files. */
static char *video_name(const char *name)
{
    size_t n = strlen(name), k = strlen(XAV_SIDECAR_SUFFIX);
    char *video = CPLStrdup(name);
    if (n > k && EQUAL(name + n - k, XAV_SIDECAR_SUFFIX))
        video[n - k] = '\0';
    return video;
}

/* Files GDAL keeps next to a dataset's video or sidecar: external
 * overviews, their mask, PAM's .aux.xml. They describe this dataset's
 * pixels, so they go where it goes; left behind, a stale .ovr would serve
 * old pixels to the next dataset of that name. */
static const char *const companion_suffixes[] = {".ovr", ".msk", ".aux.xml"};

char **xav_companion_files(const char *filename)
{
    char *video = video_name(filename);
    char **found = NULL;
    VSIStatBufL st;
    int i, k;
    for (i = 0; i < 2; i++) {
        const char *base =
            i == 0 ? video : CPLSPrintf("%s" XAV_SIDECAR_SUFFIX, video);
        char *stem = CPLStrdup(base);
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

int xav_delete(const char *filename)
{
    char *video = video_name(filename);
    xav_dataset *ds;
    CSLConstList f;
    VSIStatBufL st;
    int rc = 0;
    CPLPushErrorHandler(CPLQuietErrorHandler);
    ds = xav_open(filename, NULL);
    CPLPopErrorHandler();
    if (ds == NULL && VSIStatL(video, &st) != 0 &&
        VSIStatL(CPLSPrintf("%s" XAV_SIDECAR_SUFFIX, video), &st) != 0) {
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
    VSIUnlink(CPLSPrintf("%s" XAV_SIDECAR_SUFFIX, video));
    if (VSIStatL(video, &st) == 0 && VSIUnlink(video) != 0) {
        CPLError(CE_Failure, CPLE_FileIO, "XAVIDEO: cannot delete %s.", video);
        rc = -1;
    }
    VSIRmdir(CPLSPrintf("%s" XAV_TILE_DIR_SUFFIX, video));
    xav_close(ds);
    CPLFree(video);
    return rc;
}

/* The name, relative to the sidecar, that file (one of old's) gets when
 * the dataset is renamed from old to new (file names, no folder); NULL if
 * it is not one of old's own files. */
static char *renamed_file(const char *file, const char *old, const char *new)
{
    const char *tiles = CPLSPrintf("%s" XAV_TILE_DIR_SUFFIX "/", old);
    if (EQUAL(file, old))
        return CPLStrdup(new);
    if (EQUALN(file, tiles, strlen(tiles)))
        return CPLStrdup(CPLSPrintf("%s" XAV_TILE_DIR_SUFFIX "/%s", new,
                                    file + strlen(tiles)));
    return NULL;
}

static int transfer_file(const char *from, const char *to, int move)
{
    if ((move ? VSIRename(from, to) : CPLCopyFile(to, from)) == 0)
        return 0;
    CPLError(CE_Failure, CPLE_FileIO, "XAVIDEO: cannot %s %s to %s.",
             move ? "rename" : "copy", from, to);
    return -1;
}

/* Copies or moves the dataset old -> new: the videos are copied/renamed
 * (the tiles' folder with them), and the sidecar is rewritten to name
 * them. */
static int transfer(const char *new_name, const char *old_name, int move)
{
    char *old_video = video_name(old_name), *new_video = video_name(new_name);
    char *old_sidecar =
        CPLStrdup(CPLSPrintf("%s" XAV_SIDECAR_SUFFIX, old_video));
    char *new_sidecar =
        CPLStrdup(CPLSPrintf("%s" XAV_SIDECAR_SUFFIX, new_video));
    char *old_dir = CPLStrdup(CPLGetPath(old_video));
    char *new_dir = CPLStrdup(CPLGetPath(new_video));
    char *last = NULL; /* a tile's streams share a file: moved once */
    xav_desc *d = xav_sidecar_read(old_sidecar);
    int s, rc = d == NULL ? -1 : 0;
    for (s = 0; rc == 0 && s < d->nstreams; s++) {
        xav_stream *st = &d->streams[s];
        char *to = renamed_file(st->file, CPLGetFilename(old_video),
                                CPLGetFilename(new_video));
        char *from, *dest;
        if (to == NULL) {
            CPLError(CE_Failure, CPLE_NotSupported,
                     "XAVIDEO: %s refers to other files than its own (%s); "
                     "copy it with its directory.",
                     old_sidecar, st->file);
            rc = -1;
            break;
        }
        from = CPLStrdup(CPLFormFilename(old_dir, st->file, NULL));
        dest = CPLStrdup(CPLFormFilename(new_dir, to, NULL));
        if (last == NULL || strcmp(last, st->file) != 0) {
            VSIMkdir(CPLGetPath(dest), 0755); /* the tiles' folder */
            rc = transfer_file(from, dest, move);
        }
        CPLFree(from);
        CPLFree(dest);
        CPLFree(last);
        last = st->file;
        st->file = to;
    }
    CPLFree(last);
    if (rc == 0)
        rc = xav_sidecar_write(d, new_sidecar);
    if (rc == 0 && move) {
        VSIUnlink(old_sidecar);
        VSIRmdir(CPLSPrintf("%s" XAV_TILE_DIR_SUFFIX, old_video));
    }
    if (rc == 0)
        rc = transfer_companions(new_video, old_video, move);
    xav_desc_free(d);
    CPLFree(old_video);
    CPLFree(new_video);
    CPLFree(old_sidecar);
    CPLFree(new_sidecar);
    CPLFree(old_dir);
    CPLFree(new_dir);
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
