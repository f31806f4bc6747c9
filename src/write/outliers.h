/*
 * outliers: values of a variable that lie far from all the others: fill
 * values the source did not declare (GDAL 3.6's GRIB driver leaves many
 * 9999s undeclared), spikes. Left in the quantized range they would set
 * it, and every other value would pay: a wind of 5.57 m/s read back as
 * 27.08 beside fills of 9999. They are kept exactly instead, by the mask
 * (XAV_MASK_EXCEPTION), out of the range.
 *
 * The rule: the largest (smallest) value is an outlier when the gap to
 * the next one is wider than the range of every value left; then the
 * next, up to XAV_MAX_EXCEPTIONS / 2 on each side. Data without such a
 * gap (heavy tails included: their extremes are close to each other) has
 * none.
 */
#ifndef XAV_OUTLIERS_H
#define XAV_OUTLIERS_H

#include "model.h"

#define XAV_EXTREMES (XAV_MAX_EXCEPTIONS / 2 + 1)

/* The few smallest and largest distinct values seen. */
typedef struct {
    double lo[XAV_EXTREMES]; /* ascending */
    double hi[XAV_EXTREMES]; /* descending */
    int nlo, nhi;
} xav_extremes;

void xav_extremes_init(xav_extremes *e);
/* Takes n values, of which only the extreme ones cost more than two
 * comparisons. */
void xav_extremes_add(xav_extremes *e, const double *x, const uint8_t *valid,
                      size_t n);
/* Sets var's exceptions to the outliers among e, and its valid range to
 * the range of the values left (empty e: left as it is). */
void xav_extremes_apply(const xav_extremes *e, xav_variable *var);

#endif /* XAV_OUTLIERS_H */
