/*
 * metrics: what lossy coding cost, measured during encoding on exactly the
 * values a reader will get (xav_reconstruct_row), and the corrections that
 * bound that cost when the user asked for MAX_ERROR.
 *
 * MAX_ERROR e: after the lossy frame is decoded, each valid pixel whose
 * value differs from the source by more than e gets a correction k (an
 * integer, stored losslessly, 0 almost everywhere) such that
 * value + k * step, computed in the band's type, is within e. For integers
 * step = 2 floor(e) + 1, exact; for floats step = 2e less twice the type's
 * rounding at the variable's largest magnitude.
 */
#ifndef XAV_METRICS_H
#define XAV_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"

typedef struct {
    double sse;     /* sum of squared errors over valid pixels */
    double max_abs; /* largest absolute error */
    double count;   /* valid pixels */
} xav_error_sum;

/* Correction step for a bound e on values of type up to max_abs in
 * magnitude, or 0 if the type cannot hold values that close. */
double xav_correction_step(GDALDataType type, double e, double max_abs);

/* One row of a frame to verify. */
typedef struct {
    const double *x;       /* the source values */
    const uint8_t *mask;   /* their XAV_MASK codes */
    const void *codes;     /* the decoded codes */
    int bytes_per_code;    /* 1, or 2 for 16-bit samples */
    uint16_t *corrections; /* to fill where v has a bound, else NULL */
    int correction_zero;
    /* XAV_QUANT_MIXED: the decoded codes of each of v->mix_vars */
    const void *mixed[XAV_MAX_CHANNELS];
} xav_verify_in;

/* Fills in->corrections (if any) so that every valid pixel is within
 * v->max_error, and adds the error of the values a reader gets to sum.
 * scratch and got hold n doubles, typed n values of v->type. Returns the
 * number of valid pixels still beyond v->max_error (only possible where the
 * type's precision is coarser than the bound). */
size_t xav_verify_row(const xav_variable *v, const xav_verify_in *in, size_t n,
                      double *scratch, void *typed, double *got,
                      xav_error_sum *sum);

/* PSNR in dB with the given peak (+inf when there is no error). */
double xav_error_psnr(const xav_error_sum *sum, double peak);
/* Adds the sums of another window of the same band. */
void xav_error_sum_add(xav_error_sum *to, const xav_error_sum *from);
/* PSNR (peak: the variable's valid range) of band b from its sums. */
double xav_band_psnr(const xav_desc *d, int b, const xav_error_sum *sum);
/* Sets d->psnr and d->max_abs_error from per-band sums (empty, so exact,
 * for lossless variables). */
void xav_set_quality(xav_desc *d, const xav_error_sum *sums);

#endif /* XAV_METRICS_H */
