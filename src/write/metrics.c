/* metrics: see metrics.h. */
#include "metrics.h"

#include <float.h>
#include <math.h>
#include <string.h>

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

/* What a reader gets for a row, as doubles. */
static void reconstruct(const xav_variable *v, const xav_row_in *row, size_t n,
                        double *scratch, void *typed, double *got)
{
    xav_reconstruct_row(v, row, n, scratch, typed);
    GDALCopyWords64(typed, v->type, GDALGetDataTypeSizeBytes(v->type), got,
                    GDT_Float64, 8, (GPtrDiff_t)n);
}

/* What a reader takes for pixels i onwards of in, with corrections (or
 * none). */
static xav_row_in row_from(const xav_verify_in *in, size_t i,
                           const uint16_t *corrections)
{
    xav_row_in row;
    int k;
    memset(&row, 0, sizeof(row));
    row.codes = (const uint8_t *)in->codes + i * in->bytes_per_code;
    for (k = 0; k < XAV_MAX_CHANNELS; k++)
        row.mixed[k] = in->mixed[k] ? (const uint8_t *)in->mixed[k] +
                                          i * in->bytes_per_code
                                    : NULL;
    row.bytes_per_code = in->bytes_per_code;
    row.corrections = corrections;
    row.correction_zero = in->correction_zero;
    row.mask = in->mask + i;
    return row;
}

/* The value a reader gets for pixel i with correction code c. */
static double pixel_value(const xav_variable *v, const xav_verify_in *in,
                          size_t i, uint16_t c)
{
    double scratch, got;
    unsigned char typed[16];
    const xav_row_in row = row_from(in, i, &c);
    reconstruct(v, &row, 1, &scratch, typed, &got);
    return got;
}

static uint16_t correction_code(double k, int zero)
{
    k = k < 1 - zero ? 1 - zero : k > zero - 1 ? zero - 1 : k;
    return (uint16_t)(zero + (int)k);
}

/* First guess of every correction: the nearest multiple of the step to
 * the error of the uncorrected value, as the reader gets it. */
static void guess_corrections(const xav_variable *v, const xav_verify_in *in,
                              size_t n, double *scratch, void *typed,
                              double *got)
{
    const xav_row_in row = row_from(in, 0, NULL);
    size_t i;
    reconstruct(v, &row, n, scratch, typed, got);
    for (i = 0; i < n; i++)
        in->corrections[i] =
            in->mask[i] == XAV_MASK_VALID
                ? correction_code(
                      floor((in->x[i] - got[i]) / v->corr_step + 0.5),
                      in->correction_zero)
                : (uint16_t)in->correction_zero;
}

/* Where the type's rounding pushed a pixel past the bound, or where the
 * pixel landed on nodata and its upper neighbour is too far, a
 * neighbouring correction or nodata's lower neighbour may do. Returns
 * whether one did. */
static int repair(const xav_variable *v, const xav_verify_in *in, size_t i,
                  double *got)
{
    const uint16_t c = in->corrections[i];
    const uint16_t tries[3] = {(uint16_t)(c + 1), (uint16_t)(c - 1),
                               XAV_CORRECTION_BELOW};
    int k;
    for (k = 0; k < (v->has_nodata ? 3 : 2); k++) {
        double g;
        if (tries[k] >= 2 * in->correction_zero)
            continue; /* past the stream's codes */
        g = pixel_value(v, in, i, tries[k]);
        if (fabs(in->x[i] - g) <= v->max_error) {
            in->corrections[i] = tries[k];
            *got = g;
            return 1;
        }
    }
    return 0;
}

size_t xav_verify_row(const xav_variable *v, const xav_verify_in *in, size_t n,
                      double *scratch, void *typed, double *got,
                      xav_error_sum *sum)
{
    const xav_row_in row = row_from(in, 0, in->corrections);
    size_t i, beyond = 0;
    if (in->corrections != NULL)
        guess_corrections(v, in, n, scratch, typed, got);
    reconstruct(v, &row, n, scratch, typed, got);
    for (i = 0; i < n; i++) {
        double err;
        if (in->mask[i] != XAV_MASK_VALID)
            continue;
        err = fabs(in->x[i] - got[i]);
        if (in->corrections != NULL && err > v->max_error) {
            if (repair(v, in, i, &got[i]))
                err = fabs(in->x[i] - got[i]);
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
