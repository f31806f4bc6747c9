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
    const char *sidecar = CPLSPrintf("%s" XAV_SIDECAR_SUFFIX, video);
    VSIStatBufL st;
    int rc = 0;
    if (VSIStatL(video, &st) != 0 && VSIStatL(sidecar, &st) != 0) {
        CPLError(CE_Failure, CPLE_FileIO, "XAVIDEO: %s does not exist.",
                 filename);
        rc = -1;
    }
    if (transfer_companions(NULL, video, 0) != 0)
        rc = -1;
    VSIUnlink(sidecar);
    if (VSIStatL(video, &st) == 0 && VSIUnlink(video) != 0) {
        CPLError(CE_Failure, CPLE_FileIO, "XAVIDEO: cannot delete %s.", video);
        rc = -1;
    }
    CPLFree(video);
    return rc;
}

/* Copies or moves the dataset old -> new: the video is copied/renamed, and
 * the sidecar is rewritten to name the new video. */
static int transfer(const char *new_name, const char *old_name, int move)
{
    char *old_video = video_name(old_name), *new_video = video_name(new_name);
    char *old_sidecar =
        CPLStrdup(CPLSPrintf("%s" XAV_SIDECAR_SUFFIX, old_video));
    char *new_sidecar =
        CPLStrdup(CPLSPrintf("%s" XAV_SIDECAR_SUFFIX, new_video));
    xav_desc *d = xav_sidecar_read(old_sidecar);
    int s, rc = -1;
    if (d == NULL)
        goto done;
    for (s = 0; s < d->nstreams; s++) {
        if (!EQUAL(d->streams[s].file, CPLGetFilename(old_video))) {
            CPLError(CE_Failure, CPLE_NotSupported,
                     "XAVIDEO: %s refers to other files than its video; copy "
                     "it with its directory.",
                     old_sidecar);
            goto done;
        }
        CPLFree(d->streams[s].file);
        d->streams[s].file = CPLStrdup(CPLGetFilename(new_video));
    }
    if ((move ? VSIRename(old_video, new_video)
              : CPLCopyFile(new_video, old_video)) != 0) {
        CPLError(CE_Failure, CPLE_FileIO, "XAVIDEO: cannot %s %s to %s.",
                 move ? "rename" : "copy", old_video, new_video);
        goto done;
    }
    if (xav_sidecar_write(d, new_sidecar) != 0)
        goto done;
    if (move)
        VSIUnlink(old_sidecar);
    rc = transfer_companions(new_video, old_video, move);
done:
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
