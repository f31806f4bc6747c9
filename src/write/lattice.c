/* lattice: see lattice.h. */
#include "lattice.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cpl_conv.h"

#include "quantize.h"

/* A lattice worth coding has at most this many points in a variable's
 * range (16-bit codes); more distinct values than that: none. */
#define XAV_LATTICE_POINTS 65536

void xav_lattice_init(xav_lattice *l)
{
    memset(l, 0, sizeof(*l));
}

static void give_up(xav_lattice *l)
{
    l->state = -1;
    CPLFree(l->seen);
    l->seen = NULL;
    l->count = l->capacity = 0;
}

static size_t slot_of(double x, size_t capacity)
{
    uint64_t h;
    memcpy(&h, &x, sizeof(h));
    h *= 0x9E3779B97F4A7C15ull; /* Fibonacci hashing of the bits */
    return (size_t)(h >> 32) & (capacity - 1);
}

static void insert(xav_lattice *l, double x);

/* Twice the room, the values moved over. */
static void grow(xav_lattice *l)
{
    double *old = l->seen;
    const size_t old_capacity = l->capacity;
    size_t i;
    l->capacity = old_capacity ? 2 * old_capacity : 1024;
    l->seen = (double *)CPLMalloc(l->capacity * sizeof(double));
    for (i = 0; i < l->capacity; i++)
        l->seen[i] = NAN;
    l->count = 0;
    for (i = 0; i < old_capacity; i++)
        if (!isnan(old[i]))
            insert(l, old[i]);
    CPLFree(old);
}

static void insert(xav_lattice *l, double x)
{
    size_t i;
    if (2 * (l->count + 1) > l->capacity)
        grow(l);
    for (i = slot_of(x, l->capacity); !isnan(l->seen[i]);
         i = (i + 1) & (l->capacity - 1))
        if (l->seen[i] == x)
            return;
    l->seen[i] = x;
    l->count++;
}

void xav_lattice_add(xav_lattice *l, const double *x, const uint8_t *mask,
                     size_t n)
{
    size_t i;
    for (i = 0; i < n && l->state == 0; i++) {
        if (mask[i] != XAV_MASK_VALID)
            continue;
        insert(l, x[i]);
        if (l->count > XAV_LATTICE_POINTS)
            give_up(l);
    }
}

static int ascending(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
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
    double *v, closest = HUGE_VAL, noise_floor;
    size_t i, j, n = 0;
    if (l->state != 0)
        return;
    v = (double *)CPLMalloc((l->count + 1) * sizeof(double));
    for (i = 0; i < l->capacity; i++)
        if (!isnan(l->seen[i]))
            v[n++] = l->seen[i];
    qsort(v, n, sizeof(double), ascending);
    /* values closer than float32's rounding at their magnitude are one
     * lattice point unpacked twice (each GRIB message has a reference
     * value of its own: SAfrica's PWAT, 4.8e-7 apart at 4.8) */
    noise_floor =
        n > 0 ? 64 * FLT_EPSILON * MAX(fabs(v[0]), fabs(v[n - 1])) : 0;
    for (i = 1; i < n; i++)
        if (v[i] - v[i - 1] > noise_floor)
            closest = MIN(closest, v[i] - v[i - 1]);
    if (closest < HUGE_VAL) {
        /* the widest span of at most 2^16 steps: a far fill value (9999
         * beside temperatures) takes no part */
        for (j = n - 1; v[j] - v[0] > XAV_LATTICE_POINTS * closest; j--)
            ;
        l->offset = v[0];
        l->step = (v[j] - v[0]) / floor((v[j] - v[0]) / closest + 0.5);
        l->noise = worst_distance(v, n, l->offset, l->step);
        /* a thousandth of a step: unpacking leaves more than float32's
         * rounding (NDFD MaxT: 2.3e-5 on 0.1 K, 40 ulps at 6 K) */
        l->state = l->noise <= l->step * 1e-3 ? 1 : -1;
    }
    CPLFree(v);
    if (l->state != 1)
        give_up(l);
    CPLFree(l->seen);
    l->seen = NULL;
}
