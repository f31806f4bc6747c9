/* plan: see plan.h. */
#include "plan.h"

#include <math.h>

#include "cpl_conv.h"
#include "cpl_error.h"

#include "layout.h"
#include "metrics.h"
#include "quantize.h"

int xav_plan_tiles(xav_copy *cs)
{
    xav_desc *d = cs->d;
    int size = cs->opt.tile_size;
    if (size > XAV_MAX_FRAME_SIZE) {
        CPLError(CE_Failure, CPLE_IllegalArg,
                 "XAVIDEO: TILE_SIZE=%d is larger than the codecs take (%d).",
                 size, XAV_MAX_FRAME_SIZE);
        return -1;
    }
    if (size == 0 &&
        (d->width > XAV_MAX_FRAME_SIZE || d->height > XAV_MAX_FRAME_SIZE)) {
        size = XAV_DEFAULT_TILE_SIZE;
        CPLError(CE_Warning, CPLE_AppDefined,
                 "XAVIDEO: %dx%d pixels do not fit one frame (at most %d); "
                 "tiled at TILE_SIZE=%d.",
                 d->width, d->height, XAV_MAX_FRAME_SIZE, size);
    }
    d->tile_width = d->tile_height = size;
    return 0;
}

static int plan_max_error(xav_variable *var, double e)
{
    const double max_abs = MAX(fabs(var->valid_min), fabs(var->valid_max));
    var->max_error = e;
    var->corr_step = xav_correction_step(var->type, e, max_abs);
    if (var->corr_step > 0)
        return 0;
    CPLError(CE_Failure, CPLE_IllegalArg,
             "XAVIDEO: MAX_ERROR=%g is finer than %s can hold for %s, whose "
             "values reach %g; use LOSSLESS=YES.",
             e, GDALGetDataTypeName(var->type), var->name, max_abs);
    return -1;
}

int xav_plan_coding(xav_copy *cs)
{
    xav_desc *d = cs->d;
    int v;
    for (v = 0; v < d->nvars; v++) {
        xav_variable *var = &d->vars[v];
        const int bits = cs->opt.bits            ? cs->opt.bits
                         : var->type == GDT_Byte ? 8
                                                 : 12;
        var->bits = xav_quant_plan(var, var->lossless, bits);
        if (!var->lossless && cs->opt.max_error > 0 &&
            plan_max_error(var, cs->opt.max_error) != 0)
            return -1;
    }
    return xav_layout_plan(d, &cs->opt);
}
