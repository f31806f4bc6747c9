/* scan: see scan.h. */
#include "scan.h"

#include <math.h>

#include "cpl_conv.h"
#include "cpl_error.h"

#include "copy.h"
#include "outliers.h"
#include "quantize.h"
#include "window.h"

/* Whether variable v needs the scan: lossy, masked by a mask band of the
 * source's own (for a mask stream), or coded from its bits (for a table). */
static int wants_scan(const xav_copy *cs, int v)
{
    const xav_variable *var = &cs->d->vars[v];
    return !var->lossless || var->mask_band != XAV_MASK_BAND_NONE ||
           (xav_quant_raw(var) && cs->opt.value_table);
}

/* Whether it still does: not if all it wanted was a table and it has too
 * many values for one. */
static int to_scan(const xav_copy *cs, int v)
{
    const xav_variable *var = &cs->d->vars[v];
    const int table_only =
        var->lossless && var->mask_band == XAV_MASK_BAND_NONE;
    return wants_scan(cs, v) && !(table_only && cs->values[v].full);
}

int xav_scan_wanted(const xav_copy *cs)
{
    int v;
    for (v = 0; v < cs->d->nvars; v++)
        if (wants_scan(cs, v))
            return 1;
    return 0;
}

/* The distinct values of a lossy float variable still possibly on a lattice
 * (whose table may then code it exactly: plan.c), from its values read as
 * doubles, which hold Float32 values exactly. Only for a MAX_ERROR given:
 * the default bound is a 64th of the range, which a table beats only on
 * lattices of fewer than about 128 points, and the second set costs the
 * default's encode a fifth more time (NDFD MaxT: 1.25 -> 1.58 s). */
static void add_doubles(xav_copy *cs, const xav_window *win, int v)
{
    const double *x = win->values[v];
    const size_t n = xav_window_pixels(win);
    size_t i;
    if (cs->d->vars[v].type != GDT_Float32) {
        xav_distinct_add_values(&cs->values[v], GDT_Float64, x, n);
        return;
    }
    for (i = 0; i < n && !cs->values[v].full; i++) {
        const float f = (float)x[i];
        xav_distinct_add(&cs->values[v], xav_key_of(GDT_Float32, &f, 0));
    }
}

/* Whether a lossy variable's window, with invalid pixels, has one that a
 * tile left out would not read back (quantize.h, xav_mask_code_empty). */
static int window_valid(const xav_variable *var, const xav_window *win,
                        long invalid, int v)
{
    const size_t n = xav_window_pixels(win);
    size_t i;
    if ((size_t)invalid < n)
        return 1;
    for (i = 0; i < n; i++)
        if (!xav_mask_code_empty(var, win->mask[v][i]))
            return 1;
    return 0;
}

/* Valid range (kept as its extremes) and invalid pixels of the lossy
 * variables in window k at time t; the values of the lossless ones, whose
 * tile is then never left out. */
static int scan_window(xav_copy *cs, xav_window *win, int k, int t,
                       xav_extremes *ext)
{
    xav_desc *d = cs->d;
    int v;
    for (v = 0; v < d->nvars; v++) {
        xav_variable *var = &d->vars[v];
        long invalid;
        if (!to_scan(cs, v))
            continue;
        if ((invalid = xav_window_read(cs, win, v, t)) < 0)
            return -1;
        var->has_mask |= invalid > 0;
        if (var->lossless) {
            if (xav_quant_raw(var) && cs->opt.value_table &&
                !cs->values[v].full)
                xav_distinct_add_values(&cs->values[v], var->type, win->raw[v],
                                        xav_window_pixels(win));
            cs->tile_valid[k] = 1;
            continue;
        }
        if (!cs->tile_valid[k])
            cs->tile_valid[k] =
                (unsigned char)window_valid(var, win, invalid, v);
        xav_extremes_add(&ext[v], win->values[v], win->mask[v],
                         xav_window_pixels(win));
        if (GDALDataTypeIsFloating(var->type)) {
            xav_lattice_add(&cs->lattice[v], win->values[v], win->mask[v],
                            xav_window_pixels(win));
            if (cs->opt.value_table && cs->opt.max_error > 0 &&
                !cs->lattice[v].seen.full)
                add_doubles(cs, win, v);
        }
    }
    return 0;
}

/* Each lossy variable's range: without its outliers (outliers.h), unless
 * VALID_RANGE sets the range. */
static void set_ranges(xav_copy *cs, const xav_extremes *ext)
{
    xav_desc *d = cs->d;
    int v;
    for (v = 0; v < d->nvars; v++) {
        xav_variable *var = &d->vars[v];
        if (var->lossless || ext[v].nlo == 0)
            continue;
        var->valid_min = ext[v].lo[0];
        var->valid_max = ext[v].hi[0];
        if (cs->opt.valid_range == NULL)
            xav_extremes_apply(&ext[v], var);
        var->has_mask |= var->nexceptions > 0;
    }
}

static int any_to_scan(const xav_copy *cs)
{
    int v;
    for (v = 0; v < cs->d->nvars; v++)
        if (to_scan(cs, v))
            return 1;
    return 0;
}

static int scan_all(xav_copy *cs, GDALProgressFunc progress, void *pdata,
                    double share)
{
    xav_desc *d = cs->d;
    xav_extremes *ext =
        (xav_extremes *)CPLMalloc(d->nvars * sizeof(xav_extremes));
    xav_window win;
    int t, k, v, rc = xav_window_alloc(d, &win);
    cs->lattice = (xav_lattice *)CPLMalloc(d->nvars * sizeof(xav_lattice));
    cs->values = (xav_distinct *)CPLMalloc(d->nvars * sizeof(xav_distinct));
    cs->tile_valid = (unsigned char *)CPLCalloc(xav_desc_tile_count(d), 1);
    for (v = 0; v < d->nvars; v++) {
        xav_extremes_init(&ext[v]);
        xav_lattice_init(&cs->lattice[v]);
        xav_distinct_init(&cs->values[v]);
    }
    for (t = 0; t < d->ntimes && rc == 0 && any_to_scan(cs); t++) {
        for (k = 0; k < xav_desc_tile_count(d) && rc == 0; k++) {
            xav_window_set_tile(d, &win, k);
            rc = scan_window(cs, &win, k, t, ext);
        }
        if (rc == 0)
            rc =
                xav_copy_progress(progress, pdata, share * (t + 1) / d->ntimes);
    }
    for (v = 0; v < d->nvars; v++)
        xav_lattice_finish(&cs->lattice[v]);
    if (rc == 0)
        set_ranges(cs, ext);
    xav_window_free(d, &win);
    cs->extremes = ext; /* for xav_scan_summary */
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
    if (share <= 0) /* nothing to scan */
        return 0;
    return scan_all(cs, progress, pdata, share) == 0 &&
                   apply_valid_range(cs) == 0
               ? 0
               : -1;
}
