/* file_io: see file_io.h. */
#include "file_io.h"

#include <errno.h>

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
