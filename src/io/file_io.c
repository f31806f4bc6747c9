/* file_io: see file_io.h. */
#include "file_io.h"

#include <errno.h>
#include <stdint.h>
#include <unistd.h>

#include "cpl_error.h"
#include "cpl_vsi.h"

/* The reason, with what to do where the system's words say too little
 * ("Input/output error" was all a full disk used to get). */
static const char *reason(int errnum)
{
    switch (errnum) {
    case 0:
        return "the file system gave no reason";
    case ENOSPC:
        return "the disk is full (no space left on device); free some space "
               "there or write elsewhere";
#ifdef EDQUOT
    case EDQUOT:
        return "disk quota exceeded; free some of your space there or write "
               "elsewhere";
#endif
    case EIO:
        return "input/output error: the device could not store the data (a "
               "failing disk, or a virtual disk whose host storage is full)";
    case EFBIG:
        return "file too large (for this file system, or for the file size "
               "limit of this process: ulimit -f)";
    default:
        return VSIStrerror(errnum);
    }
}

int xav_file_error(const char *verb, const char *path, int errnum)
{
    CPLError(CE_Failure, CPLE_FileIO, "XAVIDEO: cannot %s %s: %s.", verb, path,
             reason(errnum));
    return -1;
}

int xav_file_sync(VSILFILE *fp)
{
    void *fd;
    if (VSIFFlushL(fp) != 0)
        return -1;
    fd = VSIFGetNativeFileDescriptorL(fp);
    if (fd == NULL)
        return 0;
    /* EINVAL: a file that cannot be synced (a pipe, say) */
    return fsync((int)(intptr_t)fd) == 0 || errno == EINVAL ? 0 : -1;
}
