/* outliers: see outliers.h. */
#include "outliers.h"

#include <string.h>

#include "quantize.h"

void xav_extremes_init(xav_extremes *e)
{
    memset(e, 0, sizeof(*e));
}

/* Inserts x into the sorted distinct list a of *n (at most
 * XAV_EXTREMES), ordered by before(x, y). */
static void insert(double *a, int *n, double x, int ascending)
{
    int i = *n, k;
    for (k = 0; k < *n; k++) {
        if (a[k] == x)
            return;
        if (ascending ? x < a[k] : x > a[k]) {
            i = k;
            break;
        }
    }
    if (i >= XAV_EXTREMES)
        return;
    if (*n < XAV_EXTREMES)
        (*n)++;
    memmove(a + i + 1, a + i, (size_t)(*n - 1 - i) * sizeof(double));
    a[i] = x;
}

void xav_extremes_add(xav_extremes *e, const double *x, const uint8_t *valid,
                      size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        if (valid[i] != XAV_MASK_VALID)
            continue;
        if (e->nlo < XAV_EXTREMES || x[i] < e->lo[e->nlo - 1])
            insert(e->lo, &e->nlo, x[i], 1);
        if (e->nhi < XAV_EXTREMES || x[i] > e->hi[e->nhi - 1])
            insert(e->hi, &e->nhi, x[i], 0);
    }
}

/* Whether the value at the end of one side, next to which the side goes on
 * with next, stands further from next than the values left (next to far,
 * the other side's current end) span. */
static int stands_apart(double end, double next, double far)
{
    const double gap = end > next ? end - next : next - end;
    const double rest = next > far ? next - far : far - next;
    return gap > rest;
}

void xav_extremes_apply(const xav_extremes *e, xav_variable *var)
{
    const int most = XAV_MAX_EXCEPTIONS / 2;
    int i = 0, j = 0, k, moved = 1;
    if (e->nlo == 0)
        return;
    while (moved) {
        moved = 0;
        /* a value is peeled once only: the two sides may hold the same */
        if (j < most && j + 1 < e->nhi && e->hi[j + 1] >= e->lo[i] &&
            stands_apart(e->hi[j], e->hi[j + 1], e->lo[i]))
            j++, moved = 1;
        if (i < most && i + 1 < e->nlo && e->lo[i + 1] <= e->hi[j] &&
            stands_apart(e->lo[i], e->lo[i + 1], e->hi[j]))
            i++, moved = 1;
    }
    var->nexceptions = 0;
    for (k = 0; k < i; k++)
        var->exceptions[var->nexceptions++] = e->lo[k];
    for (k = 0; k < j; k++)
        var->exceptions[var->nexceptions++] = e->hi[k];
    var->valid_min = e->lo[i];
    var->valid_max = e->hi[j];
}
