/* lattice: see lattice.h. */
#include "lattice.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cpl_conv.h"

#include "quantize.h"

void xav_lattice_init(xav_lattice *l)
{
    memset(l, 0, sizeof(*l));
    xav_distinct_init(&l->seen);
}

void xav_lattice_add(xav_lattice *l, const double *x, const uint8_t *mask,
                     size_t n)
{
    size_t i;
    for (i = 0; i < n && !l->seen.full; i++)
        if (mask[i] == XAV_MASK_VALID)
            xav_distinct_add(&l->seen, xav_key_of(GDT_Float64, x, i));
}

/* The largest distance of the n values from the lattice (offset, step). */
static double worst_distance(const double *v, size_t n, double offset,
                             double step)
{
    double worst = 0;
    size_t i;
    for (i = 0; i < n; i++) {
        const double k = floor((v[i] - offset) / step + 0.5);
        worst = MAX(worst, fabs(v[i] - (offset + k * step)));
    }
    return worst;
}

void xav_lattice_finish(xav_lattice *l)
{
    double closest = HUGE_VAL, noise_floor;
    size_t i, j, n;
    uint64_t *keys;
    double *v;
    if (l->state != 0)
        return;
    keys = xav_distinct_sorted(&l->seen, &n);
    v = (double *)keys; /* the same values, as doubles, in place */
    xav_distinct_free(&l->seen);
    if (keys == NULL) {
        l->state = -1;
        CPLFree(keys);
        return;
    }
    for (i = 0; i < n; i++)
        xav_key_store(GDT_Float64, keys[i], v, i);
    /* values closer than float32's rounding at their magnitude are one
     * lattice point unpacked twice (each GRIB message has a reference
     * value of its own: SAfrica's PWAT, 4.8e-7 apart at 4.8) */
    noise_floor =
        n > 0 ? 64 * FLT_EPSILON * MAX(fabs(v[0]), fabs(v[n - 1])) : 0;
    for (i = 1; i < n; i++)
        if (v[i] - v[i - 1] > noise_floor)
            closest = MIN(closest, v[i] - v[i - 1]);
    l->state = -1;
    if (closest < HUGE_VAL) {
        /* the widest span of at most 2^16 steps: a far fill value (9999
         * beside temperatures) takes no part */
        for (j = n - 1; v[j] - v[0] > XAV_TABLE_MAX * closest; j--)
            ;
        l->offset = v[0];
        l->step = (v[j] - v[0]) / floor((v[j] - v[0]) / closest + 0.5);
        l->noise = worst_distance(v, n, l->offset, l->step);
        /* a thousandth of a step: unpacking leaves more than float32's
         * rounding (NDFD MaxT: 2.3e-5 on 0.1 K, 40 ulps at 6 K) */
        l->state = l->noise <= l->step * 1e-3 ? 1 : -1;
    }
    CPLFree(keys);
}
