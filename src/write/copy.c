/* copy: see copy.h. */
#include "copy.h"

#include "cpl_conv.h"
#include "cpl_error.h"
#include "cpl_string.h"

#include "interrupt.h"

void xav_copy_free(xav_copy *cs)
{
    int v, k;
    if (cs->src_lock != NULL)
        CPLDestroyMutex(cs->src_lock);
    for (v = 0; cs->values != NULL && v < cs->d->nvars; v++)
        xav_distinct_free(&cs->values[v]);
    CPLFree(cs->values);
    CPLFree(cs->lattice);
    CPLFree(cs->extremes);
    CPLFree(cs->embedded_json);
    for (k = 0; k < cs->ntiles; k++) {
        CPLFree(cs->tile_paths[k]);
        CPLFree(cs->tile_temps[k]);
    }
    CPLFree(cs->tile_paths);
    CPLFree(cs->tile_temps);
    CPLFree(cs->tile_valid);
    xav_desc_free(cs->d);
    xav_desc_free(cs->whole);
    xav_append_close(cs->append);
}

int xav_copy_interrupted(void)
{
    const int sig = xav_interrupt_caught();
    if (sig != 0)
        CPLError(CE_Failure, CPLE_UserInterrupt,
                 "XAVIDEO: CreateCopy interrupted by %s; the files written so "
                 "far are removed.",
                 xav_interrupt_name(sig));
    else
        CPLError(CE_Failure, CPLE_UserInterrupt,
                 "XAVIDEO: CreateCopy interrupted by the user.");
    return -1;
}

int xav_copy_progress(GDALProgressFunc progress, void *data, double done)
{
    return progress(done, NULL, data) ? 0 : xav_copy_interrupted();
}
