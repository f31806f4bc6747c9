/*
 * quantize: values <-> N-bit codes, per variable.
 *  - lossy: integers whose valid range fits the bit depth are coded as
 *    value - offset; anything else linearly, with one offset/scale per
 *    variable over all its time steps (per-frame scaling would break
 *    temporal prediction);
 *  - lossless, 8 and 16-bit integers: value - offset;
 *  - lossless, wider types: the value's bits, made order-preserving (codes
 *    are ordered like the values; raw IEEE bits jump at every sign change),
 *    split into bytes, most
 *    significant first (FFV1 codes byte planes better than 16-bit words:
 *    doc/defaults.md);
 *  - invalid pixels are filled smoothly before lossy coding (a flat fill
 *    costs bits at every coast); the mask stream keeps them exactly.
 * Row functions take whole rows so that no per-pixel call is made.
 */
#ifndef XAV_QUANTIZE_H
#define XAV_QUANTIZE_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"

/* Mask codes: what an invalid pixel was. */
#define XAV_MASK_VALID 255
#define XAV_MASK_NODATA 0
#define XAV_MASK_NAN 1
#define XAV_MASK_POSINF 2
#define XAV_MASK_NEGINF 3

/* Chooses v->quant, q_offset, q_scale and words from v->type and
 * v->valid_min/max. Returns the bits its codes need. */
int xav_quant_plan(xav_variable *v, int lossless, int bits);

/* Lossy or integer: values -> codes (clamped to [0, 2^bits - 1]). */
void xav_quant_encode_row(const xav_variable *v, int bits, const double *values,
                          size_t n, uint16_t *codes);
/* Codes (8-bit if bytes_per_code is 1, else 16-bit) -> physical values. */
void xav_quant_decode_row(const xav_variable *v, const void *codes,
                          int bytes_per_code, size_t n, double *values);

/* What a reader gets for one row of a lossy or integer variable: codes ->
 * physical values, invalid pixels set from their mask codes (NULL if none),
 * converted to the variable's type into out, plus MAX_ERROR corrections
 * (NULL if none) added in that type. scratch holds n doubles. The encoder
 * calls it too, to measure exactly what readers will see. */
void xav_reconstruct_row(const xav_variable *v, const void *codes,
                         int bytes_per_code, const uint16_t *corrections,
                         const uint8_t *mask, size_t n, double *scratch,
                         void *out);
/* Correction codes: value += (code - XAV_CORRECTION_ZERO) * step. */
#define XAV_CORRECTION_ZERO 32768

/* Lossless: raw values of type -> byte `word` of each. */
void xav_bits_encode_row(GDALDataType type, const void *raw, size_t n, int word,
                         uint16_t *codes);
/* Lossless: bytes (one row per word) -> raw values. */
void xav_bits_decode_row(GDALDataType type, const uint8_t *const *words,
                         size_t n, void *raw);
/* Number of byte words that carry a value of type losslessly. */
int xav_bits_words(GDALDataType type);

/* Replaces invalid values (valid[i] == 0) by a smooth fill from the valid
 * ones (push-pull over a 2x pyramid). */
void xav_fill_invalid(double *values, const uint8_t *valid, int width,
                      int height);

#endif /* XAV_QUANTIZE_H */
