/* copy: see copy.h. */
#include "copy.h"

#include "cpl_conv.h"
#include "cpl_error.h"
#include "cpl_string.h"

void xav_copy_free(xav_copy *cs)
{
    if (cs->src_lock != NULL)
        CPLDestroyMutex(cs->src_lock);
    CPLFree(cs->lattice);
    CPLFree(cs->embedded_json);
    CSLDestroy(cs->tile_paths);
    CSLDestroy(cs->tile_temps);
    xav_desc_free(cs->d);
}

int xav_copy_progress(GDALProgressFunc progress, void *data, double done)
{
    if (progress(done, NULL, data))
        return 0;
    CPLError(CE_Failure, CPLE_UserInterrupt,
             "XAVIDEO: CreateCopy interrupted by the user.");
    return -1;
}
