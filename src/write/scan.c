/* scan: see scan.h. */
#include "scan.h"

#include <math.h>

#include "cpl_conv.h"
#include "cpl_error.h"

#include "copy.h"
#include "quantize.h"
#include "window.h"

/* Valid range and invalid pixels of the lossy variables, over all times. */
static int scan_window(xav_copy *cs, xav_window *win, int t)
{
    xav_desc *d = cs->d;
    int v;
    size_t i;
    for (v = 0; v < d->nvars; v++) {
        xav_variable *var = &d->vars[v];
        long invalid;
        if (var->lossless)
            continue;
        if ((invalid = xav_window_read(cs, win, v, t)) < 0)
            return -1;
        var->has_mask |= invalid > 0;
        for (i = 0; i < xav_window_pixels(win); i++)
            if (win->mask[v][i] == XAV_MASK_VALID) {
                var->valid_min = MIN(var->valid_min, win->values[v][i]);
                var->valid_max = MAX(var->valid_max, win->values[v][i]);
            }
    }
    return 0;
}

static int scan_all(xav_copy *cs, GDALProgressFunc progress, void *pdata,
                    double share)
{
    xav_desc *d = cs->d;
    xav_window win;
    int t, k, rc = xav_window_alloc(d, &win);
    for (t = 0; t < d->ntimes && rc == 0; t++) {
        for (k = 0; k < xav_desc_tile_count(d) && rc == 0; k++) {
            xav_window_set_tile(d, &win, k);
            rc = scan_window(cs, &win, t);
        }
        if (rc == 0)
            rc =
                xav_copy_progress(progress, pdata, share * (t + 1) / d->ntimes);
    }
    xav_window_free(d, &win);
    return rc;
}

/* VALID_RANGE replaces the lossy variables' own range, so that pieces of a
 * dataset encoded apart are quantized alike; it must hold their values. */
static int apply_valid_range(xav_copy *cs)
{
    xav_desc *d = cs->d;
    double *lo, *hi;
    int v, rc;
    if (cs->opt.valid_range == NULL)
        return 0;
    lo = (double *)CPLMalloc(d->nvars * sizeof(double));
    hi = (double *)CPLMalloc(d->nvars * sizeof(double));
    rc = xav_parse_valid_range(cs->opt.valid_range, d->nvars, lo, hi);
    for (v = 0; v < d->nvars && rc == 0; v++) {
        xav_variable *var = &d->vars[v];
        if (var->lossless)
            continue;
        if (var->valid_min < lo[v] || var->valid_max > hi[v]) {
            CPLError(CE_Failure, CPLE_IllegalArg,
                     "XAVIDEO: VALID_RANGE=%s does not hold the values of "
                     "%s (%g to %g).",
                     cs->opt.valid_range, var->name, var->valid_min,
                     var->valid_max);
            rc = -1;
        }
        var->valid_min = lo[v];
        var->valid_max = hi[v];
    }
    CPLFree(lo);
    CPLFree(hi);
    return rc;
}

int xav_scan(xav_copy *cs, GDALProgressFunc progress, void *pdata, double share)
{
    if (share <= 0) /* nothing lossy: nothing to scan */
        return 0;
    return scan_all(cs, progress, pdata, share) == 0 &&
                   apply_valid_range(cs) == 0
               ? 0
               : -1;
}
