/* metrics: see metrics.h. */
#include "metrics.h"

#include <float.h>
#include <math.h>

#include "cpl_conv.h"

#include "quantize.h"

double xav_correction_step(GDALDataType type, double e, double max_abs)
{
    /* rounding of a corrected value to the type: half an ulp at most */
    double rounding;
    if (!GDALDataTypeIsFloating(type))
        return 2 * floor(e) + 1;
    rounding = max_abs * (type == GDT_Float32 ? FLT_EPSILON : DBL_EPSILON);
    return e > 4 * rounding ? 2 * (e - 2 * rounding) : 0;
}

/* The value a reader gets for pixel i with correction c. */
static double pixel_value(const xav_variable *v, const void *codes,
                          int bytes_per_code, size_t i, uint16_t c)
{
    double scratch, got;
    unsigned char typed[16];
    xav_reconstruct_row(v, (const uint8_t *)codes + i * bytes_per_code,
                        bytes_per_code, &c, NULL, 1, &scratch, typed);
    GDALCopyWords64(typed, v->type, 0, &got, GDT_Float64, 0, 1);
    return got;
}

static uint16_t correction_code(double k)
{
    k = k < -32767 ? -32767 : k > 32767 ? 32767 : k;
    return (uint16_t)(XAV_CORRECTION_ZERO + (int)k);
}

/* First guess of every correction: the nearest multiple of the step to
 * the error of the uncorrected value, as the reader gets it. */
static void guess_corrections(const xav_variable *v, const double *x,
                              const uint8_t *mask, const void *codes,
                              int bytes_per_code, uint16_t *corrections,
                              size_t n, double *scratch, void *typed,
                              double *got)
{
    size_t i;
    xav_reconstruct_row(v, codes, bytes_per_code, NULL, mask, n, scratch,
                        typed);
    GDALCopyWords64(typed, v->type, GDALGetDataTypeSizeBytes(v->type), got,
                    GDT_Float64, 8, (GPtrDiff_t)n);
    for (i = 0; i < n; i++)
        corrections[i] =
            mask[i] == XAV_MASK_VALID
                ? correction_code(floor((x[i] - got[i]) / v->corr_step + 0.5))
                : XAV_CORRECTION_ZERO;
}

/* Where the type's rounding pushed a pixel past the bound, a neighbouring
 * correction may bring it back. Returns whether it did. */
static int repair(const xav_variable *v, double x, const void *codes,
                  int bytes_per_code, size_t i, uint16_t *c, double *got)
{
    int d;
    for (d = -1; d <= 1; d += 2) {
        uint16_t k = (uint16_t)(*c + d);
        double g = pixel_value(v, codes, bytes_per_code, i, k);
        if (fabs(x - g) <= v->max_error) {
            *c = k;
            *got = g;
            return 1;
        }
    }
    return 0;
}

size_t xav_verify_row(const xav_variable *v, const double *x,
                      const uint8_t *mask, const void *codes,
                      int bytes_per_code, uint16_t *corrections, size_t n,
                      double *scratch, void *typed, double *got,
                      xav_error_sum *sum)
{
    size_t i, beyond = 0;
    if (corrections != NULL)
        guess_corrections(v, x, mask, codes, bytes_per_code, corrections, n,
                          scratch, typed, got);
    xav_reconstruct_row(v, codes, bytes_per_code, corrections, mask, n, scratch,
                        typed);
    GDALCopyWords64(typed, v->type, GDALGetDataTypeSizeBytes(v->type), got,
                    GDT_Float64, 8, (GPtrDiff_t)n);
    for (i = 0; i < n; i++) {
        double err;
        if (mask[i] != XAV_MASK_VALID)
            continue;
        err = fabs(x[i] - got[i]);
        if (corrections != NULL && err > v->max_error) {
            if (repair(v, x[i], codes, bytes_per_code, i, &corrections[i],
                       &got[i]))
                err = fabs(x[i] - got[i]);
            else
                beyond++;
        }
        sum->sse += err * err;
        sum->max_abs = err > sum->max_abs ? err : sum->max_abs;
        sum->count++;
    }
    return beyond;
}

double xav_error_psnr(const xav_error_sum *sum, double peak)
{
    double mse = sum->count > 0 ? sum->sse / sum->count : 0;
    if (mse == 0)
        return INFINITY;
    if (!(peak > 0))
        peak = 1; /* a constant variable: error relative to one unit */
    return 10 * log10(peak * peak / mse);
}

void xav_error_sum_add(xav_error_sum *to, const xav_error_sum *from)
{
    to->sse += from->sse;
    to->count += from->count;
    to->max_abs = MAX(to->max_abs, from->max_abs);
}

double xav_band_psnr(const xav_desc *d, int b, const xav_error_sum *sum)
{
    int v, t;
    xav_desc_band_split(d, b, &v, &t);
    return xav_error_psnr(sum, d->vars[v].valid_max - d->vars[v].valid_min);
}

void xav_set_quality(xav_desc *d, const xav_error_sum *sums)
{
    const int nbands = xav_desc_band_count(d);
    int b;
    d->psnr = (double *)CPLRealloc(d->psnr, nbands * sizeof(double));
    d->max_abs_error =
        (double *)CPLRealloc(d->max_abs_error, nbands * sizeof(double));
    for (b = 0; b < nbands; b++) {
        d->psnr[b] = xav_band_psnr(d, b, &sums[b]);
        d->max_abs_error[b] = sums[b].max_abs;
    }
}
